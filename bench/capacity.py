"""The README's capacity table, made from the bench's own figures (never typed by hand).

Every `make bench` keeps each figure it measured as `<BENCH_OUT>/figures/<figure>.json` (the
latest of each, whichever sections ran), so one section re-run replaces only its own figure.
`python -m bench.capacity` prints the table; `--write README.md` replaces the table between
its markers.

What one instance holds is the CPU-bound ceiling of one service process (one event loop, so one
core): 1,000 ms ÷ the CPU milliseconds it spent per filing in the sustained end-to-end run. Beside
it, where the `stages` section has run, what each service held measured alone on the machine (the
other stages paused), and the measured end-to-end rate of the whole system; the service with the
lowest ceiling is the one to scale first.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

BEGIN, END = "<!-- capacity:begin (python -m bench.capacity --write README.md) -->", "<!-- capacity:end -->"
SERVICES = ("parcel-registry", "evaluation", "credit-ledger", "enforcement")


def save_figures(out_dir: Path, meta: Mapping[str, Any], figures: Mapping[str, Any]) -> None:
    """Each figure with the run's metadata, replacing that figure's earlier file only."""
    folder = out_dir / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    for name, figure in figures.items():
        (folder / f"{name}.json").write_text(json.dumps({"meta": dict(meta), name: figure}, ensure_ascii=False,
                                                        indent=2, default=str) + "\n")


def load_figures(out_dir: Path) -> dict[str, Any]:
    """Every kept figure by name, each with the `meta` of the run that measured it."""
    found: dict[str, Any] = {}
    for path in sorted((out_dir / "figures").glob("*.json")):
        doc = json.loads(path.read_text())
        found[path.stem] = {**doc[path.stem], "meta": doc["meta"]}
    return found


def _per_second(cpu_ms: float | None) -> int | None:
    return None if not cpu_ms else int(1000 / cpu_ms)


def _run(meta: Mapping[str, Any]) -> str:
    return f"{meta.get('mode', '?')} run of {str(meta.get('started_at', '?'))[:10]}"


def table(figures: Mapping[str, Any]) -> str:
    """The capacity table in Markdown: one row per service, then what to scale first."""
    e2e = figures.get("e2e_throughput")
    if e2e is None:
        return "_No end-to-end figure kept yet: run `BENCH_ONLY=e2e make bench`._"
    cpu: Mapping[str, float] = e2e["sustained_run"]["cpu_ms_per_filing"]
    ceilings = {name: _per_second(cpu.get(name)) for name in SERVICES}
    yearly, relay = figures.get("yearly_run"), figures.get("relay_drain")
    notes: dict[str, list[str]] = {name: [] for name in SERVICES}
    if yearly is not None:
        largest = max(yearly["sizes"], key=int)
        run = yearly["sizes"][largest]
        notes["evaluation"].append(
            f"yearly run: {int(largest):,} parcels in {run['run_s']:.0f} s "
            f"({int(int(largest) / run['run_s']):,} parcels/s), peak memory {run['rss_peak_mib']:,} MiB")
    if relay is not None and relay.get("sizes"):
        size = max(relay["sizes"], key=int)
        notes["evaluation"].append(f"outbox relay: {int(relay['sizes'][size]['per_s']):,} events/s to Kafka "
                                   f"(a backlog of {int(size):,})")
    batch = figures.get("batch_ingest_vs_floor")
    if batch is not None:
        notes["parcel-registry"].append(
            f"batch ingest: {int(batch['batch_filings_per_s']):,} filings/s in NDJSON calls "
            f"({batch['filings']:,} in {batch['batch_s']:.1f} s, {batch['ratio']}× the store floor)")
    live = figures.get("live_behind_backlog")
    if live is not None and live.get("backlog_applied_per_s"):
        notes["credit-ledger"].append(
            f"a yearly backlog applied at {live['backlog_applied_per_s']:,} grade events/s "
            f"({live['backlog_events']:,} in {live['backlog_applied_s']:.0f} s)")
    stages = figures.get("pipeline_stages")
    alone: Mapping[str, float] = stages["filings_per_s_by_stage"] if stages else {}
    lines = ["| service | filings/s one instance holds (1 core ÷ CPU per filing) | CPU ms per filing | "
             "filings/s measured alone (section `stages`) | also measured |",
             "|---|---:|---:|---:|---|"]
    for name in SERVICES:
        ceiling = ceilings[name]
        lines.append(f"| {name} | {f'{ceiling:,}' if ceiling else '—'} | {cpu.get(name, '—')} | "
                     f"{f'{alone[name]:,}' if alone.get(name) else '—'} | {'; '.join(notes[name]) or ''} |")
    postgres = cpu.get("postgres")
    lines.append(f"| PostgreSQL (all four databases) | {f'{_per_second(postgres):,}' if postgres else '—'} "
                 f"per core | {postgres or '—'} | | |")
    known = {name: c for name, c in ceilings.items() if c}
    first = min(known, key=lambda n: known[n]) if known else None
    lines += [
        "",
        f"Measured end to end on {e2e['meta']['machine']['cpus']} cores, everything on one machine: "
        f"**{e2e['filings_per_s']:,} filings/s** sustained from POST to the credit ledger's commit "
        f"({_run(e2e['meta'])}). Scale first: **{first or '—'}** (the lowest ceiling); every service "
        "scales by replicas up to the 12 partitions of its topics, the relay by one per database.",
    ]
    if stages is not None:
        lines += [
            "",
            f"Each stage alone on the same cores, beside PostgreSQL and Kafka ({_run(stages['meta'])}): the "
            f"slowest, **{stages['slowest_stage']}**, held **{stages['pipeline_ceiling_per_s']:,} filings/s**, "
            "about what the pipeline holds with a node per service. POST p99 at "
            f"{stages['stages']['parcel-registry']['fixed_rate']['offered_per_s']:,.0f}/s with the consumers "
            f"paused: {stages['post_latency_p99_ms_at_fixed_rate_alone']:,} ms.",
        ]
    return "\n".join(lines)


def replace_between_markers(text: str, body: str) -> str:
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n" + body + "\n" + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / ".local" / "bench")
    parser.add_argument("--write", type=Path, help="replace the table between the markers of this file")
    args = parser.parse_args(argv)
    body = table(load_figures(args.out))
    if args.write is None:
        print(body)
        return 0
    args.write.write_text(replace_between_markers(args.write.read_text(), body))
    return 0


if __name__ == "__main__":
    sys.exit(main())
