"""Card and bank hand-outs wait for the bank's result file: paid people are handed out, failed
ones go back on the list with the bank's reason and their money back in the budget. The file
is applied whole or not at all, once."""

from __future__ import annotations

from datetime import date

import pytest

from gonghui.audit.models import AuditEntry
from gonghui.core.errors import Conflict, DomainError, Forbidden
from gonghui.core.excel import Sheet
from gonghui.core.indicators import Scope, value
from gonghui.core.payouts import PayoutLine, result_file_bytes
from gonghui.warmth import selectors, services
from gonghui.warmth.models import (
    Distribution,
    DistributionBatch,
    LineStatus,
    PayoutStatus,
    Target,
    TargetStatus,
)
from gonghui.warmth.tests.conftest import account_of, bank_batch, make_member, result_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("card_accounts")]


@pytest.fixture
def sent(running, listed, tree, people) -> DistributionBatch:
    """甲一 (¥500 cash + ¥200 goods) and 甲二 (¥1,000 + ¥200) of union A paid by bank transfer
    out of union A's ¥2,000 budget, waiting for the bank."""
    a1, a2 = (Target.objects.get(member=listed[k]) for k in ("a1", "a2"))
    return bank_batch(running, tree["a"], people["alice"], a1, a2)


def status_of(name: str) -> str:
    return Target.objects.get(member__name=name).status


def test_a_bank_hand_out_waits_for_the_bank(sent, running, tree, dora) -> None:
    assert sent.payout_status == PayoutStatus.WAITING
    assert {status_of("甲一"), status_of("甲二")} == {TargetStatus.PAYING}
    assert set(sent.lines.values_list("status", flat=True)) == {LineStatus.PENDING}
    # The budget is committed, but nobody counts as handed out before the bank has paid.
    assert selectors.spent_from(running, tree["a"]) == 190_000
    report = selectors.completion_report(actor=dora, campaign=running, union=tree["a"])
    assert (report.root.delivered, report.root.spent_fen, report.root.pending_fen) == (
        0,
        0,
        190_000,
    )
    assert str(report.root.budget_used) == "95.0"
    assert str(value("warmth.completion_rate", Scope.year(2027, union_path=tree["a"].path))) == (
        "0.0"
    )


def test_the_payout_file_names_each_line_uniquely(sent, people, tmp_path) -> None:
    path = tmp_path / "payout.xlsx"
    path.write_bytes(services.payout_file(by=people["alice"], batch=sent))
    rows = list(Sheet(path).rows())[1:]
    lines = list(sent.lines.order_by("line_no"))
    assert [row[1] for row in rows] == [f"{sent.batch_no}-0001", f"{sent.batch_no}-0002"]
    assert [row[1] for row in rows] == [line.reference for line in lines]
    assert [row[4] for row in rows] == ["500.00", "1000.00"]  # the cash part only


def test_the_result_pays_some_and_puts_the_failed_back_on_the_list(
    sent, running, listed, tree, people, dora, tmp_path
) -> None:
    alice = people["alice"]
    path = result_file(tmp_path, sent, alice, {"甲二": "户名与账号不符"})

    summary = services.payout_results_import(by=alice, batch=sent, path=path)

    assert summary | {"url": ""} == {
        "batch": str(sent.public_id),
        "batch_no": sent.batch_no,
        "paid": 1,
        "paid_fen": 50_000,
        "failed": 1,
        "failed_fen": 100_000,
        "url": "",
    }
    sent.refresh_from_db()
    assert sent.payout_status == PayoutStatus.SETTLED and sent.settled_by == alice
    assert sent.settled_at is not None
    lines = {line.target.member.name: line for line in sent.lines.select_related("target__member")}
    assert (lines["甲一"].status, lines["甲一"].reason) == (LineStatus.PAID, "")
    assert (lines["甲二"].status, lines["甲二"].reason) == (LineStatus.FAILED, "户名与账号不符")
    assert (status_of("甲一"), status_of("甲二")) == (TargetStatus.DELIVERED, TargetStatus.LISTED)

    # 甲二's ¥1,200 is back in union A's budget.
    assert selectors.spent_from(running, tree["a"]) == 70_000
    assert selectors.budget_state(running, tree["a"]).remaining_fen == 130_000

    # Completion counts 甲一 only.
    report = selectors.completion_report(actor=dora, campaign=running, union=tree["city"])
    assert (report.root.targets, report.root.delivered, report.root.spent_fen) == (3, 1, 70_000)
    assert report.root.pending_fen == 0
    assert dict((g, (n, d, s)) for g, n, d, s in report.by_group) == {
        "困难职工": (2, 1, 70_000),
        "困难劳模": (1, 0, 0),
    }
    assert report.by_source == [("federation", 1_000_000, 70_000)]
    assert str(value("warmth.completion_rate", Scope.year(2027, union_path=tree["a"].path))) == (
        "50.0"
    )

    # 甲二 can be handed out to again, by cash this time, out of the released budget.
    again = services.distribute(
        by=alice,
        campaign=running,
        union=tree["a"],
        target_ids=[Target.objects.get(member=listed["a2"]).public_id],
        method="cash",
        distributed_on=date(2026, 12, 28),
    )
    assert again.payout_status == PayoutStatus.NONE
    assert status_of("甲二") == TargetStatus.DELIVERED
    assert list(
        Distribution.objects.filter(target__member=listed["a2"])
        .order_by("id")
        .values_list("status", flat=True)
    ) == [LineStatus.FAILED, LineStatus.DELIVERED]
    assert selectors.spent_from(running, tree["a"]) == 190_000
    report = selectors.completion_report(actor=dora, campaign=running, union=tree["a"])
    assert (report.root.delivered, report.root.spent_fen) == (2, 190_000)

    failed = AuditEntry.objects.get(action="warmth.line.failed")
    assert failed.changes["reason"] == "户名与账号不符" and failed.changes["member"]
    assert AuditEntry.objects.filter(action="warmth.line.paid").count() == 1
    settled = AuditEntry.objects.get(action="warmth.batch.settled")
    assert settled.changes["budget_released_fen"] == 120_000
    assert account_of(listed["a2"]) not in str(settled.changes)


def _untouched(batch: DistributionBatch) -> None:
    batch.refresh_from_db()
    assert batch.payout_status == PayoutStatus.WAITING and batch.settled_at is None
    assert set(batch.lines.values_list("status", flat=True)) == {LineStatus.PENDING}
    assert {status_of("甲一"), status_of("甲二")} == {TargetStatus.PAYING}
    assert not AuditEntry.objects.filter(action__startswith="warmth.line.").exists()
    assert not AuditEntry.objects.filter(action="warmth.batch.settled").exists()


def test_a_file_that_does_not_match_the_batch_is_refused_whole(
    sent, people, tmp_path, running, tree
) -> None:
    alice = people["alice"]
    wrong_amount = result_file(tmp_path, sent, alice, {}, **{"甲二": 100_001})
    with pytest.raises(DomainError) as amount:
        services.payout_results_import(by=alice, batch=sent, path=wrong_amount)
    assert amount.value.code == "warmth.payout.results_invalid"
    assert "金额与发放明细不符" in amount.value.message

    line = sent.lines.get(line_no=1)
    only_one = tmp_path / "one.xlsx"
    only_one.write_bytes(
        result_file_bytes(
            [(PayoutLine(line.reference, "甲一", "6222", line.cash_fen), False, "账户冻结")]
        )
    )
    with pytest.raises(DomainError) as missing:
        services.payout_results_import(by=alice, batch=sent, path=only_one)
    assert missing.value.code == "warmth.payout.results_invalid"
    assert "缺少 1 条明细" in missing.value.message

    other = bank_batch(running, tree["b"], people["bob"], Target.objects.get(union=tree["b"]))
    foreign = result_file(tmp_path, other, people["bob"], {})
    with pytest.raises(DomainError) as stranger:
        services.payout_results_import(by=alice, batch=sent, path=foreign)
    assert stranger.value.code == "warmth.payout.results_invalid"
    assert "不是本批次待回盘的明细" in stranger.value.message

    garbled = tmp_path / "garbled.csv"
    garbled.write_text(f"业务编号,结果\n{line.reference},也许\n", encoding="utf-8")
    with pytest.raises(DomainError) as bad_word:
        services.payout_results_import(by=alice, batch=sent, path=garbled)
    assert bad_word.value.code == "payout.result_invalid"

    _untouched(sent)


def make_target(campaign, tree, by) -> Target:
    return services.target_add(
        by=by,
        campaign=campaign,
        member=make_member(tree["a"], 30, name="甲三"),
        group_code="elderly",
        reason="退休老职工",
    )


def test_the_second_import_is_refused_and_changes_nothing(sent, people, tmp_path) -> None:
    alice = people["alice"]
    path = result_file(tmp_path, sent, alice, {"甲二": "账户已销户"})
    services.payout_results_import(by=alice, batch=sent, path=path)

    with pytest.raises(Conflict) as again:
        services.payout_results_import(by=alice, batch=sent, path=path)

    assert again.value.code == "warmth.payout.settled"
    assert again.value.details["batch"]["failed"] == 1
    assert (status_of("甲一"), status_of("甲二")) == (TargetStatus.DELIVERED, TargetStatus.LISTED)
    assert AuditEntry.objects.filter(action="warmth.batch.settled").count() == 1
    with pytest.raises(Conflict):  # nor is the file sent to the bank a second time
        services.payout_file(by=alice, batch=sent)


def test_only_the_unions_own_staff_import_and_cash_has_no_result(
    sent, running, listed, tree, people, tmp_path
) -> None:
    path = result_file(tmp_path, sent, people["alice"], {})
    with pytest.raises(Forbidden):
        services.payout_results_import(by=people["bob"], batch=sent, path=path)
    with pytest.raises(Forbidden):
        services.payout_file(by=people["bob"], batch=sent)
    _untouched(sent)
    b1 = Target.objects.get(member=listed["b1"])
    cash = services.distribute(
        by=people["bob"],
        campaign=running,
        union=tree["b"],
        target_ids=[b1.public_id],
        method="cash",
        distributed_on=date(2026, 12, 20),
    )
    with pytest.raises(DomainError) as caught:
        services.payout_results_import(by=people["bob"], batch=cash, path=path)
    assert caught.value.code == "warmth.not_a_payout"


def test_goods_only_lines_of_a_bank_batch_are_handed_over_at_once(
    running, listed, tree, people, dora, tmp_path
) -> None:
    alice = people["alice"]
    elderly = make_target(running, tree, alice)  # ¥0 cash, ¥200 goods
    a1 = Target.objects.get(member=listed["a1"])
    batch = bank_batch(running, tree["a"], alice, a1, elderly)
    assert status_of("甲三") == TargetStatus.DELIVERED and status_of("甲一") == TargetStatus.PAYING
    path = result_file(tmp_path, batch, alice, {"甲一": "卡片已挂失"})
    assert len(list(Sheet(path).rows())) == 2  # 甲一 only: nothing of 甲三's goes to the bank

    summary = services.payout_results_import(by=alice, batch=batch, path=path)

    assert (summary["paid"], summary["failed"]) == (0, 1)
    assert (status_of("甲一"), status_of("甲三")) == (TargetStatus.LISTED, TargetStatus.DELIVERED)
    assert selectors.spent_from(running, tree["a"]) == 20_000


def test_the_campaign_closes_only_when_every_bank_result_is_in(
    sent, running, dora, people, tmp_path
) -> None:
    with pytest.raises(DomainError) as caught:
        services.campaign_transition(by=dora, campaign=running, to="closed")
    assert caught.value.code == "warmth.payout_waiting"
    path = result_file(tmp_path, sent, people["alice"], {})
    services.payout_results_import(by=people["alice"], batch=sent, path=path)
    assert services.campaign_transition(by=dora, campaign=running, to="closed").status == "closed"
