"""The member's phone pages and the staff pages, with the outsider (bob of union B) at hand."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.hardship import services
from gonghui.hardship.models import AidApplication, HardshipFile
from gonghui.hardship.tests.conftest import file_data, kept_file, make_member, rechecked_aid

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% proof of income\n"


def file_post(**fields) -> dict:
    values = {
        "primary_cause": "illness",
        "causes": ["medical"],
        "situation": "丈夫患病，孩子上学",
        "health_details": "",
        "relation_1": "self",
        "name_1": "甲会员",
        "age_1": "45",
        "job_1": "employed",
        "income_1": "1,500.00",
        "relation_2": "child",
        "name_2": "小明",
        "age_2": "15",
        "job_2": "student",
        "income_2": "",
        "consent": "on",
        "consent_version": services.CONSENT_VERSION,
    }
    return values | fields


def test_a_member_applies_for_a_file_on_the_phone(login_as, people, reference, member_a) -> None:
    client = login_as(people["member"])
    page = client.get("/m/hardship/").content.decode()
    assert "申请建立困难职工档案" in page and 'class="phone"' in page
    form = client.get("/m/hardship/files/new/").content.decode()
    assert services.consent_text() in form and 'enctype="multipart/form-data"' in form
    response = client.post("/m/hardship/files/new/", file_post())
    file = HardshipFile.objects.get()
    assert (
        response.status_code == 302
        and response["Location"] == f"/m/hardship/files/{file.public_id}/"
    )
    assert file.household_size == 2 and file.per_capita_income == "75000" and file.below_threshold
    assert "待基层审核" in client.get(response["Location"]).content.decode()


def test_the_form_says_what_is_wrong(login_as, people, reference, member_a) -> None:
    client = login_as(people["member"])
    html = client.post(
        "/m/hardship/files/new/", file_post(consent="", name_2="小明", age_2="")
    ).content.decode()
    assert "请阅读并勾选同意" in html and "请把这位家庭成员" in html
    html = client.post(
        "/m/hardship/files/new/", file_post(primary_cause="living", causes=[], income_1="9000")
    ).content.decode()
    assert "不低于当地低保标准" in html
    assert not HardshipFile.objects.exists()


def test_a_member_applies_for_aid_and_follows_it(login_as, people, dora, file_a) -> None:
    client = login_as(people["member"])
    response = client.post(
        "/m/hardship/aid/new/",
        {
            "category": "medical",
            "amount": "3000",
            "reason_text": "住院自付较多",
            "channel": "card",
            "evidence_kind": "medical",
        },
    )
    aid = AidApplication.objects.get()
    assert response.status_code == 302 and aid.requested_fen == 300_000 and aid.channel == "card"
    html = client.get(f"/m/hardship/aid/{aid.public_id}/").content.decode()
    assert "待基层审核" in html
    html = client.post(
        "/m/hardship/aid/new/",
        {"category": "living", "amount": "99999", "reason_text": "x", "channel": "card"},
    ).content.decode()
    assert "该项救助标准为 ¥1,000.00 至 ¥3,000.00" in html


def test_staff_review_a_file_through_the_pages(login_as, people, reference, member_a) -> None:
    file = services.file_submit(
        by=people["member"],
        member=member_a,
        data=file_data(),
        consent_version=services.CONSENT_VERSION,
    )
    alice = login_as(people["alice"])
    html = alice.get(f"/w/hardship/files/{file.public_id}/").content.decode()
    assert "基层审核通过，报县区" in html and "高血压" not in html
    html = alice.get(f"/w/hardship/files/{file.public_id}/?details=1").content.decode()
    assert "高血压" in html and "¥300.00" in html
    response = alice.post(f"/w/hardship/files/{file.public_id}/move/", {"to": "county"})
    assert response.status_code == 302
    file.refresh_from_db()
    assert file.state == "county"
    response = alice.post(f"/w/hardship/files/{file.public_id}/move/", {"to": "city"})
    assert response.status_code == 403


def test_bob_sees_nothing_of_union_a(login_as, people, dora, file_a) -> None:
    aid = rechecked_aid(people, file_a.member)
    bob = login_as(people["bob"])
    assert bob.get(f"/w/hardship/files/{file_a.public_id}/").status_code == 404
    assert bob.get(f"/w/hardship/aid/{aid.public_id}/").status_code == 404
    assert bob.post(f"/w/hardship/aid/{aid.public_id}/move/", {"to": "approved"}).status_code == 404
    assert file_a.file_no not in bob.get("/w/hardship/files/").content.decode()
    assert aid.aid_no not in bob.get("/w/hardship/aid/").content.decode()
    assert login_as(people["sysadmin"]).get("/w/hardship/").status_code == 403


def test_list_pages_keep_their_query_count(
    login_as, people, dora, reference, tree, django_assert_max_num_queries
) -> None:
    for seed in range(3, 7):
        member = make_member(tree["a"], seed)
        kept_file(people, dora, member)
        rechecked_aid(people, member)
    client = login_as(dora)
    for url in (
        "/w/hardship/",
        "/w/hardship/files/",
        "/w/hardship/files/?flag=never_helped",
        "/w/hardship/aid/",
        "/w/hardship/budgets/",
        "/w/hardship/payouts/",
        "/w/hardship/ledger/",
        "/w/hardship/thresholds/",
        "/w/hardship/standards/",
        "/w/hardship/reports/",
    ):
        with django_assert_max_num_queries(25):
            assert client.get(url).status_code == 200, url


def test_the_never_helped_flag_and_filter(login_as, people, dora, file_a) -> None:
    client = login_as(dora)
    html = client.get("/w/hardship/files/?flag=never_helped").content.decode()
    assert file_a.file_no in html and "从未获得救助" in html
    aid = services.aid_transition(
        aid=rechecked_aid(people, file_a.member, channel="cash"), to="approved", by=dora
    )
    services.aid_transition(aid=aid, to="paid", by=people["carol"])
    assert file_a.file_no not in client.get("/w/hardship/files/?flag=never_helped").content.decode()


def test_approve_and_pay_through_the_pages(login_as, people, dora, file_a) -> None:
    aid = rechecked_aid(people, file_a.member, channel="cash")
    client = login_as(dora)
    assert "批准" in client.get(f"/w/hardship/aid/{aid.public_id}/").content.decode()
    client.post(f"/w/hardship/aid/{aid.public_id}/move/", {"to": "approved", "amount": "2500"})
    aid.refresh_from_db()
    assert aid.state == "approved" and aid.approved_fen == 250_000
    login_as(people["carol"]).post(f"/w/hardship/aid/{aid.public_id}/move/", {"to": "paid"})
    aid.refresh_from_db()
    assert aid.state == "paid"
    html = login_as(people["member"]).get("/m/hardship/").content.decode()
    assert "¥2,500.00" in html


def test_exports_are_audited(login_as, people, dora, file_a) -> None:
    client = login_as(dora)
    for url in ("files", "aid", "budgets", "standards", "thresholds", "payouts", "ledger"):
        response = client.get(f"/w/hardship/{url}/export/")
        assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"'), (
            url
        )
    assert client.get("/w/hardship/reports/export/causes/").status_code == 200
    assert AuditEntry.objects.filter(action="hardship.files.exported").count() == 1


def test_reference_data_is_the_citys(login_as, people, dora, reference) -> None:
    year = timezone.localdate().year
    carol = login_as(people["carol"])
    assert (
        carol.post(
            "/w/hardship/standards/",
            {
                "form": "standard",
                "year": year,
                "category": "living",
                "min_amount": "1",
                "max_amount": "2",
            },
        ).status_code
        == 403
    )
    response = login_as(dora).post(
        "/w/hardship/standards/",
        {
            "form": "policy",
            "year": year,
            "notice_working_days": 7,
            "emergency_hours": 12,
            "emergency_document_working_days": 5,
            "paid_within_working_days": 10,
        },
    )
    assert response.status_code == 302
    response = carol.post(
        "/w/hardship/thresholds/", {"district": "CB", "year": year, "monthly": "800"}
    )
    assert "您只能设定本县" in response.content.decode()
