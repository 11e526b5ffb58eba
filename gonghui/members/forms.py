from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import DomainError
from gonghui.core.excel import sniff_format
from gonghui.members.models import CorrectionRequest, Education, MemberStatus, WorkerCategory


class SearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=40)
    union = forms.CharField(label=_("工会代码"), required=False, max_length=32)
    status = forms.ChoiceField(
        label=_("会籍状态"), required=False, choices=[("", _("全部")), *MemberStatus.choices]
    )
    category = forms.ChoiceField(
        label=_("职工类别"), required=False, choices=[("", _("全部")), *WorkerCategory.choices]
    )


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=40)
    id_number = forms.CharField(label=_("身份证号"), max_length=24)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    ethnicity = forms.CharField(label=_("民族"), max_length=16, required=False, initial="汉族")
    education = forms.ChoiceField(
        label=_("学历"), choices=[("", "—"), *Education.choices], required=False
    )
    category = forms.ChoiceField(label=_("职工类别"), choices=WorkerCategory.choices)
    join_date = forms.DateField(
        label=_("入会日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class MemberEditForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=40)
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=20,
        required=False,
        help_text=_("填写新号码；留空则不修改"),
    )
    ethnicity = forms.CharField(label=_("民族"), max_length=16, required=False)
    education = forms.ChoiceField(
        label=_("学历"), choices=[("", "—"), *Education.choices], required=False
    )
    category = forms.ChoiceField(label=_("职工类别"), choices=WorkerCategory.choices)

    def __init__(self, *args: Any, masked_phone: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if masked_phone:
            self.fields["phone"].widget.attrs["placeholder"] = masked_phone


class TransferForm(forms.Form):
    to_union = forms.CharField(label=_("转入工会代码"), max_length=32)
    reason = forms.CharField(label=_("原因"), max_length=200, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("处理意见"), max_length=200, required=False)


class ImportForm(forms.Form):
    union = forms.CharField(label=_("导入到工会（代码）"), max_length=32)
    file = forms.FileField(label=_("名册文件（xlsx、xls 或 csv）"))
    dry_run = forms.BooleanField(label=_("只检查，不写入"), required=False)
    skip_invalid = forms.BooleanField(label=_("跳过有错误的行，写入其余各行"), required=False)
    no_transfers = forms.BooleanField(label=_("已在其他工会的人员报错，不发起转会"), required=False)

    MAX_BYTES = 200 * 1024 * 1024

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("文件超过 200 MB，请拆分后上传"))
        head = upload.read(8192)
        upload.seek(0)
        try:
            sniff_format(head)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return upload


class ExportForm(forms.Form):
    union = forms.CharField(label=_("工会代码"), max_length=32)
    format = forms.ChoiceField(label=_("格式"), choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV")])
    reveal = forms.BooleanField(label=_("导出完整身份证号和手机号（将记入审计）"), required=False)


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(label=_("要更正的项目"), choices=CorrectionRequest.Field.choices)
    proposed = forms.CharField(label=_("正确的内容"), max_length=200)
    reason = forms.CharField(
        label=_("说明（可不填）"),
        max_length=200,
        required=False,
        help_text=_("例如：登记时身份证号录错了一位"),
    )
