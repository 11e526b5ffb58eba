from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from gonghui.accounts import selectors, services, twofactor
from gonghui.accounts.forms import (
    AssignmentForm,
    LoginForm,
    PasswordForm,
    TokenForm,
    UserCreateForm,
)
from gonghui.accounts.scoping import has_perm
from gonghui.core.errors import DomainError
from gonghui.core.http import AuthedRequest
from gonghui.core.pages import paginate, staff_page
from gonghui.orgs import selectors as org_selectors

PENDING_2FA = twofactor.PENDING_SESSION_KEY


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.user
        assert user is not None
        login(request, user)
        if twofactor.two_factor_required(user) or twofactor.confirmed_device(user):
            request.session[PENDING_2FA] = True
            # Encoded: a next URL with its own query string must survive the hop intact.
            return redirect(f"{_url('accounts:2fa')}?{urlencode({'next': _next_url(request, '')})}")
        return redirect(_next_url(request, _url("accounts:home")))
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": _next_url(request, ""), "idle": request.GET.get("idle")},
    )


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: axes calls it with the response it replaces and the credentials."""
    return render(request, "accounts/locked.html", status=429)


@login_required
def two_factor(request: AuthedRequest) -> HttpResponse:
    """Verify with the confirmed device, or enrol one by scanning the QR code first."""
    user = request.user
    device = twofactor.confirmed_device(user)
    enrolling = device is None
    if enrolling:
        device = twofactor.pending_device(user)
    assert device is not None
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip()
        ok = (
            services.two_factor_confirm(user=user, device=device, token=token)
            if enrolling
            else device.verify_token(token)
        )
        if ok:
            otp_login(request, device)
            request.session.pop(PENDING_2FA, None)
            return redirect(_next_url(request, _url("accounts:home")))
        form.add_error("token", _("验证码不正确或已过期，请重新输入"))
    context = {"form": form, "enrolling": enrolling, "next": _next_url(request, "")}
    if enrolling:
        context |= {
            "qr_svg": twofactor.provisioning_qr_svg(device),
            "secret": twofactor.base32_secret(device),
        }
    return render(request, "accounts/two_factor.html", context)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    if request.user.kind == "staff":
        return redirect("accounts:workspace")
    return redirect("portal:home")


@staff_page()
def workspace(request: HttpRequest) -> HttpResponse:
    roots = org_selectors.union_roots(actor=request.user)
    assignments = selectors.own_assignments(actor=request.user)
    return render(request, "accounts/workspace.html", {"roots": roots, "assignments": assignments})


@staff_page()
@sensitive_post_parameters("password")
def profile(request: AuthedRequest) -> HttpResponse:
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_set(
                by=request.user, user=request.user, password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            form.add_error("password", exc.message)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改"))
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


def _admin_permission(request: HttpRequest) -> str:
    return "accounts.manage" if has_perm(request.user, "accounts.manage") else "roles.assign"


@staff_page()
def user_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not any(has_perm(user, p) for p in ("accounts.manage", "roles.assign", "security.manage")):
        from gonghui.core.pages import forbidden

        return forbidden(request)
    permission = _admin_permission(request)
    if permission == "roles.assign" and not has_perm(user, "roles.assign"):
        permission = "security.manage"
    users = selectors.user_list(actor=user, permission=permission, query=request.GET.get("q", ""))
    create_form = UserCreateForm() if has_perm(user, "accounts.manage") else None
    return render(
        request,
        "accounts/user_list.html",
        {
            "page": paginate(request, users),
            "create_form": create_form,
            "q": request.GET.get("q", ""),
        },
    )


@staff_page("accounts.manage")
@sensitive_post_parameters("password")
@require_POST
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST)
    if form.is_valid():
        try:
            created = services.user_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("账号 %(name)s 已创建") % {"name": created.username})
            return redirect("accounts:user_detail", public_id=created.public_id)
    users = selectors.user_list(actor=request.user, permission="accounts.manage")
    return render(
        request,
        "accounts/user_list.html",
        {"page": paginate(request, users), "create_form": form, "q": ""},
        status=400,
    )


@staff_page()
def user_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = request.user
    permissions = [
        p for p in ("accounts.manage", "roles.assign", "security.manage") if has_perm(actor, p)
    ]
    if not permissions:
        from gonghui.core.pages import forbidden

        return forbidden(request)
    subject = selectors.user_get(actor=actor, permission=permissions[0], public_id=str(public_id))
    roles = selectors.assignable_roles()
    form = AssignmentForm(request.POST or None, roles=roles)
    if request.method == "POST":
        try:
            _user_action(request, subject, form)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("accounts:user_detail", public_id=subject.public_id)
    return render(
        request,
        "accounts/user_detail.html",
        {
            "subject": subject,
            "form": form,
            "password_form": PasswordForm(),
            "can_manage": "accounts.manage" in permissions,
            "can_assign": "roles.assign" in permissions,
            "can_secure": "security.manage" in permissions,
            "has_device": twofactor.confirmed_device(subject) is not None,
        },
    )


def _user_action(request: HttpRequest, subject: Any, form: AssignmentForm) -> None:
    action = request.POST.get("action")
    actor = request.user
    if action == "assign":
        if not form.is_valid():
            raise DomainError("form.invalid", _("请检查岗位信息"))
        union = org_selectors.union_get(
            actor=actor,
            code=form.cleaned_data["union_code"].strip().upper(),
            permission="roles.assign",
        )
        services.role_assign(
            by=actor,
            user=subject,
            union=union,
            role=form.cleaned_data["role"],
            department=form.cleaned_data["department"],
        )
        messages.success(request, _("已分配岗位"))
    elif action == "revoke":
        assignment = selectors.assignment_get(subject=subject, pk=request.POST.get("assignment"))
        services.role_revoke(by=actor, assignment=assignment)
        messages.success(request, _("已撤销岗位"))
    elif action in {"activate", "deactivate"}:
        services.user_set_active(by=actor, user=subject, active=action == "activate")
        messages.success(request, _("账号状态已更新"))
    elif action == "password":
        password_form = PasswordForm(request.POST)
        if not password_form.is_valid():
            raise DomainError("form.invalid", _("请填写新密码"))
        services.password_set(
            by=actor, user=subject, password=password_form.cleaned_data["password"]
        )
        messages.success(request, _("密码已重置"))
    elif action == "unlock":
        services.account_unlock(by=actor, user=subject)
        messages.success(request, _("账号已解锁"))
    elif action == "reset_2fa":
        services.two_factor_reset(by=actor, user=subject)
        messages.success(request, _("双因素认证已重置，该用户下次登录时需重新绑定"))
    else:
        raise DomainError("form.invalid", _("未知操作"))


@staff_page()
def role_list(request: HttpRequest) -> HttpResponse:
    """Roles and what each may do, and the departments and their programs: read-only, since a
    role's permission set is part of the security design, changed by migration and review."""
    if not any(
        has_perm(request.user, p) for p in ("accounts.manage", "roles.assign", "security.manage")
    ):
        from gonghui.core.pages import forbidden

        return forbidden(request)
    return render(
        request,
        "accounts/role_list.html",
        {"roles": selectors.role_catalogue(), "departments": selectors.department_catalogue()},
    )
