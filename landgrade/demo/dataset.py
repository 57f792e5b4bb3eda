"""A realistic, synthetic E-Town: parcels over the real streets and towns, enterprises with
responsible persons and equity chains several levels deep, approved and unauthorised leases,
three years of quarterly filings and some inspections, tuned so every grade and case kind
appears. Deterministic for a given seed. Nothing here is real data."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from landgrade_reference.resident_ids import resident_id_check_character
from landgrade_reference.uscc import ALPHABET, with_check_character

STREETS = ["ronghua", "boxing", "yizhuang", "jiugong", "yinghai", "qingyundian", "zhangziying",
           "taihu", "majuqiao", "caiyu"]
STREET_ROADS = {"ronghua": "荣华南路", "boxing": "博兴八路", "yizhuang": "科创十三街", "jiugong": "旧宫东路",
                "yinghai": "瀛海南路", "qingyundian": "青云店大街", "zhangziying": "长子营工业园路",
                "taihu": "台湖光机电路", "majuqiao": "金桥科技路", "caiyu": "采育经济开发区路"}
# Registration authorities: E-Town's own, Daxing, Tongzhou (USCC characters 3–8).
REGIONS = ["110302", "110115", "110112"]
TRADES = ["精密制造", "生物医药", "集成电路", "新能源汽车", "智能装备", "光电子", "医疗器械", "新材料",
          "机器人", "航空航天部件"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚"]
YEARS = [2023, 2024, 2025]


@dataclass
class Dataset:
    enterprises: list[dict[str, Any]] = field(default_factory=list)
    parcels: list[dict[str, Any]] = field(default_factory=list)
    leases: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    filings: list[dict[str, Any]] = field(default_factory=list)
    inspections: list[dict[str, Any]] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=dict)  # parcel_id -> intended profile


def uscc(rng: random.Random) -> str:
    body = "91" + rng.choice(REGIONS) + "".join(rng.choice(ALPHABET) for _ in range(9))
    return with_check_character(body)


def resident_id(rng: random.Random) -> str:
    born = date(rng.randint(1960, 1995), rng.randint(1, 12), rng.randint(1, 28))
    first17 = "110115" + born.strftime("%Y%m%d") + f"{rng.randint(0, 999):03d}"
    return first17 + resident_id_check_character(first17)


def _money(value: float) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def generate(parcels: int = 500, seed: int = 2025) -> Dataset:
    rng = random.Random(seed)  # nosec B311  # repeatable demo data, nothing secret
    data = Dataset()
    people = [{"name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), "id_number": resident_id(rng)}
              for _ in range(max(20, parcels // 3))]
    holders: list[str] = []
    for i in range(parcels + parcels // 2):
        code = uscc(rng)
        person = people[i % len(people)] if rng.random() < 0.85 else rng.choice(people)
        shareholders = []
        if holders and rng.random() < 0.45:  # equity chains: a share in an earlier enterprise, which may hold others
            parent = rng.choice(data.enterprises[-40:])
            shareholders.append({"kind": "enterprise", "uscc": parent["uscc"], "name": parent["name"],
                                 "share": str(Decimal(rng.randint(20, 90)) / 100)})
        shareholders.append({"kind": "person", "name": person["name"], "id_number": person["id_number"],
                             "share": "0.10"})
        data.enterprises.append({
            "uscc": code, "name": f"北京亦庄{rng.choice(TRADES)}{'有限公司' if i % 3 else '股份有限公司'}{i:03d}",
            "status": "active",
            "responsible_persons": [{"name": person["name"], "role": "legal_representative",
                                     "id_number": person["id_number"]}],
            "shareholders": shareholders,
        })
        holders.append(code)

    tenants = holders[parcels:]
    profiles = (["A"] * 22 + ["B"] * 50 + ["C"] * 8 + ["D-lease"] * 6 + ["D-litigation"] * 3
                + ["D-abandoned"] * 3 + ["renewal-met"] * 4 + ["renewal-missed"] * 4)
    for n in range(parcels):
        street = STREETS[n % len(STREETS)]
        profile = profiles[n % len(profiles)]
        category = ("renewal_park" if profile.startswith("renewal") else
                    "approved_park" if n % 7 == 0 else "self_use")
        area = Decimal(rng.randint(8, 120) * 1000)
        pid = f"YZ-{2010 + n % 14}-{n + 1:04d}"
        holder = holders[n]
        parcel: dict[str, Any] = {
            "parcel_id": pid, "name": f"{STREET_ROADS[street]}{rng.choice(TRADES)}基地", "street": street,
            "address": f"{STREET_ROADS[street]}{rng.randint(1, 120)}号", "area_m2": str(area),
            "category": category, "rights_holder": holder,
        }
        hectares = area / 10000
        if category == "renewal_park":
            parcel["commitments"] = [{"from_year": YEARS[0], "to_year": None,
                                      "output_value": _money(float(hectares) * 1.5e8),
                                      "tax": _money(float(hectares) * 1.0e7)}]
        if profile == "D-litigation":
            parcel["flags"] = [{"kind": "litigation", "since": "2025-03-01", "source": "北京市第四中级人民法院"}]
        if profile == "D-abandoned":
            parcel["flags"] = [{"kind": "abandoned", "since": "2024-06-30", "source": "亦庄新城规划建设局巡查"}]
        data.parcels.append(parcel)
        data.profiles[pid] = profile

        per_ha = {"A": (4.2e8, 2.6e7), "B": (1.6e8, 0.9e7), "renewal-met": (1.8e8, 1.2e7),
                  "renewal-missed": (0.8e8, 0.5e7)}.get(profile, (1.2e8, 0.7e7))
        for year in YEARS:
            growth = 0.9 + 0.05 * (year - YEARS[0]) + rng.random() * 0.1
            for quarter in range(1, 5):
                data.filings.append({
                    "filing_id": f"TAX-{year}-{pid}-Q{quarter}", "uscc": holder, "parcel_id": pid, "year": year,
                    "quarter": quarter, "output_value": _money(per_ha[0] * float(hectares) * growth / 4),
                    "tax_paid": _money(per_ha[1] * float(hectares) * growth / 4),
                })

        if category == "approved_park" or rng.random() < 0.1:
            tenant = rng.choice(tenants)
            data.leases.append((pid, f"L-{pid}-1", {
                "tenant_uscc": tenant, "area_m2": str((area / 5).quantize(Decimal(1))), "approved": True,
                "approval_reference": f"京技管〔2023〕{n + 1}号", "approval_date": "2023-05-10",
                "start": "2023-06-01", "end": "2028-05-31"}))
        if profile in ("C", "D-lease"):
            tenant = rng.choice(tenants)
            leased = str((area / 4).quantize(Decimal(1)))
            data.leases.append((pid, f"L-{pid}-X", {"tenant_uscc": tenant, "area_m2": leased,
                                                    "approved": False, "start": "2025-01-01"}))
            attitude = "cooperating_with_renewal" if profile == "C" else "refuses_to_correct"
            data.inspections.append({
                "inspection_id": f"INS-{street}-{pid}", "parcel_id": pid, "street": street,
                "inspected_at": "2025-10-15T10:00:00+08:00", "inspector": f"{street}-巡检组",
                "findings": [{"type": "unauthorised_lease", "tenant_uscc": tenant, "holder_attitude": attitude,
                              "note": "厂房部分出租给园区外企业"}],
            })
    return data
