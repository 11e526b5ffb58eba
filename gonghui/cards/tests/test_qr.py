"""The dynamic QR code and the credential lookup the tills call: ±1 step, single use, expiry,
and the codes a terminal gets for a card in each state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gonghui.cards import rules, selectors, services
from gonghui.cards.models import CardStatus, QrKey
from gonghui.core.errors import DomainError

pytestmark = pytest.mark.django_db
S = CardStatus
NOW = datetime(2026, 11, 27, 10, 0, 5, tzinfo=UTC)
STEP = 30


def code_at(member, at) -> str:
    return services.qr_codes(member, start=at, count=1)[0][1]


def lookup_error(credential: str, now=NOW) -> DomainError:
    with pytest.raises(DomainError) as caught:
        selectors.credential_lookup(credential, now=now)
    return caught.value


def test_the_key_is_made_once_with_a_random_handle(member_a, member_b) -> None:
    key = services.qr_key_for(member_a)
    assert services.qr_key_for(member_a).pk == key.pk
    assert rules.valid_handle(key.handle)
    assert len(key.secret) == 40
    assert services.qr_key_for(member_b).handle != key.handle
    assert member_a.member_no not in key.handle


def test_codes_run_from_the_start_step(member_a) -> None:
    codes = services.qr_codes(member_a, start=NOW, count=41)
    first = rules.qr_step(NOW)
    assert [s for s, _c in codes] == list(range(first, first + 41))
    assert len({c for _s, c in codes}) == 41
    key = QrKey.objects.get(member=member_a)
    assert all(c.startswith("GH" + key.handle) for _s, c in codes)


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_a_code_is_accepted_one_step_either_side(member_a, offset) -> None:
    code = code_at(member_a, NOW + timedelta(seconds=offset * STEP))
    credential = selectors.credential_lookup(code, now=NOW)
    assert credential.member == member_a
    assert (credential.kind, credential.card) == ("qr", None)
    assert credential.qr_step == rules.qr_step(NOW) + offset


@pytest.mark.parametrize("offset", [-2, -10, -100])
def test_an_older_code_has_expired(member_a, offset) -> None:
    code = code_at(member_a, NOW + timedelta(seconds=offset * STEP))
    assert lookup_error(code).code == "cards.qr_expired"


def test_a_code_from_the_far_future_or_a_wrong_one_is_unknown(member_a) -> None:
    future = code_at(member_a, NOW + timedelta(minutes=10))
    assert lookup_error(future).code == "cards.credential_unknown"
    good = code_at(member_a, NOW)
    wrong = good[:-1] + str((int(good[-1]) + 1) % 10)
    assert lookup_error(wrong).code == "cards.credential_unknown"
    assert lookup_error("GHZZZZZZ12345678").code == "cards.credential_unknown"


def test_a_code_is_good_for_one_transaction(member_a) -> None:
    code = code_at(member_a, NOW)
    credential = selectors.credential_lookup(code, now=NOW)
    selectors.qr_consume(credential)

    assert lookup_error(code).code == "cards.qr_used"
    with pytest.raises(DomainError) as caught:
        selectors.qr_consume(credential)  # a second till that read it before the first paid
    assert caught.value.code == "cards.qr_used"
    # The previous step's code is spent with it; the next one still works.
    older = code_at(member_a, NOW - timedelta(seconds=STEP))
    assert lookup_error(older).code == "cards.qr_used"
    newer = selectors.credential_lookup(code_at(member_a, NOW + timedelta(seconds=STEP)), now=NOW)
    selectors.qr_consume(newer)


def test_a_typed_code_with_spaces_and_lower_case_works(member_a) -> None:
    code = code_at(member_a, NOW)
    typed = f"{code[:8].lower()} {code[8:12]} {code[12:]}"
    assert selectors.credential_lookup(typed, now=NOW).member == member_a


def test_resetting_the_key_kills_cached_codes(people, portal_member) -> None:
    code = code_at(portal_member, NOW)
    services.qr_key_reset(by=people["member"], member=portal_member)
    assert lookup_error(code).code == "cards.credential_unknown"


# -- the card number -----------------------------------------------------------------------


def test_an_active_card_is_found_by_its_number(card_a) -> None:
    number = card_a.citizen_card_no
    spaced = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
    credential = selectors.credential_lookup(spaced)
    assert (credential.member, credential.card, credential.kind) == (card_a.member, card_a, "card")
    assert credential.qr_step is None
    selectors.qr_consume(credential)  # a no-op for cards


@pytest.mark.parametrize(
    ("status", "label"),
    [(S.LOST, "已挂失"), (S.CANCELLED, "已注销"), (S.MADE, "未激活"), (S.REPLACED, "已补卡作废")],
)
def test_a_card_not_in_use_names_its_state(make_card, member_a, status, label) -> None:
    card = make_card(member_a, status)
    error = lookup_error(card.citizen_card_no)
    assert error.code == "cards.card_not_active"
    assert label in error.message
    assert error.details == {"status": status}


@pytest.mark.parametrize("credential", ["", "abc", "4199000000000000", "12345"])
def test_anything_unknown_is_unknown(db, credential) -> None:
    assert lookup_error(credential).code == "cards.credential_unknown"
