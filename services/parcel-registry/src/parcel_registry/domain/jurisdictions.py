"""The street offices and town governments of Yizhuang New Town (E-Town).

Each inspects the parcels in its own area, so every parcel names exactly one of them. The core
of the new town lies in the Ronghua and Boxing streets and Yizhuang town; the Daxing parts are
Jiugong, Yinghai, northern Qingyundian and Zhangziying; the Tongzhou parts are Taihu and
Majuqiao. The Caiyu industrial park is an enclave in Caiyu town (the Qingyundian park, the other
enclave, falls under Qingyundian).
"""

from __future__ import annotations

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
