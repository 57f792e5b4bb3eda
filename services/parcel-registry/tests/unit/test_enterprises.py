from decimal import Decimal

import pytest

from landgrade_reference.uscc import with_check_character
from parcel_registry.domain.enterprises import (
    Enterprise,
    EnterpriseStatus,
    PersonRole,
    ResponsiblePerson,
    Shareholder,
    ShareholderKind,
)
from parcel_registry.domain.errors import DomainValidationError

X = with_check_character("91110115MA0000001")
PARENT = with_check_character("91110115MA0000002")
PERSON_ID = "11010519491231002X"


def test_enterprise_with_people_and_shareholders() -> None:
    e = Enterprise(
        X.lower(),
        "Yizhuang Optics Co., Ltd.",
        EnterpriseStatus.ACTIVE,
        (ResponsiblePerson("张三", PersonRole.LEGAL_REPRESENTATIVE, PERSON_ID.lower()),),
        (
            Shareholder(ShareholderKind.ENTERPRISE, "Parent Co.", Decimal(60), uscc=PARENT),
            Shareholder(ShareholderKind.PERSON, "张三", Decimal(40), id_number=PERSON_ID),
        ),
    )
    assert e.uscc == X
    assert e.responsible_persons[0].id_number == PERSON_ID
    assert PERSON_ID not in repr(e)


def test_shares_above_one_hundred_percent_are_refused() -> None:
    with pytest.raises(DomainValidationError, match="more than 100%"):
        Enterprise(
            X,
            "X",
            shareholders=(
                Shareholder(ShareholderKind.ENTERPRISE, "P", Decimal(60), uscc=PARENT),
                Shareholder(ShareholderKind.PERSON, "张三", Decimal("40.01"), id_number=PERSON_ID),
            ),
        )


def test_an_enterprise_cannot_hold_itself() -> None:
    with pytest.raises(DomainValidationError, match="its own shares"):
        Enterprise(X, "X", shareholders=(Shareholder(ShareholderKind.ENTERPRISE, "X", Decimal(10), uscc=X),))


def test_a_person_shareholder_needs_a_valid_id_number() -> None:
    with pytest.raises(DomainValidationError) as raised:
        Enterprise(X, "X", shareholders=(Shareholder(ShareholderKind.PERSON, "李四", Decimal(10)),))
    assert {e.field for e in raised.value.errors} == {"shareholders[0].id_number"}


def test_bad_responsible_person_id_is_reported_by_field_without_the_number() -> None:
    bad = "110105194912310021"
    with pytest.raises(DomainValidationError) as raised:
        Enterprise(X, "X", responsible_persons=(ResponsiblePerson("张三", PersonRole.DIRECTOR, bad),))
    assert [e.field for e in raised.value.errors] == ["responsible_persons[0].id_number"]
    assert bad not in str(raised.value)


def test_zero_share_is_refused() -> None:
    with pytest.raises(DomainValidationError, match="share_pct"):
        Enterprise(X, "X", shareholders=(Shareholder(ShareholderKind.ENTERPRISE, "P", Decimal(0), uscc=PARENT),))
