"""The staff pages, with the outsider (bob of union B) at hand."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.audit.models import AuditEntry
from gonghui.core.excel import Sheet
from gonghui.jobs.models import Job
from gonghui.warmth import services
from gonghui.warmth.models import Campaign, DistributionBatch, Target, TargetStatus
from gonghui.warmth.tests.conftest import make_member

pytestmark = pytest.mark.django_db

W = "/w/warmth"


def xlsx_rows(response, tmp_path) -> list[list]:
    path = tmp_path / "download.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    return [list(row) for row in Sheet(path).rows()]


def hand_out(campaign, union, by, *targets) -> DistributionBatch:
    return services.distribute(
        by=by,
        campaign=campaign,
        union=union,
        target_ids=[t.public_id for t in targets],
        method="cash",
        distributed_on=date(2026, 12, 20),
    )


def test_the_city_sets_up_a_campaign_through_the_pages(login_as, dora, tree) -> None:
    client = login_as(dora)
    form = client.get(f"{W}/new/").content.decode()
    assert "hardship_model" in form  # the default groups, as JSON to edit
    from gonghui.warmth.forms import CampaignForm

    response = client.post(
        f"{W}/new/",
        {
            "code": "w2",
            "name": "2028年元旦春节送温暖",
            "starts_on": "2027-12-01",
            "ends_on": "2028-02-28",
            "groups": CampaignForm.default_groups(),
        },
    )
    assert response.status_code == 302 and response["Location"] == f"{W}/W2/"
    client.post(
        f"{W}/W2/funds/",
        {
            "source": "enterprise",
            "donor": "某机械厂",
            "amount": "2,000.50",
            "received_on": "2027-11-01",
        },
    )
    client.post(f"{W}/W2/allocations/", {"union": "ca", "amount": "1000"})
    client.post(f"{W}/W2/move/", {"to": "active"})
    html = client.get(f"{W}/W2/").content.decode()
    assert "¥2,000.50" in html and "¥1,000.00" in html and "进行中" in html
    assert Campaign.objects.get(code="W2").allocations.get().amount_fen == 100_000


def test_officers_cannot_set_up_campaigns(login_as, people, campaign) -> None:
    alice = login_as(people["alice"])
    assert alice.get(f"{W}/new/").status_code == 403
    assert alice.post(f"{W}/{campaign.code}/move/", {"to": "active"}).status_code == 403
    assert login_as(people["member"]).get(f"{W}/").status_code == 403


def test_an_officer_hands_out_and_prints_the_receipt_list(
    login_as, people, running, listed, tree, django_assert_max_num_queries, tmp_path
) -> None:
    alice = login_as(people["alice"])
    with django_assert_max_num_queries(25):
        html = alice.get(f"{W}/{running.code}/targets/").content.decode()
    assert "甲一" in html and "甲二" in html and "乙一" not in html
    assert 'id="handout"' in html and 'data-testid="completion-rate">0.0%' in html
    a1 = Target.objects.get(member=listed["a1"])
    response = alice.post(
        f"{W}/{running.code}/distribute/",
        {
            "union": "UA",
            "method": "cash",
            "distributed_on": "2026-12-20",
            "targets": [str(a1.public_id)],
        },
    )
    batch = DistributionBatch.objects.get()
    assert response["Location"] == f"{W}/batches/{batch.public_id}/"
    printed = alice.get(f"{W}/batches/{batch.public_id}/print/").content.decode()
    assert "甲一" in printed and "领取人签字" in printed and "甲二" not in printed
    assert "合计 1 人" in printed and "¥700.00" in printed and "data-print" in printed
    html = alice.get(f"{W}/{running.code}/targets/").content.decode()
    assert 'data-testid="completion-rate">50.0%' in html
    rows = xlsx_rows(alice.get(f"{W}/batches/{batch.public_id}/xlsx/"), tmp_path)
    assert rows[0][:3] == ["序号", "会员号", "姓名"] and rows[1][2] == "甲一" and len(rows) == 2
    assert AuditEntry.objects.filter(action="warmth.batch.exported").exists()


def test_the_signed_list_is_uploaded_and_checked(login_as, people, running, listed, tree) -> None:
    a1 = Target.objects.get(member=listed["a1"])
    batch = hand_out(running, tree["a"], people["alice"], a1)
    alice = login_as(people["alice"])
    url = f"{W}/batches/{batch.public_id}/"
    bad = alice.post(url, {"scan": SimpleUploadedFile("scan.pdf", b"hello, not a pdf")})
    assert "按文件内容判断" in bad.content.decode()
    good = alice.post(url, {"scan": SimpleUploadedFile("scan.pdf", b"%PDF-1.4\nsigned")})
    assert good.status_code == 302
    batch.refresh_from_db()
    assert batch.signed_at is not None
    assert alice.get(f"{url}scan/").content == b"%PDF-1.4\nsigned"


def test_union_b_sees_nothing_of_union_as_list(login_as, people, running, listed, tree) -> None:
    a1 = Target.objects.get(member=listed["a1"])
    batch = hand_out(running, tree["a"], people["alice"], a1)
    bob = login_as(people["bob"])
    html = bob.get(f"{W}/{running.code}/targets/").content.decode()
    assert "乙一" in html and "甲一" not in html and "甲二" not in html
    assert bob.get(f"{W}/{running.code}/targets/?union=UA").status_code == 404
    assert bob.get(f"{W}/batches/{batch.public_id}/").status_code == 404
    assert bob.get(f"{W}/batches/{batch.public_id}/print/").status_code == 404
    assert bob.get(f"{W}/batches/{batch.public_id}/xlsx/").status_code == 404
    a2 = Target.objects.get(member=listed["a2"])
    assert (
        bob.post(f"{W}/{running.code}/targets/{a2.public_id}/remove/", {"reason": "x"}).status_code
        == 404
    )
    response = bob.post(
        f"{W}/{running.code}/distribute/",
        {
            "union": "UA",
            "method": "cash",
            "distributed_on": "2026-12-20",
            "targets": [str(a2.public_id)],
        },
    )
    assert response.status_code == 404
    assert bob.get(f"{W}/{running.code}/report/?union=UA").status_code == 404
    assert "甲" not in bob.get(f"{W}/{running.code}/batches/").content.decode()
    assert Target.objects.get(pk=a2.pk).status == TargetStatus.LISTED


def test_manual_add_and_remove_through_the_page(login_as, people, running, tree) -> None:
    member = make_member(tree["a"], 40, name="规则外")
    alice = login_as(people["alice"])
    alice.post(
        f"{W}/{running.code}/targets/add/",
        {"member_no": member.member_no, "group": "hardship", "reason": "家中遭灾", "union": "UA"},
    )
    target = Target.objects.get(member=member)
    assert target.note == "家中遭灾"
    alice.post(f"{W}/{running.code}/targets/{target.public_id}/remove/", {"reason": "已脱困"})
    target.refresh_from_db()
    assert target.status == TargetStatus.REMOVED and target.note == "已脱困"
    outsider = make_member(tree["b"], 41, name="外单位")
    alice.post(
        f"{W}/{running.code}/targets/add/",
        {"member_no": outsider.member_no, "group": "hardship", "reason": "越权", "union": "UA"},
    )
    assert not Target.objects.filter(member=outsider).exists()


def test_the_list_is_built_as_a_background_job(
    login_as, dora, campaign, tree, django_capture_on_commit_callbacks
) -> None:
    make_member(tree["a"], 1, hardship=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = login_as(dora).post(f"{W}/{campaign.code}/build/", {"union": "CITY"})
    job = Job.objects.get(kind="warmth.build")
    assert response["Location"] == f"/w/jobs/{job.public_id}/"
    assert job.status == "succeeded" and job.summary["added"] == 1, job.summary
    assert job.total == 1
    assert Target.objects.count() == 1


def test_the_report_has_charts_and_exports(
    login_as, dora, running, listed, tree, people, django_assert_max_num_queries, tmp_path
) -> None:
    a1 = Target.objects.get(member=listed["a1"])
    hand_out(running, tree["a"], people["alice"], a1)
    client = login_as(dora)
    with django_assert_max_num_queries(20):
        html = client.get(f"{W}/{running.code}/report/").content.decode()
    assert 'data-chart="chart-unions"' in html and 'id="chart-sources"' in html
    assert "甲区总工会" in html and "33.3%" in html
    assert "echarts.min.js" in html and "<script>" not in html
    response = client.get(f"{W}/{running.code}/report/?union=CITY&export=xlsx")
    rows = xlsx_rows(response, tmp_path)
    assert rows[1][:4] == ["CITY", "测试市总工会", 3, 1]
    exported = client.get(f"{W}/{running.code}/targets/?union=CITY&export=xlsx")
    rows = xlsx_rows(exported, tmp_path)
    assert len(rows) == 4
    assert AuditEntry.objects.filter(action="warmth.targets.exported").exists()


def test_list_pages_keep_their_query_counts(
    login_as, dora, running, listed, tree, people, django_assert_max_num_queries
) -> None:
    for seed in range(12):
        make_member(tree["a"], 200 + seed, hardship=True)
    services.targets_build(by=dora, campaign=running, union=tree["city"])
    targets = list(Target.objects.filter(union=tree["a"], status="listed")[:2])
    hand_out(running, tree["a"], people["alice"], *targets)
    client = login_as(dora)
    for url in (
        f"{W}/",
        f"{W}/{running.code}/",
        f"{W}/{running.code}/targets/?union=CITY",
        f"{W}/{running.code}/batches/",
        f"{W}/batches/{DistributionBatch.objects.get().public_id}/",
    ):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200, url
