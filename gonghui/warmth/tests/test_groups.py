"""The campaign's groups change until the first hand-out; a list built under the old groups is
stale and blocks hand-outs until it is rebuilt."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gonghui.audit.models import AuditEntry
from gonghui.core.errors import DomainError, Forbidden
from gonghui.warmth import rules, services
from gonghui.warmth.models import Campaign, Target, TargetStatus
from gonghui.warmth.tests.conftest import make_member

pytestmark = pytest.mark.django_db


def groups_of(campaign: Campaign) -> list[dict[str, Any]]:
    return [dict(g) for g in Campaign.objects.get(pk=campaign.pk).groups]


def changed(campaign: Campaign, **standards: int) -> list[dict[str, Any]]:
    """The campaign's groups with new cash standards (code → fen)."""
    groups = groups_of(campaign)
    for group in groups:
        if group["code"] in standards:
            group["cash_fen"] = standards[group["code"]]
    return groups


def hand_out(campaign, union, by, *targets):
    return services.distribute(
        by=by,
        campaign=campaign,
        union=union,
        target_ids=[t.public_id for t in targets],
        method="cash",
        distributed_on=date(2026, 12, 20),
    )


def test_groups_are_added_changed_removed_and_reordered_while_preparing(campaign, dora) -> None:
    before = groups_of(campaign)
    groups = changed(campaign, hardship=60_000)
    groups = [g for g in groups if g["code"] != "elderly"]
    groups.insert(
        0,
        {"code": "widowed", "name": "困难单亲职工", "cash_fen": 80_000, "hardship": True},
    )
    groups[1], groups[2] = groups[2], groups[1]

    updated = services.campaign_groups_set(by=dora, campaign=campaign, groups=groups)

    assert [g["code"] for g in updated.groups] == [
        "widowed",
        "hardship",
        "hardship_model",
        "model_worker",
        "new_form",
    ]
    assert updated.groups[1]["cash_fen"] == 60_000 and updated.groups[0]["goods"] == ""
    assert updated.groups_version == 2 and updated.targets_stale is False  # nobody listed yet
    entry = AuditEntry.objects.get(action="warmth.campaign.groups_changed")
    assert entry.changes["groups"][0] == before
    assert entry.changes["groups"][1] == updated.groups
    # The same groups again change nothing.
    services.campaign_groups_set(by=dora, campaign=updated, groups=updated.groups)
    assert Campaign.objects.get(pk=campaign.pk).groups_version == 2
    assert AuditEntry.objects.filter(action="warmth.campaign.groups_changed").count() == 1


def test_bad_groups_and_other_people_are_refused(campaign, dora, people) -> None:
    duplicate = [*groups_of(campaign), groups_of(campaign)[0]]
    with pytest.raises(DomainError) as caught:
        services.campaign_groups_set(by=dora, campaign=campaign, groups=duplicate)
    assert caught.value.code == "warmth.groups_invalid"
    with pytest.raises(DomainError):
        services.campaign_groups_set(by=dora, campaign=campaign, groups=[])
    for outsider in ("alice", "carol"):
        with pytest.raises(Forbidden):
            services.campaign_groups_set(
                by=people[outsider], campaign=campaign, groups=changed(campaign, hardship=1)
            )
    assert Campaign.objects.get(pk=campaign.pk).groups_version == 1


def test_groups_change_while_running_until_the_first_hand_out(
    running, listed, dora, tree, people
) -> None:
    services.campaign_groups_set(by=dora, campaign=running, groups=changed(running, hardship=1))
    services.targets_rebuild(by=dora, campaign=Campaign.objects.get(pk=running.pk))
    a1 = Target.objects.get(member=listed["a1"])
    hand_out(running, tree["a"], people["alice"], a1)

    with pytest.raises(DomainError) as frozen:
        services.campaign_groups_set(by=dora, campaign=running, groups=changed(running, hardship=2))

    assert frozen.value.code == "warmth.groups_frozen"
    assert "不能再修改" in frozen.value.message
    closed = services.campaign_transition(by=dora, campaign=running, to="closed")
    with pytest.raises(DomainError) as after_close:
        services.campaign_groups_set(by=dora, campaign=closed, groups=changed(closed, hardship=3))
    assert after_close.value.code == "warmth.campaign_closed"


def test_a_stale_list_blocks_hand_outs_until_it_is_rebuilt(
    running, listed, dora, tree, people
) -> None:
    alice = people["alice"]
    manual = services.target_add(
        by=alice,
        campaign=running,
        member=make_member(tree["a"], 20, name="人工劳模"),
        group_code="model_worker",
        reason="市级劳模，名册尚未标记",
    )
    make_member(tree["a"], 21, birth=date(1950, 3, 1), gender="M", name="老职工")
    services.target_remove(
        by=people["bob"], target=Target.objects.get(member=listed["b1"]), reason="已调离"
    )
    services.targets_build(by=dora, campaign=running, union=tree["city"])
    assert Target.objects.get(member__name="老职工").group_code == "elderly"
    # Hardship standards go up; model workers and the elderly are no longer visited.
    groups = [
        g for g in changed(running, hardship=60_000) if g["code"] not in {"elderly", "model_worker"}
    ]
    updated = services.campaign_groups_set(by=dora, campaign=running, groups=groups)
    assert updated.targets_stale is True

    a1 = Target.objects.get(member=listed["a1"])
    with pytest.raises(DomainError) as stale:
        hand_out(running, tree["a"], alice, a1)
    assert stale.value.code == "warmth.targets_stale"
    assert "对象名单需重新生成" in stale.value.message
    assert Target.objects.get(pk=a1.pk).status == TargetStatus.LISTED

    summary = services.targets_rebuild(by=dora, campaign=updated)

    assert (summary["regrouped"], summary["dropped"], summary["removed"]) == (1, 1, 1)
    a1.refresh_from_db()
    assert (a1.group_code, a1.cash_fen, a1.amount_fen) == ("hardship", 60_000, 80_000)
    assert Target.objects.get(member=listed["a2"]).group_code == "hardship_model"  # unchanged
    assert not Target.objects.filter(member__name="老职工").exists()
    manual.refresh_from_db()
    assert manual.status == TargetStatus.REMOVED and "已删除" in manual.note
    b1 = Target.objects.get(member=listed["b1"])
    assert b1.status == TargetStatus.REMOVED and b1.cash_fen == 50_000  # removed stays removed
    assert Campaign.objects.get(pk=running.pk).targets_stale is False
    assert AuditEntry.objects.get(action="warmth.targets.rebuilt").changes["dropped"] == 1

    batch = hand_out(running, tree["a"], alice, a1)
    assert batch.total_fen == 80_000
    with pytest.raises(DomainError) as current:
        services.targets_rebuild(by=dora, campaign=Campaign.objects.get(pk=running.pk))
    assert current.value.code == "warmth.targets_current"


def test_a_rebuild_adds_who_the_new_groups_take_in(campaign, dora, tree) -> None:
    make_member(tree["a"], 1, hardship=True, name="困难")
    make_member(tree["b"], 2, category="rider", name="骑手")
    services.targets_build(by=dora, campaign=campaign, union=tree["city"])
    riders = {
        "code": "riders",
        "name": "外卖骑手",
        "cash_fen": 20_000,
        "categories": ["rider"],
    }
    updated = services.campaign_groups_set(
        by=dora, campaign=campaign, groups=[*groups_of(campaign), riders]
    )

    summary = services.targets_rebuild(by=dora, campaign=updated)

    assert summary["by_group"] == {"riders": 1} and summary["regrouped"] == 0
    assert Target.objects.get(member__name="骑手").cash_fen == 20_000


def test_a_build_started_under_older_groups_stops(campaign, dora, tree) -> None:
    make_member(tree["a"], 1, hardship=True)
    old = Campaign.objects.get(pk=campaign.pk)
    services.campaign_groups_set(by=dora, campaign=campaign, groups=changed(campaign, hardship=1))

    with pytest.raises(DomainError) as caught:
        services.targets_build(by=dora, campaign=old, union=tree["city"])

    assert caught.value.code == "warmth.groups_changed"
    assert not Target.objects.exists()


def test_the_tie_break_follows_the_new_order(campaign, dora, tree) -> None:
    make_member(tree["a"], 1, hardship=True, model_worker=True, name="困难劳模")
    services.targets_build(by=dora, campaign=campaign, union=tree["city"])
    same = [
        {"code": "first", "name": "甲类", "cash_fen": 10_000, "model_worker": True},
        {"code": "second", "name": "乙类", "cash_fen": 10_000, "hardship": True},
    ]
    updated = services.campaign_groups_set(by=dora, campaign=campaign, groups=same)
    services.targets_rebuild(by=dora, campaign=updated)
    assert Target.objects.get().group_code == "first"
    updated = services.campaign_groups_set(by=dora, campaign=updated, groups=same[::-1])
    services.targets_rebuild(by=dora, campaign=updated)
    assert Target.objects.get().group_code == "second"
    assert rules.parse_groups(Campaign.objects.get(pk=campaign.pk).groups)[0].code == "second"
