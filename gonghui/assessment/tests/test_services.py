from __future__ import annotations

from decimal import Decimal

import pytest

from gonghui.assessment import selectors, services
from gonghui.assessment.models import BodyEvent, BodyKind, BodyState, Value
from gonghui.assessment.services import Evidence, NodeData
from gonghui.assessment.tests.conftest import PDF, leaf, self_assess
from gonghui.audit.models import AuditEntry
from gonghui.core.errors import Conflict, DomainError, Forbidden
from gonghui.mutualaid.tests.conftest import make_member

pytestmark = pytest.mark.django_db


def line_of(card, name):
    return next(line for line in card.lines if line.node.name == name)


def test_computed_indicator_reads_the_registry_for_the_body_scope(bodies, members_a) -> None:
    card_a = selectors.scorecard(bodies["a"])
    card_b = selectors.scorecard(bodies["b"])
    assert line_of(card_a, "在会会员").actual == Decimal(2)
    assert line_of(card_a, "在会会员").points == Decimal("25.00")  # 2 of 4 → half of 50
    assert line_of(card_b, "在会会员").actual == Decimal(0)


def test_an_absent_program_says_no_data_never_zero(bodies, members_a) -> None:
    line = line_of(selectors.scorecard(bodies["a"]), "义工教授授课场次")
    assert line.actual is None and line.points is None


def test_manual_value_counts_once_entered_with_evidence(bodies, carol) -> None:
    card = selectors.scorecard(bodies["a"])
    assert line_of(card, "帮扶户数").actual is None
    services.value_enter(
        by=carol,
        body=bodies["a"],
        node=leaf(bodies["a"].plan, "帮扶户数"),
        value=Decimal(5),
        evidence=Evidence(PDF, "台账.pdf"),
    )
    line = line_of(selectors.scorecard(bodies["a"]), "帮扶户数")
    assert line.actual == Decimal(5) and line.points == Decimal("50.00")
    assert line.value.evidence_type == "application/pdf"
    assert AuditEntry.objects.filter(action="assessment.value.entered").exists()


def test_manual_value_needs_evidence_of_an_accepted_kind(bodies, carol) -> None:
    node = leaf(bodies["a"].plan, "帮扶户数")
    with pytest.raises(DomainError) as exc:
        services.value_enter(by=carol, body=bodies["a"], node=node, value=Decimal(5))
    assert exc.value.code == "assessment.evidence_missing"
    with pytest.raises(DomainError) as exc:
        services.value_enter(
            by=carol,
            body=bodies["a"],
            node=node,
            value=Decimal(5),
            evidence=Evidence(b"MZ..", "x.exe"),
        )
    assert exc.value.code == "assessment.evidence_type"
    big = Evidence(PDF + b"0" * services.EVIDENCE_MAX_BYTES, "big.pdf")
    with pytest.raises(DomainError) as exc:
        services.value_enter(by=carol, body=bodies["a"], node=node, value=Decimal(5), evidence=big)
    assert exc.value.code == "assessment.evidence_too_big"


def test_another_county_cannot_enter_values(bodies, dave) -> None:
    with pytest.raises(Forbidden):
        self_assess(dave, bodies["a"])


def test_sibling_weights_not_100_block_the_workflow(plan, bodies, olga, carol) -> None:
    category = plan.nodes.get(name="服务职工")
    services.node_add(
        by=olga,
        plan=plan,
        parent=category,
        data=NodeData("多余指标", Decimal(10), "manual", curve="linear", target=Decimal(1)),
    )
    problems = selectors.scorecard(bodies["a"]).problems
    assert problems and "110" in problems[0]
    self_assess(carol, bodies["a"])
    with pytest.raises(DomainError) as exc:
        services.body_transition(by=carol, body=bodies["a"], to=BodyState.REVIEW)
    assert exc.value.code == "assessment.tree_invalid"


def test_curves_and_indicator_codes_are_checked_when_added(plan, olga) -> None:
    category = plan.nodes.get(name="服务职工")
    with pytest.raises(DomainError) as exc:
        services.node_add(
            by=olga,
            plan=plan,
            parent=category,
            data=NodeData("x", Decimal(1), "manual", curve="linear"),
        )
    assert exc.value.code == "assessment.target_invalid"
    with pytest.raises(DomainError) as exc:
        services.node_add(
            by=olga,
            plan=plan,
            parent=category,
            data=NodeData("x", Decimal(1), "computed", "", target=Decimal(1)),
        )
    assert exc.value.code == "assessment.indicator_invalid"


def test_only_the_office_builds_plans(tree, carol, olga, plan) -> None:
    with pytest.raises(Forbidden):
        services.plan_create(by=carol, year=2030, name="x")
    with pytest.raises(Conflict):
        services.plan_create(by=olga, year=plan.year, name="again")
    with pytest.raises(Conflict):
        services.body_add(by=olga, plan=plan, union=tree["county_a"])
        services.body_add(by=olga, plan=plan, union=tree["county_a"])
    with pytest.raises(DomainError):
        services.body_add(by=olga, plan=plan, union=tree["a"])  # a grassroots union


def test_submit_needs_every_manual_value(bodies, carol) -> None:
    with pytest.raises(DomainError) as exc:
        services.body_transition(by=carol, body=bodies["a"], to=BodyState.REVIEW)
    assert exc.value.code == "assessment.values_missing"


def test_illegal_transitions_are_refused(bodies, carol, olga) -> None:
    with pytest.raises(DomainError) as exc:
        services.body_transition(by=olga, body=bodies["a"], to=BodyState.FINAL)
    assert exc.value.code == "assessment.transition_invalid"
    self_assess(carol, bodies["a"])
    services.body_transition(by=carol, body=bodies["a"], to=BodyState.REVIEW)
    with pytest.raises(DomainError) as exc:
        services.body_transition(by=carol, body=bodies["a"], to=BodyState.FINAL)
    assert exc.value.code == "assessment.transition_forbidden"
    with pytest.raises(DomainError) as exc:
        self_assess(carol, bodies["a"])
    assert exc.value.code == "assessment.not_self"
    with pytest.raises(DomainError) as exc:
        services.body_transition(by=olga, body=bodies["a"], to=BodyState.SELF)
    assert exc.value.code == "assessment.reason_missing"
    services.body_transition(by=olga, body=bodies["a"], to=BodyState.SELF, note="台账不全")
    assert bodies["a"].events.count() == 2


def test_review_adjusts_with_a_reason(bodies, carol, olga) -> None:
    self_assess(carol, bodies["a"], "8")
    node = leaf(bodies["a"].plan, "帮扶户数")
    with pytest.raises(DomainError) as exc:
        services.value_review(by=olga, body=bodies["a"], node=node, value=Decimal(6), reason="核减")
    assert exc.value.code == "assessment.not_review"
    services.body_transition(by=carol, body=bodies["a"], to=BodyState.REVIEW)
    with pytest.raises(DomainError):
        services.value_review(by=olga, body=bodies["a"], node=node, value=Decimal(6), reason=" ")
    with pytest.raises(Forbidden):
        services.value_review(by=carol, body=bodies["a"], node=node, value=Decimal(20), reason="x")
    services.value_review(
        by=olga, body=bodies["a"], node=node, value=Decimal(6), reason="两户不符合条件"
    )
    line = line_of(selectors.scorecard(bodies["a"]), "帮扶户数")
    assert line.adjusted and line.actual == Decimal(6) and line.points == Decimal("60.00")


def test_final_snapshots_computed_values_and_freezes_the_score(
    tree, bodies, members_a, carol, olga
):
    self_assess(carol, bodies["a"], "10")
    services.body_transition(by=carol, body=bodies["a"], to=BodyState.REVIEW)
    body = services.body_transition(by=olga, body=bodies["a"], to=BodyState.FINAL, note="通过")
    # 组织建设: members 2/4 → 25 of 50, professors no data → 0; ×60% = 15. 服务职工: 100 × 40% = 40.
    assert body.total_score == Decimal("55.00")
    snapshot = Value.objects.get(body=body, node__name="在会会员")
    assert snapshot.final_actual == Decimal(2) and snapshot.final_points == Decimal("25.00")
    assert Value.objects.get(body=body, node__name="义工教授授课场次").final_actual is None
    make_member(tree["a"], 3)  # membership grows after the final score
    card = selectors.scorecard(body)
    assert card.frozen and card.total == Decimal("55.00")
    assert line_of(card, "在会会员").actual == Decimal(2)
    assert line_of(card, "义工教授授课场次").actual is None
    assert BodyEvent.objects.filter(body=body, to_state=BodyState.FINAL).exists()
    assert AuditEntry.objects.filter(action="assessment.body.final").exists()
    with pytest.raises(DomainError) as exc:
        services.node_add(
            by=olga, plan=body.plan, body_kind=BodyKind.COUNTY, data=NodeData("迟到", Decimal(1))
        )
    assert exc.value.code == "assessment.plan_frozen"


def test_rankings_share_ties(bodies, carol, dave, olga) -> None:
    for body, who in ((bodies["a"], carol), (bodies["b"], dave)):
        self_assess(who, body, "10")
        services.body_transition(by=who, body=body, to=BodyState.REVIEW)
        services.body_transition(by=olga, body=body, to=BodyState.FINAL)
    placings = selectors.ranking(actor=olga, plan=bodies["a"].plan, kind=BodyKind.COUNTY)
    assert [p.rank for p in placings] == [1, 1]


def test_a_department_body_is_assessed_by_its_own_staff(plan, olga, tree) -> None:
    from gonghui.conftest import make_user
    from gonghui.orgs.models import Department

    security = Department.objects.get(code="security")
    body = services.body_add(by=olga, plan=plan, department=security)
    dora = make_user("dora", assignments=[(tree["city"], "dept_staff", "security")])
    erin = make_user("erin", assignments=[(tree["city"], "dept_staff", "publicity")])
    assert selectors.roles_on(dora, body) == frozenset({"body"})
    assert selectors.roles_on(erin, body) == frozenset()
    assert selectors.body_get(actor=dora, public_id=body.public_id) == body
    assert not selectors.visible_bodies(erin).exists()
    assert selectors.scope_of(body).department == "security"


def test_a_body_with_its_own_tree_uses_only_it(plan, bodies, olga) -> None:
    own = services.node_add(
        by=olga, plan=plan, body=bodies["b"], data=NodeData("专项", Decimal(100))
    )
    services.node_add(
        by=olga,
        plan=plan,
        parent=own,
        data=NodeData("专项工作", Decimal(100), "manual", curve="linear", target=Decimal(1)),
    )
    assert [line.node.name for line in selectors.scorecard(bodies["b"]).lines] == ["专项工作"]
    assert "专项工作" not in [line.node.name for line in selectors.scorecard(bodies["a"]).lines]
