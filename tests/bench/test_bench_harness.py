"""The benchmark harness's pure parts: percentiles, ratios, linearity, memory growth, the JSON
document, request bytes and the workload's one-end-per-filing keys. No I/O, no timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bench.config import from_env
from bench.ingest import bound as ingest_bound
from bench.live import backlog_holder
from bench.loadgen import request_bytes
from bench.stack import reaped_cpu_seconds
from bench.stages import stage_figures
from bench.stats import document, drain_rates, latency_summary, linearity, memory_growth, percentile, rate, ratio
from bench.workload import FIRST_YEAR, HISTORY_RULESET, SEED_FROM, batch_filings, e2e_filing, e2e_parcels, landscape
from bench.yearly import bound
from landgrade_reference.uscc import uscc_problems


def test_percentiles_interpolate_between_ranks() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile(values, 0) == 1.0 and percentile(values, 100) == 100.0
    assert percentile([], 50) is None
    assert percentile([3.0], 99) == 3.0
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_latency_summary_in_ms_and_s() -> None:
    ms = latency_summary([0.001, 0.002, 0.003])
    assert ms["count"] == 3 and ms["p50_ms"] == 2.0 and ms["max_ms"] == 3.0
    s = latency_summary([1.0, 3.0], "s")
    assert s["p50_s"] == 2.0
    assert latency_summary([])["p99_ms"] is None


def test_ratio_and_rate_refuse_missing_or_zero() -> None:
    assert ratio(1.0, 4.0) == 0.25
    assert ratio(None, 4.0) is None and ratio(1.0, 0) is None
    assert rate(500, 2.0) == 250.0 and rate(1, 0) is None


def test_linearity_compares_per_item_cost() -> None:
    linear = linearity({10_000: 2.0, 50_000: 10.0, 100_000: 20.0})
    assert linear["growth"] == 1.0 and linear["linear"] is True
    assert linear["per_item_us"] == {"10000": 200.0, "50000": 200.0, "100000": 200.0}
    quadratic = linearity({10_000: 1.0, 100_000: 100.0})
    assert quadratic["growth"] == 10.0 and quadratic["linear"] is False
    assert linearity({10_000: 1.0})["linear"] is None


def test_memory_growth_against_the_goal() -> None:
    mib = 2**20
    grown = memory_growth({"a": 100 * mib, "b": 100 * mib}, {"a": 105 * mib, "b": 130 * mib})
    assert grown["a"]["growth"] == 0.05 and grown["a"]["goal_met"] is True
    assert grown["b"]["growth"] == 0.3 and grown["b"]["goal_met"] is False
    assert grown["a"]["rss_before_mib"] == 100.0


def test_document_is_one_json_object_with_meta_first() -> None:
    text = document({"mode": "quick"}, {"read_vs_hello": {"ratio": 0.6}})
    parsed = json.loads(text)
    assert list(parsed) == ["meta", "read_vs_hello"]
    assert parsed["read_vs_hello"]["ratio"] == 0.6


def test_request_bytes_are_http11_with_length() -> None:
    raw = request_bytes("POST", "/v1/x", "127.0.0.1:1", {"Authorization": "Bearer t"}, b'{"a":1}')
    head, body = raw.split(b"\r\n\r\n")
    assert head.startswith(b"POST /v1/x HTTP/1.1\r\nHost: 127.0.0.1:1\r\n")
    assert b"Content-Length: 7" in head and body == b'{"a":1}'


def test_each_e2e_filing_opens_its_own_parcel_year() -> None:
    land = landscape(10, "t")
    keys = [e2e_filing(land, i, "t")[1] for i in range(250)]
    assert len(set(keys)) == 250  # one observable end per filing
    assert min(year for _, year in keys) == FIRST_YEAR
    body, key = e2e_filing(land, 13, "t")
    assert (body["parcel_id"], body["year"]) == key and body == e2e_filing(land, 13, "t")[0]


def test_every_year_the_full_run_files_is_one_the_registry_takes_and_a_ruleset_grades() -> None:
    """Regression: filings for years after the current one are refused (422), and years before the
    seed ruleset are graded only under the run's history ruleset; a run that filed 2027 onwards had
    almost every filing refused and measured nothing."""
    full = from_env()
    land = landscape(e2e_parcels(full.e2e_filings), "t")
    years = {e2e_filing(land, i, "t")[1][1] for i in range(0, full.e2e_filings, len(land.parcels))}
    years.add(e2e_filing(land, full.e2e_filings - 1, "t")[1][1])
    history = HISTORY_RULESET["changes"]
    assert isinstance(history, dict)
    assert f"{min(years)}-01-01" >= history["effective_from"] and f"{max(years)}-12-31" <= history["effective_to"]
    ingest = batch_filings(landscape(2, "t"), 8 * full.ingest_years, years=full.ingest_years)
    assert max(f["year"] for f in ingest) < SEED_FROM <= 2026  # the seed from 2023; none after today


def test_batch_filings_are_quarterly_and_unique() -> None:
    land = landscape(5, "t")
    filings = batch_filings(land, 60, years=3)
    assert len({f["filing_id"] for f in filings}) == 60
    assert {f["quarter"] for f in filings} == {1, 2, 3, 4}
    with pytest.raises(ValueError):
        batch_filings(land, 61, years=3)


def test_quick_mode_is_smaller(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("BENCH_OUT", str(tmp_path))
    monkeypatch.setenv("BENCH_QUICK", "1")
    monkeypatch.setenv("BENCH_ONLY", "yearly")
    quick = from_env()
    monkeypatch.delenv("BENCH_QUICK")
    monkeypatch.delenv("BENCH_ONLY")
    full = from_env()
    assert quick.sections == ("yearly",) and full.sections == ("e2e", "reads", "ingest", "yearly", "import", "backtest", "tracing",
                                                               "map", "relay", "live", "stages")
    assert quick.e2e_seconds < full.e2e_seconds and max(quick.yearly_sizes) < max(full.yearly_sizes)
    assert full.yearly_sizes == (100_000, 1_000_000) and full.ingest_filings == 100_000
    monkeypatch.setenv("BENCH_YEARLY_SIZES", "1_000_000")  # one size of one figure, for a before/after pair
    assert from_env().yearly_sizes == (1_000_000,)


def test_the_relay_section_drains_a_tenth_and_ten_times_more_by_default(
        monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("BENCH_OUT", str(tmp_path))
    monkeypatch.setenv("BENCH_ONLY", "relay")
    assert from_env().relay_sizes == (100_000, 1_000_000)
    monkeypatch.setenv("BENCH_QUICK", "1")
    assert from_env().relay_sizes == (20_000, 200_000)
    monkeypatch.setenv("BENCH_RELAY_SIZES", "1000, 5000")
    assert from_env().relay_sizes == (1_000, 5_000)


def test_live_filings_are_posted_behind_a_backlog_the_size_asked_for(
        monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("BENCH_OUT", str(tmp_path))
    monkeypatch.setenv("BENCH_ONLY", "live")
    full = from_env()
    assert (full.sections, full.live_backlog, full.live_rate) == (("live",), 200_000, 5.0)
    monkeypatch.setenv("BENCH_QUICK", "1")
    assert from_env().live_backlog == 50_000 and from_env().live_seconds < full.live_seconds
    monkeypatch.setenv("BENCH_LIVE_BACKLOG", "1_000_000")
    monkeypatch.setenv("BENCH_LIVE_RATE", "20")
    assert (from_env().live_backlog, from_env().live_rate) == (1_000_000, 20.0)


def test_every_backlog_event_has_a_valid_holder_of_its_own() -> None:
    holders = [backlog_holder(i) for i in (0, 1, 99_999_999)]
    assert len(set(holders)) == 3 and all(not uscc_problems(h) for h in holders)


def test_drain_rates_leave_out_the_start_and_compare_the_first_tenth_with_the_last() -> None:
    # Start-up takes 1 s; then 50 items per 0.05 s up to 900, and 100 in the last 0.5 s.
    samples = [(0.0, 0)] + [(1.0 + 0.05 * k, 50 * k) for k in range(1, 19)] + [(1.9 + 0.5, 1000)]
    rates = drain_rates(samples, 1000)
    assert rates["seconds"] == 2.4 and rates["per_s"] == pytest.approx(416.7)
    assert rates["first_10pct_per_s"] == 1000.0  # from the first step, not from the start
    assert rates["last_10pct_per_s"] == 200.0 and rates["flat"] == 5.0
    assert rates["per_tenth_per_s"][1:9] == [1000.0] * 8 and rates["per_tenth_per_s"][9] == 200.0
    with pytest.raises(ValueError):
        drain_rates(samples[:-1], 1000)


def test_the_import_sheet_stays_under_its_byte_bound_and_counts_its_rows() -> None:
    import csv
    import io

    from bench.imports import parcel_sheet

    sheet, rows = parcel_sheet(200_000)
    assert len(sheet) <= 200_000 and len(sheet) > 190_000  # UTF-8 bytes, Chinese names included
    parsed = list(csv.reader(io.StringIO(sheet.decode())))
    assert len(parsed) == rows + 1 and len({r[0] for r in parsed[1:]}) == rows


def test_the_backtest_section_replays_each_full_year_after_the_first_at_three_quarters() -> None:
    """Small, but through the real generator and the real model: the figures are there and move."""
    import dataclasses

    from bench import backtest

    figures = backtest.run(dataclasses.replace(from_env(), backtest_parcels=300))
    replayed = [k for k in figures if k[:4].isdigit()]
    assert len(replayed) == 6 and {k[-2:] for k in replayed} == {"Q1", "Q2", "Q3"}
    for key in replayed:
        quarter = figures[key]
        assert quarter["held_a"] > 0 and quarter["last_year"]["recall"] in (0, None)
        assert quarter["outlook"]["predicted"] <= quarter["held_a"]
    assert isinstance(figures["goal_met"], bool)


def test_the_map_section_is_chosen_by_name_and_quick_mode_draws_a_smaller_street(
        monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.setenv("BENCH_OUT", str(tmp_path))
    monkeypatch.setenv("BENCH_ONLY", "map")
    full = from_env()
    monkeypatch.setenv("BENCH_QUICK", "1")
    quick = from_env()
    assert full.sections == quick.sections == ("map",)
    assert (full.map_demo_parcels, full.map_street_parcels) == (500, 5_000)
    assert quick.map_street_parcels == 500 and quick.map_demo_parcels < full.map_demo_parcels
    assert 1 < quick.map_repeats < full.map_repeats


def test_the_large_street_lies_inside_its_block_and_every_parcel_files_for_the_year() -> None:
    from bench.map import BIG_STREET, street_parcels
    from landgrade.demo import layout

    parcels, filings = street_parcels(500, ["91110302MA0000001X", "91110302MA0000002X"], 2025)
    block = layout.blocks()[BIG_STREET]
    assert len({p["parcel_id"] for p in parcels}) == 500 and {p["street"] for p in parcels} == {BIG_STREET}
    for parcel in parcels:
        for lon, lat in parcel["geometry"]["coordinates"][0]:
            assert block.west <= lon <= block.east and block.south <= lat <= block.north
    assert sorted(f["parcel_id"] for f in filings) == sorted(p["parcel_id"] for p in parcels)
    assert {f["year"] for f in filings} == {2025} and all(float(f["output_value"]) > 0 for f in filings)


def test_the_map_figure_compares_draw_with_bare_and_judges_the_street_against_its_goal() -> None:
    from bench.map import summary, verdict

    figure = summary([0.10, 0.12, 0.20], [0.8, 0.9, 1.0], features=5_000, size=2_000_000, paths=5_000)
    assert figure["bare"]["p50_ms"] == 120.0 and figure["draw"]["p50_ms"] == 900.0
    assert figure["draw_vs_bare_p50"] == 7.5
    assert verdict(figure) is True
    slow = summary([0.10, 0.12, 0.20], [3.5, 3.6, 3.7], features=5_000, size=2_000_000, paths=5_000)
    assert verdict(slow) is False  # over 3 s
    heavy = summary([0.01, 0.01, 0.01], [0.5, 0.5, 0.5], features=5_000, size=2_000_000, paths=5_000)
    assert verdict(heavy) is False  # within 3 s but 50× the bare request


def test_the_capacity_table_is_made_from_kept_figures_and_names_the_service_to_scale_first(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bench.capacity import BEGIN, END, load_figures, replace_between_markers, save_figures, table

    meta = {"mode": "full", "started_at": "2026-12-05T09:00:00+0000", "machine": {"cpus": 2}}
    cpu = {"parcel-registry": 1.0, "evaluation": 0.5, "credit-ledger": 0.8, "enforcement": 0.25, "postgres": 0.9}
    save_figures(tmp_path, meta, {"e2e_throughput": {"filings_per_s": 867.0, "sustained_run": {"cpu_ms_per_filing": cpu}}})
    save_figures(tmp_path, meta, {"yearly_run": {"sizes": {"100000": {"run_s": 10.0, "rss_peak_mib": 150},
                                                           "1000000": {"run_s": 100.0, "rss_peak_mib": 160}}}})
    save_figures(tmp_path, meta, {"relay_drain": {"sizes": {"100000": {"per_s": 13747.1},
                                                            "1000000": {"per_s": 11756.4}}},
                                  "live_behind_backlog": {"backlog_events": 200000, "backlog_applied_s": 144.4,
                                                          "backlog_applied_per_s": 1385},
                                  "batch_ingest_vs_floor": {"batch_filings_per_s": 2857.1, "filings": 100000,
                                                            "batch_s": 35.001, "ratio": 10.07}})
    kept = load_figures(tmp_path)
    assert set(kept) == {"e2e_throughput", "yearly_run", "relay_drain", "live_behind_backlog",
                         "batch_ingest_vs_floor"}  # later runs kept earlier figures
    text = table(kept)
    assert "outbox relay: 11,756 events/s to Kafka (a backlog of 1,000,000)" in text
    assert "a yearly backlog applied at 1,385 grade events/s (200,000 in 144 s)" in text
    assert "batch ingest: 2,857 filings/s in NDJSON calls (100,000 in 35.0 s, 10.07× the store floor)" in text
    assert "| parcel-registry | 1,000 | 1.0 | — | batch ingest" in text and "| evaluation | 2,000 | 0.5 | — |" in text
    assert "1,000,000 parcels in 100 s (10,000 parcels/s), peak memory 160 MiB" in text
    assert "Scale first: **parcel-registry**" in text and "**867.0 filings/s**" in text
    readme = f"intro\n{BEGIN}\nold table\n{END}\nrest\n"
    assert replace_between_markers(readme, text) == f"intro\n{BEGIN}\n{text}\n{END}\nrest\n"
    assert "No end-to-end figure" in table({})
    registry = {"fixed_rate": {"offered_per_s": 500.0, "accepted": 10, "post_latency": {"p99_ms": 148.6}},
                "offered_rate": {"accepted": 30, "intake_per_s": 996.4}}
    stages = {"parcel-registry": registry, "evaluation": _stage(1083.0), "credit-ledger": _stage(1699.5),
              "enforcement": _stage(4736.3)}
    save_figures(tmp_path, meta, {"pipeline_stages": stage_figures(stages, 40, 40)})
    text = table(load_figures(tmp_path))
    assert "| parcel-registry | 1,000 | 1.0 | 996.4 |" in text and "| evaluation | 2,000 | 0.5 | 1,083.0 |" in text
    assert "the slowest, **parcel-registry**, held **996.4 filings/s**" in text
    assert "POST p99 at 500/s with the consumers paused: 148.6 ms" in text


def _stage(filings_per_s: float) -> dict[str, object]:
    return {"filings_per_s": filings_per_s, "cpu_ms_per_filing": {}}


def test_the_stages_figure_names_the_slowest_stage_and_judges_the_goals_by_it() -> None:
    registry = {"fixed_rate": {"accepted": 100, "post_latency": {"p99_ms": 38.0}},
                "offered_rate": {"accepted": 300, "intake_per_s": 990.5}}
    stages = {"parcel-registry": registry, "evaluation": _stage(1450.0), "credit-ledger": _stage(1800.0),
              "enforcement": _stage(5000.0)}
    figure = stage_figures(stages, 400, 400)
    assert figure["slowest_stage"] == "parcel-registry" and figure["pipeline_ceiling_per_s"] == 990.5
    assert figure["goal_met_by_every_stage_alone"] is False  # 990.5 < 1,000: one stage is enough to miss it
    assert figure["post_latency_goal_met_alone"] is True
    registry["offered_rate"]["intake_per_s"] = 1000.0
    registry["fixed_rate"]["post_latency"]["p99_ms"] = 50.5
    figure = stage_figures(stages, 400, 400)
    assert figure["goal_met_by_every_stage_alone"] is True and figure["post_latency_goal_met_alone"] is False


def test_the_yearly_bound_is_the_measured_cpu_spread_over_the_cores_and_the_writer_backend(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    measured = {"cpu_us_per_parcel": {"evaluation": 256.0, "postgres": 106.0}, "busy": {"evaluation": 0.99},
                "cpu_s": {"evaluation": 256.0, "postgres": 106.0}}
    assert bound(measured, 1_000_000) == {"evaluation_busy": 0.99, "cpu_us_per_parcel": 362.0, "cores": 2,
                                          "all_cores_at_best_s": 181.0, "one_writer_backend_s": 106.0}


def test_the_batch_bound_spreads_its_measured_cpu_over_the_cores_and_judges_the_goal_by_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    cpu = {"parcel-registry": 22.0, "postgres": 12.0, "kafka": 2.0, "load-generator": 0.0}
    out = ingest_bound(cpu, 31.0, 3.6)
    assert (out["least_s"], out["least_vs_floor"], out["registry_busy"]) == (18.0, 5.0, 0.71)
    assert out["goal_reachable_at_this_cpu"] is False  # 3 × 3.6 s is less than the 18 s the CPU needs
    assert ingest_bound({"parcel-registry": 10.0, "postgres": 6.0}, 12.0, 3.6)["goal_reachable_at_this_cpu"] is True


def test_the_cpu_of_a_child_that_has_exited_still_counts() -> None:
    """PostgreSQL's backends come and go: one that exits between two readings keeps its CPU in them."""
    before = reaped_cpu_seconds(os.getpid())
    subprocess.run([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"], check=True)
    assert reaped_cpu_seconds(os.getpid()) - before > 0.05
