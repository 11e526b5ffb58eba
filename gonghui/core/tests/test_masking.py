"""What people without the reveal permission see: 身份证 410***********123X, phone 138****5678."""

from __future__ import annotations

import random
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.idnumbers import generate
from gonghui.core.masking import mask_account, mask_id_number, mask_phone


def test_an_18_digit_identity_number_keeps_its_first_3_and_last_4():
    assert mask_id_number("41010219900101123X") == "410***********123X"


@given(st.integers(0, 2**32), st.dates(date(1900, 1, 1), date(2020, 12, 31)))
def test_every_identity_number_is_masked_to_the_same_shape(seed, birth):
    number = generate(random.Random(seed), "410102", birth, "M")

    masked = mask_id_number(number)

    assert masked == number[:3] + "*" * 11 + number[-4:]
    assert number[6:14] not in masked  # the birth date is never shown


def test_a_phone_keeps_its_first_3_and_last_4():
    assert mask_phone("13812345678") == "138****5678"


def test_short_values_are_masked_whole_and_empty_ones_stay_empty():
    assert mask_phone("1234567") == "*******"
    assert mask_id_number("") == ""
    assert mask_phone(None) == ""


def test_an_account_shows_only_its_last_4():
    assert mask_account("6222021234567890123") == "*" * 15 + "0123"
