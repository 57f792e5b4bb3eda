"""Ids, tokens and request bodies for driving the services the way the outside systems do."""

from __future__ import annotations

import random
from typing import Any

from landgrade.roles import ROLES
from landgrade.testing import token
from landgrade_reference.resident_ids import resident_id_check_character
from landgrade_reference.uscc import ALPHABET, with_check_character

STREET_A, STREET_B = "ronghua", "boxing"
YEAR = 2024


def new_uscc(rng: random.Random) -> str:
    """A valid USCC (GB 32100-2015 check character) registered in E-Town (region 110115)."""
    return with_check_character("91110115" + "".join(rng.choice(ALPHABET) for _ in range(9)))


def new_id_number(rng: random.Random) -> str:
    """A valid 18-character resident ID number (GB 11643 check character)."""
    body = f"110105{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + resident_id_check_character(body)


def role_headers(role: str, jurisdiction: str | None = None) -> dict[str, str]:
    """Authorization header for a local token of one of the roles in `landgrade/roles.py`."""
    return token(*ROLES[role], jurisdiction=jurisdiction, subject=f"{role}-client")


def enterprise_body(name: str, id_numbers: list[str], parent: str | None = None) -> dict[str, Any]:
    roles = ["legal_representative", "actual_controller", "director", "supervisor", "manager"]
    persons = [{"name": f"负责人{i}", "role": roles[i % len(roles)], "id_number": number}
               for i, number in enumerate(id_numbers)]
    shareholders = [{"kind": "person", "name": "自然人股东", "share": "40", "id_number": n} for n in id_numbers[:1]]
    if parent:
        shareholders.append({"kind": "enterprise", "name": "母公司", "share": "60", "uscc": parent})
    return {"name": name, "status": "active", "responsible_persons": persons, "shareholders": shareholders}


def parcel_body(holder: str, street: str, area_m2: str = "20000", category: str = "self_use") -> dict[str, Any]:
    return {"name": f"宗地 {holder[-6:]}", "address": "荣华南路 10 号", "street": street, "area_m2": area_m2,
            "category": category, "rights_holder": holder}


def filing_body(filing_id: str, uscc: str, parcel_id: str, output: str, tax: str,
                year: int = YEAR) -> dict[str, Any]:
    return {"filing_id": filing_id, "uscc": uscc, "parcel_id": parcel_id, "year": year,
            "output_value": output, "tax_paid": tax}


def inspection_body(inspection_id: str, parcel_id: str, finding: str = "illegal_construction",
                    inspected_at: str = f"{YEAR}-11-20T10:00:00+08:00") -> dict[str, Any]:
    return {"inspection_id": inspection_id, "parcel_id": parcel_id, "inspected_at": inspected_at,
            "inspector": "巡检组", "findings": [{"type": finding, "note": "现场检查"}]}
