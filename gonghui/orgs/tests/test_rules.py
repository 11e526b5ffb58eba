"""Pure rules of the tree: which kind may hang under which, codes, credit codes, paths."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.core.errors import DomainError
from gonghui.orgs import rules
from gonghui.orgs.tests.conftest import uscc

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
uscc_bodies = st.builds(
    lambda head, tail: head + tail,
    st.text("0123456789", min_size=8, max_size=8),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
)


@pytest.mark.parametrize(
    ("kind", "parent_kind"),
    [
        ("county", "city"),
        ("industry", "city"),
        ("industry", "county"),
        ("grassroots", "county"),
        ("grassroots", "industry"),
        ("branch", "grassroots"),
        ("branch", "branch"),
    ],
)
def test_a_kind_may_hang_under_its_allowed_parents(kind, parent_kind):
    rules.check_parent_kind(kind, parent_kind)


@pytest.mark.parametrize(
    ("kind", "parent_kind"),
    [
        ("county", "county"),
        ("county", "grassroots"),
        ("grassroots", "grassroots"),
        ("grassroots", "branch"),
        ("branch", "county"),
        ("city", "city"),
    ],
)
def test_a_kind_under_the_wrong_parent_kind_is_refused(kind, parent_kind):
    with pytest.raises(DomainError) as refused:
        rules.check_parent_kind(kind, parent_kind)
    assert refused.value.code == "org.parent_kind_invalid"


def test_only_the_city_federation_stands_without_a_parent():
    rules.check_parent_kind("city", None)
    with pytest.raises(DomainError) as refused:
        rules.check_parent_kind("county", None)
    assert refused.value.code == "org.parent_required"


def test_an_unknown_kind_is_refused():
    with pytest.raises(DomainError) as refused:
        rules.check_parent_kind("club", "city")
    assert refused.value.code == "org.kind_invalid"


@given(uscc_bodies)
def test_a_credit_code_with_its_check_character_is_accepted(body):
    code = uscc(body)
    assert rules.normalise_uscc(code) == code
    assert rules.normalise_uscc(" " + code.lower() + " ") == code


@given(uscc_bodies, st.sampled_from(USCC_ALPHABET))
def test_a_credit_code_with_a_wrong_check_character_is_refused(body, wrong):
    if wrong == uscc(body)[-1]:
        return
    with pytest.raises(DomainError) as refused:
        rules.normalise_uscc(body + wrong)
    assert refused.value.code == "org.uscc_invalid"
    assert "校验位" in refused.value.message


def test_an_empty_credit_code_means_none():
    assert rules.normalise_uscc("") is None
    assert rules.normalise_uscc("   ") is None
    assert rules.normalise_uscc(None) is None


def test_codes_are_made_plain_and_upper_case():
    assert rules.normalise_code(" ｄ０１-ｅ ") == "D01-E"


@pytest.mark.parametrize("code", ["A B", "D/01", "-D01", "甲01", "", "X" * 33])
def test_a_code_that_cannot_sit_in_a_path_is_refused(code):
    with pytest.raises(DomainError) as refused:
        rules.check_code(code)
    assert refused.value.code == "org.code_invalid"


@given(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=31))
def test_codes_of_capitals_digits_and_hyphens_are_accepted(tail):
    code = "A" + tail
    assert rules.check_code(code) == code


def test_a_child_path_extends_the_parent_path():
    assert rules.child_path(None, "CITY") == "/CITY/"
    assert rules.child_path("/CITY/", "D01") == "/CITY/D01/"
