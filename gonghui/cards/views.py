"""Pages for member cards: the staff pages (list, detail and its transitions, bulk issuance
with the bureau's files) and the member's own pages on the portal (card, history, 挂失, and
the dynamic QR code)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gonghui.accounts.scoping import get_scoped, has_perm
from gonghui.cards import rules, selectors, services
from gonghui.cards.citizen_card import FakeBureau
from gonghui.cards.forms import (
    ApplyForm,
    BatchFilterForm,
    CardSearchForm,
    MemberFilterForm,
    MemberListForm,
    PortalLostForm,
    ReasonForm,
    ResultUploadForm,
)
from gonghui.cards.models import Card, CardStatus
from gonghui.core.errors import DomainError, Forbidden
from gonghui.core.http import AuthedRequest
from gonghui.core.pages import forbidden, paginate, staff_page, xlsx_download
from gonghui.jobs import selectors as job_selectors
from gonghui.members.models import Member
from gonghui.members.selectors import member_of_account
from gonghui.orgs import selectors as org_selectors

S = CardStatus
PER_PAGE = 30
# The QR page fetches the codes of this many steps from now on (20 minutes offline).
QR_STEPS = 41
# Staff actions on one card: url word -> (target status, needs a reason, button label).
ACTIONS: dict[str, tuple[str, bool]] = {
    "activate": (S.ACTIVE, False),
    "unlock": (S.ACTIVE, False),
    "lost": (S.LOST, True),
    "replace": (S.REPLACED, False),
    "cancel": (S.CANCELLED, True),
}


def fake_bureau_enabled() -> bool:
    """The fake bureau's button is for the demo and development, never production."""
    return bool(settings.DEBUG or not settings.PRODUCTION)


def _union_filter(request: HttpRequest, code: str, form: Any, permission: str) -> Any:
    if not code:
        return None
    try:
        return org_selectors.union_get(
            actor=request.user, code=code.strip().upper(), permission=permission
        )
    except DomainError as exc:
        form.add_error("union", exc.message)
        return False


# -- staff: cards ---------------------------------------------------------------------------


def _search(request: HttpRequest) -> tuple[CardSearchForm, Any, dict[str, str]]:
    form = CardSearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = {k: str(data.get(k) or "") for k in ("q", "status", "union")}
    union = _union_filter(request, filters["union"], form, "cards.view")
    if union is False:
        return form, Card.objects.none(), filters
    cards = selectors.card_search(
        actor=request.user, q=filters["q"], status=filters["status"], union=union
    )
    return form, cards, filters


@staff_page("cards.view")
def card_list(request: AuthedRequest) -> HttpResponse:
    form, cards, filters = _search(request)
    return render(
        request,
        "cards/list.html",
        {
            "form": form,
            "page": paginate(request, cards, per_page=PER_PAGE),
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "can_change": has_perm(request.user, "cards.change"),
            "apply_form": ApplyForm(),
        },
    )


@staff_page("cards.view")
def card_export(request: AuthedRequest) -> FileResponse:
    _form, cards, filters = _search(request)
    rows = services.cards_export_rows(by=request.user, cards=cards, filters=filters)
    return xlsx_download("cards", services.EXPORT_HEADERS, rows, sheet_name="会员卡")


@staff_page("cards.change")
@require_POST
def card_apply(request: AuthedRequest) -> HttpResponse:
    form = ApplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写会员号"))
        return redirect("cards:list")
    member = get_scoped(
        Member.objects.select_related("union"),
        request.user,
        "cards.change",
        member_no=form.cleaned_data["member_no"].strip().upper(),
    )
    try:
        card = services.card_apply(by=request.user, member=member)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("cards:list")
    messages.success(request, _("已为 %(name)s 申领会员卡，请编入制卡批次") % {"name": member.name})
    return redirect("cards:detail", public_id=card.public_id)


def _actions_for(card: Card) -> list[dict[str, Any]]:
    allowed = rules.allowed_targets(card.status)
    labels = {
        "activate": _("激活"),
        "unlock": _("解除挂失"),
        "lost": _("挂失"),
        "replace": _("补卡"),
        "cancel": _("注销"),
    }
    actions = []
    for word, (target, needs_reason) in ACTIONS.items():
        if target not in allowed:
            continue
        if word == "activate" and card.status != S.MADE:
            continue
        if word == "unlock" and card.status != S.LOST:
            continue
        actions.append({"word": word, "label": labels[word], "needs_reason": needs_reason})
    return actions


@staff_page("cards.view")
def card_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    card = selectors.card_get(actor=request.user, public_id=public_id)
    path = card.member.union.path
    can_change = has_perm(request.user, "cards.change", path)
    return render(
        request,
        "cards/detail.html",
        {
            "card": card,
            "events": selectors.card_events(card=card),
            "actions": _actions_for(card) if can_change else [],
            "can_reveal": has_perm(request.user, "members.reveal", path),
            "replaced_by": Card.objects.filter(replaces=card).first(),
            "reason_form": ReasonForm(),
        },
    )


@staff_page("cards.change")
@require_POST
def card_act(request: AuthedRequest, public_id: str, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    card = selectors.card_get(actor=request.user, public_id=public_id, permission="cards.change")
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    target = card
    try:
        if action == "activate":
            services.card_activate(by=request.user, card=card)
        elif action == "unlock":
            services.card_unlock(by=request.user, card=card, reason=reason)
        elif action == "lost":
            services.card_report_lost(by=request.user, card=card, reason=reason)
        elif action == "replace":
            target = services.card_replace(by=request.user, card=card, reason=reason)
        else:
            services.card_cancel(by=request.user, card=card, reason=reason)
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if target is card:
            card.refresh_from_db(fields=["status"])
            messages.success(
                request, _("会员卡已改为“%(state)s”") % {"state": card.get_status_display()}
            )
        else:
            messages.success(request, _("已补卡：新卡已申领，请编入制卡批次"))
    return redirect("cards:detail", public_id=target.public_id)


@staff_page("members.reveal")
@require_POST
def card_reveal(request: AuthedRequest, public_id: str, field: str) -> HttpResponse:
    card = selectors.card_get(actor=request.user, public_id=public_id)
    try:
        value = services.card_reveal(by=request.user, card=card, field_name=field)
    except Forbidden:
        raise
    except DomainError as exc:
        return HttpResponse(exc.message, status=400)
    return render(request, "cards/partials/revealed.html", {"value": value})


# -- staff: batches -------------------------------------------------------------------------


@staff_page("cards.view")
def batch_list(request: AuthedRequest) -> HttpResponse:
    form = BatchFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    return render(
        request,
        "cards/batches.html",
        {
            "form": form,
            "page": paginate(request, selectors.batch_list(actor=request.user, status=status)),
            "query": urlencode({"status": status}) if status else "",
            "can_change": has_perm(request.user, "cards.change"),
        },
    )


def _default_union_code(request: AuthedRequest) -> str:
    root = org_selectors.union_roots(actor=request.user).first()
    return root.code if root else ""


@staff_page("cards.change")
def batch_new(request: AuthedRequest) -> HttpResponse:
    """Pick members of the officer's subtree by filter (or upload a list) and make a batch."""
    params = request.POST if request.method == "POST" else request.GET
    form = MemberFilterForm(params or {"union": _default_union_code(request)})
    union = members = None
    status = 200
    if form.is_valid():
        union = _union_filter(request, form.cleaned_data["union"], form, "cards.change")
        if union is False:
            union, status = None, 404
    if union is not None:
        members = selectors.members_for_batch(
            actor=request.user,
            union=union,
            q=form.cleaned_data["q"],
            category=form.cleaned_data["category"],
        )
        if request.method == "POST":
            chosen = (
                members.filter(member_no__in=request.POST.getlist("member"))
                if request.POST.get("scope") == "selected"
                else members
            )
            try:
                batch = services.batch_create(by=request.user, union=union, members=chosen)
            except Forbidden:
                raise
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _("已建立制卡批次 %(no)s，核对名单后请报送制卡") % {"no": batch.batch_no},
                )
                return redirect("cards:batch_detail", public_id=batch.public_id)
    return render(
        request,
        "cards/batch_new.html",
        {
            "form": form,
            "union": union,
            "page": paginate(request, members, per_page=100) if members is not None else None,
            "query": urlencode({k: v for k, v in form.data.items() if k in form.fields}),
            "list_form": MemberListForm(initial={"union": form.data.get("union", "")}),
        },
        status=status,
    )


@staff_page("cards.change")
@require_POST
def batch_from_list(request: AuthedRequest) -> HttpResponse:
    form = MemberListForm(request.POST, request.FILES)
    errors: list[Any] = []
    if form.is_valid():
        try:
            union = org_selectors.union_get(
                actor=request.user,
                code=form.cleaned_data["union"].strip().upper(),
                permission="cards.change",
            )
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "list"
                with path.open("wb") as out:
                    for chunk in form.cleaned_data["file"].chunks():
                        out.write(chunk)
                members, errors = services.read_member_list(
                    actor=request.user, union=union, path=path
                )
            if not errors:
                batch = services.batch_create(by=request.user, union=union, members=members)
                messages.success(
                    request,
                    _("已按名单建立制卡批次 %(no)s，共 %(n)d 人")
                    % {"no": batch.batch_no, "n": len(members)},
                )
                return redirect("cards:batch_detail", public_id=batch.public_id)
        except Forbidden:
            raise
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(
        request,
        "cards/batch_new.html",
        {
            "form": MemberFilterForm(initial={"union": request.POST.get("union", "")}),
            "list_form": form,
            "list_errors": errors,
        },
        status=400,
    )


@staff_page("cards.view")
def batch_detail(request: AuthedRequest, public_id: str) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, public_id=public_id)
    path = batch.union.path
    can_change = has_perm(request.user, "cards.change", path)
    job = None
    if request.GET.get("job"):
        try:
            job = job_selectors.job_get(actor=request.user, public_id=request.GET["job"])
        except DomainError:
            job = None
    counts = selectors.batch_counts(batch=batch)
    return render(
        request,
        "cards/batch_detail.html",
        {
            "batch": batch,
            "counts": [(S(k).label, v) for k, v in counts.items() if v],
            "producing": counts[S.PRODUCING],
            "page": paginate(request, selectors.batch_cards(batch=batch), per_page=100),
            "can_change": can_change,
            "can_download": can_change and has_perm(request.user, "members.reveal", path),
            "upload_form": ResultUploadForm(),
            "job": job,
            "fake_bureau": fake_bureau_enabled(),
        },
    )


@staff_page("cards.change")
@require_POST
def batch_send(request: AuthedRequest, public_id: str) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, public_id=public_id, permission="cards.change")
    try:
        services.batch_send(by=request.user, batch=batch)
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已报送制卡。请下载制卡文件，按约定方式交给市民卡中心。"))
    return redirect("cards:batch_detail", public_id=batch.public_id)


def _xlsx_file(name: str, write: Callable[[Any], Any]) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=name)


@staff_page("cards.change")
def batch_production(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    batch = selectors.batch_get(actor=request.user, public_id=public_id, permission="cards.change")
    try:
        return _xlsx_file(
            f"制卡文件-{batch.batch_no}.xlsx",
            lambda out: services.batch_production_file(by=request.user, batch=batch, target=out),
        )
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("cards:batch_detail", public_id=batch.public_id)


@staff_page("cards.change")
def batch_fake_result(request: AuthedRequest, public_id: str) -> HttpResponseBase:
    """Demo only: what the bureau would answer for this batch's production file."""
    if not fake_bureau_enabled():
        raise Http404
    batch = selectors.batch_get(actor=request.user, public_id=public_id, permission="cards.change")
    pairs = [
        (batch.batch_no, card.member.member_no)
        for card in selectors.batch_cards(batch=batch).filter(status=S.PRODUCING)
    ]
    if not pairs:
        messages.error(request, _("该批次已没有制卡中的卡"))
        return redirect("cards:batch_detail", public_id=batch.public_id)

    def write(out: Any) -> None:
        from gonghui.cards.citizen_card import RESULT_HEADERS
        from gonghui.core.excel import write_xlsx

        write_xlsx(out, RESULT_HEADERS, FakeBureau().answer_rows(pairs), "回盘")

    return _xlsx_file(f"模拟回盘-{batch.batch_no}.xlsx", write)


@staff_page("cards.change")
@require_POST
def batch_result(request: AuthedRequest, public_id: str) -> HttpResponse:
    batch = selectors.batch_get(actor=request.user, public_id=public_id, permission="cards.change")
    form = ResultUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.errors.get("file", [_("请选择回盘文件")]):
            messages.error(request, str(error))
        return redirect("cards:batch_detail", public_id=batch.public_id)
    try:
        job = services.batch_result_import(
            by=request.user, batch=batch, file=form.cleaned_data["file"]
        )
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("cards:batch_detail", public_id=batch.public_id)
    url = reverse("cards:batch_detail", kwargs={"public_id": batch.public_id})
    return redirect(f"{url}?job={job.public_id}")


@staff_page("cards.view")
def batch_job(request: AuthedRequest, public_id: str, job_id: str) -> HttpResponse:
    """The result import's progress and summary; polls itself until the job is done."""
    batch = selectors.batch_get(actor=request.user, public_id=public_id)
    job = job_selectors.job_get(actor=request.user, public_id=job_id)
    response = render(request, "cards/partials/result_job.html", {"batch": batch, "job": job})
    if request.htmx and job.finished and job.summary.get("written"):
        # The cards and counts around the partial are stale now: reload the whole page once
        # (the reloaded page shows the finished job without polling).
        response["HX-Refresh"] = "true"
    return response


# -- the member portal ----------------------------------------------------------------------


def member_page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A portal page for a member account; staff are sent to their workspace."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.kind == "staff":
            return redirect("accounts:workspace")
        if request.user.kind != "member":
            return forbidden(request)
        member = member_of_account(request.user)
        if member is None:
            return render(request, "cards/portal_unlinked.html")
        try:
            return view(request, member, *args, **kwargs)
        except Forbidden:
            return forbidden(request)
        except DomainError as exc:
            if exc.status == 404:
                raise Http404(exc.message) from exc
            raise

    return wrapper


@member_page
def portal_home(request: AuthedRequest, member: Member) -> HttpResponse:
    card = selectors.member_live_card(member=member)
    return render(
        request,
        "cards/portal_home.html",
        {
            "member": member,
            "card": card,
            "history": selectors.member_card_history(member=member),
            "can_apply": card is None and member.status == "active",
            "can_report_lost": card is not None and card.status == S.ACTIVE,
        },
    )


@member_page
@require_POST
def portal_apply(request: AuthedRequest, member: Member) -> HttpResponse:
    try:
        services.card_apply(by=request.user, member=member)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已提交申领，工会将统一报送制卡，制好后通知您领取"))
    return redirect("card:home")


@member_page
def portal_lost(request: AuthedRequest, member: Member) -> HttpResponse:
    card = selectors.member_live_card(member=member)
    if card is None or card.status != S.ACTIVE:
        messages.error(request, _("您没有可以挂失的会员卡"))
        return redirect("card:home")
    form = PortalLostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.card_report_lost(
                by=request.user, card=card, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("会员卡已挂失，已停止使用。补卡请联系所在工会。"))
            return redirect("card:home")
    return render(request, "cards/portal_lost.html", {"card": card, "form": form})


def _qr_svg(code: str) -> str:
    return str(segno.make(code, error="m", micro=False).svg_data_uri(scale=6, border=2))


@member_page
def portal_qr(request: AuthedRequest, member: Member) -> HttpResponse:
    now = timezone.now()
    step, code = services.qr_codes(member, start=now, count=1)[0]
    response = render(
        request,
        "cards/portal_qr.html",
        {
            "member": member,
            "code": code,
            "svg": _qr_svg(code),
            "step": step,
            "seconds_left": rules.QR_STEP_SECONDS - int(now.timestamp()) % rules.QR_STEP_SECONDS,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@member_page
@require_GET
def portal_qr_codes(request: AuthedRequest, member: Member) -> JsonResponse:
    """The codes of this step and the next QR_STEPS - 1, rendered, for the phone to show one
    by one (and offline) until they run out."""
    now = timezone.now()
    codes = services.qr_codes(member, start=now, count=QR_STEPS)
    response = JsonResponse(
        {
            "now": int(now.timestamp() * 1000),
            "step_seconds": rules.QR_STEP_SECONDS,
            "member": member.member_no,
            "codes": [{"step": s, "code": c, "svg": _qr_svg(c)} for s, c in codes],
        }
    )
    response["Cache-Control"] = "no-store"
    return response
