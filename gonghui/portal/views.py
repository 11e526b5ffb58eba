"""The phone-first member portal; later programs add their tiles here."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.kind == "staff":
        return redirect("accounts:workspace")
    return render(request, "portal/home.html")
