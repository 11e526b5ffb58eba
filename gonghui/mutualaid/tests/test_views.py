"""The member's phone pages and the staff pages, with the outsider (bob of union B) at hand."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.core.excel import xlsx_bytes
from gonghui.jobs.models import Job
from gonghui.mutualaid import services
from gonghui.mutualaid.models import Claim, ClaimStatus, Enrolment, EnrolmentBatch
from gonghui.mutualaid.tests.conftest import make_member

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% discharge summary\n"


def claim_post(**fields) -> dict:
    values = {
        "item_code": "inpatient",
        "event_date": (timezone.localdate() - timezone.timedelta(days=3)).isoformat(),
        "hospital": "测试市人民医院",
        "hospital_level": "secondary",
        "invoice_no_1": "Ｗ2026 0001",
        "invoice_amount_1": "3,000.00",
        "health_details": "胆囊炎住院",
        "consent": "on",
        "consent_version": services.CONSENT_VERSION,
    }
    return values | fields


# -- the member on the phone -----------------------------------------------------------------


def test_the_certificate_shows_period_items_and_contribution(login_as, people, member_a) -> None:
    html = login_as(people["member"]).get("/m/mutual-aid/").content.decode()
    enrolment = Enrolment.objects.get(member=member_a)
    assert enrolment.certificate_no in html
    assert 'class="phone"' in html and "<table" not in html
    assert "住院医疗互助" in html and "起付线 ¥800.00" in html and "三级医院 50%" in html
    assert "行政 ¥20.00，工会 ¥20.00，个人 ¥20.00" in html
    assert "/static/css/mutualaid.css" in html


def test_a_member_not_enrolled_is_told_what_to_do(login_as, people, tree, plan) -> None:
    member = make_member(tree["a"], 70)
    member.account = people["member"]
    member.save(update_fields=["account"])
    html = login_as(people["member"]).get("/m/mutual-aid/").content.decode()
    assert "请联系您的工会" in html


def test_a_member_files_a_claim_on_the_phone(login_as, people, member_a) -> None:
    client = login_as(people["member"])
    form = client.get("/m/mutual-aid/claims/new/").content.decode()
    assert services.consent_text() in form and 'enctype="multipart/form-data"' in form

    response = client.post(
        "/m/mutual-aid/claims/new/",
        claim_post(invoice_file=SimpleUploadedFile("fapiao.pdf", PDF)),
    )
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/m/mutual-aid/claims/{claim.public_id}/"
    assert claim.invoices.get().number_normalised == "W20260001"
    assert claim.payable_fen == 121000  # (3000 - 800) * 55%
    assert claim.documents.count() == 1 and not claim.consent.on_paper
    page = client.get(response["Location"]).content.decode()
    assert "按二级医院报销比例 55% 计 ¥1,210.00（不足一分的部分舍去）" in page
    assert "待初审" in page


def test_without_consent_nothing_is_stored(login_as, people, member_a) -> None:
    response = login_as(people["member"]).post("/m/mutual-aid/claims/new/", claim_post(consent=""))
    assert response.status_code == 200
    assert "请阅读并勾选同意" in response.content.decode()
    assert not Claim.objects.exists()


def test_an_upload_that_is_not_a_document_is_refused(login_as, people, member_a) -> None:
    response = login_as(people["member"]).post(
        "/m/mutual-aid/claims/new/",
        claim_post(invoice_file=SimpleUploadedFile("fapiao.pdf", b"<script>x</script>")),
    )
    assert "不是 PDF、JPEG 或 PNG" in response.content.decode()
    assert not Claim.objects.exists()


def test_another_members_claim_is_404(login_as, people, claim_b, member_a) -> None:
    client = login_as(people["member"])
    assert client.get(f"/m/mutual-aid/claims/{claim_b.public_id}/").status_code == 404
    response = client.post(f"/m/mutual-aid/claims/{claim_b.public_id}/move/", {"to": "submitted"})
    assert response.status_code == 404


def test_the_member_appeals_a_rejection(login_as, people, claim_a) -> None:
    services.claim_transition(claim=claim_a, to="rejected", by=people["alice"], reason="材料不全")
    client = login_as(people["member"])
    page = client.get(f"/m/mutual-aid/claims/{claim_a.public_id}/").content.decode()
    assert "材料不全" in page and "提出申诉" in page
    client.post(
        f"/m/mutual-aid/claims/{claim_a.public_id}/move/",
        {"to": "appealed", "reason": "已补齐材料"},
    )
    claim_a.refresh_from_db()
    assert claim_a.status == ClaimStatus.APPEALED


# -- staff: claims ---------------------------------------------------------------------------


def test_the_queue_per_level_is_scoped(
    login_as, people, claim_a, claim_b, django_assert_max_num_queries
) -> None:
    alice = login_as(people["alice"])
    with django_assert_max_num_queries(12):
        html = alice.get("/w/mutual-aid/claims/?level=first").content.decode()
    assert claim_a.claim_no in html and claim_b.claim_no not in html
    bob = login_as(people["bob"]).get("/w/mutual-aid/claims/").content.decode()
    assert claim_a.claim_no not in bob and claim_b.claim_no in bob
    carol = login_as(people["carol"]).get("/w/mutual-aid/claims/?level=recheck").content.decode()
    assert claim_a.claim_no not in carol  # still waiting for 初审


def test_the_claim_list_query_count_does_not_grow(
    login_as, people, member_a, django_assert_max_num_queries
) -> None:
    for n in range(8):
        services.claim_submit(
            by=people["alice"],
            member=member_a,
            data=services.ClaimData(
                item_code="inpatient",
                event_date=timezone.localdate() - timezone.timedelta(days=2),
                hospital="医院",
                hospital_level="primary",
                invoices=[services.InvoiceData(f"LIST00000{n}", 100000)],
            ),
            consent_version=services.CONSENT_VERSION,
        )
    alice = login_as(people["alice"])
    with django_assert_max_num_queries(12):
        response = alice.get("/w/mutual-aid/claims/")
    assert response.content.decode().count("LIST") == 0  # invoice numbers are not listed
    assert response.content.decode().count("/w/mutual-aid/claims/") >= 8


def test_bob_gets_404_on_union_a_claim_batch_and_document(
    login_as, people, claim_a, member_a
) -> None:
    bob = login_as(people["bob"])
    batch = EnrolmentBatch.objects.get(union__code="UA")
    document_ids = services.claim_documents_add(
        by=people["alice"], claim=claim_a, uploads=[services.Upload("invoice", PDF, "a.pdf")]
    )
    assert bob.get(f"/w/mutual-aid/claims/{claim_a.public_id}/").status_code == 404
    assert (
        bob.post(
            f"/w/mutual-aid/claims/{claim_a.public_id}/move/", {"to": "first_reviewed"}
        ).status_code
        == 404
    )
    assert bob.get(f"/w/mutual-aid/batches/{batch.public_id}/").status_code == 404
    assert (
        bob.get(
            f"/w/mutual-aid/claims/{claim_a.public_id}/documents/{document_ids[0]}/"
        ).status_code
        == 404
    )
    claim_a.refresh_from_db()
    assert claim_a.status == ClaimStatus.SUBMITTED


def test_reviewers_move_the_claim_and_see_health_details_on_request(
    login_as, people, claim_a, dora
) -> None:
    alice = login_as(people["alice"])
    page = alice.get(f"/w/mutual-aid/claims/{claim_a.public_id}/").content.decode()
    assert "初审通过" in page and "肺炎" not in page
    assert not AuditEntry.objects.filter(action="mutualaid.claim.health_viewed").exists()
    revealed = alice.get(f"/w/mutual-aid/claims/{claim_a.public_id}/?health=1").content.decode()
    assert "肺炎住院 5 天" in revealed
    assert AuditEntry.objects.filter(action="mutualaid.claim.health_viewed").count() == 1

    alice.post(f"/w/mutual-aid/claims/{claim_a.public_id}/move/", {"to": "first_reviewed"})
    login_as(people["carol"]).post(
        f"/w/mutual-aid/claims/{claim_a.public_id}/move/", {"to": "rechecked"}
    )
    login_as(dora).post(f"/w/mutual-aid/claims/{claim_a.public_id}/move/", {"to": "approved"})
    claim_a.refresh_from_db()
    assert claim_a.status == ClaimStatus.APPROVED


def test_a_leader_sees_the_claim_but_not_the_health_details(login_as, people, claim_a, tree):
    from gonghui.conftest import make_user

    leader = make_user("lead", assignments=[(tree["city"], "leader", None)])
    page = login_as(leader).get(f"/w/mutual-aid/claims/{claim_a.public_id}/?health=1")
    assert page.status_code == 200
    html = page.content.decode()
    assert claim_a.claim_no in html and "肺炎" not in html and "初审通过" not in html


def test_a_reviewer_downloads_a_document_decrypted(login_as, people, claim_a) -> None:
    [doc_id] = services.claim_documents_add(
        by=people["member"], claim=claim_a, uploads=[services.Upload("invoice", PDF, "a.pdf")]
    )
    response = login_as(people["alice"]).get(
        f"/w/mutual-aid/claims/{claim_a.public_id}/documents/{doc_id}/"
    )
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_union_files_on_behalf(login_as, people, member_a) -> None:
    response = login_as(people["alice"]).post(
        "/w/mutual-aid/claims/new/", claim_post(member_no=member_a.member_no)
    )
    claim = Claim.objects.get()
    assert response.status_code == 302 and claim.consent.on_paper
    refused = login_as(people["bob"]).post(
        "/w/mutual-aid/claims/new/",
        claim_post(member_no=member_a.member_no, invoice_no_1="OTHER00001"),
    )
    assert "没有找到该会员" in refused.content.decode()


# -- staff: enrolment and plans --------------------------------------------------------------


def test_bulk_enrolment_from_the_roster_runs_as_a_job(
    login_as, people, tree, plan, django_capture_on_commit_callbacks
) -> None:
    for seed in range(80, 84):
        make_member(tree["a"], seed)
    make_member(tree["b"], 90)
    with django_capture_on_commit_callbacks(execute=True):
        response = login_as(people["alice"]).post(
            "/w/mutual-aid/batches/new/", {"plan": plan.code, "union": "ua", "source": "filter"}
        )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/w/jobs/{job.public_id}/"
    assert job.status == "succeeded", job.summary
    batch = EnrolmentBatch.objects.get()
    assert batch.enrolled_count == 4 and job.summary["enrolled"] == 4


def test_bulk_enrolment_from_a_list_of_numbers(
    login_as, people, tree, plan, django_capture_on_commit_callbacks
) -> None:
    members = [make_member(tree["a"], seed) for seed in range(100, 103)]
    stranger = make_member(tree["b"], 104)
    sheet = xlsx_bytes(
        ["会员号", "身份证号"],
        [
            [members[0].member_no, ""],
            ["", members[1].id_number.lower()],
            [members[2].member_no, members[2].id_number],
            [stranger.member_no, ""],
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        login_as(people["alice"]).post(
            "/w/mutual-aid/batches/new/",
            {
                "plan": plan.code,
                "union": "UA",
                "source": "file",
                "file": SimpleUploadedFile("list.xlsx", sheet),
            },
        )
    batch = EnrolmentBatch.objects.get()
    assert batch.enrolled_count == 3 and batch.skipped_count == 1
    assert batch.skipped[0]["who"] == stranger.member_no


def test_bob_cannot_enrol_union_a(login_as, people, tree, plan) -> None:
    response = login_as(people["bob"]).post(
        "/w/mutual-aid/batches/new/", {"plan": plan.code, "union": "UA", "source": "filter"}
    )
    assert "不在您的管辖范围内" in response.content.decode()
    assert not Job.objects.exists()


def test_the_batch_page_reconciles_payments(
    login_as, people, member_a, django_assert_max_num_queries
) -> None:
    batch = EnrolmentBatch.objects.get()
    client = login_as(people["alice"])
    client.post(
        f"/w/mutual-aid/batches/{batch.public_id}/payments/employer/",
        {"paid": "20", "paid_on": timezone.localdate().isoformat(), "reference": "YH001"},
    )
    with django_assert_max_num_queries(20):
        html = client.get(f"/w/mutual-aid/batches/{batch.public_id}/").content.decode()
    assert "YH001" in html and "¥60.00" in html and "¥40.00" in html
    with django_assert_max_num_queries(20):
        assert client.get("/w/mutual-aid/batches/").status_code == 200


def test_the_plan_page_publishes_a_new_rule_version(login_as, dora, people, plan) -> None:
    client = login_as(dora)
    page = client.get(f"/w/mutual-aid/plans/{plan.code}/").content.decode()
    assert "第 1 版" in page and "发布新版本" in page
    response = client.post(
        f"/w/mutual-aid/plans/{plan.code}/",
        {
            "effective_from": timezone.localdate().isoformat(),
            "contribution": "90",
            "employer_weight": "2",
            "union_weight": "1",
            "worker_weight": "0",
            "waiting_days": "60",
            "min_age": "16",
            "max_age": "60",
            "benefits": '[{"code": "x", "name": "住院", "kind": "reimbursement", '
            '"ratios": {"default": "0.5"}, "annual_cap_fen": 100000}]',
            "note": "提高缴费标准",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/w/mutual-aid/plans/{plan.code}/").content.decode()
    assert "第 2 版" in page and "行政 ¥60.00，工会 ¥30.00，个人 ¥0.00" in page
    assert (
        "发布新版本"
        not in login_as(people["alice"]).get(f"/w/mutual-aid/plans/{plan.code}/").content.decode()
    )
    bad = client.post(
        f"/w/mutual-aid/plans/{plan.code}/",
        {
            "effective_from": timezone.localdate().isoformat(),
            "contribution": "90",
            "employer_weight": "1",
            "union_weight": "1",
            "worker_weight": "1",
            "waiting_days": "60",
            "min_age": "16",
            "max_age": "60",
            "benefits": "[]",
        },
    )
    assert "保障项目须是一个非空的列表" in bad.content.decode()


def test_the_overview_links_each_reviewer_to_their_queue(login_as, people, dora, plan) -> None:
    html = login_as(people["alice"]).get("/w/mutual-aid/").content.decode()
    assert "?level=first" in html and "?level=approve" not in html
    html = login_as(dora).get("/w/mutual-aid/").content.decode()
    assert "?level=approve" in html and plan.name in html
    assert login_as(people["sysadmin"]).get("/w/mutual-aid/").status_code == 403


def test_the_city_opens_the_next_plan_year_with_last_years_rules(login_as, dora, people, plan):
    from datetime import timedelta

    from gonghui.audit.models import AuditEntry
    from gonghui.mutualaid.models import PlanYear

    assert login_as(people["alice"]).get("/w/mutual-aid/plans/new/").status_code == 403
    client = login_as(dora)
    assert "设立保障期" in client.get("/w/mutual-aid/").content.decode()
    page = client.get("/w/mutual-aid/plans/new/")
    form = page.context["form"]
    starts = plan.ends_on + timedelta(days=1)
    assert form.initial["starts_on"] == starts and form.initial["code"] == str(starts.year)
    data = {
        key: (value.isoformat() if hasattr(value, "isoformat") else value)
        for key, value in form.initial.items()
        if key != "allow_individual"
    } | {"code": "next-1", "contribution": "75"}
    response = client.post("/w/mutual-aid/plans/new/", data)

    assert response.status_code == 302 and response.url == "/w/mutual-aid/plans/NEXT-1/"
    created = PlanYear.objects.get(code="NEXT-1")
    first = created.versions.get()
    assert (created.starts_on, first.effective_from) == (starts, starts)
    assert first.contribution_fen == 7500 and first.benefits == plan.versions.last().benefits
    assert AuditEntry.objects.filter(action="mutualaid.plan.created").exists()
    again = client.post("/w/mutual-aid/plans/new/", data)
    assert again.status_code == 200 and "保障期代码已被使用" in again.content.decode()
