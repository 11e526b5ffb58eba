"""The pure rules: routing by worker category, consent, the state machine, the lookup proof."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.core.errors import DomainError
from gonghui.joining import rules
from gonghui.joining.models import ApplicationStatus
from gonghui.members.rules import NEW_FORM_CATEGORIES

NEW_FORM = sorted(str(c) for c in NEW_FORM_CATEGORIES)
OTHERS = ["employee", "migrant"]


def code_of(call) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


@pytest.mark.parametrize("category", NEW_FORM + OTHERS)
def test_everyone_may_apply_to_a_grassroots_union(category: str) -> None:
    rules.check_route(category=category, union_kind="grassroots", union_open=True)


@pytest.mark.parametrize("category", NEW_FORM)
@pytest.mark.parametrize("kind", ["county", "industry"])
def test_new_form_workers_may_apply_to_a_county_or_industry_union(category, kind) -> None:
    rules.check_route(category=category, union_kind=kind, union_open=True)


@pytest.mark.parametrize("category", OTHERS)
@pytest.mark.parametrize("kind", ["county", "industry"])
def test_other_workers_must_choose_a_grassroots_union(category, kind) -> None:
    call = lambda: rules.check_route(category=category, union_kind=kind, union_open=True)  # noqa: E731
    assert code_of(call) == "joining.union_kind_invalid"


@pytest.mark.parametrize("kind", ["city", "branch"])
def test_the_city_federation_and_branches_take_no_applications(kind: str) -> None:
    call = lambda: rules.check_route(category="courier", union_kind=kind, union_open=True)  # noqa: E731
    assert code_of(call) == "joining.union_invalid"


def test_a_closed_union_takes_no_applications() -> None:
    call = lambda: rules.check_route(  # noqa: E731
        category="employee", union_kind="grassroots", union_open=False
    )
    assert code_of(call) == "joining.union_invalid"


def test_the_search_for_unions_offers_kinds_by_category() -> None:
    assert rules.union_kinds_for("employee") == {"grassroots"}
    assert rules.union_kinds_for("rider") == {"grassroots", "county", "industry"}


def test_consent_is_required_and_must_be_the_current_wording() -> None:
    assert code_of(lambda: rules.check_consent("")) == "joining.consent_required"
    assert code_of(lambda: rules.check_consent(None)) == "joining.consent_required"
    assert code_of(lambda: rules.check_consent("2020-01")) == "joining.consent_outdated"
    rules.check_consent(rules.CONSENT_VERSION)


def test_the_consent_text_names_what_is_collected_and_why() -> None:
    text = rules.consent_text()
    assert "身份证号" in text and "手机号" in text and "单独同意" in text
    assert rules.CONSENT_VERSION in rules.CONSENT_TEXTS


@pytest.mark.parametrize(
    "target", [ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN]
)
def test_a_pending_application_can_be_decided_once(target: str) -> None:
    rules.check_transition(ApplicationStatus.PENDING, target)
    for again in ApplicationStatus.values:
        assert code_of(lambda a=again: rules.check_transition(target, a)) == (
            "joining.transition_invalid"
        )


def test_the_transition_error_says_where_it_stands() -> None:
    with pytest.raises(DomainError) as caught:
        rules.check_transition(ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED)
    assert "已同意入会" in caught.value.message
    assert caught.value.details == {"from": "accepted", "to": "rejected"}


def test_every_status_is_in_the_table() -> None:
    assert set(rules.TRANSITIONS) == set(ApplicationStatus.values)


def test_union_queries_need_two_characters() -> None:
    assert rules.union_query("甲") == ""
    assert rules.union_query(" 甲 厂 ") == "甲厂"
    assert rules.union_query("") == ""


def test_application_numbers_are_j_and_eight_digits() -> None:
    numbers = {rules.new_application_no() for _ in range(200)}
    assert all(len(n) == 9 and n[0] == "J" and n[1:].isdigit() for n in numbers)
    assert len(numbers) > 190  # random, not a counter


def test_last4_compares_normalised() -> None:
    assert rules.last4_matches("41010219900101123X", "123x")
    assert rules.last4_matches("41010219900101123X", "１２３Ｘ")
    assert not rules.last4_matches("41010219900101123X", "1234")
    assert not rules.last4_matches("41010219900101123X", "23X")


def test_days_left() -> None:
    assert rules.days_left(date(2026, 12, 18), date(2026, 12, 15)) == 3
    assert rules.days_left(date(2026, 12, 18), date(2026, 12, 18)) == 0
    assert rules.days_left(date(2026, 12, 18), date(2026, 12, 20)) == -2


def test_employer_names_are_trimmed_and_bounded() -> None:
    assert rules.clean_employer_name("  某某  快递 站 ") == "某某 快递 站"
    assert code_of(lambda: rules.clean_employer_name("厂" * 121)) == "joining.employer_too_long"
