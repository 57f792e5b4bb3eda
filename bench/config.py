"""Sizes of every benchmark: full (`make bench`) or quick (`BENCH_QUICK=1`), from the environment.

- `BENCH_QUICK=1`: small sizes and a 10 s end-to-end run, for development (about 3 minutes).
- `BENCH_ONLY=e2e,reads,ingest,yearly,import,backtest,tracing,map,relay,live,stages`: run only these sections
  (reads needs e2e's stack).
- `BENCH_E2E_RATE=<filings/s>`: offered load of the sustained end-to-end run (default 1000, the goal).
- `BENCH_FIXED_RATE=<requests/s>`: rate of the fixed-rate POST latency run (default 500, the goal's).
- `BENCH_PROFILE=<service>[,<service>...]`: run those services under pyinstrument (profiles in BENCH_OUT).
- `BENCH_RELAY_SIZES=<n>[,<n>...]`: outbox backlogs the relay section drains (default 100000,1000000;
  quick 20000,200000).
- `BENCH_LIVE_BACKLOG=<events>`: the yearly backlog live filings are posted behind (default 200,000;
  quick 50,000); `BENCH_LIVE_RATE=<filings/s>`: their rate (default 5).
- `BENCH_OUT=<dir>`: where profiles go (default `.local/bench`).
- `BENCH_YEARLY_SIZES=<parcels>[,<parcels>...]`: sizes of the yearly run (default 100k and 1M; quick 2k, 10k),
  so that a before/after pair of one size does not cost the whole section.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

SECTIONS = ("e2e", "reads", "ingest", "yearly", "import", "backtest", "tracing", "map", "relay", "live", "stages")


@dataclass(frozen=True)
class Config:
    quick: bool
    sections: tuple[str, ...]
    out_dir: Path
    e2e_rate: float = 1000.0
    fixed_rate: float = 500.0
    e2e_seconds: float = 60.0
    e2e_fixed_s: float = 20.0
    e2e_warmup_rate: float = 100.0
    e2e_warmup_s: float = 5.0
    stage_seconds: float = 30.0  # the registry alone at the offered rate (section stages)
    drain_timeout: float = 90.0
    max_connections: int = 256
    read_seconds: float = 8.0
    read_rounds: int = 2
    read_connections: int = 16
    ingest_filings: int = 100_000
    ingest_years: int = 10
    ingest_lines_per_call: int = 10_000
    yearly_sizes: tuple[int, ...] = field(default=(100_000, 1_000_000))
    import_sheet_bytes: int = 10_000_000  # under the registry's default IMPORT_MAX_BYTES (10 MiB)
    import_idle_probe_s: float = 10.0
    tracing_seconds: float = 30.0
    backtest_parcels: int = 5_000
    backtest_seed: int = 20_261_204  # not the demo's seed (2025), which the outlook's defaults were read from
    map_demo_parcels: int = 500  # the demo's default size (`landgrade demo seed`)
    map_street_parcels: int = 5_000
    map_repeats: int = 7
    relay_sizes: tuple[int, ...] = field(default=(100_000, 1_000_000))
    relay_timeout_s: float = 1800.0  # a relay whose pace falls with the backlog needs many minutes for 1M
    live_backlog: int = 200_000  # 1,000,000 (BENCH_LIVE_BACKLOG) costs the credit ledger many minutes
    live_rate: float = 5.0
    live_seconds: float = 30.0

    @property
    def e2e_filings(self) -> int:
        """Filings the end-to-end run sends at most: warm-up, the fixed rate, then the sustained run."""
        return int(self.e2e_warmup_rate * self.e2e_warmup_s + self.fixed_rate * self.e2e_fixed_s
                   + self.e2e_rate * self.e2e_seconds)


def from_env() -> Config:
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    only = tuple(s.strip() for s in os.environ.get("BENCH_ONLY", "").split(",") if s.strip())
    unknown = set(only) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"BENCH_ONLY: unknown sections {sorted(unknown)}; choose from {SECTIONS}")
    out = Path(os.environ.get("BENCH_OUT", Path(__file__).resolve().parents[1] / ".local" / "bench"))
    out.mkdir(parents=True, exist_ok=True)
    rate = float(os.environ.get("BENCH_E2E_RATE", "1000"))
    fixed = float(os.environ.get("BENCH_FIXED_RATE", "500"))
    backlog = os.environ.get("BENCH_LIVE_BACKLOG", "").replace("_", "").strip()
    full = Config(quick=False, sections=only or SECTIONS, out_dir=out, e2e_rate=rate, fixed_rate=fixed,
                  live_rate=float(os.environ.get("BENCH_LIVE_RATE", "5")),
                  live_backlog=int(backlog) if backlog else Config.live_backlog)
    relay_sizes = tuple(int(n) for n in os.environ.get("BENCH_RELAY_SIZES", "").split(",") if n.strip())
    if not quick:
        return _yearly_sizes(replace(full, relay_sizes=relay_sizes) if relay_sizes else full)
    return _yearly_sizes(replace(full, quick=True, e2e_seconds=10, e2e_fixed_s=5, e2e_warmup_s=2, drain_timeout=60,
                   read_seconds=3, read_rounds=1, ingest_filings=20_000, ingest_years=4, ingest_lines_per_call=5_000,
                   yearly_sizes=(2_000, 10_000), import_sheet_bytes=1_000_000, import_idle_probe_s=3,
                   backtest_parcels=1_000, tracing_seconds=8,
                   map_demo_parcels=200, map_street_parcels=500, map_repeats=3,
                   relay_sizes=relay_sizes or (20_000, 200_000), live_seconds=10, stage_seconds=8,
                   live_backlog=int(backlog) if backlog else 50_000))


def _yearly_sizes(cfg: Config) -> Config:
    sizes = os.environ.get("BENCH_YEARLY_SIZES", "")
    if not sizes.strip():
        return cfg
    return replace(cfg, yearly_sizes=tuple(int(s.replace("_", "")) for s in sizes.split(",") if s.strip()))
