"""The public form and status lookup (no login), and the staff pages in the officer's scope."""

from __future__ import annotations

import pytest
from django.test import Client

from gonghui.joining import rules
from gonghui.joining.models import ApplicationStatus, JoinApplication
from gonghui.joining.tests.conftest import person
from gonghui.members.models import Member

pytestmark = pytest.mark.django_db

FORM = "/m/join/"
UNIONS = "/m/join/unions/"
STATUS = "/m/join/status/"
LIST = "/w/joining/"


def masked(value: str) -> str:
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def form_data(seed: int = 1, **fields) -> dict[str, str]:
    data = person(seed)
    values = {
        "name": data.name,
        "id_number": data.id_number,
        "phone": data.phone,
        "category": "employee",
        "employer_name": "甲厂",
        "union": "UA",
        "consent": "on",
        "consent_version": rules.CONSENT_VERSION,
    }
    return values | fields


# -- the public form -----------------------------------------------------------------------


def test_the_form_is_public_and_phone_first(client, tree) -> None:
    response = client.get(FORM)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert 'class="portal"' in html and 'class="phone"' in html
    assert rules.consent_text() in html
    assert 'name="consent"' in html and 'name="csrfmiddlewaretoken"' in html
    assert 'inputmode="tel"' in html
    assert 'hx-get="/m/join/unions/"' in html
    assert "<table" not in html  # nothing wider than a phone


def test_the_portal_and_the_login_page_link_to_the_form(client, people, login_as) -> None:
    assert "还不是会员？申请入会" in client.get("/accounts/login/").content.decode()
    home = login_as(people["member"]).get("/m/").content.decode()
    assert f'href="{FORM}"' in home and "申请入会" in home


def test_the_union_search_returns_open_unions_as_radio_options(client, tree, industry) -> None:
    html = client.get(UNIONS, {"q": "甲厂"}).content.decode()
    assert 'type="radio" name="union" value="UA"' in html
    assert "乙厂工会" not in html

    # An employee is offered grassroots unions only; a courier the industry union too.
    assert "IND" not in client.get(UNIONS, {"q": "产业", "category": "employee"}).content.decode()
    courier = client.get(UNIONS, {"q": "产业", "category": "courier"}).content.decode()
    assert 'value="IND"' in courier and "快递物流产业工会" in courier


def test_the_union_search_needs_two_characters_and_shows_only_name_and_code(client, tree) -> None:
    assert "两个字" in client.get(UNIONS, {"q": "厂"}).content.decode()
    html = client.get(UNIONS, {"q": "工会"}).content.decode()
    assert "/CITY/" not in html and tree["a"].path not in html
    assert "测试市总工会" not in html  # the city federation takes no applications


def test_the_union_search_stops_at_twenty(client, tree) -> None:
    from gonghui.orgs.services import union_create

    for n in range(25):
        union_create(
            by=None,
            code=f"G{n:02d}",
            name=f"丙厂{n}工会",
            kind="grassroots",
            parent=tree["county_a"],
        )
    html = client.get(UNIONS, {"q": "丙厂"}).content.decode()
    assert html.count('type="radio"') == 20


def test_the_search_works_without_javascript(client, tree) -> None:
    data = form_data(q="甲厂", find="1")
    data.pop("union")
    response = client.post(FORM, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="UA"' in html
    assert not JoinApplication.objects.exists()
    assert 'class="error"' not in html


def test_submitting_shows_the_number_and_the_deadline(client, tree) -> None:
    response = client.post(FORM, form_data())
    assert response.status_code == 302
    assert response["Location"] == "/m/join/done/"
    application = JoinApplication.objects.get()
    done = client.get("/m/join/done/").content.decode()
    assert application.application_no in done
    assert f"工会将在 {application.deadline:%Y-%m-%d} 前答复" in done
    assert "甲厂工会" in done
    assert application.id_number not in done


def test_the_done_page_without_a_submission_goes_back_to_the_form(client, tree) -> None:
    response = client.get("/m/join/done/")
    assert response.status_code == 302 and response["Location"] == FORM


def test_consent_is_required_on_the_form(client, tree) -> None:
    data = form_data()
    data.pop("consent")
    response = client.post(FORM, data)
    assert response.status_code == 200
    assert "请阅读并勾选同意" in response.content.decode()
    assert not JoinApplication.objects.exists()


def test_a_wrong_identity_number_is_shown_at_its_field(client, tree) -> None:
    data = form_data()
    data["id_number"] = data["id_number"][:17] + ("1" if data["id_number"][17] == "0" else "0")
    html = client.post(FORM, data).content.decode()
    assert 'id="id_id_number-error"' in html and "校验位" in html
    assert 'value="UA" checked' in html  # the picked union stays picked


def test_an_employee_picking_a_county_union_is_told_why(client, tree) -> None:
    html = client.post(FORM, form_data(union="CA")).content.decode()
    assert "基层工会" in html
    assert not JoinApplication.objects.exists()


def test_a_closed_or_unknown_union_is_refused(client, tree) -> None:
    html = client.post(FORM, form_data(union="NOPE")).content.decode()
    assert "没有找到所选的工会" in html


def test_the_form_needs_csrf(tree) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post(FORM, form_data()).status_code == 403
    assert client.post(STATUS, {"application_no": "J1", "id_last4": "1234"}).status_code == 403


def test_a_logged_in_member_is_linked(people, login_as, tree) -> None:
    client = login_as(people["member"])
    assert client.post(FORM, form_data()).status_code == 302
    assert JoinApplication.objects.get().applicant == people["member"]


# -- the public status page ----------------------------------------------------------------


def test_status_needs_the_right_last_four(client, application_a) -> None:
    wrong = client.post(
        STATUS, {"application_no": application_a.application_no, "id_last4": "0000"}
    ).content.decode()
    assert "没有找到该申请" in wrong
    assert application_a.union.name not in wrong
    unknown = client.post(STATUS, {"application_no": "J99999999", "id_last4": "0000"})
    assert "没有找到该申请" in unknown.content.decode()

    right = client.post(
        STATUS,
        {
            "application_no": application_a.application_no.lower(),
            "id_last4": application_a.id_number[-4:].lower(),
        },
    ).content.decode()
    assert "待答复" in right and "甲厂工会" in right
    assert f"{application_a.deadline:%Y-%m-%d}" in right
    assert application_a.name not in right and masked(application_a.phone) not in right


def test_status_shows_the_rejection_reason(client, people, application_a) -> None:
    from gonghui.joining import services

    services.application_reject(
        by=people["alice"], application=application_a, reason="非本单位职工"
    )
    html = client.post(
        STATUS,
        {"application_no": application_a.application_no, "id_last4": application_a.id_number[-4:]},
    ).content.decode()
    assert "未同意入会" in html and "非本单位职工" in html


def test_the_applicant_withdraws_from_the_status_page(client, application_a) -> None:
    proof = {
        "application_no": application_a.application_no,
        "id_last4": application_a.id_number[-4:],
    }
    assert client.post("/m/join/status/withdraw/", proof | {"id_last4": "0000"}).status_code == 200
    application_a.refresh_from_db()
    assert application_a.status == ApplicationStatus.PENDING

    html = client.post("/m/join/status/withdraw/", proof).content.decode()
    assert "已撤回" in html
    application_a.refresh_from_db()
    assert application_a.status == ApplicationStatus.WITHDRAWN


# -- staff pages ---------------------------------------------------------------------------


def test_the_officer_sees_pending_applications_in_scope(
    login_as, people, application_a, application_b
) -> None:
    html = login_as(people["alice"]).get(LIST).content.decode()
    assert application_a.application_no in html and application_a.name in html
    assert application_b.application_no not in html and application_b.name not in html
    assert application_a.deadline.strftime("%Y-%m-%d") in html
    assert "还剩" in html


def test_the_nav_has_the_item_for_officers(login_as, people, tree) -> None:
    html = login_as(people["alice"]).get("/w/").content.decode()
    assert f'href="{LIST}"' in html and "入会申请" in html


def test_overdue_applications_are_highlighted(login_as, people, application_a) -> None:
    JoinApplication.objects.filter(pk=application_a.pk).update(deadline="2020-01-02")
    html = login_as(people["alice"]).get(LIST).content.decode()
    assert '<tr class="bad">' in html and "已逾期" in html


def test_the_empty_list_says_what_happens_next(login_as, people, tree) -> None:
    html = login_as(people["alice"]).get(LIST).content.decode()
    assert "没有待答复的入会申请" in html


def test_the_detail_is_masked(login_as, people, application_a) -> None:
    html = login_as(people["alice"]).get(f"{LIST}{application_a.public_id}/").content.decode()
    assert masked(application_a.id_number) in html and masked(application_a.phone) in html
    assert application_a.id_number not in html and application_a.phone not in html
    assert "同意入会" in html


def test_an_officer_of_another_union_gets_404(login_as, people, application_a) -> None:
    bob = login_as(people["bob"])
    url = f"{LIST}{application_a.public_id}/"
    assert bob.get(url).status_code == 404
    assert bob.post(f"{url}accept/").status_code == 404
    assert bob.post(f"{url}reject/", {"reason": "不"}).status_code == 404
    application_a.refresh_from_db()
    assert application_a.status == ApplicationStatus.PENDING


def test_a_viewer_without_change_sees_but_cannot_decide(tree, login_as, application_a) -> None:
    from gonghui.conftest import make_user

    leader = login_as(make_user("leader", assignments=[(tree["a"], "leader", None)]))
    url = f"{LIST}{application_a.public_id}/"
    page = leader.get(url)
    assert page.status_code == 200 and "同意入会</button>" not in page.content.decode()
    assert leader.post(f"{url}accept/").status_code == 403
    assert not Member.objects.exists()


def test_accepting_from_the_page(login_as, people, application_a) -> None:
    client = login_as(people["alice"])
    url = f"{LIST}{application_a.public_id}/"
    response = client.post(f"{url}accept/", follow=True)
    html = response.content.decode()
    member = Member.objects.get()
    assert f"会员号 {member.member_no}" in html
    assert "已同意入会" in html


def test_rejecting_from_the_page_needs_a_reason(login_as, people, application_a) -> None:
    client = login_as(people["alice"])
    url = f"{LIST}{application_a.public_id}/"
    html = client.post(f"{url}reject/", {"reason": ""}, follow=True).content.decode()
    assert "请填写不同意入会的原因" in html
    application_a.refresh_from_db()
    assert application_a.status == ApplicationStatus.PENDING
    client.post(f"{url}reject/", {"reason": "非本单位职工"})
    application_a.refresh_from_db()
    assert (application_a.status, application_a.reason) == ("rejected", "非本单位职工")


def test_the_list_has_no_n_plus_1(
    login_as, people, tree, submit, django_assert_max_num_queries
) -> None:
    for _ in range(30):
        submit(tree["a"])
    client = login_as(people["alice"])
    client.get(LIST)  # warm the session
    with django_assert_max_num_queries(10):  # session, user, device, grants, count, page …
        response = client.get(LIST)
    assert response.content.decode().count("/w/joining/") >= 30
    with django_assert_max_num_queries(10):
        assert client.get(LIST, {"status": "all", "page": 2}).status_code == 200
