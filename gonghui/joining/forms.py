from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.joining import rules
from gonghui.joining.models import ApplicationStatus
from gonghui.members.models import WorkerCategory


class JoinForm(forms.Form):
    """The public form; the union is picked from the search results as a radio option."""

    name = forms.CharField(
        label=_("姓名"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("公民身份号码"),
        max_length=24,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_("18 位，最后一位可以是 X"),
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    category = forms.ChoiceField(label=_("职工类别"), choices=WorkerCategory.choices)
    employer_name = forms.CharField(
        label=_("工作单位"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        help_text=_("填写劳动合同或平台上的单位名称；没有固定单位的可以不填"),
    )
    union = forms.CharField(label=_("申请加入的工会"), max_length=32)
    consent = forms.BooleanField(
        label=_("我已阅读并同意上述说明"),
        required=True,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "consent-text"}),
        error_messages={"required": _("请阅读并勾选同意，否则无法办理入会")},
    )
    consent_version = forms.CharField(widget=forms.HiddenInput, initial=rules.CONSENT_VERSION)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["union"].error_messages["required"] = _("请搜索并选择要加入的工会")


class StatusForm(forms.Form):
    application_no = forms.CharField(
        label=_("申请编号"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=_("提交申请后显示的编号，以 J 开头"),
    )
    id_last4 = forms.CharField(
        label=_("身份证号后四位"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class StatusFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[*ApplicationStatus.choices, ("all", _("全部"))],
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("不同意的原因"),
        max_length=200,
        help_text=_("申请人查询进度时会看到这段话，请写明原因和可以怎么办"),
    )
