"""Races only a real database shows: two hand-outs from one budget, two budgets out of one
parent, one person handed out to twice. PostgreSQL only, real threads, each with its own
connection."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection

from gonghui.audit.models import AuditEntry
from gonghui.conftest import ensure_reference_data, make_user, race
from gonghui.core.errors import DomainError
from gonghui.warmth import selectors, services
from gonghui.warmth.models import Allocation, Campaign, DistributionBatch, Target
from gonghui.warmth.tests.conftest import (
    account_of,
    bank_batch,
    make_member,
    new_campaign,
    result_file,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL"),
]


@pytest.fixture
def setting(transactional_db: Any, tree) -> dict[str, Any]:
    ensure_reference_data()
    people = {
        "alice": make_user("alice", assignments=[(tree["a"], "union_officer", None)]),
        "anna": make_user("anna", assignments=[(tree["a"], "union_officer", None)]),
        "dora": make_user("dora", assignments=[(tree["city"], "dept_staff", "security")]),
        "erin": make_user("erin", assignments=[(tree["city"], "dept_staff", "security")]),
    }
    campaign = new_campaign(people["dora"], tree["city"])
    return people | {"campaign": campaign, "tree": tree}


def start(setting: dict[str, Any], budget_a: int) -> tuple[Any, Target, Target]:
    dora, tree = setting["dora"], setting["tree"]
    campaign = setting["campaign"]
    services.allocation_set(by=dora, campaign=campaign, union=tree["county_a"], amount_fen=500_000)
    services.allocation_set(by=dora, campaign=campaign, union=tree["a"], amount_fen=budget_a)
    campaign = services.campaign_transition(by=dora, campaign=campaign, to="active")
    make_member(tree["a"], 1, hardship=True)  # ¥700
    make_member(tree["a"], 2, hardship=True, model_worker=True)  # ¥1,200
    services.targets_build(by=dora, campaign=campaign, union=tree["city"])
    one, two = Target.objects.order_by("cash_fen")
    return campaign, one, two


def hand_out(setting: dict[str, Any], campaign: Any, who: str, target: Target) -> Any:
    return lambda: services.distribute(
        by=setting[who],
        campaign=campaign,
        union=setting["tree"]["a"],
        target_ids=[target.public_id],
        method="cash",
        distributed_on=date(2026, 12, 20),
    )


def test_two_hand_outs_from_one_budget_never_exceed_it(setting) -> None:
    # ¥700 and ¥1,200 each fit in ¥1,500, together they do not.
    campaign, one, two = start(setting, 150_000)

    results = race(
        hand_out(setting, campaign, "alice", one), hand_out(setting, campaign, "anna", two)
    )

    won = [r for r in results if isinstance(r, DistributionBatch)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and [e.code for e in refused] == ["warmth.over_budget"], results
    state = selectors.budget_state(campaign, setting["tree"]["a"])
    assert state is not None and state.spent_fen == won[0].total_fen <= 150_000


def test_one_person_handed_out_to_twice_at_once_gets_one_hand_out(setting) -> None:
    campaign, one, _two = start(setting, 500_000)

    results = race(
        hand_out(setting, campaign, "alice", one), hand_out(setting, campaign, "anna", one)
    )

    assert sum(isinstance(r, DistributionBatch) for r in results) == 1, results
    assert [r.code for r in results if isinstance(r, DomainError)] == ["warmth.targets_changed"]
    assert DistributionBatch.objects.count() == 1


def test_two_budgets_out_of_one_parent_never_exceed_the_funds(setting) -> None:
    dora, erin, tree, campaign = (setting[k] for k in ("dora", "erin", "tree", "campaign"))

    results = race(
        lambda: services.allocation_set(
            by=dora, campaign=campaign, union=tree["county_a"], amount_fen=600_000
        ),
        lambda: services.allocation_set(
            by=erin, campaign=campaign, union=tree["county_b"], amount_fen=600_000
        ),
    )

    assert sum(isinstance(r, Allocation) for r in results) == 1, results
    assert [r.code for r in results if isinstance(r, DomainError)] == [
        "warmth.allocation_over_parent"
    ]
    assert sum(Allocation.objects.values_list("amount_fen", flat=True)) == 600_000


def test_trimming_a_budget_while_it_is_spent_keeps_it_covered(setting) -> None:
    campaign, _one, two = start(setting, 150_000)
    dora, tree = setting["dora"], setting["tree"]

    results = race(
        hand_out(setting, campaign, "alice", two),
        lambda: services.allocation_set(
            by=dora, campaign=campaign, union=tree["a"], amount_fen=100_000
        ),
    )

    allocation = Allocation.objects.get(union=tree["a"])
    spent = selectors.spent_from(campaign, tree["a"])
    assert spent <= allocation.amount_fen, results
    assert sum(isinstance(r, DomainError) for r in results) == 1, results


def test_one_result_file_imported_twice_at_once_is_applied_once(
    setting, monkeypatch, tmp_path
) -> None:
    from gonghui.cards import selectors as card_selectors

    monkeypatch.setattr(card_selectors, "payout_account_of", account_of)
    campaign, one, two = start(setting, 500_000)
    alice = setting["alice"]
    batch = bank_batch(campaign, setting["tree"]["a"], alice, one, two)
    path = result_file(tmp_path, batch, alice, {two.member.name: "账户已销户"})

    results = race(
        lambda: services.payout_results_import(by=alice, batch=batch, path=path),
        lambda: services.payout_results_import(by=setting["anna"], batch=batch, path=path),
    )

    assert sum(isinstance(r, dict) for r in results) == 1, results
    assert [r.code for r in results if isinstance(r, DomainError)] == ["warmth.payout.settled"]
    assert AuditEntry.objects.filter(action="warmth.line.failed").count() == 1
    assert Target.objects.get(pk=two.pk).status == "listed"
    assert selectors.spent_from(campaign, setting["tree"]["a"]) == one.amount_fen


def test_a_change_of_groups_and_a_hand_out_at_once_never_both_pass(setting) -> None:
    campaign, one, _two = start(setting, 500_000)
    groups = [dict(g) for g in campaign.groups]
    groups[1]["cash_fen"] = 60_000

    results = race(
        hand_out(setting, campaign, "alice", one),
        lambda: services.campaign_groups_set(by=setting["dora"], campaign=campaign, groups=groups),
    )

    refused = [r.code for r in results if isinstance(r, DomainError)]
    assert len(refused) == 1 and refused[0] in {"warmth.groups_frozen", "warmth.targets_stale"}
    fresh = Campaign.objects.get(pk=campaign.pk)
    if DistributionBatch.objects.exists():
        assert fresh.groups_version == 1 and not fresh.targets_stale
    else:
        assert fresh.groups_version == 2 and fresh.targets_stale
