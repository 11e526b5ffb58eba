"""The pages: the staff list, review and detail with their actions; the public application
and its status lookup; the members' directory, map and detail."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from gonghui.audit.models import AuditEntry
from gonghui.merchants import services
from gonghui.merchants.models import Merchant, MerchantStatus, TerminalKey
from gonghui.merchants.tests.conftest import make_uscc, year_from

pytestmark = pytest.mark.django_db

LIST = "/w/merchants/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def detail(merchant: Merchant) -> str:
    return f"/w/merchants/{merchant.code or merchant.application_no}/"


def contract_post(**fields: str) -> dict[str, str]:
    today = timezone.localdate()
    return {
        "discount_kind": "rate",
        "discount_rate": "0.85",
        "per_txn_cap": "50",
        "valid_from": today.isoformat(),
        "valid_to": year_from(today).isoformat(),
    } | fields


# -- staff ----------------------------------------------------------------------------------


def test_the_list_is_scoped(login_as, people, merchant_a, merchant_b) -> None:
    html = login_as(people["carol"]).get(LIST).content.decode()
    assert merchant_a.name in html and merchant_b.name not in html
    assert login_as(people["bob"]).get(LIST).status_code == 200
    assert merchant_a.name not in login_as(people["bob"]).get(LIST).content.decode()


def test_the_list_filters_and_keeps_its_queries_flat(
    login_as, reviewer, make_merchant, tree, django_assert_max_num_queries
) -> None:
    for _ in range(12):
        make_merchant(tree["county_a"])
    make_merchant(tree["county_b"], category="clinic", name="乙区口腔诊所")
    client = login_as(reviewer)
    with django_assert_max_num_queries(14):
        response = client.get(LIST)
    assert response.status_code == 200
    html = client.get(LIST, {"category": "clinic"}).content.decode()
    assert "乙区口腔诊所" in html and "测试商户1<" not in html
    assert "没有符合条件的商户" in client.get(LIST, {"q": "不存在"}).content.decode()


def test_the_export_is_scoped_and_audited(login_as, people, merchant_a, merchant_b) -> None:
    response = login_as(people["carol"]).get(LIST + "export.xlsx")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][0] == "商户编号"
    assert [r[0] for r in rows[1:]] == [merchant_a.code]
    assert AuditEntry.objects.filter(action="merchants.merchants.exported").exists()


def test_outsiders_get_404_and_members_403(login_as, people, merchant_a, client) -> None:
    assert login_as(people["bob"]).get(detail(merchant_a)).status_code == 404
    assert login_as(people["alice"]).get(detail(merchant_a)).status_code == 404
    assert login_as(people["member"]).get(LIST).status_code == 403
    assert client.get(LIST).status_code == 302


def test_review_and_approve_with_a_contract(login_as, reviewer, apply) -> None:
    application = apply(name="甲区新开面馆")
    client = login_as(reviewer)
    assert "甲区新开面馆" in client.get("/w/merchants/review/").content.decode()
    page = client.get(detail(application)).content.decode()
    assert "通过并签订协议" in page
    response = client.post(detail(application) + "approve/", contract_post())
    application.refresh_from_db()
    assert application.status == MerchantStatus.ACTIVE
    assert response.url == f"/w/merchants/{application.code}/"
    page = client.get(response.url).content.decode()
    assert "8.5折，单笔最多优惠¥50.00" in page
    assert "今天适用" in page


def test_a_bad_contract_shows_why(login_as, reviewer, apply) -> None:
    application = apply()
    response = login_as(reviewer).post(
        detail(application) + "approve/", contract_post(discount_rate="0.95")
    )
    assert response.status_code == 200
    assert "0.9" in response.content.decode()
    application.refresh_from_db()
    assert application.status == MerchantStatus.APPLIED


def test_bob_cannot_approve_or_suspend(login_as, people, apply, merchant_a) -> None:
    application = apply()
    client = login_as(people["bob"])
    assert client.post(detail(application) + "approve/", contract_post()).status_code == 404
    response = client.post(detail(merchant_a) + "suspend/", {"reason": "x"})
    assert response.status_code == 404
    merchant_a.refresh_from_db()
    assert merchant_a.status == MerchantStatus.ACTIVE


def test_suspend_and_resume_with_reasons(login_as, reviewer, merchant_a) -> None:
    client = login_as(reviewer)
    client.post(detail(merchant_a) + "suspend/", {"reason": "会员投诉"})
    merchant_a.refresh_from_db()
    assert (merchant_a.status, merchant_a.status_note) == ("suspended", "会员投诉")
    page = client.get(detail(merchant_a)).content.decode()
    assert "恢复会员优惠" in page
    client.post(detail(merchant_a) + "resume/", {"reason": ""}, follow=True)
    merchant_a.refresh_from_db()
    assert merchant_a.status == "suspended"  # no reason, no change
    client.post(detail(merchant_a) + "resume/", {"reason": "核查完毕"})
    merchant_a.refresh_from_db()
    assert merchant_a.status == "active"


def test_a_new_contract_from_the_detail_page(login_as, reviewer, merchant_a) -> None:
    start = timezone.localdate() + timedelta(days=10)
    response = login_as(reviewer).post(
        detail(merchant_a) + "contracts/",
        contract_post(
            discount_kind="fixed",
            discount_rate="",
            fixed_off="5",
            min_amount="20",
            valid_from=start.isoformat(),
            valid_to=year_from(start).isoformat(),
        ),
    )
    assert response.status_code == 302
    assert merchant_a.contracts.count() == 2
    assert merchant_a.contracts.first().fixed_off_fen == 500


def test_a_key_secret_is_shown_once_and_never_again(login_as, reviewer, merchant_a) -> None:
    client = login_as(reviewer)
    response = client.post(detail(merchant_a) + "keys/", {"label": "一楼收银台"})
    assert response["Cache-Control"] == "no-store"
    key = TerminalKey.objects.get()
    assert key.secret in response.content.decode()
    page = client.get(detail(merchant_a)).content.decode()
    assert key.key_id in page and key.secret not in page
    client.post(detail(merchant_a) + f"keys/{key.key_id}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_a_staff_account_password_is_shown_once(login_as, reviewer, merchant_a) -> None:
    response = login_as(reviewer).post(
        detail(merchant_a) + "staff/",
        {"username": "shouyin2", "display_name": "小李", "role": "cashier"},
    )
    html = response.content.decode()
    assert "shouyin2" in html and "初始密码" in html
    password = re.search(r'<code class="secret">([^<]+)</code></dd>\s*</dl>', html).group(1)
    assert merchant_a.staff.get().user.check_password(password.replace("&amp;", "&"))


def test_photos_upload_show_and_remove(login_as, reviewer, merchant_a, client) -> None:
    staff = login_as(reviewer)
    staff.post(detail(merchant_a) + "photos/", {"image": SimpleUploadedFile("x.png", PNG)})
    photo = merchant_a.photos.get()
    own_url = f"{detail(merchant_a)}photos/{photo.file_name}"
    assert own_url in staff.get(detail(merchant_a)).content.decode()
    assert staff.get(own_url)["Content-Type"] == "image/png"
    public = f"/m/merchants/{merchant_a.code}/photos/{photo.file_name}"
    assert client.get(public).status_code == 200
    bad = staff.post(
        detail(merchant_a) + "photos/", {"image": SimpleUploadedFile("x.png", b"GIF89a")}
    )
    assert "JPEG 或 PNG" in bad.content.decode()
    staff.post(own_url + "/remove/")
    assert not merchant_a.photos.exists()
    assert client.get(public).status_code == 404


# -- the public application -----------------------------------------------------------------


def test_a_merchant_applies_and_follows_the_application(client, tree) -> None:
    form = client.get("/merchant/apply/").content.decode()
    assert "甲区总工会" in form
    response = client.post(
        "/merchant/apply/",
        {
            "name": "甲区阳光超市",
            "uscc": make_uscc(42),
            "category": "shopping",
            "district": "CA",
            "address": "甲区人民路 8 号",
            "phone": "13912345678",
            "proposal": "9折",
        },
    )
    assert response.url == "/merchant/apply/done/"
    merchant = Merchant.objects.get(name="甲区阳光超市")
    assert merchant.application_no in client.get(response.url).content.decode()
    wrong = client.post(
        "/merchant/apply/status/",
        {"application_no": merchant.application_no, "phone": "13900000000"},
    )
    assert "没有找到该申请" in wrong.content.decode()
    right = client.post(
        "/merchant/apply/status/",
        {"application_no": merchant.application_no.lower(), "phone": "139 1234 5678"},
    ).content.decode()
    assert "审核中" in right


def test_a_wrong_credit_code_is_shown_on_its_field(client, tree) -> None:
    response = client.post(
        "/merchant/apply/",
        {
            "name": "x",
            "uscc": "123",
            "category": "food",
            "district": "CA",
            "address": "y",
            "phone": "13912345678",
            "proposal": "9折",
        },
    )
    assert "统一社会信用代码不正确" in response.content.decode()
    assert not Merchant.objects.exists()


def test_the_district_must_be_a_county(client, tree) -> None:
    response = client.post(
        "/merchant/apply/",
        {"name": "x", "uscc": make_uscc(3), "category": "food", "district": "UA"},
    )
    assert response.status_code == 200
    assert not Merchant.objects.exists()


# -- the member directory -------------------------------------------------------------------


def test_the_directory_is_phone_first_and_nearest_first(
    client, make_merchant, django_assert_max_num_queries
) -> None:
    far = make_merchant(name="远处饭店", lat="32.480000")
    near = make_merchant(name="近处饭店", lat="32.391000")
    make_merchant(name="暂停的饭店", status=MerchantStatus.SUSPENDED)
    with django_assert_max_num_queries(8):
        html = client.get("/m/merchants/", {"lat": "32.39", "lng": "119.42"}).content.decode()
    assert html.index(near.name) < html.index(far.name)
    assert "暂停的饭店" not in html
    assert "按离您的距离从近到远排列" in html
    assert "110 米" in html or "120 米" in html
    assert 'name="viewport"' in html


def test_more_rows_come_through_htmx(client, make_merchant) -> None:
    for _ in range(20):
        make_merchant()
    first = client.get("/m/merchants/").content.decode()
    assert "加载更多" in first
    more = client.get("/m/merchants/", {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in more and more.count('class="merchant"') == 5


def test_the_directory_filters_and_says_what_to_do_when_empty(
    client, merchant_a, merchant_b
) -> None:
    html = client.get("/m/merchants/", {"category": "lodging"}).content.decode()
    assert merchant_b.name in html and merchant_a.name not in html
    empty = client.get("/m/merchants/", {"category": "clinic"}).content.decode()
    assert "换个类别或县区试试" in empty


def test_the_detail_shows_the_rule(client, merchant_a, make_merchant) -> None:
    html = client.get(f"/m/merchants/{merchant_a.code}/").content.decode()
    assert "8.5折，单笔最多优惠¥50.00" in html
    suspended = make_merchant(status=MerchantStatus.SUSPENDED)
    assert client.get(f"/m/merchants/{suspended.code}/").status_code == 404


def test_the_map_carries_its_data_as_json(client, merchant_a) -> None:
    html = client.get("/m/merchants/map/").content.decode()
    assert 'id="merchant-map-data"' in html
    assert merchant_a.code in html
    assert "<script>" not in html.replace(
        '<script id="merchant-map-data" type="application/json">', ""
    )


def test_the_member_sees_the_directory_logged_in(login_as, people, merchant_a) -> None:
    response = login_as(people["member"]).get("/m/merchants/")
    assert merchant_a.name in response.content.decode()


def test_an_expired_merchant_leaves_the_directory_the_day_its_contract_ends(
    client, merchant_a
) -> None:
    merchant_a.contracts.update(valid_to=timezone.localdate() - timedelta(days=1))
    assert merchant_a.name not in client.get("/m/merchants/").content.decode()
    services.merchants_expire(today=timezone.localdate())
    merchant_a.refresh_from_db()
    assert merchant_a.status == "expired"


def test_anonymous_pages_need_no_login(tree) -> None:
    client = Client()
    for url in (
        "/m/merchants/",
        "/m/merchants/map/",
        "/merchant/apply/",
        "/merchant/apply/status/",
    ):
        assert client.get(url).status_code == 200, url


def test_the_reviewer_fixes_the_map_point_then_approves(login_as, reviewer, apply) -> None:
    application = apply(latitude="", longitude="")
    client = login_as(reviewer)
    refused = client.post(detail(application) + "approve/", contract_post())
    assert "请先在“修改资料”中填写商户的经纬度" in refused.content.decode()
    form = client.get(detail(application) + "edit/").content.decode()
    assert application.name in form
    response = client.post(
        detail(application) + "edit/",
        {
            "name": application.name,
            "uscc": application.uscc,
            "category": "food",
            "district": "CA",
            "address": application.address,
            "latitude": "32.401",
            "longitude": "119.402",
            "phone": application.phone,
        },
    )
    assert response.status_code == 302
    client.post(detail(application) + "approve/", contract_post())
    application.refresh_from_db()
    assert application.status == MerchantStatus.ACTIVE
    assert str(application.latitude) == "32.401000"


def test_carol_cannot_move_a_merchant_out_of_her_county(login_as, people, merchant_a) -> None:
    response = login_as(people["carol"]).post(
        detail(merchant_a) + "edit/",
        {
            "name": merchant_a.name,
            "uscc": merchant_a.uscc,
            "category": "food",
            "district": "CB",
            "address": merchant_a.address,
            "phone": merchant_a.phone,
        },
    )
    # CB is not among her choices: the form refuses it before any service is asked.
    assert response.status_code == 200
    merchant_a.refresh_from_db()
    assert merchant_a.district.code == "CA"
