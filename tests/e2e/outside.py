"""The outside systems of the end-to-end tests: each talks to landgrade only over REST (with its
own role's token) or by reading Kafka topics, as the real tax, registry, street-office, credit
and approval systems would."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from landgrade.demo.dataset import resident_id, uscc
from landgrade.roles import ROLES
from landgrade.testing import closed_objection_window, eventually, token
from landgrade.testing_stack import Stack

_rng = random.Random()


def new_uscc() -> str:
    return uscc(_rng)


def new_person() -> dict[str, str]:
    return {"name": "张" + _rng.choice("伟芳娜敏静强磊"), "id_number": resident_id(_rng)}


def auth(role: str, jurisdiction: str | None = None) -> dict[str, str]:
    return token(*ROLES[role], jurisdiction=jurisdiction, subject=role)


@dataclass
class Outside:
    stack: Stack
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=60))
    # One moment for this client's inspections, so a re-sent inspection is the same request.
    inspected_at: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(minutes=5))

    async def ok(self, response: httpx.Response) -> Any:
        assert response.status_code < 300, f"{response.request.method} {response.request.url}: " \
                                           f"{response.status_code} {response.text[:800]}"
        return response.json() if response.content else None

    # -- business registry and land staff -----------------------------------------------------
    async def enterprise(self, code: str, name: str, person: dict[str, str],
                         shareholders: list[dict[str, Any]] | None = None) -> None:
        body = {"name": name, "status": "active",
                "responsible_persons": [{"name": person["name"], "role": "legal_representative",
                                         "id_number": person["id_number"]}],
                "shareholders": shareholders or []}
        await self.ok(await self.http.put(f"{self.stack.registry}/v1/enterprises/{code}", json=body,
                                          headers=auth("business-registry")))

    async def parcel(self, parcel_id: str, holder: str, street: str = "荣华街道", area_m2: int = 10_000,
                     category: str = "self_use") -> None:
        body = {"name": f"测试地块 {parcel_id}", "address": "荣华南路 1 号", "street": street,
                "area_m2": str(area_m2), "category": category, "rights_holder": holder}
        await self.ok(await self.http.put(f"{self.stack.registry}/v1/parcels/{parcel_id}", json=body,
                                          headers=auth("land-staff")))

    async def lease(self, parcel_id: str, lease_id: str, tenant: str, area_m2: int, start: str,
                    approved: bool = False) -> None:
        """A lease registered as land staff do (unapproved: no approval document or date)."""
        body = {"tenant_uscc": tenant, "area_m2": str(area_m2), "start": start, "approved": approved}
        if approved:
            body |= {"approval_reference": f"京开管批〔{start[:4]}〕{lease_id}号", "approval_date": start}
        await self.ok(await self.http.put(f"{self.stack.registry}/v1/parcels/{parcel_id}/leases/{lease_id}",
                                          json=body, headers=auth("land-staff")))

    async def transfer(self, parcel_id: str, new_holder: str, effective_on: str) -> None:
        """转让 as land staff record it: the new holder from the day it took effect, with the deed."""
        body = {"new_holder": new_holder, "effective_on": effective_on, "reason": "转让：不动产权变更登记",
                "document_ref": f"京({effective_on[:4]})开发区不动产权第{parcel_id[-6:]}号"}
        await self.ok(await self.http.post(f"{self.stack.registry}/v1/parcels/{parcel_id}/transfers", json=body,
                                           headers=auth("land-staff")))

    async def enterprises_batch(self, lines: list[dict[str, Any]]) -> dict[str, Any]:
        """Changes from the business registry, each line dated by the day it took effect."""
        body = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines).encode()
        headers = auth("business-registry") | {"content-type": "application/x-ndjson"}
        result: dict[str, Any] = await self.ok(
            await self.http.post(f"{self.stack.registry}/v1/enterprises/batch", content=body, headers=headers))
        assert result["rejected"] == 0, result
        return result

    # -- tax system ---------------------------------------------------------------------------
    async def filings_batch(self, filings: list[dict[str, Any]]) -> dict[str, Any]:
        body = "\n".join(json.dumps(f) for f in filings).encode()
        headers = auth("tax-system") | {"content-type": "application/x-ndjson"}
        result: dict[str, Any] = await self.ok(
            await self.http.post(f"{self.stack.registry}/v1/revenue-filings/batch", content=body, headers=headers))
        return result

    # -- street offices -----------------------------------------------------------------------
    async def inspect(self, street: str, parcel_id: str, findings: list[dict[str, Any]],
                      inspection_id: str | None = None) -> httpx.Response:
        body = {"inspection_id": inspection_id or f"INS-{uuid.uuid4().hex[:10]}", "parcel_id": parcel_id,
                "inspected_at": self.inspected_at.isoformat(), "inspector": f"{street}巡检组", "findings": findings}
        office = auth("street-office", jurisdiction=street)

        async def posted() -> httpx.Response | None:  # enforcement learns the parcel from registry events
            r = await self.http.post(f"{self.stack.enforcement}/v1/inspections", json=body, headers=office)
            return None if r.status_code == 422 and "parcel" in r.text else r

        response: httpx.Response = await eventually(posted, timeout=60)
        return response

    async def tasks_for(self, office: str, parcel_id: str) -> list[dict[str, Any]]:
        """The parcel's open inspection tasks on the list of `office`'s street office."""
        r = await self.ok(await self.http.get(f"{self.stack.enforcement}/v1/inspection-tasks",
                                              headers=auth("street-office", jurisdiction=office)))
        return [t for t in r["items"] if t["parcel_id"] == parcel_id]

    # -- evaluation ---------------------------------------------------------------------------
    async def timeline(self, parcel_id: str) -> list[dict[str, Any]]:
        """The parcel's timeline entries, oldest first (none while evaluation does not know it)."""
        r = await self.http.get(f"{self.stack.evaluation}/v1/parcels/{parcel_id}/timeline",
                                headers=auth("land-staff"))
        items: list[dict[str, Any]] = r.json()["items"] if r.status_code == 200 else []
        return items

    async def grade(self, parcel_id: str, year: int | None = None) -> dict[str, Any] | None:
        """The parcel's grade of `year` (without one: of the current year, which a registered
        parcel has from the moment it is registered)."""
        r = await self.http.get(f"{self.stack.evaluation}/v1/parcels/{parcel_id}/grade",
                                params={"year": year} if year else {}, headers=auth("credit-platform"))
        return r.json() if r.status_code == 200 else None

    async def wait_grade(self, parcel_id: str, grade: str, year: int | None = None,
                         status: str | None = None) -> dict[str, Any]:
        async def matches() -> dict[str, Any] | None:
            g = await self.grade(parcel_id, year)
            if g and g["grade"] == grade and (year is None or g["year"] == year) and (
                    status is None or g["status"] == status):
                return g
            return None

        result: dict[str, Any] = await eventually(matches, timeout=90)
        return result

    async def yearly_run_to_final(self, year: int) -> dict[str, Any]:
        """Draft → published (its objection window already closed) → final, as the Administrative Committee does."""
        admin = auth("admin")
        base = f"{self.stack.evaluation}/v1/evaluation-runs"
        run = await self.ok(await self.http.post(base, json={"year": year}, headers=admin))

        async def drafted() -> dict[str, Any] | None:
            r = await self.ok(await self.http.get(f"{base}/{run['id']}", headers=admin))
            assert r["state"] != "failed", r
            return r if r["state"] == "draft" else None

        await eventually(drafted, timeout=120)
        await self.ok(await self.http.post(f"{base}/{run['id']}/publish", json=closed_objection_window(),
                                           headers=admin))
        final: dict[str, Any] = await self.ok(await self.http.post(f"{base}/{run['id']}/finalize", headers=admin))
        assert final["state"] == "final"
        return final

    # -- enforcement staff --------------------------------------------------------------------
    async def case_of(self, parcel_id: str, kind: str) -> dict[str, Any]:
        async def found() -> dict[str, Any] | None:
            r = await self.ok(await self.http.get(f"{self.stack.enforcement}/v1/cases",
                                                  params={"parcel_id": parcel_id, "kind": kind},
                                                  headers=auth("enforcement-staff")))
            return r["items"][0] if r["items"] else None

        result: dict[str, Any] = await eventually(found, timeout=60)
        return result

    async def move_case(self, case_id: str, to: str, reason: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.ok(await self.http.post(
            f"{self.stack.enforcement}/v1/cases/{case_id}/transitions", json={"to": to, "reason": reason},
            headers=auth("enforcement-staff")))
        return result

    # -- approval systems, the credit platform and the public ---------------------------------
    async def benefits(self, code: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.ok(await self.http.get(f"{self.stack.credit}/v1/benefits/{code}",
                                                                   headers=auth("approval-system")))
        return result

    async def wait_benefits(self, code: str, check: Any) -> dict[str, Any]:
        async def ready() -> dict[str, Any] | None:
            b = await self.benefits(code)
            return b if check(b) else None

        result: dict[str, Any] = await eventually(ready, timeout=90)
        return result

    async def credit_file(self, code: str) -> dict[str, Any]:
        result: dict[str, Any] = await self.ok(await self.http.get(f"{self.stack.credit}/v1/subjects/{code}/credit",
                                                                   headers=auth("credit-platform")))
        return result


def held(benefits: dict[str, Any]) -> set[str]:
    return {e["benefit"] for e in benefits["entitlements"]}


def quarterly(code: str, parcel_id: str, year: int, output_per_quarter: Decimal, tax_per_quarter: Decimal,
              quarters: range = range(1, 5)) -> list[dict[str, Any]]:
    tag = uuid.uuid4().hex[:6]
    return [{"filing_id": f"TAX-{year}-{tag}-{parcel_id}-Q{q}", "uscc": code, "parcel_id": parcel_id, "year": year,
             "quarter": q, "output_value": str(output_per_quarter), "tax_paid": str(tax_per_quarter)}
            for q in quarters]
