"""Pages for 会员服务基地: the staff pages that review and look after merchants, the public
application form with its status lookup, and the members' phone-first directory and map."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gonghui.accounts.scoping import has_perm
from gonghui.core.errors import DomainError, Forbidden
from gonghui.core.http import AuthedRequest
from gonghui.core.pages import paginate, staff_page, xlsx_download
from gonghui.merchants import rules, selectors, services
from gonghui.merchants.forms import (
    ApplyForm,
    ContractForm,
    DirectoryForm,
    EditForm,
    FilterForm,
    KeyForm,
    PhotoForm,
    ReasonForm,
    StaffForm,
    StatusForm,
)
from gonghui.merchants.models import (
    Category,
    Merchant,
    MerchantPhoto,
    MerchantStatus,
    TerminalKey,
)

PER_PAGE = 30
DIRECTORY_PER_PAGE = 15
APPLIED_SESSION_KEY = "merchant_applied"

# Which form field a service error belongs to, by the start of its code.
ERROR_FIELDS = (
    ("merchant.uscc", "uscc"),
    ("merchant.application_open", "uscc"),
    ("merchant.category", "category"),
    ("merchant.coordinates", "latitude"),
    ("merchant.phone", "phone"),
    ("merchant.district", "district"),
    ("merchant.rate", "discount_rate"),
    ("merchant.fixed", "fixed_off"),
    ("merchant.period", "valid_to"),
    ("merchant.username", "username"),
    ("account.username", "username"),
    ("account.password", "username"),
    ("merchant.photo", "image"),
)


def _add_error(form: Any, exc: DomainError) -> None:
    name = next((f for prefix, f in ERROR_FIELDS if exc.code.startswith(prefix)), None)
    form.add_error(name if name in form.fields else None, exc.message)


def _merchant_photo_response(photo: MerchantPhoto) -> FileResponse:
    kind = "image/png" if photo.file_name.endswith(".png") else "image/jpeg"
    response = FileResponse(photo.image.open("rb"), content_type=kind)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# -- the public application -----------------------------------------------------------------


def apply(request: HttpRequest) -> HttpResponse:
    districts = selectors.districts_for()
    form = ApplyForm(request.POST or None, districts=districts)
    if request.method == "POST" and form.is_valid():
        try:
            district = selectors.district_for_application(code=form.cleaned_data["district"])
            merchant = services.merchant_apply(data=form.merchant_data(), district=district)
        except DomainError as exc:
            _add_error(form, exc)
        else:
            request.session[APPLIED_SESSION_KEY] = str(merchant.public_id)
            return redirect("merchant_apply:done")
    return render(request, "merchants/apply.html", {"form": form})


def apply_done(request: HttpRequest) -> HttpResponse:
    public_id = request.session.get(APPLIED_SESSION_KEY)
    merchant = (
        Merchant.objects.select_related("district").filter(public_id=public_id).first()
        if public_id
        else None
    )
    if merchant is None:
        return redirect("merchant_apply:form")
    return render(request, "merchants/apply_done.html", {"merchant": merchant})


def apply_status(request: HttpRequest) -> HttpResponse:
    """By application number and the phone given; POST, so neither lands in a URL or a log."""
    form = StatusForm(request.POST or None)
    merchant = None
    if request.method == "POST" and form.is_valid():
        merchant = selectors.application_lookup(
            application_no=form.cleaned_data["application_no"], phone=form.cleaned_data["phone"]
        )
        if merchant is None:
            form.add_error(None, _("没有找到该申请，请核对申请编号和联系电话"))
    return render(request, "merchants/apply_status.html", {"form": form, "merchant": merchant})


# -- the member directory -------------------------------------------------------------------


def _directory_filters(request: HttpRequest) -> tuple[DirectoryForm, dict[str, Any]]:
    districts = selectors.districts_for()
    form = DirectoryForm(request.GET or None, districts=districts)
    values: dict[str, Any] = {"category": "", "district": "", "q": "", "near": None}
    if form.is_valid():
        data = form.cleaned_data
        values |= {"category": data["category"], "district": data["district"], "q": data["q"]}
        values["near"] = selectors.parse_point(data["lat"], data["lng"])
    return form, values


def _query(values: dict[str, Any]) -> str:
    params = {k: values[k] for k in ("category", "district", "q") if values[k]}
    near = values["near"]
    if near is not None:
        params |= {"lat": f"{near.lat:.3f}", "lng": f"{near.lng:.3f}"}
    return urlencode(params)


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Phone-first list: category chips, a district select, "离我最近" (the browser's location,
    rounded to about 100 m before it leaves the phone), more rows through HTMX."""
    form, values = _directory_filters(request)
    merchants = selectors.directory(
        category=values["category"], district=values["district"], near=values["near"], q=values["q"]
    )
    page = Paginator(merchants, DIRECTORY_PER_PAGE).get_page(request.GET.get("page"))
    rows = selectors.page_rows(page.object_list, values["near"])
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "values": values,
        "query": _query(values),
        "categories": Category.choices,
    }
    if request.headers.get("HX-Request") and request.GET.get("page"):
        return render(request, "merchants/directory/partials/rows.html", context)
    return render(request, "merchants/directory/list.html", context)


@require_GET
def directory_map(request: HttpRequest) -> HttpResponse:
    form, values = _directory_filters(request)
    points = selectors.map_points(category=values["category"], district=values["district"])
    categories = [{"value": v, "label": str(label)} for v, label in Category.choices]
    return render(
        request,
        "merchants/directory/map.html",
        {
            "form": form,
            "values": values,
            "query": _query(values),
            "categories": Category.choices,
            "chart": {"points": points, "categories": categories},
            "count": len(points),
        },
    )


@require_GET
def directory_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        merchant = selectors.directory_get(code=code)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    near = selectors.parse_point(request.GET.get("lat"), request.GET.get("lng"))
    selectors.page_rows([merchant], near)
    return render(
        request,
        "merchants/directory/detail.html",
        {"merchant": merchant, "contract": selectors.current_contract(merchant)},
    )


@require_GET
def directory_photo(request: HttpRequest, code: str, name: str) -> FileResponse:
    """A listed merchant's photo (media is not served as a directory)."""
    photo = (
        MerchantPhoto.objects.filter(
            merchant__in=selectors.listed(), merchant__code=code, image__endswith=f"/{name}"
        )
        .select_related("merchant")
        .first()
    )
    if photo is None:
        raise Http404
    return _merchant_photo_response(photo)


# -- staff ----------------------------------------------------------------------------------


def _filters(request: AuthedRequest) -> tuple[FilterForm, dict[str, str]]:
    form = FilterForm(request.GET or None, districts=selectors.districts_for(request.user))
    values = {"q": "", "status": "", "category": "", "district": ""}
    if form.is_valid():
        values |= {k: form.cleaned_data[k] or "" for k in values}
    return form, values


@staff_page("cards.view")
def merchant_list(request: AuthedRequest) -> HttpResponse:
    form, values = _filters(request)
    merchants = selectors.merchant_search(actor=request.user, **values)
    query = urlencode({k: v for k, v in values.items() if v})
    return render(
        request,
        "merchants/list.html",
        {
            "form": form,
            "page": paginate(request, merchants, per_page=PER_PAGE),
            "query": query,
            "values": values,
            "pending": selectors.review_queue(actor=request.user).count(),
        },
    )


@staff_page("cards.view")
def merchant_export(request: AuthedRequest) -> FileResponse:
    _form, values = _filters(request)
    merchants = selectors.merchant_search(actor=request.user, **values)
    rows = services.merchants_export_rows(by=request.user, merchants=merchants, filters=values)
    return xlsx_download("merchants", services.EXPORT_HEADERS, rows, sheet_name="服务商户")


@staff_page("cards.view")
def review(request: AuthedRequest) -> HttpResponse:
    queue = selectors.review_queue(actor=request.user)
    return render(
        request,
        "merchants/review.html",
        {"page": paginate(request, queue, per_page=PER_PAGE), "query": ""},
    )


EVENT_LABELS = {
    "applied": gettext_lazy("提交申请"),
    "updated": gettext_lazy("修改资料"),
    "approved": gettext_lazy("通过申请"),
    "rejected": gettext_lazy("未通过"),
    "signed": gettext_lazy("签订协议"),
    "suspended": gettext_lazy("暂停"),
    "resumed": gettext_lazy("恢复"),
    "terminated": gettext_lazy("终止合作"),
    "expired": gettext_lazy("协议到期"),
    "created": gettext_lazy("开设账号"),
    "deactivated": gettext_lazy("停用账号"),
    "issued": gettext_lazy("签发终端密钥"),
    "revoked": gettext_lazy("吊销终端密钥"),
    "added": gettext_lazy("上传照片"),
    "removed": gettext_lazy("删除照片"),
}


def _detail_context(request: AuthedRequest, merchant: Merchant, **extra: Any) -> dict[str, Any]:
    can_change = has_perm(request.user, "cards.change", merchant.district.path)
    status = merchant.status
    contracts = list(selectors.merchant_contracts(merchant))
    today = timezone.localdate()
    in_force = next((c for c in contracts if c.covers(today)), None)
    events = list(selectors.merchant_events(merchant)[:50])
    for event in events:
        event.label = str(EVENT_LABELS.get(event.kind, event.kind))  # type: ignore[attr-defined]
    context = {
        "merchant": merchant,
        "can_change": can_change,
        "contracts": [(c, rules.rule_text(c)) for c in contracts],
        "in_force": in_force,
        "today": today,
        "photos": list(merchant.photos.all()),
        "staff": list(selectors.merchant_staff(merchant)),
        "keys": list(selectors.merchant_keys(merchant)),
        "events": events,
        "is_applied": status == MerchantStatus.APPLIED,
        "working": status in services.WORKING,
        "can_suspend": rules.can_transition(status, MerchantStatus.SUSPENDED),
        "can_resume": status == MerchantStatus.SUSPENDED,
        "can_terminate": rules.can_transition(status, MerchantStatus.TERMINATED),
        "is_active": status == MerchantStatus.ACTIVE,
        "contract_form": ContractForm(),
        "reason_form": ReasonForm(),
        "staff_form": StaffForm(),
        "key_form": KeyForm(),
        "photo_form": PhotoForm(),
        "photo_limit": services.PHOTO_MAX_COUNT,
    }
    return context | extra


def _key(merchant: Merchant) -> str:
    return str(merchant.code or merchant.application_no)


@staff_page("cards.view")
def merchant_detail(request: AuthedRequest, key: str) -> HttpResponse:
    merchant = selectors.merchant_get(actor=request.user, key=key)
    return render(request, "merchants/detail.html", _detail_context(request, merchant))


def _changeable(request: AuthedRequest, key: str) -> Merchant:
    return selectors.merchant_get(actor=request.user, key=key, permission="cards.change")


@staff_page("cards.change")
def merchant_edit(request: AuthedRequest, key: str) -> HttpResponse:
    merchant = _changeable(request, key)
    districts = selectors.districts_for(request.user)
    initial = {
        name: getattr(merchant, name) or ""
        for name in ("name", "uscc", "category", "address", "opening_hours", "contact_name")
    } | {
        "phone": merchant.phone,
        "description": merchant.description,
        "district": merchant.district.code,
        "latitude": merchant.latitude if merchant.latitude is not None else "",
        "longitude": merchant.longitude if merchant.longitude is not None else "",
    }
    form = EditForm(request.POST or None, initial=initial, districts=districts)
    if merchant.status != MerchantStatus.APPLIED:
        form.fields["uscc"].disabled = True
    if request.method == "POST" and form.is_valid():
        district = next((d for d in districts if d.code == form.cleaned_data["district"]), None)
        try:
            services.merchant_update(
                by=request.user, merchant=merchant, data=form.merchant_data(), district=district
            )
        except Forbidden:
            raise
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("已保存商户资料"))
            return redirect("merchants:detail", key=_key(merchant))
    return render(request, "merchants/edit.html", {"merchant": merchant, "form": form})


@staff_page("cards.change")
@require_POST
def merchant_approve(request: AuthedRequest, key: str) -> HttpResponse:
    merchant = _changeable(request, key)
    form = ContractForm(request.POST)
    if form.is_valid():
        try:
            merchant, contract = services.merchant_approve(
                by=request.user,
                merchant=merchant,
                terms=form.terms(),
                valid_from=form.cleaned_data["valid_from"],
                valid_to=form.cleaned_data["valid_to"],
            )
        except Forbidden:
            raise
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(
                request,
                _("已通过 %(name)s 的申请，商户编号 %(code)s，协议 %(no)s")
                % {"name": merchant.name, "code": merchant.code, "no": contract.contract_no},
            )
            return redirect("merchants:detail", key=_key(merchant))
    context = _detail_context(request, merchant, contract_form=form)
    return render(request, "merchants/detail.html", context)


@staff_page("cards.change")
@require_POST
def contract_new(request: AuthedRequest, key: str) -> HttpResponse:
    merchant = _changeable(request, key)
    form = ContractForm(request.POST)
    if form.is_valid():
        try:
            contract = services.contract_sign(
                by=request.user,
                merchant=merchant,
                terms=form.terms(),
                valid_from=form.cleaned_data["valid_from"],
                valid_to=form.cleaned_data["valid_to"],
            )
        except Forbidden:
            raise
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("已签订协议 %(no)s") % {"no": contract.contract_no})
            return redirect("merchants:detail", key=_key(merchant))
    context = _detail_context(request, merchant, contract_form=form)
    return render(request, "merchants/detail.html", context)


STATUS_ACTIONS = {
    "reject": (services.merchant_reject, gettext_lazy("已退回申请")),
    "suspend": (services.merchant_suspend, gettext_lazy("已暂停该商户的会员优惠，终端即刻停用")),
    "resume": (services.merchant_resume, gettext_lazy("已恢复该商户的会员优惠")),
    "terminate": (
        services.merchant_terminate,
        gettext_lazy("已终止合作，终端密钥已吊销，商户账号已停用"),
    ),
}


@staff_page("cards.change")
@require_POST
def merchant_status(request: AuthedRequest, key: str, action: str) -> HttpResponse:
    if action not in STATUS_ACTIONS:
        raise Http404
    merchant = _changeable(request, key)
    service, done = STATUS_ACTIONS[action]
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        service(by=request.user, merchant=merchant, reason=reason)
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(done))
    return redirect("merchants:detail", key=_key(merchant))


def _secret_page(
    request: AuthedRequest, merchant: Merchant, title: str, rows: list[tuple[str, str]], note: str
) -> HttpResponse:
    """A secret shown once: rendered in the POST's answer, kept nowhere, never cached."""
    response = render(
        request,
        "merchants/secret.html",
        {"merchant": merchant, "title": title, "rows": rows, "note": note},
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_page("cards.change")
@require_POST
def staff_add(request: AuthedRequest, key: str) -> HttpResponse:
    merchant = _changeable(request, key)
    form = StaffForm(request.POST)
    if form.is_valid():
        try:
            staff, password = services.staff_create(
                by=request.user, merchant=merchant, **form.cleaned_data
            )
        except Forbidden:
            raise
        except DomainError as exc:
            _add_error(form, exc)
        else:
            return _secret_page(
                request,
                merchant,
                _("已开设商户账号"),
                [(_("登录用户名"), staff.user.username), (_("初始密码"), password)],
                _("初始密码只显示这一次，请当面交给本人，并提醒登录后修改。"),
            )
    context = _detail_context(request, merchant, staff_form=form)
    return render(request, "merchants/detail.html", context)


@staff_page("cards.change")
@require_POST
def staff_off(request: AuthedRequest, key: str, username: str) -> HttpResponse:
    merchant = _changeable(request, key)
    staff = merchant.staff.filter(user__username=username).first()
    if staff is None:
        raise Http404
    services.staff_deactivate(by=request.user, staff=staff)
    messages.success(request, _("已停用账号 %(u)s") % {"u": username})
    return redirect("merchants:detail", key=_key(merchant))


@staff_page("cards.change")
@require_POST
def key_new(request: AuthedRequest, key: str) -> HttpResponse:
    merchant = _changeable(request, key)
    form = KeyForm(request.POST)
    label = form.cleaned_data["label"] if form.is_valid() else ""
    try:
        terminal, secret = services.key_issue(by=request.user, merchant=merchant, label=label)
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("merchants:detail", key=_key(merchant))
    return _secret_page(
        request,
        merchant,
        _("已签发终端密钥"),
        [(_("密钥编号"), terminal.key_id), (_("密钥"), secret)],
        _("密钥只显示这一次：请立即配置到收银终端。遗失后不能找回，只能吊销后重新签发。"),
    )


@staff_page("cards.change")
@require_POST
def key_off(request: AuthedRequest, key: str, key_id: str) -> HttpResponse:
    merchant = _changeable(request, key)
    terminal = TerminalKey.objects.filter(merchant=merchant, key_id=key_id).first()
    if terminal is None:
        raise Http404
    services.key_revoke(by=request.user, key=terminal)
    messages.success(request, _("已吊销终端密钥 %(k)s") % {"k": key_id})
    return redirect("merchants:detail", key=_key(merchant))


@staff_page("cards.change")
@require_POST
def photo_new(request: AuthedRequest, key: str) -> HttpResponse:
    merchant = _changeable(request, key)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.photo_add(
                by=request.user,
                merchant=merchant,
                upload=form.cleaned_data["image"],
                caption=form.cleaned_data["caption"],
            )
        except Forbidden:
            raise
        except DomainError as exc:
            _add_error(form, exc)
        else:
            messages.success(request, _("已上传照片"))
            return redirect("merchants:detail", key=_key(merchant))
    context = _detail_context(request, merchant, photo_form=form)
    return render(request, "merchants/detail.html", context)


def _photo_of(merchant: Merchant, name: str) -> MerchantPhoto:
    photo = merchant.photos.filter(image__endswith=f"/{name}").first()
    if photo is None:
        raise Http404
    return photo


@staff_page("cards.change")
@require_POST
def photo_off(request: AuthedRequest, key: str, name: str) -> HttpResponse:
    merchant = _changeable(request, key)
    services.photo_remove(by=request.user, photo=_photo_of(merchant, name))
    messages.success(request, _("已删除照片"))
    return redirect("merchants:detail", key=_key(merchant))


@staff_page("cards.view")
def photo(request: AuthedRequest, key: str, name: str) -> FileResponse:
    merchant = selectors.merchant_get(actor=request.user, key=key)
    return _merchant_photo_response(_photo_of(merchant, name))
