"""The security checks' index (README.md beside this file) names tests that exist: a check renamed
or removed leaves the index, and this test, failing until the index says where it went."""

from __future__ import annotations

import ast
import re
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
NAMED = re.compile(r"`([\w/.-]+\.py)::(test_\w+)`")


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")}


def test_every_test_the_index_names_exists() -> None:
    named = NAMED.findall((HERE / "README.md").read_text(encoding="utf-8"))
    assert len(named) >= 30
    missing = [f"{file}::{test}" for file, test in named
               if not (ROOT / file).is_file() or test not in _tests_in(ROOT / file)]
    assert missing == []


def test_every_test_in_this_folder_is_in_the_index() -> None:
    index = (HERE / "README.md").read_text(encoding="utf-8")
    here = {f"tests/security/{path.name}::{test}" for path in HERE.glob("test_*.py") if path.name != "test_index.py"
            for test in _tests_in(path)}
    unlisted = sorted(name for name in here if f"`{name}`" not in index)
    assert unlisted == [], "add them to tests/security/README.md"
