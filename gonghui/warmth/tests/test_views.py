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
from gonghui.warmth.tests.conftest import bank_batch, make_member, result_file

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


@pytest.mark.usefixtures("card_accounts")
def test_the_bank_result_is_imported_on_the_batch_page(
    login_as, people, running, listed, tree, tmp_path
) -> None:
    a1, a2 = (Target.objects.get(member=listed[k]) for k in ("a1", "a2"))
    batch = bank_batch(running, tree["a"], people["alice"], a1, a2)
    alice = login_as(people["alice"])
    url = f"{W}/batches/{batch.public_id}/"
    html = alice.get(url).content.decode()
    assert "导入银行回盘" in html and "待银行回盘" in html and f"{batch.batch_no}-0002" in html
    assert f"{url}payout/" in html

    wrong = result_file(tmp_path, batch, people["alice"], {}, **{"甲一": 1})
    refused = alice.post(
        f"{url}results/", {"file": SimpleUploadedFile("r.xlsx", wrong.read_bytes())}
    )
    assert refused.status_code == 200 and "金额与发放明细不符" in refused.content.decode()
    assert Target.objects.get(pk=a1.pk).status == TargetStatus.PAYING

    path = result_file(tmp_path, batch, people["alice"], {"甲二": "账户已冻结"})
    response = alice.post(
        f"{url}results/", {"file": SimpleUploadedFile("r.xlsx", path.read_bytes())}
    )
    assert response.status_code == 302 and response["Location"] == url
    html = alice.get(url).content.decode()
    assert "支付失败" in html and "账户已冻结" in html and "银行已支付" in html
    assert "导入回盘</button>" not in html and f"{url}payout/" not in html
    listed_page = alice.get(f"{W}/{running.code}/targets/").content.decode()
    assert "银行代发失败：账户已冻结" in listed_page
    assert 'data-testid="delivered-count">1<' in listed_page

    again = alice.post(f"{url}results/", {"file": SimpleUploadedFile("r.xlsx", path.read_bytes())})
    assert again.status_code == 302
    assert "不能重复导入" in alice.get(url).content.decode()
    bob = login_as(people["bob"])
    assert bob.get(url).status_code == 404
    assert (
        bob.post(f"{url}results/", {"file": SimpleUploadedFile("r.xlsx", b"x")}).status_code == 404
    )


def group_post(campaign, **changes) -> dict[str, str]:
    """The groups page's form as the browser posts it, with `changes` ("0-cash": "600")."""
    from gonghui.warmth.forms import GroupForm
    from gonghui.warmth.rules import parse_groups

    groups = parse_groups(Campaign.objects.get(pk=campaign.pk).groups)
    data = {
        "groups-TOTAL_FORMS": str(len(groups) + 1),
        "groups-INITIAL_FORMS": str(len(groups)),
        "groups-MIN_NUM_FORMS": "0",
        "groups-MAX_NUM_FORMS": "20",
    }
    for index, group in enumerate(groups):
        for key, value in GroupForm.initial_for(group, index + 1).items():
            if key == "categories":
                continue
            data[f"groups-{index}-{key}"] = "" if value is None else str(value)
        if group.categories:
            data[f"groups-{index}-categories"] = list(group.categories)  # type: ignore[assignment]
    data.update({f"groups-{key}": value for key, value in changes.items()})
    return data


def test_the_city_edits_the_groups_and_the_list_is_rebuilt(
    login_as, dora, people, running, listed, tree, django_capture_on_commit_callbacks
) -> None:
    client = login_as(dora)
    page = client.get(f"{W}/{running.code}/").content.decode()
    assert f"{W}/{running.code}/groups/" in page and "对象名单需重新生成" not in page
    form = client.get(f"{W}/{running.code}/groups/").content.decode()
    assert 'name="groups-1-cash" value="500.00"' in form and "groups-5-code" in form

    # Raise the hardship standard, delete the elderly, move model workers first, add riders.
    data = group_post(
        running,
        **{
            "1-cash": "600",
            "4-DELETE": "on",
            "2-ORDER": "0",
            "5-code": "riders",
            "5-name": "外卖骑手",
            "5-cash": "100",
            "5-categories": "rider",
        },
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"{W}/{running.code}/groups/", data)
    job = Job.objects.get(kind="warmth.rebuild")
    assert response["Location"] == f"/w/jobs/{job.public_id}/" and len(callbacks) == 1
    campaign = Campaign.objects.get(pk=running.pk)
    assert [g["code"] for g in campaign.groups] == [
        "model_worker",
        "hardship_model",
        "hardship",
        "new_form",
        "riders",
    ]
    assert campaign.groups[2]["cash_fen"] == 60_000 and campaign.targets_stale

    # Until the job has run the list is stale: visible, and nobody can hand out.
    assert 'data-testid="targets-stale"' in client.get(f"{W}/{running.code}/").content.decode()
    alice = login_as(people["alice"])
    targets = alice.get(f"{W}/{running.code}/targets/").content.decode()
    assert "对象名单需重新生成" in targets and 'id="handout"' not in targets
    a1 = Target.objects.get(member=listed["a1"])
    alice.post(
        f"{W}/{running.code}/distribute/",
        {
            "union": "UA",
            "method": "cash",
            "distributed_on": "2026-12-20",
            "targets": [str(a1.public_id)],
        },
    )
    assert not DistributionBatch.objects.exists()

    callbacks[0]()
    job.refresh_from_db()
    assert job.status == "succeeded" and job.summary["regrouped"] == 2, job.summary
    assert Target.objects.get(pk=a1.pk).cash_fen == 60_000
    assert 'id="handout"' in alice.get(f"{W}/{running.code}/targets/").content.decode()


def test_groups_are_frozen_after_the_first_hand_out(
    login_as, dora, people, running, listed, tree
) -> None:
    client = login_as(dora)
    invalid = client.post(
        f"{W}/{running.code}/groups/", group_post(running, **{"1-code": "hardship_model"})
    )
    assert "重复" in invalid.content.decode()
    assert login_as(people["alice"]).get(f"{W}/{running.code}/groups/").status_code == 403
    hand_out(running, tree["a"], people["alice"], Target.objects.get(member=listed["a1"]))
    page = client.get(f"{W}/{running.code}/").content.decode()
    assert "已有发放批次，类别和标准不能再修改" in page and f"{running.code}/groups/" not in page
    assert (
        'data-testid="groups-frozen"' in client.get(f"{W}/{running.code}/groups/").content.decode()
    )
    refused = client.post(f"{W}/{running.code}/groups/", group_post(running, **{"1-cash": "600"}))
    assert "不能再修改" in refused.content.decode()
    assert Campaign.objects.get(pk=running.pk).groups[1]["cash_fen"] == 50_000
