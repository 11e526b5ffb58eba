"""The staff pages and the member's phone page, with the outsider (bea of county B) at hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from gonghui.audit.models import AuditEntry
from gonghui.modelworkers import services
from gonghui.modelworkers.models import AllowanceBatch, Invitation, Lecture, SignUp, Trip
from gonghui.modelworkers.tests.conftest import policy, register
from gonghui.mutualaid.tests.conftest import make_member

pytestmark = pytest.mark.django_db


def test_the_home_page_draws_charts_with_their_numbers(login_as, pat, workers):
    html = login_as(pat).get("/w/model-workers/").content.decode()
    assert 'data-chart="mw-chart-level"' in html and 'id="mw-chart-level"' in html
    assert "echarts.min.js" in html and "在册劳模 3 人" in html
    assert "<script>" not in html  # options travel as JSON (CSP)


def test_the_registry_lists_filters_and_exports(
    login_as, pat, workers, django_assert_max_num_queries
):
    client = login_as(pat)
    with django_assert_max_num_queries(12):
        html = client.get("/w/model-workers/registry/").content.decode()
    assert "甲劳模" in html and "丙劳模" in html
    html = client.get("/w/model-workers/registry/?level=national").content.decode()
    assert "甲劳模" in html and "乙劳模" not in html
    html = client.get("/w/model-workers/registry/?union=UB").content.decode()
    assert "丙劳模" in html and "甲劳模" not in html
    response = client.get("/w/model-workers/registry/?export=xlsx")
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert AuditEntry.objects.filter(action="modelworkers.exported").exists()


def test_the_registry_query_count_does_not_grow_with_rows(
    login_as, pat, workers, tree, django_assert_max_num_queries
):
    for seed in range(60, 70):
        register(pat, make_member(tree["a"], seed), level="city")
    client = login_as(pat)
    with django_assert_max_num_queries(12):
        assert client.get("/w/model-workers/registry/").status_code == 200


def test_county_b_sees_nothing_of_county_a(login_as, bea, workers):
    client = login_as(bea)
    html = client.get("/w/model-workers/registry/").content.decode()
    assert "丙劳模" in html and "甲劳模" not in html
    assert client.get(f"/w/model-workers/registry/{workers['a1'].public_id}/").status_code == 404
    response = client.post(
        f"/w/model-workers/registry/{workers['a1'].public_id}/status/",
        {"status": "retired", "since": "2020-01-01"},
    )
    assert response.status_code == 404


def test_an_officer_without_the_program_is_refused(login_as, people, workers):
    assert login_as(people["alice"]).get("/w/model-workers/").status_code == 403


def test_staff_register_a_model_worker_by_member_number(login_as, people, tree):
    member = make_member(tree["a"], 80, name="新劳模")
    response = login_as(people["carol"]).post(
        "/w/model-workers/registry/new/",
        {
            "member_no": member.member_no,
            "title": "市劳动模范",
            "level": "city",
            "year": "2018",
            "unit": "甲厂",
            "status": "working",
        },
    )
    assert response.status_code == 302
    page = login_as(people["carol"]).get(response["Location"]).content.decode()
    assert "新劳模" in page and "市劳动模范" in page
    member.refresh_from_db()
    assert member.is_model_worker


def test_the_detail_page_shows_the_aid_panel_for_a_hardship_model_worker(login_as, pat, workers):
    member = workers["a1"].member
    member.is_hardship = True
    member.save(update_fields=["is_hardship"])
    html = (
        login_as(pat).get(f"/w/model-workers/registry/{workers['a1'].public_id}/").content.decode()
    )
    assert "精准帮扶" in html and "困难劳模" in html
    other = (
        login_as(pat).get(f"/w/model-workers/registry/{workers['a2'].public_id}/").content.decode()
    )
    assert "精准帮扶" not in other


def test_the_aid_panel_reads_the_hardship_selector_when_it_exists(
    login_as, pat, workers, monkeypatch
):
    from gonghui.hardship import selectors as hardship_selectors

    member = workers["a1"].member
    member.is_hardship = True
    member.save(update_fields=["is_hardship"])
    url = f"/w/model-workers/registry/{workers['a1'].public_id}/"
    monkeypatch.delattr(hardship_selectors, "member_aid_summary", raising=False)
    assert "暂无帮扶记录" in login_as(pat).get(url).content.decode()
    monkeypatch.setattr(
        hardship_selectors,
        "member_aid_summary",
        lambda *, member: {
            "file_no": "KN0001",
            "status": "在档",
            "paid_count": 2,
            "paid_fen": 150000,
        },
        raising=False,
    )
    html = login_as(pat).get(url).content.decode()
    assert "困难职工档案 KN0001（在档）" in html and "已获帮扶 2 笔，共 ¥1,500.00" in html


def test_policies_and_a_batch_through_the_pages(login_as, pat, workers):
    client = login_as(pat)
    year = timezone.localdate().year
    response = client.post(
        "/w/model-workers/policies/",
        {
            "year": str(year),
            "note": "测试文件",
            "rate_national_retired_n": "800.00",
            "rate_city_retired_n": "200",
            "health_national": "1",
            "health_provincial": "1",
            "health_city": "0",
        },
    )
    assert response.status_code == 302
    html = client.get("/w/model-workers/policies/").content.decode()
    assert "¥800.00" in html and "测试文件" in html
    month = timezone.localdate().strftime("%Y-%m")
    response = client.post("/w/model-workers/allowances/", {"month": month})
    assert response.status_code == 302
    batch = AllowanceBatch.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "需补充账户" in page and "¥800.00" in page
    client.post(f"/w/model-workers/allowances/{batch.public_id}/approve/")
    download = client.post(f"/w/model-workers/allowances/{batch.public_id}/payout-file/")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    batch.refresh_from_db()
    assert batch.status == "sent"


def test_county_staff_cannot_run_city_batches(login_as, pat, people, workers):
    policy(pat, date.today().year)
    assert (
        login_as(people["carol"])
        .post("/w/model-workers/allowances/", {"month": "2026-10"})
        .status_code
        == 403
    )


def test_trip_page_invites_by_rotation(login_as, pat, workers, tree):
    client = login_as(pat)
    today = timezone.localdate()
    response = client.post(
        "/w/model-workers/trips/",
        {
            "destination": "千岛湖",
            "starts_on": (today + timedelta(days=20)).isoformat(),
            "ends_on": (today + timedelta(days=25)).isoformat(),
            "quota": "2",
            "union": "CITY",
        },
    )
    assert response.status_code == 302
    trip = Trip.objects.get()
    client.post(f"/w/model-workers/trips/{trip.public_id}/invite/")
    assert Invitation.objects.filter(trip=trip).count() == 2
    invitation = Invitation.objects.filter(trip=trip).order_by("position").first()
    client.post(
        f"/w/model-workers/trips/{trip.public_id}/invitations/{invitation.public_id}/",
        {"to": "declined"},
    )
    html = client.get(f"/w/model-workers/trips/{trip.public_id}/").content.decode()
    assert "已婉拒" in html and "空余 1 个" in html


def test_the_member_signs_up_on_the_phone_and_sees_it(login_as, pat, people, tree):
    member = make_member(tree["a"], 90, name="陈静")
    member.account = people["member"]
    member.save(update_fields=["account"])
    speaker = register(pat, make_member(tree["b"], 91, name="王师傅"))
    lecture = services.lecture_create(
        by=pat,
        union=tree["city"],
        title="工匠精神",
        speaker=speaker,
        starts_at=timezone.now() + timedelta(days=5),
        place="文化宫",
        capacity=30,
    )
    client = login_as(people["member"])
    html = client.get("/m/model-workers/").content.decode()
    assert "工匠精神" in html and 'class="phone"' in html and "王师傅" in html
    client.post(f"/m/model-workers/lectures/{lecture.public_id}/sign-up/")
    html = client.get("/m/model-workers/").content.decode()
    assert "已报名" in html and "取消报名" in html
    assert SignUp.objects.get().member == member
    client.post(f"/m/model-workers/lectures/{lecture.public_id}/cancel/")
    assert Lecture.objects.get().signed_up == 0


def test_the_lecture_page_lists_sign_ups_in_scope_only(login_as, pat, bea, people, tree):
    member = make_member(tree["a"], 92)
    member.account = people["member"]
    member.save(update_fields=["account"])
    speaker = register(pat, make_member(tree["b"], 93))
    lecture = services.lecture_create(
        by=pat,
        union=tree["city"],
        title="讲堂",
        speaker=speaker,
        starts_at=timezone.now() + timedelta(days=5),
        place="文化宫",
        capacity=30,
    )
    services.lecture_sign_up(by=people["member"], lecture=lecture, member=member)
    assert (
        member.member_no
        in login_as(pat).get(f"/w/model-workers/lectures/{lecture.public_id}/").content.decode()
    )
    assert login_as(bea).get(f"/w/model-workers/lectures/{lecture.public_id}/").status_code == 404


def test_health_page_lists_who_is_due(login_as, pat, workers):
    policy(pat, timezone.localdate().year)
    html = login_as(pat).get("/w/model-workers/health-checks/").content.decode()
    assert "甲劳模" in html and "乙劳模" in html and "丙劳模" not in html


def test_the_program_lists_stay_within_their_queries(
    login_as, pat, tree, django_assert_max_num_queries
):
    today = timezone.localdate()
    policy(pat, today.year)
    workers = [
        register(pat, make_member(tree["a"], seed), level="national") for seed in range(100, 108)
    ]
    batch = services.batch_generate(by=pat, month=today)
    trip = services.trip_create(
        by=pat,
        union=tree["city"],
        destination="千岛湖",
        starts_on=today + timedelta(days=9),
        ends_on=today + timedelta(days=12),
        quota=5,
    )
    services.trip_invite(by=pat, trip=trip)
    lecture = services.lecture_create(
        by=pat,
        union=tree["city"],
        title="讲堂",
        speaker=workers[0],
        starts_at=timezone.now() + timedelta(days=5),
        place="文化宫",
        capacity=30,
    )
    client = login_as(pat)
    for url in [
        "/w/model-workers/",
        "/w/model-workers/allowances/",
        f"/w/model-workers/allowances/{batch.public_id}/",
        "/w/model-workers/health-checks/",
        "/w/model-workers/trips/",
        f"/w/model-workers/trips/{trip.public_id}/",
        "/w/model-workers/lectures/",
        f"/w/model-workers/lectures/{lecture.public_id}/",
        f"/w/model-workers/registry/{workers[0].public_id}/",
    ]:
        with django_assert_max_num_queries(22):
            assert client.get(url).status_code == 200, url
