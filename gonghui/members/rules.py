"""Pure rules of the member registry: cell parsing, pinyin, phones, the membership state machine.

Nothing here touches the database, so every rule is tested directly (tests/test_rules.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import lru_cache

import phonenumbers
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from gonghui.core.errors import DomainError
from gonghui.members.models import Education, MemberStatus, WorkerCategory

ETHNICITIES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]
ETHNICITY_SET = frozenset(ETHNICITIES)

CATEGORY_ALIASES: dict[str, str] = {str(label): value for value, label in WorkerCategory.choices}
CATEGORY_ALIASES |= {
    "": WorkerCategory.EMPLOYEE,
    "在岗职工": WorkerCategory.EMPLOYEE,
    "职工": WorkerCategory.EMPLOYEE,
    "进城务工人员": WorkerCategory.MIGRANT,
    "快递": WorkerCategory.COURIER,
    "快递小哥": WorkerCategory.COURIER,
    "外卖骑手": WorkerCategory.DELIVERY_RIDER,
    "骑手": WorkerCategory.DELIVERY_RIDER,
    "送餐员": WorkerCategory.DELIVERY_RIDER,
    "网约车驾驶员": WorkerCategory.RIDE_HAILING,
    "网约车": WorkerCategory.RIDE_HAILING,
    "货车司机": WorkerCategory.TRUCK_DRIVER,
    "家政": WorkerCategory.DOMESTIC,
    "家政服务人员": WorkerCategory.DOMESTIC,
    "新就业形态劳动者": WorkerCategory.OTHER_NEW_FORM,
}
NEW_FORM_CATEGORIES = frozenset(
    {
        WorkerCategory.COURIER,
        WorkerCategory.DELIVERY_RIDER,
        WorkerCategory.RIDE_HAILING,
        WorkerCategory.TRUCK_DRIVER,
        WorkerCategory.DOMESTIC,
        WorkerCategory.OTHER_NEW_FORM,
    }
)
EDUCATION_ALIASES: dict[str, str] = {str(label): value for value, label in Education.choices}
EDUCATION_ALIASES |= {
    "": "",
    "小学": Education.PRIMARY,
    "初中": Education.JUNIOR,
    "高中": Education.SENIOR,
    "中专": Education.SENIOR,
    "技校": Education.SENIOR,
    "职高": Education.SENIOR,
    "中技": Education.SENIOR,
    "大专": Education.COLLEGE,
    "专科": Education.COLLEGE,
    "高职": Education.COLLEGE,
    "本科": Education.BACHELOR,
    "大学本科": Education.BACHELOR,
    "大学": Education.BACHELOR,
    "硕士": Education.MASTER,
    "研究生": Education.MASTER,
    "硕士研究生": Education.MASTER,
    "博士": Education.DOCTOR,
    "博士研究生": Education.DOCTOR,
}
# The stored values as plain strings: a parsed roster row crosses from one process to another,
# and an enum member pickles, and unpickles, through Python code each time.
CATEGORY_ALIASES = {alias: str(value) for alias, value in CATEGORY_ALIASES.items()}
EDUCATION_ALIASES = {alias: str(value) for alias, value in EDUCATION_ALIASES.items()}
GENDERS = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}

# Readings of surnames that differ from the character's everyday reading.
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "区": "ou",
    "缪": "miao",
    "翟": "zhai",
    "覃": "qin",
    "乐": "yue",
    "盖": "ge",
    "华": "hua",
    "任": "ren",
    "种": "chong",
    "秘": "bi",
    "召": "shao",
    "繁": "po",
    "员": "yun",
    "尉": "yu",
    "筑": "zhu",
    "冼": "xian",
    "长": "chang",
    "万": "wan",
    "沈": "shen",
    "柏": "bai",
    "重": "chong",
    "黑": "he",
    "贲": "ben",
    "句": "gou",
    "阚": "kan",
    "逄": "pang",
    "隗": "wei",
}
COMPOUND_SURNAMES: dict[str, tuple[str, str]] = {
    "尉迟": ("yu", "chi"),
    "长孙": ("zhang", "sun"),
    "万俟": ("mo", "qi"),
    "单于": ("chan", "yu"),
    "欧阳": ("ou", "yang"),
    "司马": ("si", "ma"),
    "诸葛": ("zhu", "ge"),
    "上官": ("shang", "guan"),
    "令狐": ("ling", "hu"),
    "皇甫": ("huang", "fu"),
    "澹台": ("tan", "tai"),
    "东方": ("dong", "fang"),
}
FULLWIDTH = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
)
# A text whose characters all come before this has none to translate (but U+3000, a space).
FULLWIDTH_FIRST = "\uff01"
EXCEL_EPOCH = date(1899, 12, 30)
TEXT_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?$")
COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# A date written with its time, as CSV exports of date cells carry it: `2019/3/1 0:00`.
TIME_SUFFIX = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")

# status -> statuses it may move to
TRANSITIONS: dict[str, frozenset[str]] = {
    MemberStatus.ACTIVE: frozenset(
        {MemberStatus.TRANSFERRING, MemberStatus.LEFT, MemberStatus.RETAINED}
    ),
    MemberStatus.TRANSFERRING: frozenset({MemberStatus.ACTIVE}),
    MemberStatus.RETAINED: frozenset({MemberStatus.ACTIVE, MemberStatus.LEFT}),
    MemberStatus.LEFT: frozenset({MemberStatus.ACTIVE}),
}


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise DomainError(
            "member.transition_invalid",
            _("会籍状态不能从“%(from)s”变为“%(to)s”")
            % {"from": MemberStatus(current).label, "to": MemberStatus(target).label},
            {"from": current, "to": target},
        )


def clean_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).translate(FULLWIDTH).strip()


def clean_name(value: object) -> str:
    """Names lose inner spaces (`张 三` → `张三`); minority names keep their middle dot."""
    if type(value) is str and value.isalpha() and max(value) < FULLWIDTH_FIRST:
        text = value  # the usual cell: letters only, which the cleaning would leave as they are
    else:
        text = clean_text(value).replace(" ", "").replace("•", "·").replace("．", "·")
        text = text.replace(".", "·")
    if not text:
        raise DomainError("member.name_required", _("姓名不能为空"))
    # Letters (any script), the middle dot and an inner hyphen only: no digits, and nothing a
    # spreadsheet would run as a formula when the roster is exported (`=`, `+`, `-`, `@` …).
    if (
        len(text) > 40
        or not (text.isalpha() or all(c.isalpha() or c in "·〇-" for c in text))
        or not (text[0].isalpha() or text[0] == "〇")
    ):
        raise DomainError(
            "member.name_invalid", _("姓名只能由文字和间隔号“·”组成，最多 40 个字，不能有数字")
        )
    return text


@lru_cache(maxsize=65536)
def _char_reading(char: str) -> str:
    reading = lazy_pinyin(char, style=Style.NORMAL, errors="ignore")
    return reading[0].replace("ü", "v") if reading else ""


def name_pinyin(name: str) -> tuple[str, str]:
    """Full pinyin and initials, surnames read as surnames: 单雄信 → ('shanxiongxin', 'sxx')."""
    if name[:2] in COMPOUND_SURNAME_SPELLINGS:
        surname, rest = COMPOUND_SURNAME_SPELLINGS[name[:2]], name[2:]
    elif name[:1] in SURNAME_SPELLINGS:
        surname, rest = SURNAME_SPELLINGS[name[0]], name[1:]
    else:
        surname, rest = _spelling(name[:1]), name[1:]
    given = _spelling(rest)
    return surname[0] + given[0], surname[1] + given[1]


def forget_names() -> None:
    """Drop the given names remembered for their readings: a job worker outlives each import,
    and people's names should not."""
    _spelling.cache_clear()


def _spelled(syllables: Iterable[str]) -> tuple[str, str]:
    """Syllables as full pinyin and initials."""
    readings = [s for s in syllables if s]
    return "".join(readings), "".join([s[0] for s in readings])


@lru_cache(maxsize=65536)
def _spelling(text: str) -> tuple[str, str]:
    """The full pinyin and initials of a given name: given names repeat far more often than
    whole names do (a few thousand common ones in a million people), so they are remembered."""
    return _spelled(_char_reading(c) for c in text if c != "·")


COMPOUND_SURNAME_SPELLINGS = {k: _spelled(v) for k, v in COMPOUND_SURNAMES.items()}
SURNAME_SPELLINGS = {k: _spelled((v,)) for k, v in SURNAME_READINGS.items()}


def parse_gender(value: object) -> str | None:
    if value in GENDERS:
        return GENDERS[value]
    text = clean_text(value).lower()
    if not text:
        return None
    if text not in GENDERS:
        raise DomainError("member.gender_invalid", _("性别只能填“男”或“女”"))
    return GENDERS[text]


def parse_date(value: object, *, field: str = "date") -> date | None:
    """Excel date cells and serials, and text dates: 2019/3/1, 2019.03.01, 2019年3月1日,
    20190301."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466 and float(value).is_integer() and value < 100000:
            return EXCEL_EPOCH + timedelta(days=int(value))
        text = str(int(value)) if float(value).is_integer() else str(value)
    else:
        text = clean_text(value)
    if not text:
        return None
    dated = TIME_SUFFIX.sub("", text)
    match = TEXT_DATE.match(dated) or COMPACT_DATE.match(dated)
    if match:
        year, month, day = match.group(1), match.group(2), match.group(3) or "1"
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            pass
    raise DomainError(
        "member.date_invalid",
        _("日期“%(value)s”无法识别，请写成 2019-03-01 这样的格式") % {"value": text},
        {"field": field},
    )


def _is_mobile(digits: str) -> bool:
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:  # e.g. 110… read as an emergency prefix
        return False
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE


@lru_cache(maxsize=100_000)
def _mobile_prefix(prefix5: str) -> bool | None:
    """True/False when every number under these 5 digits is (not) a mobile, None when mixed.
    Carrier ranges are decided by the leading digits, so the two ends of the range agree
    exactly when the whole range does; phonenumbers then runs once per prefix, not per row."""
    low, high = _is_mobile(prefix5 + "000000"), _is_mobile(prefix5 + "999999")
    return low if low == high else None


def parse_phone(value: object) -> str:
    """A mainland mobile number as 11 digits; empty when the cell is empty."""
    if isinstance(value, float):
        value = f"{value:.0f}"
    if isinstance(value, str) and value.isascii() and value.isdigit():
        text = value  # the usual cell: nothing for the cleaning below to change
    else:
        text = clean_text(value).replace(" ", "").replace("-", "")
    if not text:
        return ""
    if len(text) == 11 and text.isdigit() and text[0] == "1":
        known = _mobile_prefix(text[:5])
        if known if known is not None else _is_mobile(text):
            return text
        raise DomainError("member.phone_invalid", _("手机号码不是有效的大陆手机号"))
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise DomainError("member.phone_invalid", _("手机号码格式不正确")) from exc
    national = str(number.national_number)
    if (
        number.country_code != 86
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise DomainError("member.phone_invalid", _("手机号码不是有效的大陆手机号"))
    return national


def parse_category(value: object) -> str:
    """A label or alias from a roster (`快递小哥`), or the stored value itself (`courier`)."""
    if value in CATEGORY_ALIASES:
        return CATEGORY_ALIASES[value]
    text = clean_text(value)
    if text in CATEGORY_ALIASES:
        return CATEGORY_ALIASES[text]
    if text in WorkerCategory.values:
        return text
    raise DomainError(
        "member.category_invalid",
        _("职工类别“%(value)s”不在列表中") % {"value": text},
    )


def parse_education(value: object) -> str:
    if value in EDUCATION_ALIASES:
        return EDUCATION_ALIASES[value]
    text = clean_text(value)
    if text in EDUCATION_ALIASES:
        return EDUCATION_ALIASES[text]
    if text in Education.values:
        return text
    raise DomainError("member.education_invalid", _("学历“%(value)s”不在列表中") % {"value": text})


def parse_ethnicity(value: object) -> str:
    if value in ETHNICITY_SET:
        return value
    text = clean_text(value)
    if not text:
        return ""
    if text not in ETHNICITY_SET and text + "族" in ETHNICITY_SET:
        text += "族"
    if text not in ETHNICITY_SET and text not in {"其他", "外国血统"}:
        raise DomainError("member.ethnicity_invalid", _("民族“%(value)s”不正确") % {"value": text})
    return text


def retirement_age_months(birth: date, gender: str) -> int:
    """Statutory retirement age in months under the 2025 gradual reform: men 60 → 63 for those
    born from 1965, women 55 → 58 from 1970 (one month later per four months of birth, at most
    36). Women workers' lower age (50) is not known from the roster, so 55 is the hint's base."""
    base_year, base_months = (1965, 60 * 12) if gender == "M" else (1970, 55 * 12)
    months_since = (birth.year - base_year) * 12 + birth.month - 1
    delay = 0 if months_since < 0 else min(36, months_since // 4 + 1)
    return base_months + delay


def past_retirement(birth: date, gender: str, today: date) -> bool:
    months = (today.year - birth.year) * 12 + today.month - birth.month
    if today.day < birth.day:
        months -= 1
    return months >= retirement_age_months(birth, gender)


def retirement_cutoff(gender: str, today: date) -> date:
    """The latest birth date already past retirement on `today`. Retirement dates grow with the
    birth date, so "past retirement" is one range condition a database index can serve."""
    candidate = date(today.year - 55 if gender == "F" else today.year - 60, today.month, 1)
    candidate = candidate.replace(day=28) if candidate.month == 2 else candidate
    step = timedelta(days=1)
    while not past_retirement(candidate, gender, today):
        candidate -= step
    while past_retirement(candidate + step, gender, today):
        candidate += step
    return candidate


def format_member_no(number: int) -> str:
    return f"M{number:09d}"
