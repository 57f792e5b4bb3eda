"""Figure `map_draw`: how long the console's map takes to draw, against its bare GeoJSON request.

The registry and evaluation run as processes (fresh databases), the console in front of them with
a local accounts file; everything is loaded through the registry's REST API (the demo's own way:
PUT per enterprise and parcel, filings in NDJSON batches), and evaluation grades each parcel
provisionally from its filings, so the map's year (the demo's open year) has a grade for every
parcel. Two views, each measured several times after one warm-up:

- `demo`: the whole demo (`map_demo_parcels` parcels over every street, the map's default view);
- `street`: one street holding `map_street_parcels` more parcels (loaded after the demo view was
  measured, so that view never holds them); the street's own demo parcels are drawn too.

For each: (a) `bare`, `GET /map/parcels.geojson?…` through the console with a signed-in session
cookie (httpx, body read in full); (b) `draw`, the map page in headless chromium, from navigation
start until map.js has drawn every polygon (`#map[data-loaded=true]`, checked in the same frame by
the count of `#map path.parcel` against the features), as `performance.now()` in the page.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.config import Config
from bench.e2e import bearer
from bench.stack import Infra, Stack, log, reset_topics, start_services
from bench.stats import latency_summary, meets, percentile, ratio
from landgrade.demo import layout
from landgrade.demo.calendar import DemoCalendar
from landgrade.demo.dataset import generate
from landgrade.devstack.ports import free_port
from landgrade.devstack.stack import stop_processes, wait_ready

BIG_STREET = "zhangziying"  # the demo's smallest street by weight: its own parcels barely add to the 5,000
PASSWORD = "landgrade-bench"  # noqa: S105  # nosec B105  # a throwaway account of the benchmark's own stack
USER = "land-staff"  # sees every street
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# Goals: a person waits at most 3 s for the largest street, and the browser's share (parse, build
# 5,000 SVG paths, lay out) stays within 10× the request that fetches the same data.
GOAL_STREET_DRAW_MS = 3000.0
GOAL_DRAW_VS_BARE = 10.0
DRAWN = """() => {
  const el = document.getElementById('map');
  if (!el || !el.dataset.loaded) { return false; }
  return {loaded: el.dataset.loaded, error: el.dataset.error || null, at_ms: performance.now(),
          paths: document.querySelectorAll('#map path.parcel').length};
}"""


def street_parcels(count: int, holders: list[str], year: int, street: str = BIG_STREET
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`count` parcels laid out in `street`'s block by the demo's own layout, held in turn by
    `holders`, and one yearly filing each for `year` (output and tax per hectare spread over all
    four grades' bands), so every parcel is graded for the year the map shows."""
    sizes = [layout.footprint(6_000 + (n * 7_919) % 40_000, 0.8 + (n % 7) / 10) for n in range(count)]
    place = layout.StreetLayout(layout.blocks()[street], sizes)
    parcels, filings = [], []
    for n, (w, h) in enumerate(sizes):
        pid = f"BENCH-MAP-{n + 1:05d}"
        area = round(w * h)
        holder = holders[n % len(holders)]
        parcels.append({"parcel_id": pid, "name": f"基准地块 {n + 1:05d}", "address": f"基准路 {n + 1} 号",
                        "street": street, "area_m2": str(area), "category": "self_use", "rights_holder": holder,
                        "geometry": place.place(w, h)})
        per_ha = (1.0e8, 2.5e8, 3.5e8, 5.0e8)[n % 4]
        filings.append({"filing_id": f"TAX-{year}-{pid}", "uscc": holder, "parcel_id": pid, "year": year,
                        "output_value": f"{per_ha * area / 10_000:.2f}", "tax_paid": f"{per_ha * area / 150_000:.2f}"})
    return parcels, filings


def chunks(items: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


async def load(registry: str, enterprises: list[dict[str, Any]], parcels: list[dict[str, Any]],
               filings: list[dict[str, Any]]) -> float:
    """Loads through the registry's REST API, 16 requests in flight; returns the seconds taken."""
    started = time.perf_counter()
    gate = asyncio.Semaphore(16)
    auth = {"business-registry": {"Authorization": bearer("business-registry")},
            "land-staff": {"Authorization": bearer("land-staff")}}
    async with httpx.AsyncClient(base_url=registry, timeout=120) as client:

        async def put(path: str, body: dict[str, Any], role: str) -> None:
            async with gate:
                answer = await client.put(path, json=body, headers=auth[role])
            if answer.status_code >= 300:
                raise RuntimeError(f"PUT {path}: {answer.status_code} {answer.text[:300]}")

        await asyncio.gather(*(put(f"/v1/enterprises/{e['uscc']}", {k: v for k, v in e.items() if k != "uscc"},
                                   "business-registry") for e in enterprises))
        await asyncio.gather(*(put(f"/v1/parcels/{p['parcel_id']}", {k: v for k, v in p.items() if k != "parcel_id"},
                                   "land-staff") for p in parcels))
        tax = {"Authorization": bearer("tax-system"), "content-type": "application/x-ndjson"}
        for chunk in chunks(filings, 5_000):
            body = "\n".join(json.dumps(f, ensure_ascii=False) for f in chunk).encode()
            answer = await client.post("/v1/revenue-filings/batch", content=body, headers=tax)
            if answer.status_code >= 300:
                raise RuntimeError(f"filings batch: {answer.status_code} {answer.text[:300]}")
    return time.perf_counter() - started


async def graded(evaluation: str, year: int, parcels: int, timeout: float = 600) -> float:
    """Waits until evaluation holds a grade for `year` for `parcels` parcels; returns the wait."""
    started = time.perf_counter()
    total = 0
    async with httpx.AsyncClient(base_url=evaluation, timeout=30, headers={"Authorization": bearer("admin")}) as c:
        while time.perf_counter() - started < timeout:
            answer = await c.get("/v1/grades/summary", params={"year": year})
            total = answer.json().get("total", 0) if answer.status_code == 200 else 0
            if total >= parcels:
                return time.perf_counter() - started
            await asyncio.sleep(0.5)
    raise RuntimeError(f"only {total} of {parcels} parcels graded for {year} after {timeout:.0f}s")


def start_console(infra: Infra, stack: Stack) -> tuple[str, subprocess.Popen[bytes]]:
    from console.accounts import AccountStore, checked

    accounts = infra.workdir / "map-accounts.json"
    AccountStore(accounts).put(checked(USER, USER, PASSWORD))
    port = free_port()
    nowhere = f"http://127.0.0.1:{free_port()}"  # credit and enforcement: the map never calls them
    env = os.environ | {"HTTP_PORT": str(port), "ACCOUNTS_FILE": str(accounts), "SERVICE_NAME": "console",
                        "REGISTRY_URL": stack.url("parcel-registry"), "EVALUATION_URL": stack.url("evaluation"),
                        "CREDIT_URL": nowhere, "ENFORCEMENT_URL": nowhere}
    out = (infra.workdir / "logs" / "map-console.log").open("ab")
    process = subprocess.Popen([sys.executable, "-c", "from console.bootstrap import main; main()"], env=env,
                               stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(url, timeout=120, process=process)
    except BaseException:
        stop_processes([process])
        raise
    return url, process


async def sign_in(client: httpx.AsyncClient) -> None:
    page = await client.get("/signin")
    found = re.search(r'name="csrf"\s+value="([^"]+)"', page.text) or re.search(r'value="([^"]+)"\s+name="csrf"',
                                                                                   page.text)
    if not found:
        raise RuntimeError("the sign-in page holds no csrf field")
    answer = await client.post("/signin", data={"username": USER, "password": PASSWORD, "csrf": found.group(1)})
    if answer.status_code >= 400 or "signin" in str(answer.headers.get("location", "")):
        raise RuntimeError(f"sign-in refused: {answer.status_code}")


async def bare(console: str, query: dict[str, Any], repeats: int) -> tuple[list[float], int, int]:
    """Seconds of each bare GeoJSON request (after one warm-up), its features and body bytes."""
    async with httpx.AsyncClient(base_url=console, timeout=120) as client:
        await sign_in(client)
        times: list[float] = []
        features = size = 0
        for n in range(repeats + 1):
            started = time.perf_counter()
            answer = await client.get("/map/parcels.geojson", params=query)
            body = answer.content
            elapsed = time.perf_counter() - started
            if answer.status_code != 200:
                raise RuntimeError(f"map GeoJSON: {answer.status_code} {answer.text[:300]}")
            features, size = len(json.loads(body)["features"]), len(body)
            if n:
                times.append(elapsed)
    return times, features, size


def draws(console: str, path: str, repeats: int, features: int) -> tuple[list[float], int]:
    """Seconds from navigation start until every parcel of the page is drawn (after one warm-up),
    and the number of parcel paths drawn; in headless chromium (blocking: run it in a thread)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError("chromium is missing: `make browser` installs Debian's package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN").new_page()
            page.set_default_timeout(120_000)
            page.goto(f"{console}/signin")
            page.fill("input[name=username]", USER)
            page.fill("input[name=password]", PASSWORD)
            page.click("form.stack button[type=submit]")
            page.wait_for_load_state()
            times: list[float] = []
            paths = 0
            for n in range(repeats + 1):
                page.goto(console + path, wait_until="commit")
                done = page.wait_for_function(DRAWN, polling="raf").json_value()
                if done["loaded"] != "true":
                    raise RuntimeError(f"the map failed to load: {done['error']}")
                paths = int(done["paths"])
                if paths != features:
                    raise RuntimeError(f"{paths} parcels drawn of {features}")
                if n:
                    times.append(float(done["at_ms"]) / 1000)
        finally:
            browser.close()
    return times, paths


async def view(console: str, query: dict[str, Any], repeats: int) -> dict[str, Any]:
    bare_s, features, size = await bare(console, query, repeats)
    path = "/map?" + str(httpx.QueryParams(query))
    draw_s, paths = await asyncio.to_thread(draws, console, path, repeats, features)
    return summary(bare_s, draw_s, features, size, paths)


def summary(bare_s: list[float], draw_s: list[float], features: int, size: int, paths: int) -> dict[str, Any]:
    """One view's figure: both latencies (median and p90 in ms) and draw ÷ bare at each."""
    bare_ms, draw_ms = latency_summary(bare_s), latency_summary(draw_s)
    return {
        "features": features, "geojson_bytes": size, "paths_drawn": paths,
        "bare": {k: bare_ms[k] for k in ("count", "p50_ms", "p90_ms", "max_ms")},
        "draw": {k: draw_ms[k] for k in ("count", "p50_ms", "p90_ms", "max_ms")},
        "draw_vs_bare_p50": ratio(percentile(draw_s, 50), percentile(bare_s, 50), 2),
        "draw_vs_bare_p90": ratio(percentile(draw_s, 90), percentile(bare_s, 90), 2),
    }


def verdict(street: dict[str, Any]) -> bool | None:
    """The goal holds when the large street's median draw is within 3 s and 10× its bare request."""
    within = meets(street["draw"]["p50_ms"], GOAL_STREET_DRAW_MS, higher_is_better=False)
    relative = meets(street["draw_vs_bare_p50"], GOAL_DRAW_VS_BARE, higher_is_better=False)
    if within is None or relative is None:
        return None
    return within and relative


async def run(infra: Infra, cfg: Config) -> dict[str, Any]:
    await reset_topics(infra.bootstrap)
    year = DemoCalendar.of().open_year
    data = generate(cfg.map_demo_parcels)
    demo_filings = [f for f in data.filings if f["year"] == year]
    extra, extra_filings = street_parcels(cfg.map_street_parcels, [e["uscc"] for e in data.enterprises[:200]], year)
    stack = start_services(infra, ["parcel-registry", "evaluation"], "map", profile_dir=cfg.out_dir)
    console, process = None, None
    try:
        log(f"map: loading the demo ({len(data.parcels)} parcels, {len(demo_filings)} filings of {year})")
        load_s = await load(stack.url("parcel-registry"), data.enterprises, data.parcels, demo_filings)
        grade_s = await graded(stack.url("evaluation"), year, len(data.parcels))
        console, process = start_console(infra, stack)
        log(f"map: demo loaded in {load_s:.1f}s, graded {grade_s:.1f}s later; measuring the whole map")
        demo = await view(console, {"year": year}, cfg.map_repeats)
        log(f"map: loading {len(extra)} parcels into {BIG_STREET}")
        street_load_s = await load(stack.url("parcel-registry"), [], extra, extra_filings)
        await graded(stack.url("evaluation"), year, len(data.parcels) + len(extra))
        street = await view(console, {"year": year, "street": BIG_STREET}, cfg.map_repeats)
    finally:
        if process is not None:
            stop_processes([process])
        stack.stop()
    log(f"map: demo draw p50 {demo['draw']['p50_ms']} ms vs bare {demo['bare']['p50_ms']} ms; "
        f"{BIG_STREET} ({street['features']}) draw {street['draw']['p50_ms']} ms vs bare {street['bare']['p50_ms']} ms")
    return {
        "what": "ms from navigation start until the map page has drawn every parcel (headless chromium), against "
                "the bare GET /map/parcels.geojson it draws from, through the console with a session cookie",
        "year": year,
        "repeats": cfg.map_repeats,
        "demo": demo,
        "street": {"street": BIG_STREET, **street},
        "load_s": {"demo": round(load_s, 1), "street": round(street_load_s, 1)},
        "goal": f"the {street['features']}-parcel street drawn within {GOAL_STREET_DRAW_MS:.0f} ms (median) and "
                f"within {GOAL_DRAW_VS_BARE:.0f}× its bare request",
        "goal_met": verdict(street),
    }
