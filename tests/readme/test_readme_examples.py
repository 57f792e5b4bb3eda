"""Every shell example in the README runs as written against a seeded stack.

The blocks of "Watch a grade change", "Integrating" and "Lists for the land office" run in order
in one shell, from a copy of `examples/` (the files they name live there), against the four services started as processes
with the demo loaded, as `make run` leaves them. `curl` fails on any 4xx/5xx answer, so an
example that means something else than it says fails the build. Only the URLs change: the
README's `http://127.0.0.1:800N` become this stack's ports.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from landgrade.demo.loader import _auth as auth
from landgrade.testing import Infra
from landgrade.testing_stack import Stack, running_stack

pytestmark = [pytest.mark.infra, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTIONS = ("### Watch a grade change", "## Integrating", "## Lists for the land office")
PORTS = {"8001": "parcel-registry", "8002": "evaluation", "8003": "credit-ledger", "8004": "enforcement"}


def shell_examples(text: str) -> list[tuple[str, str]]:
    """(heading, block) for each ```bash block under the README sections that integrators follow."""
    blocks: list[tuple[str, str]] = []
    heading, inside = "", False
    for part in re.split(r"(?m)^(#{2,3} .*)$", text):
        if re.match(r"#{2,3} ", part):
            heading = part.strip()
            if heading.startswith("## "):
                inside = heading in SECTIONS
            elif heading in SECTIONS:
                inside = True
            continue
        if inside:
            blocks += [(heading, b) for b in re.findall(r"```bash\n(.*?)```", part, re.S)]
    return blocks


def test_the_readme_has_the_examples_this_test_runs() -> None:
    headings = {h for h, _ in shell_examples(README.read_text())}
    assert {"### Watch a grade change", "### Business registry (市场监管) → parcel-registry",
            "### Tax system (税务) → parcel-registry", "### Street offices and towns (街道/镇) → enforcement",
            "### Grades (evaluation)"} <= headings
    for name in re.findall(r"@([\w.-]+\.(?:xlsx|csv|ndjson|jpg))", README.read_text()):
        assert (ROOT / "examples" / name).is_file(), f"the README sends examples/{name}, which is missing"


@pytest.fixture(scope="module")
def seeded(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(infra, tmp_path_factory.mktemp("readme-logs")) as stack:
        from landgrade.demo.loader import seed_if_empty

        # As `make run` seeds it: enforcement's case history on a clock 120 days back, then today's.
        seed_if_empty(stack.registry, stack.enforcement, stack.evaluation, parcels=60,
                      restart_enforcement=lambda env: stack.restart("enforcement", env))
        yield stack


def test_the_demo_the_readme_describes_has_overdue_d_cases_open_tasks_and_uneven_streets(seeded: Stack) -> None:
    admin = auth("admin")
    with httpx.Client(headers=admin, timeout=30) as http:
        parcels: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            page = http.get(f"{seeded.registry}/v1/parcels",
                            params={"limit": 500} | ({"after": after} if after else {})).json()
            parcels += page["items"]
            if not (after := page.get("next_after")):
                break
        per_street = Counter(p["street"] for p in parcels)
        assert len(parcels) == 60 and len(set(per_street.values())) > 1, per_street
        overdue = http.get(f"{seeded.enforcement}/v1/cases",
                           params={"overdue": "true", "kind": "enforcement", "limit": 500}).json()["items"]
        assert overdue, "no enforcement case is overdue"
        for case in overdue:
            grades = http.get(f"{seeded.evaluation}/v1/parcels/{case['parcel_id']}/grades").json()
            assert any(g["grade"] == "D" for g in grades["items"]), case["parcel_id"]
        tasks = http.get(f"{seeded.enforcement}/v1/inspection-tasks", params={"status": "open"}).json()
        assert tasks["total"] >= 1


def test_every_shell_example_runs_as_written(seeded: Stack, tmp_path: Path) -> None:
    script = ["set -euo pipefail",
              f"export LANDGRADE_REGISTRY_URL={seeded.registry} LANDGRADE_EVALUATION_URL={seeded.evaluation}",
              f"export LANDGRADE_CREDIT_URL={seeded.credit} ENVIRONMENT=test",
              # An example that gets a 4xx or 5xx has failed, whatever it prints.
              'curl() { command curl --fail-with-body -sS "$@"; echo; }',
              # From a copy of examples/: the files the examples send are there, and what they write stays out.
              f'cp -r "{ROOT / "examples"}" "{tmp_path / "examples"}" && cd "{tmp_path / "examples"}"']
    for number, (heading, block) in enumerate(shell_examples(README.read_text()), start=1):
        body = block.replace(".venv/bin/", f"{Path(sys.executable).parent}/")
        for port, service in PORTS.items():
            body = body.replace(f"http://127.0.0.1:{port}", seeded.urls[service])
        script += [f"echo '>>> example {number}: {heading}' >&2", body]
    path = tmp_path / "readme.sh"
    path.write_text("\n".join(script) + "\n")
    done = subprocess.run(["bash", str(path)], capture_output=True, text=True, timeout=600, check=False)
    failed_at = [line for line in done.stderr.splitlines() if line.startswith(">>> example")][-1:]
    assert done.returncode == 0, f"{failed_at}\n--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"


def test_a_clerk_exports_a_street_list_that_opens_in_chinese_with_numbers_as_numbers(
        seeded: Stack, tmp_path: Path) -> None:
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from landgrade.cli import app

    urls = ["--registry", seeded.registry, "--evaluation", seeded.evaluation, "--credit", seeded.credit]
    out = tmp_path / "grades.xlsx"
    done = CliRunner().invoke(app, ["export", "grades", "--street", "荣华", "--out", str(out), *urls])
    assert done.exit_code == 0, done.output
    sheet, about = load_workbook(out).worksheets
    assert [c.value for c in sheet[1]][:3] == ["地块编号", "街道/镇", "土地使用权人"] and about.title == "说明"
    lines = list(sheet.iter_rows(min_row=2, values_only=True))
    assert lines and {line[1] for line in lines} == {"荣华街道"}
    assert all(isinstance(line[5], (int, float)) for line in lines)  # 面积(公顷) is a number
    csv = tmp_path / "grades.csv"
    assert CliRunner().invoke(app, ["export", "grades", "--street", "荣华", "--out", str(csv), *urls]).exit_code == 0
    assert csv.read_bytes().startswith("\ufeff地块编号".encode())
    unknown = CliRunner().invoke(app, ["export", "grades", "--street", "荣华路", "--out", str(csv), *urls])
    assert unknown.exit_code != 0 and "博兴街道" in unknown.output
