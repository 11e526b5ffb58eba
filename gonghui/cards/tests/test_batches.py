"""Bulk issuance: a union's batch, the production file for the bureau, and the bureau's
result file imported back (all or nothing, idempotent), as services, pages and commands."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from gonghui.audit.models import AuditEntry
from gonghui.cards import services
from gonghui.cards.citizen_card import (
    PRODUCTION_HEADERS,
    RESULT_HEADERS,
    FakeBureau,
    fictitious_bank_no,
    fictitious_citizen_no,
)
from gonghui.cards.models import Card, CardEvent, CardStatus, IssueBatch
from gonghui.core.errors import DomainError, Forbidden, NotFound
from gonghui.core.excel import write_xlsx
from gonghui.jobs.models import Job, JobStatus
from gonghui.members.models import MemberStatus

pytestmark = pytest.mark.django_db
S = CardStatus


def read(content: bytes) -> list[list]:
    return list(
        CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).iter_rows()
    )


def result_file(tmp_path: Path, rows, name="result.xlsx") -> Path:
    path = tmp_path / name
    write_xlsx(path, RESULT_HEADERS, rows)
    return path


@pytest.fixture
def three(make_member, tree):
    return [make_member(tree["a"]) for _ in range(3)]


@pytest.fixture
def sent(people, three):
    batch = services.batch_create(by=people["alice"], union=three[0].union, members=three)
    return services.batch_send(by=people["alice"], batch=batch)


def fake_rows(batch, fail_every=0):
    pairs = [(batch.batch_no, c.member.member_no) for c in batch.cards.order_by("id")]
    return FakeBureau(fail_every=fail_every).answer_rows(pairs)


def cards_state(batch):
    return list(
        batch.cards.order_by("id").values_list(
            "status", "citizen_index", "bank_last4", "updated_at"
        )
    )


# -- making a batch ------------------------------------------------------------------------


def test_a_batch_of_members_without_a_card(people, tree, three, make_card, make_member) -> None:
    has_card = make_member(tree["a"])
    make_card(has_card, S.ACTIVE)
    from gonghui.cards import selectors

    eligible = selectors.members_for_batch(actor=people["alice"], union=tree["a"])
    assert set(eligible) == set(three)

    batch = services.batch_create(by=people["alice"], union=tree["a"], members=eligible)

    assert batch.batch_no.startswith("ZK") and len(batch.batch_no) == 14
    assert batch.status == IssueBatch.Status.OPEN
    assert set(batch.cards.values_list("member", flat=True)) == {m.pk for m in three}
    assert set(batch.cards.values_list("status", flat=True)) == {S.APPLIED}
    assert AuditEntry.objects.filter(action="cards.card.applied").count() == 3
    entry = AuditEntry.objects.get(action="cards.batch.created")
    assert entry.changes["cards"] == 3
    assert not selectors.members_for_batch(actor=people["alice"], union=tree["a"]).exists()


def test_an_applied_card_joins_the_batch_and_a_failed_one_the_next(people, tree, three) -> None:
    applied = services.card_apply(by=people["alice"], member=three[0])
    batch = services.batch_create(by=people["alice"], union=tree["a"], members=three)
    applied.refresh_from_db()
    assert applied.batch == batch
    assert batch.cards.count() == 3
    with pytest.raises(DomainError) as caught:  # already waiting in an open batch
        services.batch_create(by=people["alice"], union=tree["a"], members=three[:1])
    assert caught.value.code == "cards.already_has_card"


def test_a_batch_is_all_or_nothing(people, tree, three, make_card) -> None:
    make_card(three[2], S.ACTIVE)
    with pytest.raises(DomainError) as caught:
        services.batch_create(by=people["alice"], union=tree["a"], members=three)
    assert caught.value.code == "cards.already_has_card"
    assert three[2].name in caught.value.message
    assert not IssueBatch.objects.exists()
    assert Card.objects.count() == 1


def test_members_must_be_in_good_standing_and_in_the_subtree(people, tree, three, member_b):
    with pytest.raises(NotFound):
        services.batch_create(by=people["alice"], union=tree["a"], members=[*three, member_b])
    three[0].status = MemberStatus.LEFT
    three[0].save(update_fields=["status"])
    with pytest.raises(DomainError) as caught:
        services.batch_create(by=people["alice"], union=tree["a"], members=three)
    assert caught.value.code == "cards.member_not_active"
    with pytest.raises(Forbidden):
        services.batch_create(by=people["bob"], union=tree["a"], members=three[1:])
    assert not IssueBatch.objects.exists()


def test_an_empty_batch_is_refused(people, tree) -> None:
    with pytest.raises(DomainError) as caught:
        services.batch_create(by=people["alice"], union=tree["a"], members=[])
    assert caught.value.code == "cards.batch_empty"


def test_members_from_an_uploaded_list(people, tree, three, member_b, tmp_path) -> None:
    path = tmp_path / "list.xlsx"
    write_xlsx(
        path,
        ["会员号", "身份证号"],
        [
            [three[0].member_no, ""],
            ["", three[1].id_number],
            [member_b.member_no, ""],
            ["M999999999", ""],
        ],
    )
    members, errors = services.read_member_list(actor=people["alice"], union=tree["a"], path=path)
    assert members == three[:2]
    assert [(e.row, e.column, e.code) for e in errors] == [
        (4, "会员号", "cards.list_unknown"),  # union B's member: not in this subtree
        (5, "会员号", "cards.list_unknown"),
    ]
    assert all("没有这名会员" in e.reason for e in errors)


# -- sending and the production file --------------------------------------------------------


def test_sending_puts_the_cards_in_production(people, sent) -> None:
    assert sent.status == IssueBatch.Status.SENT and sent.sent_at
    assert set(sent.cards.values_list("status", flat=True)) == {S.PRODUCING}
    assert AuditEntry.objects.filter(action="cards.card.sent").count() == 3
    assert AuditEntry.objects.filter(action="cards.batch.sent").count() == 1
    with pytest.raises(DomainError) as caught:
        services.batch_send(by=people["alice"], batch=sent)
    assert caught.value.code == "cards.batch_not_open"


def test_the_production_file_has_full_numbers_and_is_audited(people, sent, three) -> None:
    out = io.BytesIO()
    assert services.batch_production_file(by=people["alice"], batch=sent, target=out) == 3
    rows = read(out.getvalue())
    assert tuple(rows[0]) == PRODUCTION_HEADERS
    by_no = {r[1]: r for r in rows[1:]}
    member = three[0]
    assert by_no[member.member_no] == [
        sent.batch_no,
        member.member_no,
        member.name,
        member.id_number,
        member.phone,
        member.union.name,
    ]
    entry = AuditEntry.objects.get(action="cards.batch.production_exported")
    assert entry.changes == {"cards": 3, "full_id_numbers": True}


def test_the_production_file_needs_the_reveal_permission(people, sent, tree) -> None:
    from gonghui.conftest import make_user

    staff = make_user("baozhang", assignments=[(tree["city"], "dept_staff", "security")])
    with pytest.raises(Forbidden):
        services.batch_production_file(by=staff, batch=sent, target=io.BytesIO())
    with pytest.raises(Forbidden):
        services.batch_production_file(by=people["bob"], batch=sent, target=io.BytesIO())


def test_the_fake_bureau_answers_the_production_file(people, sent, tmp_path) -> None:
    production = tmp_path / "production.xlsx"
    with production.open("wb") as out:
        services.batch_production_file(by=people["alice"], batch=sent, target=out)
    answer = io.BytesIO()
    assert FakeBureau(fail_every=2).answer(production, answer) == 3
    rows = read(answer.getvalue())
    assert tuple(rows[0]) == RESULT_HEADERS
    assert [r[4] for r in rows[1:]] == ["成功", "失败", "成功"]
    assert rows[1][2] == fictitious_citizen_no(f"{sent.batch_no}:{rows[1][1]}")
    assert rows[1][3] == fictitious_bank_no(f"{sent.batch_no}:{rows[1][1]}")
    assert rows[2][5]


# -- the result file ----------------------------------------------------------------------


def test_a_good_result_file_makes_the_cards(people, sent, tmp_path) -> None:
    path = result_file(tmp_path, fake_rows(sent, fail_every=3))

    summary = services.batch_result_apply(by=people["alice"], batch=sent, path=path)

    assert (summary.made, summary.failed, summary.unchanged, summary.pending) == (2, 1, 0, 0)
    assert summary.written and not summary.errors
    sent.refresh_from_db()
    assert sent.status == IssueBatch.Status.RETURNED and sent.returned_at
    made = list(sent.cards.filter(status=S.MADE).select_related("member").order_by("id"))
    assert len(made) == 2
    card = made[0]
    number = fictitious_citizen_no(f"{sent.batch_no}:{card.member.member_no}")
    assert card.citizen_card_no == number
    assert card.citizen_last4 == number[-4:]
    assert card.citizen_index == services.citizen_index(number)
    assert card.bank_card_no == fictitious_bank_no(f"{sent.batch_no}:{card.member.member_no}")
    failed = sent.cards.get(status=S.APPLIED)
    assert "照片不合格" in failed.events.order_by("-id").first().note
    assert AuditEntry.objects.filter(action="cards.card.made").count() == 2
    assert AuditEntry.objects.filter(action="cards.card.production_failed").count() == 1
    entry = AuditEntry.objects.filter(action="cards.card.made").first()
    assert number not in str(entry.changes)  # masked in the log
    assert AuditEntry.objects.filter(action="cards.batch.result_imported").count() == 1


def test_importing_the_same_result_twice_changes_nothing(people, sent, tmp_path) -> None:
    path = result_file(tmp_path, fake_rows(sent, fail_every=3))
    services.batch_result_apply(by=people["alice"], batch=sent, path=path)
    before = cards_state(sent)
    events = CardEvent.objects.count()
    audit = AuditEntry.objects.count()

    again = services.batch_result_apply(by=people["alice"], batch=sent, path=path)

    assert (again.made, again.failed, again.unchanged, again.written) == (0, 0, 3, False)
    assert not again.errors
    assert cards_state(sent) == before
    assert CardEvent.objects.count() == events
    assert AuditEntry.objects.count() == audit


def test_bad_rows_are_all_reported_and_nothing_is_written(people, sent, tmp_path, three) -> None:
    rows = fake_rows(sent)
    rows[0][2] = "12345"  # too short
    rows[1][3] = rows[1][3][:-1] + str((int(rows[1][3][-1]) + 1) % 10)  # Luhn broken
    rows.append([sent.batch_no, three[2].member_no, "4199000000000001", "", "成功", ""])  # twice
    rows.append(["ZK000000000000", three[0].member_no, "", "", "失败", "x"])  # other batch
    rows.append([sent.batch_no, "M999999999", "", "", "失败", "x"])  # not in the batch
    rows.append([sent.batch_no, three[0].member_no, "", "", "待定", ""])  # bad outcome
    before = cards_state(sent)

    summary = services.batch_result_apply(
        by=people["alice"], batch=sent, path=result_file(tmp_path, rows)
    )

    assert not summary.written
    found = {(e.row, e.column, e.code) for e in summary.errors}
    assert found == {
        (2, "市民卡号", "cards.card_no_invalid"),
        (3, "联名银行卡号", "cards.bank_card_invalid"),
        (5, "会员号", "cards.result_duplicate"),
        (6, "批次号", "cards.result_other_batch"),
        (7, "会员号", "cards.result_unknown"),
        (8, "结果", "cards.result_outcome_invalid"),
    }
    assert all(e.reason for e in summary.errors)
    assert [e.row for e in summary.errors] == sorted(e.row for e in summary.errors)
    assert "12345" not in {e.value for e in summary.errors}  # numbers masked in the report
    assert cards_state(sent) == before
    sent.refresh_from_db()
    assert sent.status == IssueBatch.Status.SENT


def test_a_number_already_on_another_card_is_refused(people, sent, tmp_path, card_b) -> None:
    rows = fake_rows(sent)
    rows[0][2] = card_b.citizen_card_no
    summary = services.batch_result_apply(
        by=people["alice"], batch=sent, path=result_file(tmp_path, rows)
    )
    assert [(e.row, e.code) for e in summary.errors] == [(2, "cards.card_no_taken")]
    assert set(sent.cards.values_list("status", flat=True)) == {S.PRODUCING}


def test_a_partial_result_leaves_the_batch_sent(people, sent, tmp_path) -> None:
    summary = services.batch_result_apply(
        by=people["alice"], batch=sent, path=result_file(tmp_path, fake_rows(sent)[:2])
    )
    assert (summary.made, summary.pending) == (2, 1)
    sent.refresh_from_db()
    assert sent.status == IssueBatch.Status.SENT


def test_a_result_for_an_open_batch_is_refused(people, tree, three, tmp_path) -> None:
    batch = services.batch_create(by=people["alice"], union=tree["a"], members=three)
    with pytest.raises(DomainError) as caught:
        services.batch_result_apply(
            by=people["alice"], batch=batch, path=result_file(tmp_path, fake_rows(batch))
        )
    assert caught.value.code == "cards.batch_not_sent"


def test_a_file_without_the_columns_is_refused(people, sent, tmp_path) -> None:
    path = tmp_path / "wrong.xlsx"
    write_xlsx(path, ["姓名", "电话"], [["张三", "138"]])
    with pytest.raises(DomainError) as caught:
        services.batch_result_apply(by=people["alice"], batch=sent, path=path)
    assert caught.value.code == "file.no_header"


def test_card_numbers_typed_as_spreadsheet_numbers(people, sent, tmp_path) -> None:
    import xlsxwriter

    rows = fake_rows(sent)
    path = tmp_path / "numbers.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, RESULT_HEADERS)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, [row[0], row[1], int(row[2]), "", row[4], row[5]])
    workbook.close()
    summary = services.batch_result_apply(by=people["alice"], batch=sent, path=path)
    # 16 digits do not survive a number cell: refused with advice, nothing written.
    assert {e.code for e in summary.errors} == {"cards.result_number_cell"}
    assert "文本格式" in summary.errors[0].reason


# -- through the pages: the job with its progress --------------------------------------------


def test_the_officer_uploads_the_result_and_follows_the_job(
    login_as, people, sent, tmp_path, django_capture_on_commit_callbacks
):
    client = login_as(people["alice"])
    path = result_file(tmp_path, fake_rows(sent))
    upload = SimpleUploadedFile("回盘.xlsx", path.read_bytes())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/w/cards/batches/{sent.public_id}/result/", {"file": upload})

    job = Job.objects.get(kind="cards.result_import")
    assert response.status_code == 302
    assert response["Location"].endswith(f"?job={job.public_id}")
    assert job.status == JobStatus.SUCCEEDED, job.summary
    assert job.summary["made"] == 3
    page = client.get(response["Location"]).content.decode()
    assert "制卡成功，待激活" in page
    assert page.count("待激活") >= 4
    partial = client.get(
        f"/w/cards/batches/{sent.public_id}/jobs/{job.public_id}/", HTTP_HX_REQUEST="true"
    )
    assert partial.status_code == 200
    assert 'id="result-job"' in partial.content.decode()
    assert partial["HX-Refresh"] == "true"  # the page around it is stale: reload once


def test_a_bad_result_file_gives_an_error_report(
    login_as, people, sent, tmp_path, django_capture_on_commit_callbacks
) -> None:
    client = login_as(people["alice"])
    rows = fake_rows(sent)
    rows[1][2] = "abc"
    upload = SimpleUploadedFile("回盘.xlsx", result_file(tmp_path, rows).read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/w/cards/batches/{sent.public_id}/result/", {"file": upload})
    job = Job.objects.get(kind="cards.result_import")
    assert job.status == JobStatus.SUCCEEDED
    assert job.summary["error_count"] == 1 and not job.summary["written"]
    assert job.result_file
    report = read(client.get(f"/w/jobs/{job.public_id}/result/").getvalue())
    assert report[0] == ["行号", "列", "内容", "原因"]
    assert report[1][:2] == [3.0, "市民卡号"] or report[1][:2] == [3, "市民卡号"]


def test_an_upload_that_is_not_a_sheet_is_refused(login_as, people, sent) -> None:
    client = login_as(people["alice"])
    upload = SimpleUploadedFile("回盘.xlsx", b"\x00\x01binary junk" * 10)
    response = client.post(f"/w/cards/batches/{sent.public_id}/result/", {"file": upload})
    assert response.status_code == 302
    assert not Job.objects.exists()


def test_bob_cannot_see_or_touch_union_as_batch(login_as, people, sent, tmp_path) -> None:
    client = login_as(people["bob"])
    base = f"/w/cards/batches/{sent.public_id}/"
    assert client.get(base).status_code == 404
    assert client.get(base + "production.xlsx").status_code == 404
    assert client.post(base + "send/").status_code == 404
    upload = SimpleUploadedFile("r.xlsx", result_file(tmp_path, fake_rows(sent)).read_bytes())
    assert client.post(base + "result/", {"file": upload}).status_code == 404
    assert not Job.objects.exists()


def test_the_batch_pages_walk_through(login_as, people, tree, three) -> None:
    client = login_as(people["alice"])
    page = client.get("/w/cards/batches/new/", {"union": "UA"})
    assert page.status_code == 200
    html = page.content.decode()
    assert all(m.member_no in html for m in three)

    response = client.post(
        "/w/cards/batches/new/",
        {
            "union": "UA",
            "q": "",
            "category": "",
            "scope": "selected",
            "member": [three[0].member_no],
        },
    )
    batch = IssueBatch.objects.get()
    assert response.status_code == 302
    assert list(batch.cards.values_list("member", flat=True)) == [three[0].pk]

    client.post("/w/cards/batches/new/", {"union": "UA", "scope": "all"})
    assert IssueBatch.objects.count() == 2
    assert Card.objects.count() == 3

    detail = f"/w/cards/batches/{batch.public_id}/"
    client.post(detail + "send/")
    batch.refresh_from_db()
    assert batch.status == IssueBatch.Status.SENT
    download = client.get(detail + "production.xlsx")
    assert download.status_code == 200
    assert read(download.getvalue())[1][3] == three[0].id_number
    fake = client.get(detail + "fake-result.xlsx")
    assert read(fake.getvalue())[1][4] == "成功"


def test_a_batch_from_an_uploaded_list_page(login_as, people, three, tmp_path) -> None:
    client = login_as(people["alice"])
    path = tmp_path / "list.xlsx"
    write_xlsx(path, ["会员号"], [[m.member_no] for m in three])
    response = client.post(
        "/w/cards/batches/from-list/",
        {"union": "UA", "file": SimpleUploadedFile("list.xlsx", path.read_bytes())},
    )
    assert response.status_code == 302
    assert IssueBatch.objects.get().cards.count() == 3

    write_xlsx(path, ["会员号"], [["M999999999"]])
    response = client.post(
        "/w/cards/batches/from-list/",
        {"union": "UA", "file": SimpleUploadedFile("list.xlsx", path.read_bytes())},
    )
    assert response.status_code == 400
    assert "没有这名会员" in response.content.decode()


# -- the commands -------------------------------------------------------------------------


def test_the_commands_play_the_bureau_and_import_its_answer(sent, tmp_path, capsys) -> None:
    out = tmp_path / "fake.xlsx"
    with pytest.raises(SystemExit) as done:
        call_command("cards_fake_result", sent.batch_no, str(out), "--fail-every", "3")
    assert done.value.code == 0
    with pytest.raises(SystemExit) as done:
        call_command("import_card_result", sent.batch_no, str(out), "--json")
    assert done.value.code == 0
    assert '"made": 2' in capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        call_command("import_card_result", sent.batch_no, str(out), "--json")
    assert done.value.code == 0
    assert '"unchanged": 3' in capsys.readouterr().out
