"""Building the list, budgets down the tree, hand-outs within them, closing, completion."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.audit.models import AuditEntry
from gonghui.core.errors import Conflict, DomainError, Forbidden
from gonghui.core.indicators import Scope, value
from gonghui.members.models import Member
from gonghui.warmth import rules, selectors, services
from gonghui.warmth.models import Target, TargetStatus
from gonghui.warmth.tests.conftest import STARTS, make_member

pytestmark = pytest.mark.django_db


def listed_as(campaign) -> dict[str, str]:
    return dict(Target.objects.filter(campaign=campaign).values_list("member__name", "group_code"))


def test_the_list_is_built_by_the_rules_once_per_person(campaign, dora, tree) -> None:
    a, b = tree["a"], tree["b"]
    make_member(a, 1, hardship=True, name="困难")
    make_member(a, 2, hardship=True, model_worker=True, name="困难劳模")
    make_member(a, 3, model_worker=True, name="劳模")
    make_member(b, 4, hardship=True, category="rider", name="困难骑手")
    make_member(b, 5, birth=date(1960, 1, 1), gender="M", name="老职工")
    make_member(b, 6, birth=date(1971, 11, 30), gender="F", name="五十五岁女职工")
    make_member(a, 7, name="普通")
    make_member(a, 8, hardship=True, status="left", name="已退会")
    make_member(a, 9, hardship=True, status="transferring", name="转出中")
    make_member(a, 10, hardship=True, status="retained", name="保留会籍")

    added = services.targets_build(by=dora, campaign=campaign, union=tree["city"])

    assert listed_as(campaign) == {
        "困难": "hardship",
        "困难劳模": "hardship_model",
        "劳模": "model_worker",
        "困难骑手": "hardship",
        "老职工": "elderly",
        "五十五岁女职工": "elderly",
        "保留会籍": "hardship",
    }
    assert sum(added.values()) == 7
    target = Target.objects.get(member__name="困难劳模")
    assert (target.cash_fen, target.goods_value_fen, target.union) == (100_000, 20_000, a)
    assert services.targets_build(by=dora, campaign=campaign, union=tree["city"]) == {}
    assert AuditEntry.objects.filter(action="warmth.targets.built").count() == 2


def test_the_database_filter_agrees_with_the_rules(campaign, dora, tree) -> None:
    for seed in range(20):
        make_member(
            tree["a"],
            100 + seed,
            hardship=seed % 3 == 0,
            model_worker=seed % 4 == 0,
            birth=date(1955 + seed * 2, 1 + seed % 12, 1),
            category=["employee", "migrant", "courier"][seed % 3],
        )
    found = set(
        selectors.candidates(actor=dora, campaign=campaign, union=tree["city"]).values_list(
            "pk", flat=True
        )
    )
    groups = rules.parse_groups(campaign.groups)
    expected = {
        m.pk
        for m in Member.objects.all()
        if rules.choose_group(groups, services._person(m), STARTS) is not None
    }
    assert found == expected and found


def test_a_county_builds_only_its_own_subtree(campaign, tree, people) -> None:
    make_member(tree["a"], 1, hardship=True)
    make_member(tree["b"], 2, hardship=True)
    services.targets_build(by=people["carol"], campaign=campaign, union=tree["county_a"])
    assert list(Target.objects.values_list("union__code", flat=True)) == ["UA"]
    with pytest.raises(Forbidden):
        services.targets_build(by=people["carol"], campaign=campaign, union=tree["county_b"])


def test_manual_additions_and_removals_need_a_reason_and_are_audited(
    campaign, tree, people
) -> None:
    alice = people["alice"]
    member = make_member(tree["a"], 1, name="规则外")
    with pytest.raises(DomainError) as no_reason:
        services.target_add(
            by=alice, campaign=campaign, member=member, group_code="hardship", reason=" "
        )
    assert no_reason.value.code == "warmth.reason_required"
    target = services.target_add(
        by=alice, campaign=campaign, member=member, group_code="hardship", reason="突发重病"
    )
    assert target.source == "manual" and target.note == "突发重病"
    with pytest.raises(Conflict):
        services.target_add(
            by=alice, campaign=campaign, member=member, group_code="hardship", reason="重复"
        )
    removed = services.target_remove(by=alice, target=target, reason="已调离本市")
    assert removed.status == TargetStatus.REMOVED
    assert set(
        AuditEntry.objects.filter(action__startswith="warmth.target.").values_list(
            "action", flat=True
        )
    ) == {"warmth.target.added", "warmth.target.removed"}
    # A removed person is not put back by the rules, only by hand again.
    Member.objects.filter(pk=member.pk).update(is_hardship=True)
    services.targets_build(by=alice, campaign=campaign, union=tree["a"])
    assert Target.objects.get(member=member).status == TargetStatus.REMOVED
    again = services.target_add(
        by=alice, campaign=campaign, member=member, group_code="hardship", reason="复核后恢复"
    )
    assert again.status == TargetStatus.LISTED
    with pytest.raises(Forbidden):
        services.target_add(
            by=people["bob"], campaign=campaign, member=member, group_code="hardship", reason="越权"
        )


def test_budgets_flow_down_and_never_exceed_the_parent(campaign, dora, tree, people) -> None:
    carol = people["carol"]
    with pytest.raises(DomainError) as over_funds:
        services.allocation_set(
            by=dora, campaign=campaign, union=tree["county_a"], amount_fen=1_000_001
        )
    assert over_funds.value.code == "warmth.allocation_over_parent"
    with pytest.raises(DomainError) as no_parent:
        services.allocation_set(by=carol, campaign=campaign, union=tree["a"], amount_fen=1)
    assert no_parent.value.code == "warmth.parent_without_budget"
    services.allocation_set(by=dora, campaign=campaign, union=tree["county_a"], amount_fen=600_000)
    services.allocation_set(by=dora, campaign=campaign, union=tree["county_b"], amount_fen=400_000)
    with pytest.raises(DomainError):  # the funds are all given out
        services.allocation_set(
            by=dora, campaign=campaign, union=tree["county_b"], amount_fen=400_001
        )
    services.allocation_set(by=carol, campaign=campaign, union=tree["a"], amount_fen=600_000)
    with pytest.raises(DomainError) as below:
        services.allocation_set(
            by=dora, campaign=campaign, union=tree["county_a"], amount_fen=599_999
        )
    assert below.value.code == "warmth.allocation_below_committed"
    with pytest.raises(Forbidden):  # union A's officer cannot allocate at the county level
        services.allocation_set(
            by=people["alice"], campaign=campaign, union=tree["a"], amount_fen=1
        )
    state = selectors.budget_state(campaign, tree["city"])
    assert state is not None and (state.budget_fen, state.allocated_fen, state.remaining_fen) == (
        1_000_000,
        1_000_000,
        0,
    )


def test_hand_outs_spend_the_unions_budget_and_stop_at_it(running, listed, tree, people) -> None:
    alice = people["alice"]
    a1, a2 = (Target.objects.get(member=listed[k]) for k in ("a1", "a2"))
    batch = services.distribute(
        by=alice,
        campaign=running,
        union=tree["a"],
        target_ids=[a1.public_id, a2.public_id],
        method="cash",
        distributed_on=date(2026, 12, 20),
    )
    assert (batch.line_count, batch.total_fen, batch.budget_union) == (2, 190_000, tree["a"])
    assert set(Target.objects.filter(union=tree["a"]).values_list("status", flat=True)) == {
        "delivered"
    }
    state = selectors.budget_state(running, tree["a"])
    assert state is not None and state.remaining_fen == 10_000
    with pytest.raises(Conflict):  # already delivered
        services.distribute(
            by=alice,
            campaign=running,
            union=tree["a"],
            target_ids=[a1.public_id],
            method="cash",
            distributed_on=date(2026, 12, 20),
        )
    extra = services.target_add(
        by=alice,
        campaign=running,
        member=make_member(tree["a"], 11),
        group_code="hardship",
        reason="新增困难",
    )
    with pytest.raises(DomainError) as over:
        services.distribute(
            by=alice,
            campaign=running,
            union=tree["a"],
            target_ids=[extra.public_id],
            method="cash",
            distributed_on=date(2026, 12, 20),
        )
    assert over.value.code == "warmth.over_budget"
    assert Target.objects.get(pk=extra.pk).status == TargetStatus.LISTED


def test_a_union_without_its_own_budget_spends_its_countys(running, listed, tree, people) -> None:
    b1 = Target.objects.get(member=listed["b1"])
    batch = services.distribute(
        by=people["bob"],
        campaign=running,
        union=tree["b"],
        target_ids=[b1.public_id],
        method="goods",
        distributed_on=date(2026, 12, 21),
    )
    assert batch.budget_union == tree["county_b"]
    assert selectors.budget_state(running, tree["county_b"]).spent_fen == 70_000


def test_nobody_hands_out_to_another_unions_list(running, listed, tree, people) -> None:
    a1 = Target.objects.get(member=listed["a1"])
    with pytest.raises(Forbidden):
        services.distribute(
            by=people["bob"],
            campaign=running,
            union=tree["a"],
            target_ids=[a1.public_id],
            method="cash",
            distributed_on=date(2026, 12, 20),
        )
    with pytest.raises(Conflict):  # bob's own union does not have a1 on its list
        services.distribute(
            by=people["bob"],
            campaign=running,
            union=tree["b"],
            target_ids=[a1.public_id],
            method="cash",
            distributed_on=date(2026, 12, 20),
        )


def test_card_payouts_need_a_card_account(running, listed, tree, people) -> None:
    a1 = Target.objects.get(member=listed["a1"])
    with pytest.raises(DomainError) as caught:
        services.distribute(
            by=people["alice"],
            campaign=running,
            union=tree["a"],
            target_ids=[a1.public_id],
            method="card",
            distributed_on=date(2026, 12, 20),
        )
    assert caught.value.code == "warmth.no_card" and "甲一" in caught.value.message


def test_card_batches_make_a_payout_file(running, listed, tree, people, monkeypatch) -> None:
    from gonghui.cards import selectors as card_selectors
    from gonghui.core.excel import Sheet

    monkeypatch.setattr(card_selectors, "payout_account_of", lambda m: f"6222{m.pk:012d}")
    a1 = Target.objects.get(member=listed["a1"])
    batch = services.distribute(
        by=people["alice"],
        campaign=running,
        union=tree["a"],
        target_ids=[a1.public_id],
        method="card",
        distributed_on=date(2026, 12, 20),
    )
    data = services.payout_file(by=people["alice"], batch=batch)
    path = __import__("pathlib").Path(__import__("tempfile").mkdtemp()) / "p.xlsx"
    path.write_bytes(data)
    rows = list(Sheet(path).rows())
    assert rows[1][2] == "甲一" and rows[1][3] == f"6222{listed['a1'].pk:012d}"
    assert rows[1][4] == "500.00"  # the cash part goes to the card; the goods are handed over


def test_hand_outs_wait_for_the_campaign_to_start(campaign, dora, tree, people) -> None:
    make_member(tree["a"], 1, hardship=True)
    services.targets_build(by=dora, campaign=campaign, union=tree["city"])
    target = Target.objects.get()
    with pytest.raises(DomainError) as caught:
        services.distribute(
            by=people["alice"],
            campaign=campaign,
            union=tree["a"],
            target_ids=[target.public_id],
            method="cash",
            distributed_on=date(2026, 12, 20),
        )
    assert caught.value.code == "warmth.campaign_not_active"


def test_closing_freezes_the_campaign(running, listed, dora, tree, people) -> None:
    closed = services.campaign_transition(by=dora, campaign=running, to="closed")
    a1 = Target.objects.get(member=listed["a1"])
    attempts = [
        lambda: services.fund_record(
            by=dora,
            campaign=closed,
            source="donation",
            donor="某人",
            amount_fen=1,
            received_on=date(2027, 3, 1),
        ),
        lambda: services.allocation_set(by=dora, campaign=closed, union=tree["b"], amount_fen=1),
        lambda: services.targets_build(by=dora, campaign=closed, union=tree["city"]),
        lambda: services.target_remove(by=people["alice"], target=a1, reason="结束后移出"),
        lambda: services.distribute(
            by=people["alice"],
            campaign=closed,
            union=tree["a"],
            target_ids=[a1.public_id],
            method="cash",
            distributed_on=date(2027, 3, 1),
        ),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError):
            attempt()
    with pytest.raises(DomainError):
        services.campaign_transition(by=dora, campaign=closed, to="active")
    assert list(closed.events.values_list("to_status", flat=True)) == ["active", "closed"]


def test_only_the_city_runs_campaigns_and_funds(campaign, tree, people) -> None:
    with pytest.raises(Forbidden):
        services.campaign_transition(by=people["carol"], campaign=campaign, to="active")
    with pytest.raises(Forbidden):
        services.fund_record(
            by=people["alice"],
            campaign=campaign,
            source="donation",
            donor="x",
            amount_fen=1,
            received_on=date(2026, 11, 1),
        )


def test_the_signed_scan_is_checked_by_content(running, listed, tree, people) -> None:
    alice = people["alice"]
    a1 = Target.objects.get(member=listed["a1"])
    batch = services.distribute(
        by=alice,
        campaign=running,
        union=tree["a"],
        target_ids=[a1.public_id],
        method="cash",
        distributed_on=date(2026, 12, 20),
    )
    with pytest.raises(DomainError) as caught:
        services.batch_mark_signed(
            by=alice, batch=batch, data=b"MZ\x90 not a scan", filename="x.pdf"
        )
    assert caught.value.code == "warmth.scan_type"
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    signed = services.batch_mark_signed(by=alice, batch=batch, data=png, filename="scan.png")
    assert signed.signed_at is not None and signed.scan_content_type == "image/png"
    assert png not in signed.signed_scan.read()  # encrypted at rest
    assert services.scan_bytes(by=alice, batch=signed) == png
    with pytest.raises(Conflict):
        services.batch_mark_signed(by=alice, batch=signed, data=png, filename="scan.png")


def test_completion_figures_roll_up_by_union(running, listed, tree, people, dora) -> None:
    a1 = Target.objects.get(member=listed["a1"])
    services.distribute(
        by=people["alice"],
        campaign=running,
        union=tree["a"],
        target_ids=[a1.public_id],
        method="cash",
        distributed_on=date(2026, 12, 20),
    )
    report = selectors.completion_report(actor=dora, campaign=running, union=tree["city"])
    assert (report.root.targets, report.root.delivered, report.root.spent_fen) == (3, 1, 70_000)
    assert str(report.root.rate) == "33.3" and report.root.budget_fen == 1_000_000
    rows = {row.union.code: row for row in report.rows}
    assert (rows["CA"].targets, rows["CA"].delivered, rows["CA"].budget_fen) == (2, 1, 500_000)
    assert (rows["CB"].targets, rows["CB"].delivered, str(rows["CB"].rate)) == (1, 0, "0.0")
    assert str(rows["CA"].budget_used) == "14.0"
    assert dict((g, (n, d, s)) for g, n, d, s in report.by_group) == {
        "困难职工": (2, 1, 70_000),
        "困难劳模": (1, 0, 0),
    }
    assert report.by_source == [("federation", 1_000_000, 70_000)]
    mine = selectors.completion_report(actor=people["bob"], campaign=running, union=tree["b"])
    assert (mine.root.targets, mine.root.delivered) == (1, 0)
    with pytest.raises(Exception):  # noqa: B017 (NotFound: union A is not bob's)
        selectors.completion_report(actor=people["bob"], campaign=running, union=tree["a"])


def test_the_completion_indicator(running, listed, tree, people) -> None:
    a1 = Target.objects.get(member=listed["a1"])
    services.distribute(
        by=people["alice"],
        campaign=running,
        union=tree["a"],
        target_ids=[a1.public_id],
        method="cash",
        distributed_on=date(2026, 12, 20),
    )
    assert str(value("warmth.completion_rate", Scope.year(2027))) == "33.3"
    assert (
        str(value("warmth.completion_rate", Scope.year(2027, union_path=tree["a"].path))) == "50.0"
    )
    assert value("warmth.completion_rate", Scope.year(2026)) is None  # no campaign ended then
    assert value("warmth.completion_rate", Scope.year(2027, department="publicity")) is None
    assert value("warmth.completion_rate", Scope.year(2027, department="security")) is not None
