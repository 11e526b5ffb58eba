"""The tree's writes: create, rename, move with the subtree, merge, close; each one audited
with its action code and what changed."""

from __future__ import annotations

import pytest

from gonghui.audit.models import AuditEntry
from gonghui.core.errors import DomainError, Forbidden
from gonghui.orgs.models import Union, UnionStatus
from gonghui.orgs.services import (
    union_close,
    union_create,
    union_merge,
    union_move,
    union_update,
)
from gonghui.orgs.tests.conftest import uscc

pytestmark = pytest.mark.django_db


def last_entry(action: str) -> AuditEntry | None:
    return AuditEntry.objects.filter(action=action).order_by("-id").first()


def fresh(union: Union) -> Union:
    return Union.objects.get(pk=union.pk)


def test_create_hangs_the_union_under_its_parent_and_is_audited(tree, people):
    union = union_create(
        by=people["carol"],
        code=" ua2 ",
        name="  甲二厂工会 ",
        kind="grassroots",
        parent=tree["county_a"],
        uscc=uscc("91419902MA0000001"),
    )

    assert (union.code, union.name, union.path, union.depth) == (
        "UA2",
        "甲二厂工会",
        "/CITY/CA/UA2/",
        2,
    )
    entry = last_entry("org.union.created")
    assert entry.actor == people["carol"]
    assert entry.object_id == str(union.public_id)
    assert entry.changes == {
        "code": "UA2",
        "name": "甲二厂工会",
        "kind": "grassroots",
        "parent": "CA",
    }


def test_create_under_the_wrong_parent_kind_is_refused(tree):
    with pytest.raises(DomainError) as refused:
        union_create(by=None, code="X1", name="错挂的区总", kind="county", parent=tree["a"])

    assert refused.value.code == "org.parent_kind_invalid"
    assert not Union.objects.filter(code="X1").exists()


def test_create_with_an_invalid_credit_code_is_refused(tree):
    with pytest.raises(DomainError) as refused:
        union_create(
            by=None,
            code="X1",
            name="某厂工会",
            kind="grassroots",
            parent=tree["county_a"],
            uscc="91419902MA00000010",
        )

    assert refused.value.code == "org.uscc_invalid"


def test_a_credit_code_belongs_to_one_union_only(tree):
    code = uscc("91419902MA0000002")
    union_create(
        by=None, code="X1", name="一厂", kind="grassroots", parent=tree["county_a"], uscc=code
    )

    with pytest.raises(DomainError) as refused:
        union_create(
            by=None, code="X2", name="二厂", kind="grassroots", parent=tree["county_a"], uscc=code
        )
    assert refused.value.code == "org.uscc_taken"


def test_a_code_is_used_once(tree):
    with pytest.raises(DomainError) as refused:
        union_create(by=None, code="ua", name="重复", kind="grassroots", parent=tree["county_b"])

    assert refused.value.code == "org.code_taken"


def test_a_code_that_cannot_sit_in_a_path_is_a_domain_error_not_a_crash(tree):
    with pytest.raises(DomainError) as refused:
        union_create(by=None, code="A/B", name="斜杠", kind="grassroots", parent=tree["county_a"])

    assert refused.value.code == "org.code_invalid"


def test_a_name_longer_than_the_column_is_refused(tree):
    with pytest.raises(DomainError) as refused:
        union_create(
            by=None, code="X1", name="长" * 121, kind="grassroots", parent=tree["county_a"]
        )

    assert refused.value.code == "org.name_too_long"


def test_create_under_a_closed_parent_is_refused(tree):
    union_close(by=None, union=tree["a"], reason="企业注销")

    with pytest.raises(DomainError) as refused:
        union_create(by=None, code="X1", name="分会", kind="branch", parent=fresh(tree["a"]))
    assert refused.value.code == "org.parent_closed"


def test_create_outside_the_actors_scope_is_refused(tree, people):
    with pytest.raises(Forbidden):
        union_create(
            by=people["carol"],
            code="X1",
            name="乙区某厂",
            kind="grassroots",
            parent=tree["county_b"],
        )


def test_rename_is_audited_with_the_changed_fields_only(tree, people):
    union_update(by=people["carol"], union=tree["a"], name="甲厂新名", address="", uscc=None)

    assert fresh(tree["a"]).name == "甲厂新名"
    entry = last_entry("org.union.updated")
    assert entry.actor == people["carol"]
    assert entry.changes == {"name": ["甲厂工会", "甲厂新名"]}


def test_an_update_that_changes_nothing_writes_no_audit_entry(tree, people):
    union_update(by=people["carol"], union=tree["a"], name="甲厂工会", address="", uscc="")

    assert last_entry("org.union.updated") is None


def test_an_officer_without_org_manage_cannot_rename_the_own_union(tree, people):
    with pytest.raises(Forbidden):
        union_update(by=people["alice"], union=tree["a"], name="改名", address="", uscc=None)


def build_three_levels(tree) -> dict[str, Union]:
    """CA → UA → branch A1 → branch A11, and an empty county CC to move things into."""
    a1 = union_create(by=None, code="A1", name="甲一分会", kind="branch", parent=tree["a"])
    a11 = union_create(by=None, code="A11", name="甲一一分会", kind="branch", parent=a1)
    cc = union_create(by=None, code="CC", name="丙区总工会", kind="county", parent=tree["city"])
    return {"a1": a1, "a11": a11, "cc": cc}


def test_move_rewrites_the_paths_and_depths_of_the_whole_subtree(tree):
    extra = build_three_levels(tree)

    union_move(by=None, union=tree["a"], new_parent=tree["county_b"])

    moved = {
        u.code: (u.path, u.depth, u.parent.code)
        for u in Union.objects.select_related("parent").filter(code__in=["UA", "A1", "A11"])
    }
    assert moved == {
        "UA": ("/CITY/CB/UA/", 2, "CB"),
        "A1": ("/CITY/CB/UA/A1/", 3, "UA"),
        "A11": ("/CITY/CB/UA/A1/A11/", 4, "A1"),
    }
    assert fresh(extra["cc"]).path == "/CITY/CC/"
    assert fresh(tree["county_a"]).path == "/CITY/CA/"


def test_move_one_level_up_lowers_the_depths(tree):
    extra = build_three_levels(tree)

    union_move(by=None, union=extra["a11"], new_parent=tree["a"])

    assert (fresh(extra["a11"]).path, fresh(extra["a11"]).depth) == ("/CITY/CA/UA/A11/", 3)


def test_move_is_audited_with_old_and_new_parent_and_subtree_size(tree, people):
    build_three_levels(tree)

    union_move(by=None, union=tree["a"], new_parent=tree["county_b"])

    entry = last_entry("org.union.moved")
    assert entry.changes == {"parent": ["CA", "CB"], "subtree_size": 3}
    assert entry.union_path == "/CITY/CB/UA/"


def test_moving_into_the_own_subtree_is_refused(tree):
    extra = build_three_levels(tree)

    with pytest.raises(DomainError) as refused:
        union_move(by=None, union=extra["a1"], new_parent=extra["a11"])
    assert refused.value.code == "org.move_into_own_subtree"
    assert fresh(extra["a11"]).path == "/CITY/CA/UA/A1/A11/"


def test_moving_under_the_wrong_parent_kind_is_refused(tree):
    with pytest.raises(DomainError) as refused:
        union_move(by=None, union=tree["a"], new_parent=tree["b"])
    assert refused.value.code == "org.parent_kind_invalid"


def test_moving_out_of_the_actors_scope_is_refused(tree, people):
    with pytest.raises(Forbidden):
        union_move(by=people["carol"], union=tree["a"], new_parent=tree["county_b"])
    assert fresh(tree["a"]).path == "/CITY/CA/UA/"


def test_merge_moves_the_children_and_closes_the_source(tree):
    extra = build_three_levels(tree)

    union_merge(by=None, source=tree["a"], target=tree["b"])

    source = fresh(tree["a"])
    assert source.status == UnionStatus.CLOSED
    assert source.merged_into_id == tree["b"].pk
    a1 = fresh(extra["a1"])
    assert (a1.parent_id, a1.path) == (tree["b"].pk, "/CITY/CB/UB/A1/")
    assert fresh(extra["a11"]).path == "/CITY/CB/UB/A1/A11/"
    entry = last_entry("org.union.merged")
    assert entry.changes == {"merged_into": "UB", "children_moved": ["A1"]}


def test_merging_into_the_own_subtree_is_refused(tree):
    extra = build_three_levels(tree)

    with pytest.raises(DomainError) as refused:
        union_merge(by=None, source=tree["a"], target=extra["a1"])
    assert refused.value.code == "org.merge_into_own_subtree"


def test_close_is_refused_while_open_children_exist(tree):
    with pytest.raises(DomainError) as refused:
        union_close(by=None, union=tree["county_a"], reason="区划调整")

    assert refused.value.code == "org.has_open_children"
    assert fresh(tree["county_a"]).status == UnionStatus.ACTIVE


def test_close_after_the_children_are_closed_is_audited_with_the_reason(tree, people):
    union_close(by=people["carol"], union=tree["a"], reason="企业注销")
    union_close(by=None, union=tree["county_a"], reason="区划调整")

    assert fresh(tree["county_a"]).status == UnionStatus.CLOSED
    entry = last_entry("org.union.closed")
    assert entry.changes == {"status": ["active", "closed"], "reason": "区划调整"}
    first = AuditEntry.objects.filter(action="org.union.closed").order_by("id").first()
    assert first.actor == people["carol"]


def test_a_closed_union_cannot_be_closed_again(tree):
    union_close(by=None, union=tree["a"], reason="企业注销")

    with pytest.raises(DomainError) as refused:
        union_close(by=None, union=tree["a"], reason="再撤一次")
    assert refused.value.code == "org.closed"
    assert AuditEntry.objects.filter(action="org.union.closed").count() == 1


def test_the_city_cannot_be_closed_or_moved(tree):
    with pytest.raises(DomainError, match="市总工会"):
        union_close(by=None, union=tree["city"], reason="x")
    with pytest.raises(DomainError, match="市总工会"):
        union_move(by=None, union=tree["city"], new_parent=tree["county_a"])


@pytest.mark.parametrize(
    ("service", "action"),
    [
        (
            lambda t: union_create(by=None, code="N1", name="新", kind="branch", parent=t["a"]),
            "org.union.created",
        ),
        (
            lambda t: union_update(by=None, union=t["a"], name="新名", address="", uscc=None),
            "org.union.updated",
        ),
        (lambda t: union_move(by=None, union=t["a"], new_parent=t["county_b"]), "org.union.moved"),
        (lambda t: union_merge(by=None, source=t["a"], target=t["b"]), "org.union.merged"),
        (lambda t: union_close(by=None, union=t["b"], reason="注销"), "org.union.closed"),
    ],
)
def test_each_service_writes_one_audit_entry_with_its_action_code(tree, service, action):
    before = AuditEntry.objects.filter(action=action).count()

    service(tree)

    assert AuditEntry.objects.filter(action=action).count() == before + 1
    assert last_entry(action).source == "system"


def chain(parent: Union, prefix: str, levels: int) -> list[Union]:
    """Branches under branches, each with a code of the full 32 characters."""
    made = []
    for level in range(levels):
        parent = union_create(
            by=None,
            code=f"{prefix}{level:02d}".ljust(32, "X"),
            name="分会",
            kind="branch",
            parent=parent,
        )
        made.append(parent)
    return made


def test_a_tree_deeper_than_the_path_column_is_refused_on_create(tree):
    deepest = chain(tree["a"], "L", 11)[-1]  # "/CITY/CA/UA/" + 11 × 33 = 375 characters

    with pytest.raises(DomainError) as refused:
        union_create(by=None, code="M".ljust(32, "X"), name="分会", kind="branch", parent=deepest)
    assert refused.value.code == "org.too_deep"


def test_a_move_that_would_make_a_path_too_long_is_refused(tree):
    long_chain = chain(tree["a"], "L", 10)  # longest path 342
    short_chain = chain(tree["b"], "S", 2)  # its tail's path is 78 long

    with pytest.raises(DomainError) as refused:
        union_move(by=None, union=long_chain[0], new_parent=short_chain[-1])
    assert refused.value.code == "org.too_deep"
    assert fresh(long_chain[-1]).path.startswith("/CITY/CA/UA/")
