"""Every write: what it changes, the audit entry and history line it leaves, who may do it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.accounts.models import User
from gonghui.audit.models import AuditEntry
from gonghui.core.errors import DomainError, Forbidden
from gonghui.merchants import rules, selectors, services
from gonghui.merchants.models import Contract, MerchantEvent, MerchantPhoto, MerchantStatus
from gonghui.merchants.tests.conftest import RATE_TERMS, application_data, make_uscc, year_from

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def audited(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


def approve(merchant, by, **kwargs):
    today = timezone.localdate()
    return services.merchant_approve(
        by=by,
        merchant=merchant,
        terms=kwargs.pop("terms", RATE_TERMS),
        valid_from=kwargs.pop("valid_from", today),
        valid_to=kwargs.pop("valid_to", year_from(today)),
    )


# -- application ----------------------------------------------------------------------------


def test_an_application_gets_a_number_and_is_audited(apply, tree) -> None:
    merchant = apply(name="甲区好味面馆", uscc=" " + make_uscc(5).lower() + " ")
    assert merchant.status == MerchantStatus.APPLIED
    assert merchant.code is None
    assert merchant.application_no.startswith("SQ") and len(merchant.application_no) == 10
    assert merchant.uscc == make_uscc(5)
    entry = audited("merchants.merchant.applied")
    assert entry.actor_id is None
    assert entry.union_path == tree["county_a"].path
    assert entry.changes["application_no"] == merchant.application_no
    assert MerchantEvent.objects.get(merchant=merchant).kind == "applied"


def test_a_wrong_credit_code_is_refused(apply) -> None:
    with pytest.raises(DomainError) as caught:
        apply(uscc="91419902MA1234567X")
    assert caught.value.code == "merchant.uscc_invalid"


def test_one_open_application_per_credit_code(apply, reviewer) -> None:
    first = apply(uscc=make_uscc(77))
    with pytest.raises(DomainError) as caught:
        apply(uscc=make_uscc(77))
    assert caught.value.code == "merchant.application_open"
    services.merchant_reject(by=reviewer, merchant=first, reason="材料不全")
    assert apply(uscc=make_uscc(77)).status == MerchantStatus.APPLIED


def test_coordinates_are_optional_but_come_in_pairs(apply) -> None:
    assert apply(latitude="", longitude="").latitude is None
    with pytest.raises(DomainError) as caught:
        apply(latitude="32.1", longitude="")
    assert caught.value.code == "merchant.coordinates_invalid"
    with pytest.raises(DomainError):
        apply(latitude="132.1", longitude="119")


def test_the_phone_is_needed_to_follow_the_application(apply) -> None:
    with pytest.raises(DomainError) as caught:
        apply(phone="")
    assert caught.value.code == "merchant.phone_required"


# -- review ---------------------------------------------------------------------------------


def test_approval_gives_the_next_code_and_signs_the_first_contract(
    apply, reviewer, merchant_a
) -> None:
    application = apply()
    merchant, contract = approve(application, reviewer)
    assert merchant.code == "SH00002"  # merchant_a holds SH00001
    assert merchant.status == MerchantStatus.ACTIVE
    assert merchant.reviewed_by == reviewer
    assert contract.contract_no.startswith("SH00002-")
    assert contract.signed_by == reviewer
    entry = audited("merchants.merchant.approved")
    assert entry.actor_id == reviewer.pk
    assert entry.changes["code"] == "SH00002"
    assert entry.changes["rule"] == "8.5折，单笔最多优惠¥50.00"
    assert set(merchant.events.values_list("kind", flat=True)) == {"applied", "approved"}


def test_codes_are_never_reused(apply, reviewer, make_merchant, tree) -> None:
    make_merchant(status=MerchantStatus.TERMINATED)
    make_merchant(code="SH00009", status=MerchantStatus.TERMINATED)
    merchant, _ = approve(apply(), reviewer)
    assert merchant.code == "SH00010"


def test_approval_needs_the_map_point(apply, reviewer) -> None:
    application = apply(latitude="", longitude="")
    with pytest.raises(DomainError) as caught:
        approve(application, reviewer)
    assert caught.value.code == "merchant.coordinates_required"
    services.merchant_update(
        by=reviewer,
        merchant=application,
        data=application_data(1, uscc=application.uscc, latitude="32.4", longitude="119.4"),
    )
    merchant, _ = approve(application, reviewer)
    assert merchant.latitude == Decimal("32.4")
    assert audited("merchants.merchant.updated").changes["latitude"] == [None, "32.400000"]


def test_a_bad_contract_approves_nothing(apply, reviewer) -> None:
    application = apply()
    with pytest.raises(DomainError) as caught:
        approve(application, reviewer, terms=rules.ContractTerms("rate", Decimal("0.95")))
    assert caught.value.code == "merchant.rate_invalid"
    application.refresh_from_db()
    assert application.status == MerchantStatus.APPLIED and application.code is None


def test_rejection_needs_a_reason_and_is_final(apply, reviewer) -> None:
    application = apply()
    with pytest.raises(DomainError) as caught:
        services.merchant_reject(by=reviewer, merchant=application, reason="  ")
    assert caught.value.code == "merchant.reason_required"
    services.merchant_reject(by=reviewer, merchant=application, reason="不在服务范围")
    assert audited("merchants.merchant.rejected").changes["reason"] == "不在服务范围"
    with pytest.raises(DomainError) as caught:
        approve(application, reviewer)
    assert caught.value.code == "merchant.transition_invalid"


def test_county_staff_review_their_own_county_only(apply, people, tree) -> None:
    mine = apply(tree["county_a"])
    theirs = apply(tree["county_b"])
    approve(mine, people["carol"])
    with pytest.raises(Forbidden):
        approve(theirs, people["carol"])
    with pytest.raises(Forbidden):
        services.merchant_reject(by=people["bob"], merchant=mine, reason="x")


# -- contracts and status -------------------------------------------------------------------


def test_a_renewal_brings_an_expired_merchant_back(merchant_a, reviewer) -> None:
    today = timezone.localdate()
    services.merchants_expire(today=today + timedelta(days=400))
    merchant_a.refresh_from_db()
    assert merchant_a.status == MerchantStatus.EXPIRED
    contract = services.contract_sign(
        by=reviewer,
        merchant=merchant_a,
        terms=rules.ContractTerms("fixed", None, 500, min_amount_fen=2000),
        valid_from=today + timedelta(days=390),
        valid_to=today + timedelta(days=700),
        today=today + timedelta(days=400),
    )
    merchant_a.refresh_from_db()
    assert merchant_a.status == MerchantStatus.ACTIVE
    assert contract.contract_no.endswith("-02")
    entry = audited("merchants.contract.signed")
    assert entry.changes["status"] == ["expired", "active"]
    assert entry.changes["rule"] == "立减¥5.00，满¥20.00可用"


def test_a_changed_rule_is_a_new_contract_and_the_later_one_applies(merchant_a, reviewer) -> None:
    today = timezone.localdate()
    first = selectors.contract_for_trade(merchant_a, today)
    second = services.contract_sign(
        by=reviewer,
        merchant=merchant_a,
        terms=rules.ContractTerms("rate", Decimal("0.70")),
        valid_from=today,
        valid_to=year_from(today),
    )
    first.refresh_from_db()
    assert first.discount_rate == Decimal("0.85")  # signed contracts never change
    assert selectors.contract_for_trade(merchant_a, today) == second


def test_suspend_resume_terminate(merchant_a, reviewer) -> None:
    key, _secret = services.key_issue(by=reviewer, merchant=merchant_a, label="1号机")
    _staff, _password = services.staff_create(
        by=reviewer, merchant=merchant_a, username="shouyin1", display_name="小王", role="cashier"
    )
    services.merchant_suspend(by=reviewer, merchant=merchant_a, reason="会员投诉核查")
    assert audited("merchants.merchant.suspended").changes["status"] == ["active", "suspended"]
    services.merchant_resume(by=reviewer, merchant=merchant_a, reason="核查完毕")
    services.merchant_terminate(by=reviewer, merchant=merchant_a, reason="商户停业")
    entry = audited("merchants.merchant.terminated")
    assert entry.changes["keys_revoked"] == [key.key_id]
    assert entry.changes["staff_deactivated"] == ["shouyin1"]
    assert selectors.till_for_key(key.key_id, timezone.localdate()) is None
    assert not User.objects.get(username="shouyin1").is_active
    with pytest.raises(DomainError) as caught:
        services.merchant_resume(by=reviewer, merchant=merchant_a, reason="再试")
    assert caught.value.code == "merchant.transition_invalid"


def test_resuming_without_a_contract_in_force_is_refused(make_merchant, reviewer) -> None:
    merchant = make_merchant(status=MerchantStatus.SUSPENDED, contract=False)
    with pytest.raises(DomainError) as caught:
        services.merchant_resume(by=reviewer, merchant=merchant, reason="恢复")
    assert caught.value.code == "merchant.no_contract"


def test_expiry_is_safe_to_run_daily(make_merchant, reviewer) -> None:
    today = timezone.localdate()
    running = make_merchant()
    ended = make_merchant(contract=False)
    Contract.objects.create(
        merchant=ended,
        contract_no="X-1",
        valid_from=today - timedelta(days=100),
        valid_to=today - timedelta(days=1),
        discount_kind="rate",
        discount_rate=Decimal("0.9"),
    )
    suspended = make_merchant(status=MerchantStatus.SUSPENDED, contract=False)
    assert services.merchants_expire(today=today) == [ended.code]
    assert services.merchants_expire(today=today) == []
    ended.refresh_from_db()
    running.refresh_from_db()
    suspended.refresh_from_db()
    assert (ended.status, running.status, suspended.status) == ("expired", "active", "suspended")
    entry = audited("merchants.merchant.expired")
    assert entry.object_id == str(ended.public_id) and entry.actor_id is None
    assert ended.events.get().kind == "expired"


# -- accounts, keys, photos -----------------------------------------------------------------


def test_a_staff_account_is_a_merchant_account_with_a_password_shown_once(
    merchant_a, reviewer
) -> None:
    staff, password = services.staff_create(
        by=reviewer,
        merchant=merchant_a,
        username="dianzhang",
        display_name="李店长",
        role="manager",
    )
    user = staff.user
    assert user.kind == "merchant"
    assert user.check_password(password) and len(password) >= 12
    assert password not in str(list(AuditEntry.objects.values_list("changes", flat=True)))
    assert selectors.staff_merchant(user) == merchant_a
    assert audited("merchants.staff.created").changes == {
        "username": "dianzhang",
        "role": "manager",
    }
    services.staff_deactivate(by=reviewer, staff=staff)
    user.refresh_from_db()
    assert selectors.staff_merchant(user) is None
    assert audited("merchants.staff.deactivated").object_id == str(merchant_a.public_id)


def test_a_taken_username_is_refused(merchant_a, reviewer, people) -> None:
    with pytest.raises(DomainError) as caught:
        services.staff_create(
            by=reviewer, merchant=merchant_a, username="alice", display_name="x", role="cashier"
        )
    assert caught.value.code == "account.username_taken"


def test_keys_are_issued_to_active_merchants_and_revoked_at_once(
    merchant_a, make_merchant, reviewer
) -> None:
    key, secret = services.key_issue(by=reviewer, merchant=merchant_a, label="1号机")
    assert key.key_id.startswith("pk_") and len(key.key_id) == 19
    assert key.secret == secret and len(secret) >= 43
    assert secret not in str(audited("merchants.key.issued").changes)
    assert selectors.till_for_key(key.key_id, timezone.localdate()).terminal == key
    services.key_revoke(by=reviewer, key=key)
    assert selectors.till_for_key(key.key_id, timezone.localdate()) is None
    assert audited("merchants.key.revoked").changes["key_id"] == key.key_id
    suspended = make_merchant(status=MerchantStatus.SUSPENDED)
    with pytest.raises(DomainError) as caught:
        services.key_issue(by=reviewer, merchant=suspended)
    assert caught.value.code == "merchant.not_active"


def test_outsiders_cannot_issue_keys(merchant_a, people) -> None:
    for outsider in (people["bob"], people["alice"]):
        with pytest.raises(Forbidden):
            services.key_issue(by=outsider, merchant=merchant_a)


def test_photos_are_checked_by_content_size_and_count(merchant_a, reviewer) -> None:
    photo = services.photo_add(
        by=reviewer, merchant=merchant_a, upload=SimpleUploadedFile("a.gif", PNG), caption="门头"
    )
    assert photo.image.name.endswith(".png")
    assert audited("merchants.photo.added").changes["caption"] == "门头"
    with pytest.raises(DomainError) as caught:
        services.photo_add(
            by=reviewer, merchant=merchant_a, upload=SimpleUploadedFile("x.jpg", b"GIF89a....")
        )
    assert caught.value.code == "merchant.photo_type"
    big = JPEG + b"\x00" * (2 * 1024 * 1024)
    with pytest.raises(DomainError) as caught:
        services.photo_add(
            by=reviewer, merchant=merchant_a, upload=SimpleUploadedFile("b.jpg", big)
        )
    assert caught.value.code == "merchant.photo_too_large"
    for _ in range(5):
        services.photo_add(
            by=reviewer, merchant=merchant_a, upload=SimpleUploadedFile("c.jpg", JPEG)
        )
    with pytest.raises(DomainError) as caught:
        services.photo_add(
            by=reviewer, merchant=merchant_a, upload=SimpleUploadedFile("d.jpg", JPEG)
        )
    assert caught.value.code == "merchant.photo_limit"


def test_removing_a_photo_deletes_its_file(
    merchant_a, reviewer, django_capture_on_commit_callbacks
) -> None:
    photo = services.photo_add(
        by=reviewer, merchant=merchant_a, upload=SimpleUploadedFile("a.jpg", JPEG)
    )
    storage, name = photo.image.storage, photo.image.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        services.photo_remove(by=reviewer, photo=photo)
    assert not storage.exists(name)
    assert not MerchantPhoto.objects.filter(pk=photo.pk).exists()
    assert audited("merchants.photo.removed").changes["file"] == name
