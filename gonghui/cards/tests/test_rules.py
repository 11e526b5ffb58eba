"""The pure rules: the state machine table, card numbers and the QR code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from gonghui.cards import rules
from gonghui.cards.models import CardStatus
from gonghui.core.errors import DomainError

S = CardStatus
LEGAL = {
    (S.APPLIED, S.PRODUCING),
    (S.APPLIED, S.CANCELLED),
    (S.PRODUCING, S.MADE),
    (S.PRODUCING, S.APPLIED),
    (S.PRODUCING, S.CANCELLED),
    (S.MADE, S.ACTIVE),
    (S.MADE, S.CANCELLED),
    (S.ACTIVE, S.LOST),
    (S.ACTIVE, S.CANCELLED),
    (S.LOST, S.ACTIVE),
    (S.LOST, S.REPLACED),
    (S.LOST, S.CANCELLED),
}
ALL_PAIRS = [(a, b) for a in S.values for b in S.values]
RFC6238_SECRET = "12345678901234567890123456789012"


# -- the state machine ----------------------------------------------------------------------


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_legal_transitions_pass(current, target) -> None:
    rules.check_transition(current, target)


@pytest.mark.parametrize(("current", "target"), [pair for pair in ALL_PAIRS if pair not in LEGAL])
def test_every_other_pair_is_refused_naming_both_states(current, target) -> None:
    with pytest.raises(DomainError) as caught:
        rules.check_transition(current, target)
    assert caught.value.code == "cards.transition_invalid"
    assert str(S(current).label) in caught.value.message
    assert str(S(target).label) in caught.value.message
    assert caught.value.details == {"from": current, "to": target}


def test_the_table_covers_every_status_and_dead_cards_stay_dead() -> None:
    assert set(rules.TRANSITIONS) == set(S.values)
    assert rules.TRANSITIONS[S.REPLACED] == frozenset()
    assert rules.TRANSITIONS[S.CANCELLED] == frozenset()


@pytest.mark.parametrize("target", [S.LOST, S.CANCELLED])
def test_lost_and_cancelled_need_a_reason(target) -> None:
    with pytest.raises(DomainError) as caught:
        rules.clean_note(target, "  ")
    assert caught.value.code == "cards.reason_required"
    assert rules.clean_note(target, " 卡片  丢失 ") == "卡片 丢失"


def test_other_moves_take_an_optional_note_of_at_most_200() -> None:
    assert rules.clean_note(S.ACTIVE, "") == ""
    with pytest.raises(DomainError) as caught:
        rules.clean_note(S.ACTIVE, "字" * 201)
    assert caught.value.code == "cards.reason_too_long"


# -- card numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("4199 0012 3456 7890", "4199001234567890"),
        ("4199-0012-3456-7890", "4199001234567890"),
        ("４１９９００１２３４５６７８９０", "4199001234567890"),  # full-width, from an IME
        ("419900123456", "419900123456"),
        ("4" * 20, "4" * 20),
    ],
)
def test_card_numbers_are_normalised(raw, expected) -> None:
    assert rules.normalise_card_no(raw) == expected


@pytest.mark.parametrize("raw", ["", "41990012345", "4" * 21, "4199A01234567890", "٤١٩٩٠٠١٢٣٤٥٦"])
def test_bad_card_numbers_are_refused(raw) -> None:
    with pytest.raises(DomainError) as caught:
        rules.normalise_card_no(raw)
    assert caught.value.code == "cards.card_no_invalid"


@given(st.text(alphabet="0123456789", min_size=12, max_size=20), st.sampled_from(["", " ", "-"]))
def test_normalisation_is_idempotent_and_ignores_separators(digits, sep) -> None:
    spaced = sep.join(digits[i : i + 4] for i in range(0, len(digits), 4))
    once = rules.normalise_card_no(spaced)
    assert once == digits
    assert rules.normalise_card_no(once) == once


def test_bank_card_numbers_need_a_valid_luhn_digit() -> None:
    body = "623999123456789"
    good = body + luhn.calc_check_digit(body)
    assert rules.normalise_bank_card_no(good[:4] + " " + good[4:]) == good
    bad = body + str((int(luhn.calc_check_digit(body)) + 1) % 10)
    with pytest.raises(DomainError) as caught:
        rules.normalise_bank_card_no(bad)
    assert caught.value.code == "cards.bank_card_invalid"
    with pytest.raises(DomainError):
        rules.normalise_bank_card_no("4111111111111")  # Luhn-valid but too short


# -- the QR code ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unix", "expected"),
    [
        (59, "46119246"),
        (1111111109, "68084774"),
        (1111111111, "67062674"),
        (1234567890, "91819424"),
        (2000000000, "90698825"),
        (20000000000, "77737706"),
    ],
)
def test_hotp_gives_the_rfc6238_sha256_values(unix, expected) -> None:
    step = rules.qr_step(datetime.fromtimestamp(unix, tz=UTC))
    assert rules.hotp(RFC6238_SECRET, step) == expected


def test_a_step_is_thirty_seconds() -> None:
    start = datetime(2026, 11, 27, 8, 0, 0, tzinfo=UTC)
    assert rules.qr_step(start + timedelta(seconds=29)) == rules.qr_step(start)
    assert rules.qr_step(start + timedelta(seconds=30)) == rules.qr_step(start) + 1
    assert rules.qr_step(start) == int(start.timestamp()) // 30


def test_a_code_is_prefix_handle_and_eight_digits() -> None:
    code = rules.qr_code(handle="ABCDEF", secret=RFC6238_SECRET, step=1)
    assert code == "GHABCDEF46119246"
    assert rules.parse_qr(code) == ("ABCDEF", "46119246")
    assert rules.parse_qr(" gh abcdef 4611 9246 ") == ("ABCDEF", "46119246")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "4199001234567890",
        "GHABCDE46119246",
        "GHABCDEF4611924",
        "GHABCDE046119246",
        "XXABCDEF46119246",
    ],
)
def test_anything_else_is_not_a_qr_code(text) -> None:
    assert rules.parse_qr(text) is None


handles = st.text(alphabet=rules.HANDLE_ALPHABET, min_size=6, max_size=6)


@given(handles, st.text(min_size=1, max_size=40), st.integers(min_value=0, max_value=2**40))
def test_qr_round_trip(handle, secret, step) -> None:
    code = rules.qr_code(handle=handle, secret=secret, step=step)
    parsed = rules.parse_qr(code)
    assert parsed is not None
    assert parsed[0] == handle
    assert parsed[1] == rules.hotp(secret, step)
    assert rules.qr_match(secret=secret, digits=parsed[1], now_step=step) == step


@given(st.integers(min_value=10, max_value=2**40), st.integers(min_value=-5, max_value=5))
def test_the_window_is_one_step_either_side(now_step, offset) -> None:
    secret = "window-secret"
    digits = rules.hotp(secret, now_step + offset)
    matched = rules.qr_match(secret=secret, digits=digits, now_step=now_step)
    assert rules.in_window(now_step + offset, now_step) == (abs(offset) <= 1)
    if abs(offset) <= 1:
        assert matched == now_step + offset
    elif matched is not None:  # an 8-digit collision with a step in the window: 1 in 10^8
        assert abs(matched - now_step) <= 1


def test_lookback_finds_an_expired_step() -> None:
    digits = rules.hotp("s", 100)
    assert rules.qr_match(secret="s", digits=digits, now_step=110) is None
    assert rules.qr_match(secret="s", digits=digits, now_step=110, lookback=20) == 100
