"""The phone-first member portal; later programs add their tiles here."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from gonghui.core.http import AuthedRequest


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    if request.user.kind == "staff":
        return redirect("accounts:workspace")
    return render(request, "portal/home.html")
