"""公民身份号码 (GB 11643-1999): normalise, upgrade 15 → 18 digits, validate, and generate
fictitious but valid numbers for demo and test data.

Region codes are checked for shape only (a known province, six digits): counties are renamed
and renumbered over time, and a number issued after a change carries a code newer than the
holder's birth year, so a region table would wrongly reject real people."""

from __future__ import annotations

import random
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from django.utils.translation import gettext as _

from gonghui.core.errors import DomainError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
        "91",
    ]
)
FULLWIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)} | {"Ｘ": "X", "ｘ": "X"}
TRANSLATE = str.maketrans(FULLWIDTH | {" ": "", "\u3000": "", "\t": "", "-": ""})


class IdNumber(NamedTuple):
    value: str
    birth_date: date
    gender: str  # "M" or "F"


def check_char(first17: str) -> str:
    if first17.isascii() and first17.isdigit() and len(first17) == len(WEIGHTS):
        # The weights are 2^(18-i) mod 11 and 13 ≡ 2 (mod 11): read in base 13, the digits
        # carry half their weights, and int() sums them in C (an import checks a million).
        total = 2 * int(first17, 13)
    else:
        total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


@lru_cache(maxsize=16_384)  # a roster's birthdays span some decades and repeat
def _birth_date(digits: str) -> date | None:
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def normalise(raw: object) -> str:
    """Full-width digits, spaces and lowercase x made plain; 15 digits upgraded to 18."""
    text = str(raw if raw is not None else "")
    if not (text.isascii() and text.isalnum()):  # the usual cell has nothing to translate
        text = text.translate(TRANSLATE)
    text = text.upper()
    if len(text) == 15 and text.isdigit():
        first17 = text[:6] + "19" + text[6:]
        return first17 + check_char(first17)
    return text


def parse(raw: object, *, today: date | None = None) -> IdNumber:
    """Validate and return the number with the birth date and gender it encodes.

    `today` (default: the current date) bounds the birth date; a bulk caller passes it once."""
    if isinstance(raw, float):
        raise DomainError(
            "idnumber.float",
            _("身份证号被表格存成了数字（科学计数法），末几位已丢失；请把该列设为文本后重新填写"),
        )
    value = normalise(raw)
    if not value:
        raise DomainError("idnumber.empty", _("身份证号不能为空"))
    first17 = value[:17]
    if len(value) != 18 or not first17.isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise DomainError("idnumber.format", _("身份证号应为18位（最后一位可以是X），或15位旧号码"))
    if value[:2] not in PROVINCES:
        raise DomainError("idnumber.region", _("身份证号前两位不是有效的省级行政区划代码"))
    birth = _birth_date(value[6:14])
    if birth is None:
        raise DomainError("idnumber.birth_date", _("身份证号中的出生日期不存在"))
    if birth.year < 1900 or birth > (today or date.today()):
        raise DomainError("idnumber.birth_date", _("身份证号中的出生日期不合理"))
    if check_char(first17) != value[17]:
        raise DomainError("idnumber.check_digit", _("身份证号校验位不正确，请核对是否抄错"))
    return IdNumber(value, birth, "M" if int(value[16]) % 2 else "F")


def generate(rng: random.Random, region: str, birth: date, gender: str) -> str:
    """A valid number for fictitious people (demo and tests only)."""
    sequence = rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
