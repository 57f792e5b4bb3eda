"""`landgrade demo seed | show`: the synthetic E-Town, loaded through the REST APIs or described.

Its Typer `app` carries one group, `demo`, in the shape the `landgrade` CLI merges its groups in.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import typer
from rich.table import Table

from landgrade.demo.dataset import generate
from landgrade.demo.loader import DEFAULT_PARCELS, DEFAULT_SEED, console, seed, seed_if_empty
from landgrade_reference.jurisdictions import jurisdiction

app = typer.Typer()
demo = typer.Typer(help="The synthetic E-Town demo (deterministic for a seed, dated from CLOCK_AT or today).",
                   no_args_is_help=True)
app.add_typer(demo, name="demo")

ParcelsOption = typer.Option(DEFAULT_PARCELS, "--parcels", min=1, help="how many parcels")
SeedOption = typer.Option(DEFAULT_SEED, "--seed", help="the same seed gives the same E-Town")


@demo.command("seed")
def seed_command(parcels: int = ParcelsOption, seed_value: int = SeedOption,
                 registry: str = typer.Option("http://127.0.0.1:8001", envvar="LANDGRADE_REGISTRY_URL"),
                 evaluation: str = typer.Option("http://127.0.0.1:8002", envvar="LANDGRADE_EVALUATION_URL"),
                 enforcement: str = typer.Option("http://127.0.0.1:8004", envvar="LANDGRADE_ENFORCEMENT_URL"),
                 force: bool = typer.Option(False, "--force", help="load even if the registry holds parcels")) -> None:
    """Load the demo through the REST APIs (development tokens), then run the yearly cycle."""
    if not force:
        seed_if_empty(registry, enforcement, evaluation, parcels, seed_value)
        return
    data = generate(parcels, seed_value)
    console.print(f"Seeding a synthetic E-Town of {parcels} parcels (seed {seed_value}, today {data.today}) ...")
    asyncio.run(seed(data, registry, enforcement, evaluation))


@demo.command("show")
def show(parcels: int = ParcelsOption, seed_value: int = SeedOption) -> None:
    """What the demo would hold, per street or town, without loading anything."""
    data = generate(parcels, seed_value)
    streets = Counter(p["street"] for p in data.parcels)
    by_profile: dict[str, Counter[str]] = {}
    for p in data.parcels:
        by_profile.setdefault(p["street"], Counter())[data.profiles[p["parcel_id"]][:1]] += 1
    table = Table(title=f"E-Town demo, seed {seed_value}, today {data.today}")
    for column in ("街道/镇", "宗地", "公顷", "擅自出租 (C)", "D 类违法违规", "其他"):
        table.add_column(column)
    for street, count in streets.most_common():
        hectares = sum(int(p["area_m2"]) for p in data.parcels if p["street"] == street) / 10_000
        profiles = by_profile[street]
        table.add_row(jurisdiction(street).name_zh, str(count), f"{hectares:.1f}", str(profiles["C"]),
                      str(profiles["D"]), str(count - profiles["C"] - profiles["D"]))
    console.print(table)
    console.print(f"企业 {len(data.enterprises)}，租赁 {len(data.leases)}，产值税收申报 {len(data.filings)} "
                  f"（{'、'.join(map(str, data.calendar.years))}），巡查 {len(data.inspections)}，"
                  f"案件计划 {len(data.cases)}")
