"""Pure arithmetic of the benchmarks: percentiles, rates, ratios, linearity, the JSON document.

No I/O here, so tests/bench can check it without infrastructure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

GOALS: dict[str, float] = {
    "e2e_filings_per_s": 1000.0,
    "e2e_latency_p99_s": 2.0,
    "post_latency_p99_ms_at_500": 50.0,
    "yearly_run_1m_s": 60.0,
    "yearly_linearity": 1.1,  # per-parcel time at the largest size ÷ at the smallest
    "yearly_rss_mib": 1024.0,  # the evaluation process's peak resident memory during the largest run
    "yearly_events_out_1m_s": 60.0,  # a run's grade events on Kafka after it ends
    "batch_ingest_vs_floor": 3.0,  # the batch ÷ COPY of the rows it wrote into tables like the registry's
    "read_vs_hello": 0.5,
    "memory_growth": 0.10,
    "relay_flat": 1.5,  # the relay's rate over the first tenth of a backlog ÷ over its last tenth
    "relay_size_slowdown": 1.5,  # its rate on the smallest backlog ÷ on the largest
    "relay_1m_s": 60.0,  # seconds to publish a million events
    "live_behind_backlog_p99_s": 2.0,  # a live filing to the credit ledger while 1M grade events drain
}


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) by linear interpolation between closest ranks; None if empty."""
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError("q must be within 0..100")
    ordered = sorted(values)
    if len(ordered) == 1:
        return float(ordered[0])
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


def latency_summary(seconds: Sequence[float], unit: str = "ms") -> dict[str, float | int | None]:
    """count, p50, p90, p99, max in `unit` ("ms" or "s"), rounded for reading."""
    scale, digits = (1000.0, 2) if unit == "ms" else (1.0, 3)

    def shown(v: float | None) -> float | None:
        return None if v is None else round(v * scale, digits)

    return {
        "count": len(seconds),
        f"p50_{unit}": shown(percentile(seconds, 50)),
        f"p90_{unit}": shown(percentile(seconds, 90)),
        f"p99_{unit}": shown(percentile(seconds, 99)),
        f"max_{unit}": shown(max(seconds) if seconds else None),
    }


def ratio(numerator: float | None, denominator: float | None, digits: int = 3) -> float | None:
    """numerator / denominator, or None when either is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return round(numerator / denominator, digits)


def rate(count: int, seconds: float, digits: int = 1) -> float | None:
    return None if seconds <= 0 else round(count / seconds, digits)


def count_in_window(times: Iterable[float], start: float, end: float) -> int:
    return sum(1 for t in times if start <= t < end)


def linearity(seconds_by_size: Mapping[int, float], within: float = 1.3) -> dict[str, Any]:
    """Whether cost grows linearly with size: the per-item cost at each size against the smallest.

    `growth` is per-item cost at the largest size ÷ at the smallest: 1.0 is perfectly linear, 2.0
    means each item costs twice as much at the large size (super-linear). We call it linear
    `within` (1.3 unless a goal says otherwise): fixed start-up costs make small runs relatively
    dearer, never cheaper.
    """
    sizes = sorted(seconds_by_size)
    if len(sizes) < 2:
        return {"per_item_us": {}, "growth": None, "linear": None}
    per_item = {size: seconds_by_size[size] / size for size in sizes}
    growth = per_item[sizes[-1]] / per_item[sizes[0]]
    return {
        "per_item_us": {str(size): round(per_item[size] * 1e6, 1) for size in sizes},
        "growth": round(growth, 3),
        "linear": growth <= within,
    }


def drain_rates(samples: Sequence[tuple[float, int]], size: int) -> dict[str, Any]:
    """Rates of a backlog drained to empty, from (seconds since start, items done) samples.

    The first tenth is counted from the first sample that shows progress, so the start-up (a
    connection, the broker's metadata) does not pass for a slow pace; the last tenth runs from the
    first sample at or past nine tenths to the last one (all `size` done).
    """
    if not samples or samples[-1][1] < size:
        raise ValueError("the samples must end with every item done")
    end = samples[-1][0]
    started_at, started_count = next((t, n) for t, n in samples if n > 0)
    tenth_at, tenth_count = next((t, n) for t, n in samples if n >= size / 10)
    if tenth_count == started_count:  # the first step already passed a tenth: no better resolution
        started_at, started_count = 0.0, 0
    nine_at, nine_count = next((t, n) for t, n in samples if n >= size * 9 / 10)
    first = rate(tenth_count - started_count, tenth_at - started_at)
    last = rate(size - nine_count, end - nine_at)
    marks = [next((t, n) for t, n in samples if n >= size * k / 10) for k in range(1, 11)]
    tenths = [rate(n - n0, t - t0, 0) for (t0, n0), (t, n) in zip([(0.0, 0), *marks], marks, strict=False)]
    return {"seconds": round(end, 2), "per_s": rate(size, end), "first_10pct_per_s": first,
            "last_10pct_per_s": last, "flat": ratio(first, last, 2), "per_tenth_per_s": tenths}


def meets(value: float | None, goal: float, higher_is_better: bool) -> bool | None:
    if value is None:
        return None
    return value >= goal if higher_is_better else value <= goal


def memory_growth(before: Mapping[str, int], after: Mapping[str, int]) -> dict[str, dict[str, Any]]:
    """Per service: RSS in MiB before and after, and growth as a fraction of before."""
    out: dict[str, dict[str, Any]] = {}
    for name in sorted(before):
        b, a = before[name], after.get(name)
        growth = None if a is None or b == 0 else round((a - b) / b, 4)
        out[name] = {
            "rss_before_mib": round(b / 2**20, 1),
            "rss_after_mib": None if a is None else round(a / 2**20, 1),
            "growth": growth,
            "goal_met": meets(growth, GOALS["memory_growth"], higher_is_better=False),
        }
    return out


def document(meta: Mapping[str, Any], figures: Mapping[str, Any]) -> str:
    """The one JSON document the benchmark prints: metadata first, then each figure."""
    return json.dumps({"meta": dict(meta), **figures}, ensure_ascii=False, indent=2, sort_keys=False,
                      default=str)
