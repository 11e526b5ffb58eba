"""`__prefix`: an index-friendly "starts with" whose value is taken literally (no wildcard can
widen a scope) and case-sensitively, the same on SQLite (GLOB) and PostgreSQL (LIKE)."""

from __future__ import annotations

import pytest

from gonghui.orgs.models import Union
from gonghui.orgs.services import union_create

pytestmark = pytest.mark.django_db

NAMES = ["50%折扣", "5000", "a_b", "axb", "a*c", "abc", "a?d", "aXd", "[x]", "x", "Abc", "ab\\c"]


@pytest.fixture
def named(tree):
    for n, name in enumerate(NAMES):
        union_create(by=None, code=f"N{n:02d}", name=name, kind="branch", parent=tree["a"])


def names_starting(prefix: str) -> set[str]:
    return set(Union.objects.filter(name__prefix=prefix).values_list("name", flat=True))


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("50%", {"50%折扣"}),
        ("a_", {"a_b"}),
        ("a*", {"a*c"}),
        ("a?", {"a?d"}),
        ("[", {"[x]"}),
        ("ab\\", {"ab\\c"}),
        ("ab", {"abc", "ab\\c"}),
        ("A", {"Abc"}),
    ],
)
def test_wildcards_are_literal_and_case_counts(named, prefix, expected):
    assert names_starting(prefix) == expected


def test_a_scope_path_does_not_reach_a_sibling_with_a_longer_code(tree):
    union_create(by=None, code="CAB", name="甲乙区", kind="county", parent=tree["city"])

    assert set(Union.objects.filter(path__prefix="/CITY/CA/").values_list("code", flat=True)) == {
        "CA",
        "UA",
    }
