"""One parcel's story as rows: its holder (and the holder's group), the parcel with its outline,
approved tenants, four years of quarterly filings, and what the parcel was made to show: an
unauthorised lease found by an inspection, a flag, a missed deadline, a suspected occupant, and
how far its case has come."""

from __future__ import annotations

import random
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from landgrade.demo import economy
from landgrade.demo.calendar import DemoCalendar
from landgrade.demo.enterprises import Enterprises
from landgrade.demo.names import INDUSTRIES, address, site_name

# Share of parcels with each intended profile (the rest: "clean"). D stays rare.
PROFILE_SHARES = {
    "C-renewal": 0.040,  # unauthorised lease, holder cooperates with urban renewal
    "C-pending": 0.015,  # unauthorised lease, holder's attitude not yet known (gap 1)
    "C-linked": 0.015,  # refuses, but the tenant is equity-linked (gap 2)
    "D-lease": 0.014,  # refuses, tenant unrelated
    "D-litigation": 0.010,
    "D-abandoned": 0.006,
    "D-residential": 0.004,
    "breach": 0.020,  # missed the contracted production start (gap 6)
}
OCCUPIED_SHARE = 0.04  # of all parcels (drawn among clean ones): a suspected occupant files for it
RENEWAL_PLAN_SHARE = 0.5  # C-renewal parcels whose renewal plan is already agreed
Row = tuple[str, dict[str, Any]]  # (kind, record): enterprise, parcel, lease, filing, inspection, case


@dataclass(frozen=True)
class Skeleton:
    """What is drawn for a parcel before its story: street, area, shape, category, profile."""

    street: str
    area_m2: int
    aspect: float
    category: str
    profile: str


class World:
    """Makes each parcel's rows in turn; enterprises are shared across parcels (groups, people)."""

    def __init__(self, rng: random.Random, calendar: DemoCalendar, prefix: str) -> None:
        self.rng, self.calendar, self.prefix = rng, calendar, prefix
        self.enterprises = Enterprises(rng)
        self.approvals = 0
        self.quarters = {year: calendar.quarters(year) for year in calendar.years}

    def _date_between(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def parcel(self, n: int, sk: Skeleton, outline: dict[str, Any]) -> Iterator[Row]:
        rng, cal = self.rng, self.calendar
        industry = rng.choice(INDUSTRIES)
        made, holder = self.enterprises.holder(industry)
        for row in made:
            yield "enterprise", row
        holder_name = made[-1]["name"]
        pid = f"{self.prefix}-{2010 + n % 14}-{n + 1:04d}"
        first = cal.history[0]
        parcel: dict[str, Any] = {
            "parcel_id": pid, "name": site_name(rng, sk.street, industry), "street": sk.street,
            "address": address(rng, sk.street), "area_m2": str(sk.area_m2), "category": sk.category,
            "rights_holder": holder, "geometry": outline,
        }
        hectares = sk.area_m2 / 10_000
        level = economy.first_level(rng)
        if sk.category == "renewal_park":
            committed = economy.Level(rng.uniform(1.2e8, 2.0e8), rng.uniform(0.06, 0.08))
            parcel["commitments"] = [{"from_year": first, "to_year": None,
                                      "output_value": _cny(committed.output_per_ha * hectares),
                                      "tax": _cny(committed.tax_per_ha * hectares)}]
            level = economy.Level(committed.output_per_ha * rng.lognormvariate(0.02, 0.18),
                                  committed.tax_ratio * rng.lognormvariate(0, 0.05))
        flag = {"D-litigation": ("litigation", cal.history[-2], "北京市第四中级人民法院 (民事诉讼)"),
                "D-abandoned": ("abandoned", first, "亦庄新城规划建设局巡查：主体结构停工"),
                "D-residential": ("residential_conversion", cal.history[-1], "街道巡查：厂房改作居住用途")}
        if sk.profile in flag:
            kind, year, source = flag[sk.profile]
            # Flagged before the grades opened the cases (the case history day).
            latest = min(date(year, 12, 31), cal.case_history_on - timedelta(days=1))
            since = self._date_between(date(year, 1, 1), latest)
            parcel["flags"] = [{"kind": kind, "since": since.isoformat(), "source": source}]
        if sk.profile == "breach":
            parcel["deadlines"] = [{"kind": "production_start", "due_on": f"{cal.history[-1]}-06-30",
                                    "note": "土地出让合同约定的竣工投产日期"}]
        yield "parcel", parcel

        tenants = yield from self._approved_tenants(pid, sk, industry)
        pattern = economy.season(rng, industry)
        courses: dict[int, str] = {}
        for year in cal.years:
            course = economy.trend(rng, level.looks_like_a)
            courses[year] = course.kind
            for quarter, (output, tax) in enumerate(economy.quarters(rng, level, hectares, pattern, course), 1):
                if quarter not in self.quarters[year]:
                    continue
                yield from _split_filing(pid, holder, tenants, year, quarter, output, tax)
            level = economy.after(level, course).drift(rng)
        yield "profile", {"parcel_id": pid, "profile": sk.profile, "courses": courses}

        if sk.profile[:2] in ("C-", "D-") and sk.profile not in flag:
            yield from self._unauthorised_lease(pid, sk, (holder, holder_name))
        elif sk.profile == "clean" and rng.random() < OCCUPIED_SHARE / (1 - sum(PROFILE_SHARES.values())):
            yield from self._suspected_occupant(pid, industry)
        if sk.profile.startswith("D-"):
            yield "case", self._enforcement_plan(pid, sk)

    def _approved_tenants(self, pid: str, sk: Skeleton, industry: str) -> Generator[Row, None, list[str]]:
        if sk.category != "approved_park" and self.rng.random() > 0.06:
            return []
        tenants = []
        cal = self.calendar
        for k in range(1, self.rng.choice((1, 1, 2, 3)) + 1):
            made, tenant = self.enterprises.tenant(self.rng.choice((industry, *INDUSTRIES[:6])))
            for row in made:
                yield "enterprise", row
            self.approvals += 1
            start = self._date_between(date(cal.history[0] - 4, 1, 1), date(cal.history[0] - 1, 12, 1))
            approved = start - timedelta(days=self.rng.randint(20, 60))
            yield "lease", {"parcel_id": pid, "lease_id": f"L-{pid}-{k}", "tenant_uscc": tenant,
                            "area_m2": str(round(sk.area_m2 * self.rng.uniform(0.08, 0.2))), "approved": True,
                            "approval_reference": f"京技管审〔{approved.year}〕{self.approvals}号",
                            "approval_date": approved.isoformat(), "start": start.isoformat(),
                            "end": date(cal.current_year + self.rng.randint(2, 8), start.month, 1).isoformat()}
            tenants.append(tenant)
        return tenants

    def _unauthorised_lease(self, pid: str, sk: Skeleton, holder: tuple[str, str]) -> Iterator[Row]:
        rng, cal = self.rng, self.calendar
        made, tenant = self.enterprises.tenant(rng.choice(INDUSTRIES), owned_by=holder if sk.profile == "C-linked"
                                               else None)
        for row in made:
            yield "enterprise", row
        # Found by an inspection before the case history day (enforcement records it then), a
        # month or more after the tenant moved in.
        start = self._date_between(date(cal.history[-1], 1, 1), cal.case_history_on - timedelta(days=30))
        start = start.replace(day=1)
        yield "lease", {"parcel_id": pid, "lease_id": f"L-{pid}-X", "tenant_uscc": tenant,
                        "area_m2": str(round(sk.area_m2 * rng.uniform(0.15, 0.4))), "approved": False,
                        "start": start.isoformat()}
        attitude = {"C-renewal": "cooperating_with_renewal", "C-pending": "undetermined"}.get(
            sk.profile, "refuses_to_correct")
        seen = min(start + timedelta(days=rng.randint(30, 150)), cal.case_history_on - timedelta(days=1))
        note = {"cooperating_with_renewal": "厂房部分出租给园区外企业；产权人同意参与城市更新，配合引入产业项目",
                "undetermined": "厂房部分出租给园区外企业；已开展政策宣讲，产权人尚未表态",
                "refuses_to_correct": "厂房部分出租给园区外企业；经告知仍拒不改正"}[attitude]
        yield "inspection", {
            "inspection_id": f"INS-{sk.street}-{pid}", "parcel_id": pid, "street": sk.street,
            "inspected_at": f"{seen.isoformat()}T{rng.randint(9, 16):02d}:{rng.choice((0, 15, 30, 45)):02d}:00+08:00",
            "inspector": f"{rng.choice(('王', '李', '张', '刘', '赵'))}巡检员",
            "findings": [{"type": "unauthorised_lease", "tenant_uscc": tenant, "holder_attitude": attitude,
                          "note": note}],
        }
        if sk.profile == "C-renewal":
            agreed = rng.random() < RENEWAL_PLAN_SHARE
            moves = [{"to": "briefed", "reason": "已召开城市更新政策宣讲会"},
                     {"to": "matching", "reason": "已一对一解读政策，开始对接产业项目"}]
            if agreed:
                moves.append({"to": "renewal_agreed", "reason": "产权人签订城市更新方案，引入产业项目"})
            yield "case", {"parcel_id": pid, "street": sk.street, "kind": "renewal_guidance", "moves": moves,
                           "opened_on": cal.case_history_on.isoformat(), "moved_on": cal.today.isoformat(),
                           "overdue": False}

    def _suspected_occupant(self, pid: str, industry: str) -> Iterator[Row]:
        cal = self.calendar
        made, occupant = self.enterprises.tenant(industry)
        for row in made:
            yield "enterprise", row
        year = cal.current_year if cal.quarters(cal.current_year) else cal.history[-1]
        for quarter in cal.quarters(year)[-2:]:
            output = Decimal(self.rng.randint(800_000, 6_000_000))
            yield "filing", {"filing_id": f"TAX-{year}-{occupant}-Q{quarter}", "uscc": occupant, "parcel_id": pid,
                             "year": year, "quarter": quarter, "output_value": str(output),
                             "tax_paid": str((output * Decimal("0.06")).quantize(economy.CENT))}

    def _enforcement_plan(self, pid: str, sk: Skeleton) -> dict[str, Any]:
        """How far the parcel's enforcement case has come. The grade opened it on the case history
        day. An overdue case was left then (unmoved, or moved that day), so the comply-by period of
        its state has passed; any other was moved on today. A case referred to legal proceedings
        has no comply-by date: never overdue."""
        rng, cal = self.rng, self.calendar
        inspect = {"to": "inspecting", "reason": "开展执法检查"}
        plan = {"to": "plan_issued", "reason": "已下达违法违规用地整治方案"}
        if sk.profile == "D-litigation":
            moves, overdue = [{"to": "referred_to_legal", "reason": "宗地涉诉，移交法律程序处理"}], False
        else:
            paths: list[list[dict[str, str]]] = [[inspect], [inspect, plan],
                                                 [inspect, plan, {"to": "rectifying", "reason": "产权人开始整改"}]]
            if sk.profile == "D-abandoned":
                paths = [[{"to": "inspecting", "reason": "开展执法检查，核实停工情况"}]]
            overdue = rng.random() < 0.5
            moves = rng.choice([[], *paths] if overdue else paths)
        left = cal.case_history_on if overdue or sk.profile == "D-litigation" else cal.today
        return {"parcel_id": pid, "street": sk.street, "kind": "enforcement", "moves": moves,
                "opened_on": cal.case_history_on.isoformat(), "moved_on": left.isoformat(), "overdue": overdue}


def _split_filing(pid: str, holder: str, tenants: list[str], year: int, quarter: int, output: Decimal,
                  tax: Decimal) -> Iterator[Row]:
    """One quarter of a parcel's output and tax as filed: by the holder, and by each approved
    tenant for its part (the parts add up to the parcel's figures exactly)."""
    if not tenants:
        yield "filing", {"filing_id": f"TAX-{year}-{pid}-Q{quarter}", "uscc": holder, "parcel_id": pid, "year": year,
                         "quarter": quarter, "output_value": str(output), "tax_paid": str(tax)}
        return
    filers = [(holder, f"TAX-{year}-{pid}-Q{quarter}")]
    filers += [(t, f"TAX-{year}-{pid}-T{k}-Q{quarter}") for k, t in enumerate(tenants, 1)]
    part = Decimal("0.15")
    for k, (filer, filing_id) in enumerate(filers):
        if k == 0:
            mine_out = output - (output * part).quantize(economy.CENT) * (len(filers) - 1)
            mine_tax = tax - (tax * part).quantize(economy.CENT) * (len(filers) - 1)
        else:
            mine_out, mine_tax = (output * part).quantize(economy.CENT), (tax * part).quantize(economy.CENT)
        yield "filing", {"filing_id": filing_id, "uscc": filer, "parcel_id": pid, "year": year, "quarter": quarter,
                         "output_value": str(mine_out), "tax_paid": str(mine_tax)}


def _cny(value: float) -> str:
    return str(Decimal(value).quantize(economy.CENT))
