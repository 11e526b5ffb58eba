from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.cards.models import CardStatus, IssueBatch
from gonghui.core.errors import DomainError
from gonghui.core.excel import sniff_format
from gonghui.members.models import WorkerCategory


class CardSearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=40,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("姓名、拼音、会员号、市民卡号")}
        ),
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *CardStatus.choices]
    )
    union = forms.CharField(label=_("工会代码"), required=False, max_length=32)


class BatchFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *IssueBatch.Status.choices]
    )


class ApplyForm(forms.Form):
    member_no = forms.CharField(
        label=_("会员号"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


class MemberFilterForm(forms.Form):
    """Which members of the officer's subtree to put in a new batch."""

    union = forms.CharField(label=_("工会代码"), max_length=32)
    q = forms.CharField(
        label=_("姓名、拼音或会员号"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    category = forms.ChoiceField(
        label=_("职工类别"), required=False, choices=[("", _("全部")), *WorkerCategory.choices]
    )


class _SheetUpload(forms.Form):
    MAX_BYTES = 20 * 1024 * 1024

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("文件超过 20 MB，请核对是否选错了文件"))
        head = upload.read(8192)
        upload.seek(0)
        try:
            sniff_format(head)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return upload


class MemberListForm(_SheetUpload):
    union = forms.CharField(label=_("工会代码"), max_length=32)
    file = forms.FileField(
        label=_("会员名单（xlsx、xls 或 csv）"),
        help_text=_("表头须有“会员号”或“身份证号”列，一行一人"),
    )


class ResultUploadForm(_SheetUpload):
    file = forms.FileField(label=_("回盘文件（xlsx）"))


class PortalLostForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("挂失原因"),
        choices=[
            ("卡片丢失", _("卡片丢失")),
            ("卡片被盗", _("卡片被盗")),
            ("其他", _("其他")),
        ],
    )
    confirm = forms.BooleanField(
        label=_("我确认挂失这张卡：挂失后卡片立即停用，找回后可到工会解除挂失"),
        error_messages={"required": _("请勾选确认后再挂失")},
    )
