"""Resident identity card numbers (公民身份号码, GB 11643-1999) of responsible persons.

18 characters: a six-digit address code, the birth date YYYYMMDD, a three-digit sequence and a
check character. With weights ``2**(17-i) mod 11`` (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8,
4, 2) the check value is (12 - weighted sum mod 11) mod 11, written ``X`` when it is 10. The
15-digit numbers of the first-generation cards are refused: they have no check character.

These numbers are personal data: callers keep them encrypted at rest and show them only masked.
"""

from __future__ import annotations

from datetime import date

from stdnum.cn import ric as stdnum_ric

from landgrade_reference.text import normalise_identifier

ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


class InvalidResidentId(ValueError):
    def __init__(self, reasons: list[str]) -> None:
        # The raw number is deliberately not kept on the exception: it may end up in a log.
        self.reasons = reasons
        super().__init__("; ".join(reasons))


def normalise_resident_id(raw: str) -> str:
    return normalise_identifier(raw)


def resident_id_check_character(first17: str) -> str:
    if len(first17) != 17 or not first17.isdigit() or not first17.isascii():
        raise ValueError("the check character needs exactly 17 leading digits")
    check: str = stdnum_ric.calc_check_digit(first17 + "0")  # stdnum takes the whole number
    return check


def resident_id_problems(raw: object, *, today: date | None = None) -> list[str]:
    """Reasons the value is not a valid ID number. They never quote the number itself."""
    if not isinstance(raw, str):
        return ["an ID number must be text"]
    number = normalise_resident_id(raw)
    if len(number) == 15 and number.isdigit():
        return ["15-digit first-generation ID numbers are not accepted; give the 18-character number"]
    if len(number) != 18:
        return [f"an ID number has 18 characters, got {len(number)}"]
    if not (number[:17].isdigit() and number[:17].isascii()):
        return ["the first 17 characters of an ID number must be digits"]
    if number[17] not in "0123456789X":
        return ["the last character of an ID number must be a digit or X"]
    reasons = []
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        reasons.append("characters 7-14 are not a valid birth date")
    else:
        if born.year < 1900 or born > (today or date.today()):
            reasons.append("characters 7-14 are not a plausible birth date")
    if number[17] != resident_id_check_character(number[:17]):
        reasons.append("the check character does not match the first 17 digits")
    return reasons


def parse_resident_id(raw: object, *, today: date | None = None) -> str:
    reasons = resident_id_problems(raw, today=today)
    if reasons:
        raise InvalidResidentId(reasons)
    return normalise_resident_id(str(raw))  # text: resident_id_problems refuses anything else


def mask(value: str, *, head: int = 3, tail: int = 4, fill: str = "*") -> str:
    """Only ``head`` leading and ``tail`` trailing characters shown, e.g. ``110***********123X``.

    A value too short to hide at least half of it is masked completely, so short inputs never
    leak in full.
    """
    shown = head + tail
    if len(value) < 2 * shown:
        return fill * len(value)
    return value[:head] + fill * (len(value) - shown) + value[len(value) - tail :]


def mask_resident_id(number: str) -> str:
    return mask(normalise_resident_id(number))
