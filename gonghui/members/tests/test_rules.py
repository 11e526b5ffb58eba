"""The pure rules: how roster cells are read, how names are spelled in pinyin, which phones are
mobiles, and which membership moves are allowed."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import product

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.core.errors import DomainError
from gonghui.members import rules
from gonghui.members.models import Education, MemberStatus, WorkerCategory

# -- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        43525,
        43525.0,
        date(2019, 3, 1),
        datetime(2019, 3, 1, 8, 30),
        "2019/3/1",
        "2019-03-01",
        "2019.03.01",
        "2019.3.1",
        "2019年3月1日",
        "2019 年 3 月 1 日",
        "20190301",
        20190301,
        "２０１９/３/１",
        " 2019/3/1 ",
        "2019/3/1 0:00",  # a date cell saved as CSV keeps its time
        "2019-03-01 00:00:00",
        "2019-03-01T08:30:00",
    ],
)
def test_parse_date_reads_what_officers_type(cell: object) -> None:
    assert rules.parse_date(cell) == date(2019, 3, 1)


def test_parse_date_month_only_means_the_first() -> None:
    assert rules.parse_date("2019年3月") == date(2019, 3, 1)


@pytest.mark.parametrize("cell", [None, "", "   "])
def test_parse_date_empty_is_none(cell: object) -> None:
    assert rules.parse_date(cell) is None


@pytest.mark.parametrize(
    "cell", ["昨天", "2019/13/1", "2019/2/30", "3/1/2019", "2019-03-01x", "190301", 43525.5, True]
)
def test_parse_date_refuses_garbage(cell: object) -> None:
    with pytest.raises(DomainError) as caught:
        rules.parse_date(cell, field="join_date")
    assert caught.value.code == "member.date_invalid"
    assert caught.value.details == {"field": "join_date"}


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2099, 12, 31)))
def test_parse_date_every_written_form_gives_the_same_day(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    forms = [
        serial,
        float(serial),
        day,
        f"{day.year}/{day.month}/{day.day}",
        f"{day:%Y.%m.%d}",
        f"{day:%Y-%m-%d}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y%m%d}",
    ]
    assert {rules.parse_date(form) for form in forms} == {day}


# -- phones --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "１３８１２３４５６７８",
        13812345678,
        13812345678.0,
    ],
)
def test_parse_phone_normalises_to_eleven_digits(cell: object) -> None:
    assert rules.parse_phone(cell) == "13812345678"


@pytest.mark.parametrize("cell", [None, "", "  "])
def test_parse_phone_empty_is_empty(cell: object) -> None:
    assert rules.parse_phone(cell) == ""


@pytest.mark.parametrize(
    "cell",
    [
        "010-12345678",  # Beijing landline
        "0371-66661234",  # Zhengzhou landline
        "12012345678",  # 11 digits but no mobile range starts 120
        "10086123456",
        "1381234567",  # one digit short
        "138123456789",
        "+1 650 253 0000",  # not a mainland number
        "电话",
    ],
)
def test_parse_phone_refuses_what_is_not_a_mainland_mobile(cell: object) -> None:
    with pytest.raises(DomainError) as caught:
        rules.parse_phone(cell)
    assert caught.value.code == "member.phone_invalid"


def _phonenumbers_says_mobile(digits: str) -> bool:
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=10**10 - 1))
def test_phone_prefix_cache_agrees_with_phonenumbers(rest: int) -> None:
    """The 5-digit cache decides most numbers without phonenumbers; it must decide the same."""
    digits = f"1{rest:010d}"
    try:
        accepted = rules.parse_phone(digits) == digits
    except DomainError:
        accepted = False
    assert accepted == _phonenumbers_says_mobile(digits)


# -- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("单雄信", "shanxiongxin", "sxx"),  # 单 as a surname is shan, not dan
        ("曾国藩", "zengguofan", "zgf"),  # not ceng
        ("欧阳修", "ouyangxiu", "oyx"),  # compound surname
        ("尉迟恭", "yuchigong", "ycg"),
        ("吕布", "lvbu", "lb"),
        ("阿依古丽·买买提", "ayiguli" + "maimaiti", "aygl" + "mmt"),
    ],
)
def test_name_pinyin_reads_surnames_as_surnames(name: str, full: str, initials: str) -> None:
    assert rules.name_pinyin(name) == (full, initials)


def test_a_given_name_reads_the_same_after_any_surname() -> None:
    """Given names' readings are remembered apart from the surname: 单 after 王 is dan, and
    单 as the surname stays shan whatever was read before."""
    assert rules.name_pinyin("王单") == ("wangdan", "wd")
    assert rules.name_pinyin("单单") == ("shandan", "sd")
    assert rules.name_pinyin("欧阳单") == ("ouyangdan", "oyd")
    assert rules.name_pinyin("单") == ("shan", "s")
    assert rules.name_pinyin("") == ("", "")


def test_given_names_are_forgotten_on_request() -> None:
    rules.name_pinyin("王小明")
    assert rules._spelling.cache_info().currsize > 0

    rules.forget_names()

    assert rules._spelling.cache_info().currsize == 0
    assert rules.name_pinyin("王小明") == ("wangxiaoming", "wxm")


COMMON_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐单曾解仇朴区")
GIVEN_CHARS = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚华建国志红玉梅海燕鹏飞晓东文博")


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(COMMON_SURNAMES),
    st.lists(st.sampled_from(GIVEN_CHARS), min_size=1, max_size=3),
)
def test_name_initials_are_the_first_letters_of_the_full_pinyin(
    surname: str, given_chars: list[str]
) -> None:
    """Searching `zs` and `zhangsan` must find the same people: the initials are the first
    letter of each syllable of the full pinyin, one syllable per character."""
    name = surname + "".join(given_chars)
    full, initials = rules.name_pinyin(name)
    assert len(initials) == len(name)
    assert full.isascii() and full.isalpha() and full.islower()
    syllables = []
    for end in range(1, len(name) + 1):
        head_full, head_initials = rules.name_pinyin(name[:end])
        assert full.startswith(head_full)
        assert initials.startswith(head_initials)
        syllables.append(head_full[len("".join(syllables)) :])
    assert "".join(s[0] for s in syllables) == initials


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("张三", "张三"),
        ("张 三", "张三"),
        (" 李四\u3000", "李四"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽.买买提", "阿依古丽·买买提"),
        ("Jean-Luc", "Jean-Luc"),
        ("王〇", "王〇"),
    ],
)
def test_clean_name(cell: str, expected: str) -> None:
    assert rules.clean_name(cell) == expected


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("", "member.name_required"),
        (None, "member.name_required"),
        ("张3", "member.name_invalid"),
        ("张" * 41, "member.name_invalid"),
        ('=HYPERLINK("http://x")', "member.name_invalid"),
        ("@SUM(A:A)", "member.name_invalid"),
        ("-张三", "member.name_invalid"),
        ("·张三", "member.name_invalid"),
    ],
)
def test_clean_name_refuses(cell: object, code: str) -> None:
    with pytest.raises(DomainError) as caught:
        rules.clean_name(cell)
    assert caught.value.code == code


@given(st.text(alphabet=st.sampled_from("张王单欧阳买提〇·•.．- \u3000AaＡｚ3３=@"), max_size=42))
def test_a_name_of_letters_alone_is_cleaned_as_the_full_cleaning_would(cell: str) -> None:
    """A cell of letters alone skips the cleaning: it must come out as the full cleaning gives it,
    which a space around the cell always goes through."""

    def outcome(value: str) -> str:
        try:
            return rules.clean_name(value)
        except DomainError as exc:
            return exc.code

    assert outcome(cell) == outcome(f" {cell} ")


# -- fixed lists ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("", WorkerCategory.EMPLOYEE),
        ("职工", WorkerCategory.EMPLOYEE),
        ("农民工", WorkerCategory.MIGRANT),
        ("进城务工人员", WorkerCategory.MIGRANT),
        ("快递小哥", WorkerCategory.COURIER),
        (" 外卖骑手 ", WorkerCategory.DELIVERY_RIDER),
        ("网约车", WorkerCategory.RIDE_HAILING),
        ("货车司机", WorkerCategory.TRUCK_DRIVER),
        ("家政", WorkerCategory.DOMESTIC),
        ("新就业形态劳动者", WorkerCategory.OTHER_NEW_FORM),
    ],
)
def test_parse_category_aliases(cell: str, expected: str) -> None:
    assert rules.parse_category(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("", ""),
        ("大学本科", Education.BACHELOR),
        ("本科", Education.BACHELOR),
        ("中专", Education.SENIOR),
        ("专科", Education.COLLEGE),
        ("研究生", Education.MASTER),
        ("博士", Education.DOCTOR),
    ],
)
def test_parse_education_aliases(cell: str, expected: str) -> None:
    assert rules.parse_education(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("汉族", "汉族"), ("汉", "汉族"), ("维吾尔", "维吾尔族"), ("", ""), ("其他", "其他")],
)
def test_parse_ethnicity_adds_the_missing_zu(cell: str, expected: str) -> None:
    assert rules.parse_ethnicity(cell) == expected


@pytest.mark.parametrize(
    ("parser", "cell", "code"),
    [
        (rules.parse_category, "宇航员", "member.category_invalid"),
        (rules.parse_education, "博士后", "member.education_invalid"),
        (rules.parse_ethnicity, "火星族", "member.ethnicity_invalid"),
        (rules.parse_gender, "未知", "member.gender_invalid"),
    ],
)
def test_values_outside_the_lists_are_refused(parser: object, cell: str, code: str) -> None:
    with pytest.raises(DomainError) as caught:
        parser(cell)  # type: ignore[operator]
    assert caught.value.code == code


@pytest.mark.parametrize(("cell", "expected"), [("男", "M"), ("女", "F"), ("", None), ("F", "F")])
def test_parse_gender(cell: str, expected: str | None) -> None:
    assert rules.parse_gender(cell) == expected


# -- the membership state machine ----------------------------------------------------------

ACTIVE, TRANSFERRING, LEFT, RETAINED = (
    MemberStatus.ACTIVE,
    MemberStatus.TRANSFERRING,
    MemberStatus.LEFT,
    MemberStatus.RETAINED,
)
LEGAL_MOVES = {
    (ACTIVE, TRANSFERRING),  # a transfer is requested
    (ACTIVE, LEFT),  # 退会
    (ACTIVE, RETAINED),  # 保留会籍
    (TRANSFERRING, ACTIVE),  # the transfer is accepted or rejected
    (RETAINED, ACTIVE),
    (RETAINED, LEFT),
    (LEFT, ACTIVE),  # 恢复会籍
}


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL_MOVES))
def test_legal_moves_pass(current: str, target: str) -> None:
    rules.check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    sorted(set(product(MemberStatus.values, repeat=2)) - LEGAL_MOVES),
)
def test_illegal_moves_are_refused(current: str, target: str) -> None:
    with pytest.raises(DomainError) as caught:
        rules.check_transition(current, target)
    assert caught.value.code == "member.transition_invalid"
    assert caught.value.details == {"from": current, "to": target}


# -- retirement ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "gender", "years", "months"),
    [
        (date(1964, 12, 31), "M", 60, 0),  # born before the reform: unchanged
        (date(1965, 1, 1), "M", 60, 1),  # one month later for the first four months
        (date(1965, 4, 30), "M", 60, 1),
        (date(1965, 5, 1), "M", 60, 2),
        (date(1976, 9, 1), "M", 63, 0),  # the 36-month cap is reached
        (date(1995, 6, 1), "M", 63, 0),
        (date(1969, 12, 31), "F", 55, 0),
        (date(1970, 1, 1), "F", 55, 1),
        (date(1981, 9, 1), "F", 58, 0),
    ],
)
def test_retirement_age_months(birth: date, gender: str, years: int, months: int) -> None:
    assert rules.retirement_age_months(birth, gender) == years * 12 + months


def test_past_retirement_from_the_birthday_on() -> None:
    birth = date(1960, 5, 10)
    assert not rules.past_retirement(birth, "M", date(2020, 5, 9))
    assert rules.past_retirement(birth, "M", date(2020, 5, 10))


def test_member_numbers_are_fixed_width() -> None:
    assert rules.format_member_no(1) == "M000000001"
    assert rules.format_member_no(123456789) == "M123456789"


def test_excel_epoch_is_the_1900_system() -> None:
    assert rules.EXCEL_EPOCH + timedelta(days=43525) == date(2019, 3, 1)
