"""The staff pages: list and search, the masked detail page with its reveal buttons, edits, and
the import and export pages that run as background jobs."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.audit.models import AuditEntry
from gonghui.core import idnumbers, paging
from gonghui.jobs.models import Job, JobStatus
from gonghui.members.exporter import HEADERS
from gonghui.members.models import Member, MemberStatus
from gonghui.members.tests.conftest import (
    HEADER,
    fake_people,
    read_xlsx_bytes,
    roster_row,
    write_xlsx,
)

pytestmark = pytest.mark.django_db

LIST = "/w/members/"


def masked(id_number: str) -> str:
    return id_number[:3] + "*" * 11 + id_number[-4:]


# -- list and search -----------------------------------------------------------------------


def test_the_list_searches_within_scope(login_as, people, member_a, member_b) -> None:
    response = login_as(people["alice"]).get(LIST, {"q": "zs"})
    assert response.status_code == 200
    html = response.content.decode()
    assert member_a.name in html
    assert masked(member_a.id_number) in html
    assert member_a.id_number not in html
    assert "138****5678" in html
    assert member_b.name not in html


def test_an_htmx_search_returns_only_the_table(login_as, people, member_a) -> None:
    response = login_as(people["alice"]).get(LIST, {"q": "张"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert member_a.member_no in html
    assert "<html" not in html


def test_an_empty_result_says_what_to_do(login_as, people, member_a) -> None:
    html = login_as(people["alice"]).get(LIST, {"q": "李"}).content.decode()
    assert "没有找到会员" in html
    assert "导入名册" in html


def test_a_broad_search_lists_the_first_matches_and_asks_for_a_narrower_one(
    login_as, people, tree, make_member, monkeypatch
) -> None:
    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    for _ in range(3):
        make_member(tree["a"])
    html = login_as(people["alice"]).get(LIST).content.decode()
    assert "匹配的会员超过 2 人，只列出前 2 人" in html
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    assert "匹配的会员超过" not in login_as(people["alice"]).get(LIST).content.decode()


def test_the_list_is_for_staff_with_members_view(login_as, people, tree) -> None:
    assert login_as(people["auditor"]).get(LIST).status_code == 403
    assert login_as(people["member"]).get(LIST).status_code == 403


# -- detail and reveal ---------------------------------------------------------------------


def test_the_detail_page_masks_and_offers_reveal(login_as, people, member_a) -> None:
    response = login_as(people["alice"]).get(f"{LIST}{member_a.member_no}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert masked(member_a.id_number) in html
    assert member_a.id_number not in html
    assert "13812345678" not in html
    assert html.count(">显示<") == 2
    assert f"{member_a.member_no}/reveal/id_number/" in html


def test_no_reveal_buttons_without_the_permission(login_as, leader, member_a) -> None:
    response = login_as(leader).get(f"{LIST}{member_a.member_no}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert masked(member_a.id_number) in html
    assert ">显示<" not in html
    assert "修改信息" not in html  # no edit form either


def test_an_outsider_gets_404_for_the_detail(login_as, people, member_a) -> None:
    assert login_as(people["bob"]).get(f"{LIST}{member_a.member_no}/").status_code == 404


def test_reveal_shows_the_full_value_and_audits(login_as, people, member_a) -> None:
    client = login_as(people["alice"])
    response = client.post(f"{LIST}{member_a.member_no}/reveal/id_number/")
    assert response.status_code == 200
    assert member_a.id_number in response.content.decode()
    phone = client.post(f"{LIST}{member_a.member_no}/reveal/phone/")
    assert "13812345678" in phone.content.decode()
    fields = list(
        AuditEntry.objects.filter(action="members.member.revealed", actor=people["alice"])
        .order_by("id")
        .values_list("changes", flat=True)
    )
    assert fields == [{"field": "id_number"}, {"field": "phone"}]


@pytest.mark.parametrize(("user", "status"), [("leader", 403), ("bob", 404)])
def test_reveal_is_refused_to_others(login_as, people, leader, member_a, user, status) -> None:
    actor = leader if user == "leader" else people[user]
    response = login_as(actor).post(f"{LIST}{member_a.member_no}/reveal/id_number/")
    assert response.status_code == status
    assert member_a.id_number not in response.content.decode()
    assert not AuditEntry.objects.filter(action="members.member.revealed").exists()


def test_reveal_is_a_post(login_as, people, member_a) -> None:
    response = login_as(people["alice"]).get(f"{LIST}{member_a.member_no}/reveal/id_number/")
    assert response.status_code == 405


# -- create and edit -----------------------------------------------------------------------


def test_register_a_member_on_the_page(login_as, people, tree) -> None:
    id_number = idnumbers.generate(random.Random(4), "410102", date(1991, 1, 2), "M")
    response = login_as(people["alice"]).post(
        f"{LIST}new/",
        {
            "union": "ua",
            "name": "王伟",
            "id_number": id_number,
            "phone": "13800001111",
            "ethnicity": "汉族",
            "education": "",
            "category": "employee",
        },
    )
    member = Member.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{member.member_no}/"
    assert (member.union, member.birth_date) == (tree["a"], date(1991, 1, 2))


def test_register_shows_the_rule_that_refused(login_as, people, tree, member_b) -> None:
    response = login_as(people["alice"]).post(
        f"{LIST}new/",
        {"union": "UA", "name": "张三丰", "id_number": member_b.id_number, "category": "employee"},
    )
    assert response.status_code == 200
    assert member_b.member_no in response.content.decode()  # 此人已是会员（会员号 …）
    assert Member.objects.count() == 1


def test_edit_on_the_detail_page(login_as, people, member_a) -> None:
    response = login_as(people["alice"]).post(
        f"{LIST}{member_a.member_no}/edit/",
        {"name": "张三", "phone": "13900001111", "ethnicity": "回族", "category": "courier"},
    )
    assert response.status_code == 302
    member_a.refresh_from_db()
    assert (member_a.phone, member_a.ethnicity) == ("13900001111", "回族")


def test_edit_with_the_phone_left_blank_keeps_it(login_as, people, member_a) -> None:
    login_as(people["alice"]).post(
        f"{LIST}{member_a.member_no}/edit/",
        {"name": "张三", "phone": "", "ethnicity": "", "category": "courier"},
    )
    member_a.refresh_from_db()
    assert member_a.phone == "13812345678"


def test_leave_without_a_reason_says_so(login_as, people, member_a) -> None:
    response = login_as(people["alice"]).post(f"{LIST}{member_a.member_no}/leave/", follow=True)
    assert "请填写原因" in response.content.decode()
    member_a.refresh_from_db()
    assert member_a.status == MemberStatus.ACTIVE


def test_an_outsider_cannot_act_on_a_member(login_as, people, member_a) -> None:
    response = login_as(people["bob"]).post(
        f"{LIST}{member_a.member_no}/leave/", {"reason": "恶意退会"}
    )
    assert response.status_code == 404
    member_a.refresh_from_db()
    assert member_a.status == MemberStatus.ACTIVE


# -- import as a background job ------------------------------------------------------------


def upload(tmp_path, rows) -> SimpleUploadedFile:
    path = write_xlsx(tmp_path / "roster.xlsx", rows)
    return SimpleUploadedFile("花名册.xlsx", path.read_bytes())


def test_import_page_runs_a_job(
    tmp_path, login_as, people, tree, django_capture_on_commit_callbacks
) -> None:
    client = login_as(people["alice"])
    rows = [roster_row(p) for p in fake_people(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{LIST}import/", {"union": "UA", "file": upload(tmp_path, rows)})
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/w/jobs/{job.public_id}/"
    assert job.status == JobStatus.SUCCEEDED
    assert (job.summary["created"], job.summary["error_count"], job.summary["written"]) == (
        3,
        0,
        True,
    )
    assert not job.result_file
    assert Member.objects.filter(union=tree["a"]).count() == 3
    assert AuditEntry.objects.get(action="members.import.created").actor == people["alice"]
    page = client.get(response["Location"])
    assert "已完成" in page.content.decode()


def test_an_import_with_errors_offers_the_report(
    tmp_path, login_as, people, tree, django_capture_on_commit_callbacks
) -> None:
    client = login_as(people["alice"])
    rows = [roster_row(p) for p in fake_people(3)]
    rows[1][HEADER.index("手机号码")] = "010-12345678"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{LIST}import/", {"union": "UA", "file": upload(tmp_path, rows)})
    job = Job.objects.get()
    assert job.status == JobStatus.SUCCEEDED
    assert (job.summary["error_count"], job.summary["written"]) == (1, False)
    assert job.summary["errors"][0]["row"] == 3
    assert not Member.objects.exists()
    page = client.get(f"/w/jobs/{job.public_id}/").content.decode()
    assert "手机号码" in page
    report = client.get(f"/w/jobs/{job.public_id}/result/")
    assert report.status_code == 200
    content = read_xlsx_bytes(b"".join(report.streaming_content), tmp_path)
    assert [int(r[0]) for r in content[1:]] == [3]


def test_an_import_of_an_unusable_file_fails_with_the_reason(
    tmp_path, login_as, people, tree, django_capture_on_commit_callbacks
) -> None:
    path = write_xlsx(tmp_path / "r.xlsx", [["张三", "x"]], header=["名字", "号码"])
    with django_capture_on_commit_callbacks(execute=True):
        login_as(people["alice"]).post(
            f"{LIST}import/",
            {"union": "UA", "file": SimpleUploadedFile("r.xlsx", path.read_bytes())},
        )
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.summary["code"] == "file.no_header"
    assert "姓名" in job.summary["message"]


def test_import_into_another_union_is_refused(
    tmp_path, login_as, people, tree, django_capture_on_commit_callbacks
) -> None:
    rows = [roster_row(p) for p in fake_people(2)]
    with django_capture_on_commit_callbacks(execute=True):
        response = login_as(people["alice"]).post(
            f"{LIST}import/", {"union": "UB", "file": upload(tmp_path, rows)}
        )
    assert response.status_code == 404
    assert not Job.objects.exists()
    assert not Member.objects.exists()


def test_import_page_refuses_a_file_that_is_not_a_table(login_as, people, tree) -> None:
    picture = SimpleUploadedFile("roster.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    response = login_as(people["alice"]).post(f"{LIST}import/", {"union": "UA", "file": picture})
    assert response.status_code == 200
    assert "不是 xlsx、xls 或 csv" in response.content.decode()
    assert not Job.objects.exists()


def test_import_page_needs_members_import(login_as, leader) -> None:
    assert login_as(leader).get(f"{LIST}import/").status_code == 403


# -- export as a background job ------------------------------------------------------------


def test_export_page_runs_a_job_whose_file_downloads(
    tmp_path, login_as, people, member_a, member_b, django_capture_on_commit_callbacks
) -> None:
    client = login_as(people["alice"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{LIST}export/", {"union": "UA", "format": "xlsx"})
    job = Job.objects.get()
    assert response["Location"] == f"/w/jobs/{job.public_id}/"
    assert job.status == JobStatus.SUCCEEDED
    assert job.summary == {"rows": 1, "revealed": False}
    download = client.get(f"/w/jobs/{job.public_id}/result/")
    assert download.status_code == 200
    rows = read_xlsx_bytes(b"".join(download.streaming_content), tmp_path)
    assert rows[0] == HEADERS
    assert [r[0] for r in rows[1:]] == [member_a.member_no]
    assert rows[1][HEADERS.index("身份证号")] == masked(member_a.id_number)
    assert AuditEntry.objects.get(action="members.exported").actor == people["alice"]
    # The file is its owner's: nobody else downloads it.
    assert login_as(people["bob"]).get(f"/w/jobs/{job.public_id}/result/").status_code == 404


def test_export_of_another_union_is_refused(login_as, people, member_b) -> None:
    response = login_as(people["alice"]).post(f"{LIST}export/", {"union": "UB", "format": "csv"})
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_a_revealed_export_is_recorded_as_revealed(
    tmp_path, login_as, people, member_a, django_capture_on_commit_callbacks
) -> None:
    client = login_as(people["alice"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{LIST}export/", {"union": "UA", "format": "xlsx", "reveal": "on"})
    job = Job.objects.get()
    assert job.summary == {"rows": 1, "revealed": True}
    download = client.get(f"/w/jobs/{job.public_id}/result/")
    rows = read_xlsx_bytes(b"".join(download.streaming_content), tmp_path)
    assert rows[1][HEADERS.index("身份证号")] == member_a.id_number
    assert AuditEntry.objects.get(action="members.exported").changes["revealed"] is True


def test_the_template_downloads(login_as, people, tmp_path) -> None:
    response = login_as(people["alice"]).get(f"{LIST}template.xlsx")
    assert response.status_code == 200
    rows = read_xlsx_bytes(b"".join(response.streaming_content), tmp_path)
    assert rows[0][:3] == ["姓名", "性别", "身份证号"]
