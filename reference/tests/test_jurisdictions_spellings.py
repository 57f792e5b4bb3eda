import pytest

from landgrade_reference.jurisdictions import (
    JURISDICTIONS,
    canonical_jurisdiction,
    known_jurisdiction,
    same_jurisdiction,
)


@pytest.mark.parametrize(
    ("token_claim", "parcel_street"),
    [
        ("ronghua", "荣华街道"),
        ("Ronghua", "荣华街道办事处"),
        ("Ronghua Street", "ronghua"),
        ("亦庄镇", "亦庄地区"),
        ("majuqiao", "马驹桥镇人民政府"),
        ("  BOXING ", "博兴街道"),
    ],
)
def test_spellings_of_one_area_match(token_claim: str, parcel_street: str) -> None:
    assert same_jurisdiction(token_claim, parcel_street)


@pytest.mark.parametrize(
    ("a", "b"),
    [("ronghua", "博兴街道"), ("亦庄镇", "旧宫镇"), ("taihu", "majuqiao"), ("ronghua", None), (None, None),
     ("", "")],
)
def test_different_or_missing_areas_do_not_match(a: str | None, b: str | None) -> None:
    assert not same_jurisdiction(a, b)


def test_every_e_town_area_is_known_by_each_of_its_names() -> None:
    assert len(JURISDICTIONS) == 10
    for j in JURISDICTIONS:
        for name in (j.code, j.name_en, j.name_zh):
            found = known_jurisdiction(name)
            assert found is not None and found.code == j.code


def test_unknown_areas_compare_by_their_text() -> None:
    assert same_jurisdiction("New Park Street", "new park")
    assert not same_jurisdiction("street-a", "street-b")
    assert canonical_jurisdiction("Street-A") == "street-a"
