"""The street offices and town governments of Yizhuang New Town (E-Town).

Each inspects the parcels in its own area, so every parcel names exactly one of them. The core
of the new town lies in the Ronghua and Boxing streets and Yizhuang town; the Daxing parts are
Jiugong, Yinghai, northern Qingyundian and Zhangziying; the Tongzhou parts are Taihu and
Majuqiao. The Caiyu industrial park is an enclave in Caiyu town (the Qingyundian park, the other
enclave, falls under Qingyundian).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class JurisdictionKind(StrEnum):
    STREET = "street"  # 街道办事处
    TOWN = "town"  # 镇人民政府


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name_zh: str
    name_en: str
    kind: JurisdictionKind
    district: str


JURISDICTIONS: tuple[Jurisdiction, ...] = (
    Jurisdiction("ronghua", "荣华街道", "Ronghua Street", JurisdictionKind.STREET, "Daxing"),
    Jurisdiction("boxing", "博兴街道", "Boxing Street", JurisdictionKind.STREET, "Daxing"),
    Jurisdiction("yizhuang", "亦庄镇", "Yizhuang Town", JurisdictionKind.TOWN, "Daxing"),
    Jurisdiction("jiugong", "旧宫镇", "Jiugong Town", JurisdictionKind.TOWN, "Daxing"),
    Jurisdiction("yinghai", "瀛海镇", "Yinghai Town", JurisdictionKind.TOWN, "Daxing"),
    Jurisdiction("qingyundian", "青云店镇", "Qingyundian Town", JurisdictionKind.TOWN, "Daxing"),
    Jurisdiction("zhangziying", "长子营镇", "Zhangziying Town", JurisdictionKind.TOWN, "Daxing"),
    Jurisdiction("caiyu", "采育镇", "Caiyu Town", JurisdictionKind.TOWN, "Daxing"),
    Jurisdiction("taihu", "台湖镇", "Taihu Town", JurisdictionKind.TOWN, "Tongzhou"),
    Jurisdiction("majuqiao", "马驹桥镇", "Majuqiao Town", JurisdictionKind.TOWN, "Tongzhou"),
)

_BY_CODE = {j.code: j for j in JURISDICTIONS}
# Every spelling a request may name a street or town by (Chinese name, code, English name): the
# `enum` the services' documents state for a street parameter.
SPELLINGS: tuple[str, ...] = tuple(spelling for j in JURISDICTIONS for spelling in (j.name_zh, j.code, j.name_en))
# Spreadsheets from land staff use Chinese names, sometimes without the 街道/镇 suffix or with
# 地区 (亦庄地区) instead of 镇.
_BY_TEXT = {
    **{j.name_zh: j for j in JURISDICTIONS},
    **{j.name_zh.removesuffix("街道").removesuffix("镇"): j for j in JURISDICTIONS},
    **{j.name_zh.removesuffix("镇") + "地区": j for j in JURISDICTIONS if j.kind is JurisdictionKind.TOWN},
    **{j.name_en.lower(): j for j in JURISDICTIONS},
}


def jurisdiction(code: str) -> Jurisdiction:
    try:
        return _BY_CODE[code]
    except KeyError:
        raise ValueError(f"{code!r} is not a street or town of E-Town ({', '.join(_BY_CODE)})") from None


def jurisdiction_from_text(text: str) -> Jurisdiction:
    """Finds a jurisdiction by code, Chinese name or English name, as people type them."""
    key = text.strip()
    found = _BY_CODE.get(key.lower()) or _BY_TEXT.get(key) or _BY_TEXT.get(key.lower())
    if found is None:
        raise ValueError(f"{text!r} is not a street or town of E-Town")
    return found


# Suffixes people drop or add when naming an area: "荣华" vs "荣华街道", "Ronghua Street".
_SUFFIXES = (
    "街道办事处", "人民政府", "街道", "地区", "镇", " street office", " subdistrict", " street", " town",
)


def _bare(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).strip().casefold()
    stripped = True
    while stripped:  # "马驹桥镇人民政府" carries two suffixes
        stripped = False
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, stripped = text[: -len(suffix)].strip(), True
                break
    return text


_ALIASES: dict[str, str] = {
    _bare(spelling): j.code for j in JURISDICTIONS for spelling in (j.code, j.name_en, j.name_zh)
}


def canonical_jurisdiction(name: str) -> str:
    """One comparable key per area, whatever spelling was used (token claims, registry data). An
    unknown spelling compares by its trimmed, case-folded text, so a new area works before this
    list learns about it."""
    bare = _bare(name)
    return _ALIASES.get(bare, bare)


def known_jurisdiction(name: str) -> Jurisdiction | None:
    code = _ALIASES.get(_bare(name))
    return _BY_CODE.get(code) if code else None


def same_jurisdiction(a: str | None, b: str | None) -> bool:
    """Fails closed: a missing or blank area is never the same as any other."""
    if not a or not b or not a.strip() or not b.strip():
        return False
    return canonical_jurisdiction(a) == canonical_jurisdiction(b)
