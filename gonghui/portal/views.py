"""The phone-first member portal: the tiles of every program, and the member's own data."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import DomainError
from gonghui.core.http import AuthedRequest
from gonghui.core.pages import form_error
from gonghui.members import corrections
from gonghui.members.forms import CorrectionForm
from gonghui.members.selectors import member_of_account


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    if request.user.kind == "staff":
        return redirect("accounts:workspace")
    return render(request, "portal/home.html", {"member": member_of_account(request.user)})


@login_required
def me(request: AuthedRequest) -> HttpResponse:
    """What the registry holds on me (ID and phone masked on screen), my correction requests."""
    member = member_of_account(request.user)
    if member is None:
        return render(request, "portal/not_member.html", status=404)
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            corrections.correction_submit(member=member, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("已提交，您所在的工会会尽快核实处理"))
            return redirect("portal:me")
    requests = [(c, corrections.shown(c)) for c in member.corrections.all()[:20]]
    return render(request, "portal/me.html", {"member": member, "form": form, "requests": requests})


@login_required
@require_POST
def me_export(request: AuthedRequest) -> HttpResponse:
    """My data in full as a JSON file (PIPL: a copy of one's own personal information)."""
    member = member_of_account(request.user)
    if member is None:
        return render(request, "portal/not_member.html", status=404)
    corrections.own_data_exported(member)
    body = json.dumps(corrections.own_data(member), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response
