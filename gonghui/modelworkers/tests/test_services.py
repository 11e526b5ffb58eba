"""The program's writes: registry and the member flag, policies and the monthly batches (amounts,
idempotency, missing accounts, the payout round trip and failures carried over), health checks,
the 疗休养 rotation and 劳模大讲堂 places; and the indicators."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.core import ledger
from gonghui.core.errors import DomainError, Forbidden
from gonghui.core.excel import xlsx_bytes
from gonghui.core.indicators import Scope, value
from gonghui.core.payouts import PayoutLine, result_file_bytes
from gonghui.jobs.models import Job
from gonghui.jobs.services import job_start
from gonghui.modelworkers import rules, selectors, services
from gonghui.modelworkers.models import (
    AllowanceLine,
    AllowancePaid,
    BatchStatus,
    Invitation,
    LineState,
    ModelWorker,
)
from gonghui.modelworkers.tests.conftest import give_card, policy, register
from gonghui.mutualaid.tests.conftest import make_member

pytestmark = pytest.mark.django_db

MONTH = date(2026, 10, 1)


def results(batch, tmp_path: Path, failed: set[str] = frozenset()) -> Path:
    outcomes = [
        (
            PayoutLine(line.reference, line.model_worker.member.name, "6200", line.amount_fen),
            line.reference not in failed,
            "户名不符" if line.reference in failed else "",
        )
        for line in batch.lines.filter(state=LineState.PENDING).select_related(
            "model_worker__member"
        )
    ]
    path = tmp_path / "result.xlsx"
    path.write_bytes(result_file_bytes(outcomes))
    return path


def sent_batch(pat, month: date = MONTH):
    batch = services.batch_generate(by=pat, month=month)
    batch = services.batch_approve(by=pat, batch=batch)
    services.batch_payout_file(by=pat, batch=batch)
    batch.refresh_from_db()
    return batch


# -- registry -------------------------------------------------------------------------------


def test_registering_sets_the_member_flag_and_revoking_the_last_title_clears_it(pat, tree):
    member = make_member(tree["a"], 11)
    worker = register(pat, member, level="city", year=2005)
    member.refresh_from_db()
    assert member.is_model_worker and worker.registered and worker.level == "city"

    worker = register(pat, member, level="national", year=2015)
    assert (worker.level, worker.award_year) == ("national", 2015)

    national = worker.honours.get(level="national")
    worker = services.honour_revoke(by=pat, honour=national, reason="撤销称号")
    assert worker.level == "city" and worker.registered
    worker = services.honour_revoke(by=pat, honour=worker.honours.get(level="city"), reason="撤销")
    member.refresh_from_db()
    assert not worker.registered and not member.is_model_worker
    assert AuditEntry.objects.filter(action="modelworkers.honour.revoked").count() == 2


def test_the_same_title_and_year_is_registered_once(pat, tree):
    member = make_member(tree["a"], 12)
    register(pat, member, level="city", year=2005)
    with pytest.raises(DomainError) as caught:
        register(pat, member, level="city", year=2005)
    assert caught.value.code == "modelworkers.honour_duplicate"


def test_a_union_outside_the_scope_cannot_register(tree, bea):
    member = make_member(tree["a"], 13)
    with pytest.raises(Forbidden):
        register(bea, member)


# -- allowances -----------------------------------------------------------------------------


def test_the_batch_pays_each_entitled_person_their_rate(pat, workers):
    policy(pat, MONTH.year)
    member = workers["a1"].member
    member.is_hardship = True  # set by the hardship program
    member.save(update_fields=["is_hardship"])
    batch = services.batch_generate(by=pat, month=date(2026, 10, 17))
    lines = {line.model_worker_id: line for line in batch.lines.all()}
    assert batch.month == MONTH
    assert lines[workers["a1"].pk].amount_fen == 120000 and lines[workers["a1"].pk].hardship
    assert lines[workers["a2"].pk].amount_fen == 50000
    assert lines[workers["b1"].pk].amount_fen == 20000
    assert lines[workers["a2"].pk].state == LineState.NO_ACCOUNT  # no card: 需补充账户
    assert lines[workers["a1"].pk].state == LineState.PENDING


def test_generating_a_month_twice_changes_nothing(pat, workers):
    policy(pat, MONTH.year)
    first = services.batch_generate(by=pat, month=MONTH)
    snapshot = list(AllowanceLine.objects.values_list("reference", "amount_fen", "state"))
    second = services.batch_generate(by=pat, month=MONTH)
    assert second.pk == first.pk
    assert list(AllowanceLine.objects.values_list("reference", "amount_fen", "state")) == snapshot
    assert AuditEntry.objects.filter(action="modelworkers.batch.generated").count() == 1


def test_a_new_model_worker_and_a_new_card_join_the_draft_batch_on_the_next_run(pat, workers, tree):
    policy(pat, MONTH.year)
    services.batch_generate(by=pat, month=MONTH)
    give_card(workers["a2"].member)
    late = register(pat, make_member(tree["b"], 14), level="national", status="working")
    batch = services.batch_generate(by=pat, month=MONTH)
    assert batch.lines.get(model_worker=workers["a2"]).state == LineState.PENDING
    assert batch.lines.get(model_worker=late).amount_fen == 50000


def test_deceased_and_unentitled_levels_get_nothing(pat, tree):
    policy(pat, MONTH.year)
    dead = register(pat, make_member(tree["a"], 15), level="national", status="deceased")
    working_city = register(pat, make_member(tree["a"], 16), level="city", status="working")
    batch = services.batch_generate(by=pat, month=MONTH)
    assert not batch.lines.filter(model_worker__in=[dead, working_city]).exists()


def test_without_a_policy_for_the_year_no_batch_is_made(pat, workers):
    with pytest.raises(DomainError) as caught:
        services.batch_generate(by=pat, month=MONTH)
    assert caught.value.code == "modelworkers.batch.no_policy"


def test_only_the_city_runs_batches(pat, workers, people):
    policy(pat, MONTH.year)
    with pytest.raises(Forbidden):
        services.batch_generate(by=people["carol"], month=MONTH)


def test_an_approved_batch_is_not_changed_by_generating_again(pat, workers, tree):
    policy(pat, MONTH.year)
    batch = services.batch_approve(by=pat, batch=services.batch_generate(by=pat, month=MONTH))
    register(pat, make_member(tree["a"], 17), level="national")
    again = services.batch_generate(by=pat, month=MONTH)
    assert again.status == BatchStatus.APPROVED
    assert again.lines.count() == batch.lines.count()


def test_payout_round_trip_pays_into_the_ledger_and_carries_failures_over(pat, workers, tmp_path):
    policy(pat, MONTH.year)
    batch = sent_batch(pat)
    assert batch.status == BatchStatus.SENT
    b1_line = batch.lines.get(model_worker=workers["b1"])
    outcome = services.batch_results_import(
        by=pat,
        batch=batch,
        path=results(batch, tmp_path, {b1_line.reference}),
        paid_on=date(2026, 11, 5),
    )
    assert outcome == {"paid": 1, "failed": 1, "paid_fen": 80000}
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED
    paid = AllowancePaid.objects.get()
    assert (paid.model_worker, paid.amount_fen, paid.for_month) == (workers["a1"], 80000, MONTH)
    assert (paid.chain, paid.seq) == (str(MONTH.year), 1)
    assert ledger.verify(AllowancePaid) is None
    b1_line.refresh_from_db()
    assert b1_line.state == LineState.FAILED and b1_line.reason == "户名不符"

    november = services.batch_generate(by=pat, month=date(2026, 11, 1))
    carried = november.lines.get(carried_from=b1_line)
    assert (carried.for_month, carried.amount_fen, carried.state) == (MONTH, 20000, "pending")
    b1_line.refresh_from_db()
    assert b1_line.state == LineState.CARRIED
    # Its own November line as well: the failed October one does not replace it.
    assert november.lines.filter(model_worker=workers["b1"]).count() == 2


def test_the_payout_file_holds_the_pending_lines_with_their_card_accounts(pat, workers):
    from gonghui.core.excel import iter_rows

    policy(pat, MONTH.year)
    batch = services.batch_approve(by=pat, batch=services.batch_generate(by=pat, month=MONTH))
    data = services.batch_payout_file(by=pat, batch=batch)
    path = Path(__import__("tempfile").mkdtemp()) / "payout.xlsx"
    path.write_bytes(data)
    rows = list(iter_rows(path))
    assert rows[0][:5] == ["序号", "业务编号", "收款人", "收款账号", "金额（元）"]
    accounts = {row[2]: (row[3], row[4]) for row in rows[1:]}
    assert accounts == {
        "甲劳模": (workers["a1"].member.cards.get().bank_card_no, "800.00"),
        "丙劳模": (workers["b1"].member.cards.get().bank_card_no, "200.00"),
    }


def test_a_result_file_that_does_not_match_the_batch_is_refused_whole(pat, workers, tmp_path):
    policy(pat, MONTH.year)
    batch = sent_batch(pat)
    path = tmp_path / "wrong.xlsx"
    path.write_bytes(
        result_file_bytes([(PayoutLine("MW209901-000001", "某人", "62", 100), True, "")])
    )
    with pytest.raises(DomainError) as caught:
        services.batch_results_import(by=pat, batch=batch, path=path)
    assert caught.value.code == "modelworkers.batch.results_invalid"
    assert not AllowancePaid.objects.exists()
    assert batch.lines.filter(state=LineState.PENDING).count() == 2


def test_a_result_file_with_a_wrong_amount_or_a_missing_line_names_them(pat, workers, tmp_path):
    policy(pat, MONTH.year)
    batch = sent_batch(pat)
    first, second = batch.lines.filter(state=LineState.PENDING).order_by("id")
    path = tmp_path / "short.xlsx"
    path.write_bytes(
        result_file_bytes(
            [(PayoutLine(first.reference, "某人", "62", first.amount_fen + 1), True, "")]
        )
    )
    with pytest.raises(DomainError) as caught:
        services.batch_results_import(by=pat, batch=batch, path=path)
    assert caught.value.code == "modelworkers.batch.results_invalid"
    problems = caught.value.details["problems"]
    assert any("金额与发放明细不符" in p for p in problems)
    assert any(second.reference in p and "缺少 1 条" in p for p in problems)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SENT and not AllowancePaid.objects.exists()


def test_paid_allowances_count_in_the_indicator(pat, workers, tmp_path):
    scope = Scope(date(2026, 1, 1), date(2026, 12, 31))
    assert value("modelworkers.allowance_paid_fen", scope) is None
    policy(pat, MONTH.year)
    batch = sent_batch(pat)
    services.batch_results_import(
        by=pat, batch=batch, path=results(batch, tmp_path), paid_on=date(2026, 11, 5)
    )
    assert value("modelworkers.allowance_paid_fen", scope) == Decimal(100000)
    county_b = Scope(
        date(2026, 1, 1), date(2026, 12, 31), union_path=workers["b1"].member.union.path
    )
    assert value("modelworkers.allowance_paid_fen", county_b) == Decimal(20000)
    other_dept = Scope(date(2026, 1, 1), date(2026, 12, 31), department="publicity")
    assert value("modelworkers.allowance_paid_fen", other_dept) is None


# -- health checks --------------------------------------------------------------------------


def test_the_health_check_list_shows_who_is_due_this_year(pat, workers):
    year = timezone.localdate().year
    policy(pat, year)  # national and provincial: once a year; city: none
    due = set(selectors.health_due(actor=pat, year=year))
    assert due == {workers["a1"], workers["a2"]}
    services.health_check_record(
        by=pat,
        model_worker=workers["a1"],
        year=year,
        done_on=date(year, 1, 2),
        institution="市人民医院体检中心",
    )
    assert set(selectors.health_due(actor=pat, year=year)) == {workers["a2"]}
    with pytest.raises(DomainError):
        services.health_check_record(
            by=pat,
            model_worker=workers["a1"],
            year=year,
            done_on=date(year, 1, 3),
            institution="又一次",
        )


# -- 疗休养 ---------------------------------------------------------------------------------


def test_invitations_follow_the_rotation_and_a_decline_keeps_the_place(pat, tree):
    city = tree["city"]
    today = timezone.localdate()
    workers = [
        register(pat, make_member(tree["a"], 20 + i), level=level, year=year)
        for i, (level, year) in enumerate(
            [("city", 2000), ("national", 2010), ("national", 2001), ("provincial", 1999)]
        )
    ]
    past = services.trip_create(
        by=pat,
        union=city,
        destination="往期",
        starts_on=today - timedelta(days=90),
        ends_on=today - timedelta(days=85),
        quota=2,
    )
    first = services.trip_invite(by=pat, trip=past)
    # Nobody went before: higher level first, then earlier award year.
    assert [i.model_worker_id for i in first] == [workers[2].pk, workers[1].pk]
    services.invitation_move(by=pat, invitation=first[0], to="accepted")
    services.invitation_move(by=pat, invitation=first[0], to="attended")
    services.invitation_move(by=pat, invitation=first[1], to="declined")
    refill = services.trip_invite(by=pat, trip=past)
    assert [i.model_worker_id for i in refill] == [workers[3].pk]  # the place freed is refilled
    services.invitation_move(by=pat, invitation=refill[0], to="accepted")

    upcoming = services.trip_create(
        by=pat,
        union=city,
        destination="本期",
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=35),
        quota=2,
    )
    chosen = services.trip_invite(by=pat, trip=upcoming)
    # The one who declined keeps the head of the queue; the one who went is at the back.
    assert [i.model_worker_id for i in chosen] == [workers[1].pk, workers[0].pk]
    with pytest.raises(DomainError) as caught:
        services.trip_invite(by=pat, trip=upcoming)
    assert caught.value.code == "modelworkers.trip.full"


def test_attendance_waits_for_the_trip_and_counts_in_the_indicator(pat, tree):
    today = timezone.localdate()
    worker = register(pat, make_member(tree["a"], 30))
    trip = services.trip_create(
        by=pat,
        union=tree["city"],
        destination="下月",
        starts_on=today + timedelta(days=3),
        ends_on=today + timedelta(days=5),
        quota=1,
    )
    invitation = services.trip_invite(by=pat, trip=trip)[0]
    services.invitation_move(by=pat, invitation=invitation, to="accepted")
    with pytest.raises(DomainError):
        services.invitation_move(by=pat, invitation=invitation, to="attended")
    assert Invitation.objects.get().model_worker == worker
    scope = Scope(today - timedelta(days=10), today + timedelta(days=10))
    assert value("modelworkers.recuperation_participants", scope) == Decimal(0)


# -- 劳模大讲堂 -----------------------------------------------------------------------------


def lecture_for(pat, tree, capacity: int = 1):
    speaker = register(pat, make_member(tree["a"], 40))
    return services.lecture_create(
        by=pat,
        union=tree["city"],
        title="工匠精神",
        speaker=speaker,
        starts_at=timezone.now() + timedelta(days=3),
        place="文化宫",
        capacity=capacity,
    )


def portal_member(tree, people, seed: int, union: str = "a", username: str = ""):
    from gonghui.conftest import make_user

    member = make_member(tree[union], seed)
    member.account = people["member"] if not username else make_user(username, kind="member")
    member.save(update_fields=["account"])
    return member


def test_capacity_is_never_exceeded_and_a_cancel_frees_the_place(pat, tree, people):
    lecture = lecture_for(pat, tree, capacity=1)
    first = portal_member(tree, people, 41)
    second = portal_member(tree, people, 42, union="b", username="m2")
    services.lecture_sign_up(by=first.account, lecture=lecture, member=first)
    with pytest.raises(DomainError) as caught:
        services.lecture_sign_up(by=second.account, lecture=lecture, member=second)
    assert caught.value.code == "modelworkers.lecture.full"
    services.lecture_sign_up_cancel(by=first.account, lecture=lecture, member=first)
    services.lecture_sign_up(by=second.account, lecture=lecture, member=second)
    lecture.refresh_from_db()
    assert lecture.signed_up == 1


def test_a_member_signs_up_once_and_only_for_themselves(pat, tree, people):
    lecture = lecture_for(pat, tree, capacity=5)
    member = portal_member(tree, people, 43)
    other = make_member(tree["a"], 44)
    services.lecture_sign_up(by=member.account, lecture=lecture, member=member)
    with pytest.raises(DomainError) as caught:
        services.lecture_sign_up(by=member.account, lecture=lecture, member=member)
    assert caught.value.code == "modelworkers.lecture.signed"
    with pytest.raises(Forbidden):
        services.lecture_sign_up(by=member.account, lecture=lecture, member=other)


def test_a_county_lecture_is_not_open_to_another_county(pat, tree, people):
    speaker = register(pat, make_member(tree["a"], 45))
    lecture = services.lecture_create(
        by=pat,
        union=tree["county_a"],
        title="区讲堂",
        speaker=speaker,
        starts_at=timezone.now() + timedelta(days=2),
        place="甲区",
        capacity=10,
    )
    outsider = portal_member(tree, people, 46, union="b")
    with pytest.raises(DomainError) as caught:
        services.lecture_sign_up(by=outsider.account, lecture=lecture, member=outsider)
    assert caught.value.code == "modelworkers.lecture.not_open"


# -- import ---------------------------------------------------------------------------------


def upload(rows: list[list[object]]):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(
        "劳模.xlsx",
        xlsx_bytes(["会员号", "荣誉称号", "级别", "授予年份", "获奖时所在单位", "状态"], rows),
    )


def test_the_import_registers_every_row_or_names_the_bad_ones(
    pat, tree, django_capture_on_commit_callbacks
):
    one, two = make_member(tree["a"], 50), make_member(tree["b"], 51)
    with django_capture_on_commit_callbacks(execute=True):
        bad = job_start(
            by=pat,
            kind="modelworkers.import",
            title="导入",
            params={},
            input_file=upload(
                [
                    [one.member_no, "全国劳动模范", "全国", 2010, "甲厂", "退休"],
                    ["M999999999", "市劳动模范", "市级", 2012, "乙厂", ""],
                    [two.member_no, "市劳动模范", "区级", 2012, "乙厂", ""],
                ]
            ),
        )
    bad.refresh_from_db()
    assert bad.status == "failed"
    assert [e["row"] for e in bad.summary["errors"]] == [3, 4]
    assert not ModelWorker.objects.exists()

    rows = [
        [one.member_no, "全国劳动模范", "全国", 2010, "甲厂", "退休"],
        [two.member_no, "市劳动模范", "市级", 2012, "乙厂", ""],
    ]
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            job = job_start(
                by=pat, kind="modelworkers.import", title="导入", params={}, input_file=upload(rows)
            )
        job.refresh_from_db()
        assert job.status == "succeeded", job.summary
    assert job.summary["unchanged"] == 2 and job.summary["created"] == 0
    assert ModelWorker.objects.get(member=one).status == rules.RETIRED
    assert Job.objects.count() == 3


@pytest.mark.django_db
def test_the_allowance_ledger_refuses_changes(pat, workers, tmp_path):
    from django.db import DatabaseError, transaction

    policy(pat, MONTH.year)
    batch = sent_batch(pat)
    services.batch_results_import(
        by=pat, batch=batch, path=results(batch, tmp_path, set()), paid_on=date(2026, 11, 5)
    )
    paid = AllowancePaid.objects.first()
    assert paid is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        AllowancePaid.objects.filter(pk=paid.pk).update(amount_fen=1)
