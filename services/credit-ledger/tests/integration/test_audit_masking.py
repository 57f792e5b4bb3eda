"""Regression: asking for a credit file by a resident ID number wrote the number into the audit
log of credit reads in plain text."""

from __future__ import annotations

import pytest

from landgrade.testing import token

from .conftest import World

pytestmark = pytest.mark.infra
READER, ADMIN = token("credit:read", subject="credit-platform"), token("admin", subject="admin-1")


async def test_an_id_number_asked_for_is_masked_in_the_audit_log(world: World) -> None:
    number, masked = "11010519491231002X", "110105********002X"
    for headers in (READER, ADMIN):
        answer = await world.client.get(f"/v1/subjects/{number}/credit", headers=headers)
        # neither a USCC nor a person token the ledger holds: refused as a malformed subject
        assert answer.status_code == 422 and number not in answer.text
    assert await world.scalar("SELECT count(*) FROM credit_reads WHERE subject_ref = :s", s=number) == 0
    assert await world.scalar("SELECT count(*) FROM credit_reads WHERE subject_ref = :s", s=masked) == 2
    log = await world.client.get("/v1/audit/credit-reads", params={"subject": number}, headers=ADMIN)
    assert [r["subject_ref"] for r in log.json()] == [masked, masked]
