from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import Role, User, UserKind
from gonghui.orgs.models import Department


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), strip=False, widget=forms.PasswordInput)

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)
        self.fields["password"].widget.attrs.update(autocomplete="current-password")

    def clean(self) -> dict[str, Any]:
        # Form.clean returns cleaned_data; the stubs allow None for overrides that return nothing.
        data = cast(dict[str, Any], super().clean())
        if self.errors:
            return data
        user = authenticate(self.request, username=data["username"], password=data["password"])
        if user is None:
            raise forms.ValidationError(_("用户名或密码不正确"), code="invalid_login")
        self.user = user
        return data


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("动态验证码"),
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_.@-]{3,150}$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 _ . @ -，至少 3 位")},
    )
    display_name = forms.CharField(label=_("姓名"), max_length=60)
    kind = forms.ChoiceField(label=_("账号类型"), choices=UserKind.choices)
    password = forms.CharField(
        label=_("初始密码"), strip=False, widget=forms.PasswordInput(render_value=False)
    )


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("新密码"), strip=False, widget=forms.PasswordInput)


class AssignmentForm(forms.Form):
    union_code = forms.CharField(label=_("工会代码"), max_length=32)
    role = forms.ModelChoiceField(label=_("角色"), queryset=Role.objects.none())
    department = forms.ModelChoiceField(
        label=_("部门"), queryset=Department.objects.all(), required=False
    )

    def __init__(self, *args: Any, roles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField[Role], self.fields["role"]).queryset = roles
