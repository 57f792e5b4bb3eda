"""The alert rules and the dashboard as files: where they are, their schema, and the metric names
their PromQL expressions read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import yaml

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "k8s" / "overlays" / "production" / "monitoring"
RULE_FILES = [MONITORING / "prometheus-rules.yaml", MONITORING / "pipeline-rules.yaml"]
DASHBOARD = ROOT / "deploy" / "grafana" / "landgrade-pipeline.json"
# Read by the alerts but exported by others: Prometheus's own `up`, CloudNativePG's exporter.
NOT_OURS = {"up", "cnpg_landgrade_outbox_inserted"}

DURATION = r"^([0-9]+(ms|s|m|h|d|w|y))+$"
# The part of the Prometheus Operator's PrometheusRule CRD (monitoring.coreos.com/v1) these files use.
PROMETHEUS_RULE = {
    "type": "object", "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "monitoring.coreos.com/v1"}, "kind": {"const": "PrometheusRule"},
        "metadata": {"type": "object", "required": ["name"]},
        "spec": {"type": "object", "required": ["groups"], "additionalProperties": False, "properties": {
            "groups": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["name", "rules"], "additionalProperties": False, "properties": {
                    "name": {"type": "string", "minLength": 1}, "interval": {"type": "string", "pattern": DURATION},
                    "rules": {"type": "array", "minItems": 1, "items": {
                        "type": "object", "required": ["expr"], "additionalProperties": False,
                        "oneOf": [{"required": ["alert"]}, {"required": ["record"]}],
                        "properties": {
                            "alert": {"type": "string", "pattern": "^[A-Z][A-Za-z0-9]+$"},
                            "record": {"type": "string", "pattern": "^[a-zA-Z_:][a-zA-Z0-9_:]*$"},
                            "expr": {"type": "string", "minLength": 1},
                            "for": {"type": "string", "pattern": DURATION},
                            "labels": {"type": "object", "additionalProperties": {"type": "string"},
                                       "properties": {"severity": {"enum": ["warning", "critical"]}}},
                            "annotations": {"type": "object", "required": ["summary", "description"],
                                            "additionalProperties": {"type": "string"}},
                        }}}}}}}}},
}
# What Grafana needs to import a dashboard, and the shape of its panels and queries.
DASHBOARD_SCHEMA = {
    "type": "object", "required": ["title", "uid", "schemaVersion", "panels", "templating"],
    "properties": {
        "uid": {"type": "string", "pattern": "^[a-zA-Z0-9_-]{1,40}$"},
        "schemaVersion": {"type": "integer", "minimum": 30},
        "panels": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["id", "type", "title", "gridPos"],
            "properties": {
                "type": {"enum": ["row", "timeseries", "stat", "table"]},
                "gridPos": {"type": "object", "required": ["h", "w", "x", "y"], "properties": {
                    "w": {"type": "integer", "minimum": 1, "maximum": 24},
                    "x": {"type": "integer", "minimum": 0, "maximum": 23}}},
                "targets": {"type": "array", "items": {"type": "object", "required": ["refId", "expr"]}},
            }}},
    },
}

_FUNCTIONS_AND_KEYWORDS = {
    "sum", "max", "min", "avg", "count", "rate", "irate", "increase", "delta", "deriv", "histogram_quantile",
    "label_values", "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool",
    "offset", "vector", "topk", "bottomk", "abs", "clamp_min", "clamp_max", "absent", "time", "humanizeDuration",
}


def rules() -> list[dict[str, Any]]:
    return [doc for path in RULE_FILES for doc in yaml.safe_load_all(path.read_text()) if doc]


def dashboard() -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads(DASHBOARD.read_bytes())
    return document


def metric_names(expr: str) -> set[str]:
    """The series names a PromQL expression selects: identifiers outside label matchers, ranges,
    strings and grouping clauses that are not functions, keywords or numbers."""
    bare = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    bare = re.sub(r"\{[^}]*\}", " ", bare)
    bare = re.sub(r"\[[^\]]*\]", " ", bare)
    bare = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", bare)
    return {name for name in re.findall(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w(])", bare)
            if name not in _FUNCTIONS_AND_KEYWORDS and not re.fullmatch(r"\d+[smhdwy]?", name)}


def balanced(expr: str) -> bool:
    pairs, stack = {")": "(", "]": "[", "}": "{"}, []
    for char in re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr):
        if char in "([{":
            stack.append(char)
        elif char in pairs:
            if not stack or stack.pop() != pairs[char]:
                return False
    return not stack
