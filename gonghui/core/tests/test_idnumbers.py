"""公民身份号码 (GB 11643-1999): normalised, 15 digits upgraded to 18, validated with the check
character and a real birth date, and refused with a code saying what is wrong."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.errors import DomainError
from gonghui.core.idnumbers import CHECK_CHARS, PROVINCES, check_char, generate, normalise, parse

FULLWIDTH_DIGITS = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")

regions = st.builds(
    lambda province, rest: province + rest,
    st.sampled_from(sorted(PROVINCES)),
    st.text("0123456789", min_size=4, max_size=4),
)
births = st.dates(min_value=date(1900, 1, 1), max_value=date.today())
genders = st.sampled_from(["M", "F"])
seeds = st.integers(min_value=0, max_value=2**32)


def refused_code(raw: object) -> str:
    with pytest.raises(DomainError) as refused:
        parse(raw)
    return refused.value.code


@given(regions, births, genders, seeds)
def test_generated_numbers_are_valid_and_carry_birth_date_and_gender(region, birth, gender, seed):
    number = generate(random.Random(seed), region, birth, gender)

    parsed = parse(number)

    assert parsed.value == number
    assert (parsed.birth_date, parsed.gender) == (birth, gender)


@given(regions, births, genders, seeds, st.sampled_from(CHECK_CHARS))
def test_a_wrong_check_character_is_refused(region, birth, gender, seed, wrong):
    number = generate(random.Random(seed), region, birth, gender)
    if wrong == number[-1]:
        return

    assert refused_code(number[:17] + wrong) == "idnumber.check_digit"


@given(regions, st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), seeds)
def test_a_15_digit_number_is_upgraded_with_the_right_check_character(region, birth, seed):
    eighteen = generate(random.Random(seed), region, birth, "F")
    fifteen = eighteen[:6] + eighteen[8:17]

    assert normalise(fifteen) == eighteen
    assert parse(fifteen).birth_date == birth


def test_the_published_example_upgrades_to_its_18_digit_form():
    assert normalise("110105491231002") == "11010519491231002X"
    assert parse("110105491231002").gender == "F"


@given(regions, births, genders, seeds)
def test_full_width_digits_and_spaces_are_made_plain(region, birth, gender, seed):
    number = generate(random.Random(seed), region, birth, gender)
    typed = (
        " " + number[:6] + "\u3000" + number[6:14].translate(FULLWIDTH_DIGITS) + " " + number[14:]
    )

    assert parse(typed).value == number


def test_a_lowercase_x_is_read_as_the_check_character_x():
    assert check_char("11010519491231002") == "X"
    assert parse("11010519491231002x").value == "11010519491231002X"
    assert parse("11010519491231002ｘ").value == "11010519491231002X"


@pytest.mark.parametrize(
    "number",
    [
        "110105" + "19490230" + "002",  # 30 February
        "110105" + "19491301" + "002",  # month 13
        "110105" + "18991231" + "002",  # before 1900
        "110105" + f"{date.today().year + 1}0101" + "002",  # not born yet
    ],
)
def test_an_impossible_birth_date_is_refused(number):
    assert refused_code(number + check_char(number)) == "idnumber.birth_date"


def test_a_number_stored_as_a_float_by_a_spreadsheet_is_refused():
    assert refused_code(1.1010519491231002e17) == "idnumber.float"


@pytest.mark.parametrize("province", ["00", "10", "20", "39", "66", "99"])
def test_an_unknown_province_is_refused(province):
    first17 = province + "0105" + "19491231" + "002"

    assert refused_code(first17 + check_char(first17)) == "idnumber.region"


@pytest.mark.parametrize(
    "raw", ["11010519491231002", "1101051949123100299", "11010519491231002Y", "ABCDEFGHIJKLMNOPQR"]
)
def test_a_number_of_the_wrong_shape_is_refused(raw):
    assert refused_code(raw) == "idnumber.format"


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_an_empty_number_is_refused(raw):
    assert refused_code(raw) == "idnumber.empty"
