"""Jurisdictions of Yizhuang New Town (E-Town) and the rule that binds inspectors to theirs.

Daily inspections (日常巡检) are done by the street office (街道办事处) or town
government (镇人民政府) of the area a parcel lies in. E-Town's core lies mainly in
the Ronghua and Boxing streets and Yizhuang town; the Daxing parts are Jiugong,
Yinghai, northern Qingyundian and Zhangziying; the Tongzhou parts are Taihu and
Majuqiao; the Qingyundian and Caiyu industrial parks are enclaves.

Tokens and registry data may spell an area as a short code (``ronghua``), its
English name (``Ronghua``) or its Chinese name (``荣华街道``); all spellings of a
known area compare equal. Unknown spellings compare by their trimmed, case-folded
text so a new area works before this list learns about it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name_en: str
    name_zh: str
    kind: str  # "street" (街道) or "town" (镇)
    district: str


E_TOWN_JURISDICTIONS: tuple[Jurisdiction, ...] = (
    Jurisdiction("ronghua", "Ronghua", "荣华街道", "street", "Daxing"),
    Jurisdiction("boxing", "Boxing", "博兴街道", "street", "Daxing"),
    Jurisdiction("yizhuang", "Yizhuang", "亦庄镇", "town", "Daxing"),
    Jurisdiction("jiugong", "Jiugong", "旧宫镇", "town", "Daxing"),
    Jurisdiction("yinghai", "Yinghai", "瀛海镇", "town", "Daxing"),
    Jurisdiction("qingyundian", "Qingyundian", "青云店镇", "town", "Daxing"),
    Jurisdiction("zhangziying", "Zhangziying", "长子营镇", "town", "Daxing"),
    Jurisdiction("caiyu", "Caiyu", "采育镇", "town", "Daxing"),
    Jurisdiction("taihu", "Taihu", "台湖镇", "town", "Tongzhou"),
    Jurisdiction("majuqiao", "Majuqiao", "马驹桥镇", "town", "Tongzhou"),
)

# Suffixes people drop or add when naming an area: "荣华" vs "荣华街道", "Ronghua Street".
_SUFFIXES = (
    "街道办事处", "人民政府", "街道", "地区", "镇", " street office", " subdistrict", " street", " town",
)


def _bare(name: str) -> str:
    text = name.strip().casefold()
    stripped = True
    while stripped:  # "马驹桥镇人民政府" carries two suffixes
        stripped = False
        for suffix in _SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, stripped = text[: -len(suffix)].strip(), True
                break
    return text


_ALIASES: dict[str, str] = {}
for _j in E_TOWN_JURISDICTIONS:
    for _spelling in (_j.code, _j.name_en, _j.name_zh):
        _ALIASES[_bare(_spelling)] = _j.code


def canonical_jurisdiction(name: str) -> str:
    """One comparable key per area, whatever spelling was used."""
    bare = _bare(name)
    return _ALIASES.get(bare, bare)


def known_jurisdiction(name: str) -> Jurisdiction | None:
    code = _ALIASES.get(_bare(name))
    return next((j for j in E_TOWN_JURISDICTIONS if j.code == code), None)


def same_jurisdiction(a: str | None, b: str | None) -> bool:
    if not a or not b or not a.strip() or not b.strip():
        return False
    return canonical_jurisdiction(a) == canonical_jurisdiction(b)
