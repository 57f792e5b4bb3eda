"""Reading a Prometheus scrape the way Prometheus does (the client library's own parser)."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families


def families(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Family name (counters without `_total`) -> its samples as (labels, value); a family with
    no samples yet is there with an empty list."""
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        found.setdefault(family.name, [])
        for sample in family.samples:
            found[family.name].append((dict(sample.labels), sample.value))
    return found


def sample_names(text: str) -> set[str]:
    """Every name a PromQL expression may use: sample names (`x_total`, `x_bucket`) and families."""
    names: set[str] = set()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        if family.type == "counter":
            names.add(family.name + "_total")
        if family.type == "histogram":
            names.update(family.name + suffix for suffix in ("_bucket", "_sum", "_count"))
        names.update(sample.name for sample in family.samples)
    return names


async def scrape(url: str) -> str:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def total(samples: list[tuple[dict[str, str], float]], **labels: str) -> float:
    return sum(value for have, value in samples if all(have.get(k) == v for k, v in labels.items()))
