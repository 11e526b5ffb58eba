from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.errors import DomainError
from gonghui.core.excel import sniff_format
from gonghui.orgs.models import UnionKind
from gonghui.orgs.rules import ALLOWED_PARENT_KINDS

# 20,000 unions fit in about 2 MB of xlsx; anything far larger is not an org tree.
MAX_IMPORT_BYTES = 20 * 1024 * 1024


class UnionCreateForm(forms.Form):
    code = forms.CharField(label=_("代码"), max_length=32)
    name = forms.CharField(label=_("名称"), max_length=120)
    kind = forms.ChoiceField(label=_("类型"), choices=UnionKind.choices)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=40, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)

    def __init__(self, *args: Any, parent_kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parent_kind is not None:
            # Offer only the kinds that may sit under this parent (a branch under a grassroots
            # union, not a city federation).
            cast(forms.ChoiceField, self.fields["kind"]).choices = [
                (kind, label)
                for kind, label in UnionKind.choices
                if parent_kind in ALLOWED_PARENT_KINDS[kind]
            ]


class UnionEditForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=120)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=40, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)


class MoveForm(forms.Form):
    parent = forms.CharField(label=_("新的上级工会代码"), max_length=32)


class MergeForm(forms.Form):
    into = forms.CharField(label=_("并入工会代码"), max_length=32)


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("组织架构表（xlsx、xls 或 csv）"))
    dry_run = forms.BooleanField(label=_("只检查，不写入"), required=False)

    def clean_file(self) -> Any:
        """Checked by content, not by name, before any job is queued for it."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("文件太大（最多 %(mb)d MB），请拆分后分批导入"),
                code="file.too_large",
                params={"mb": MAX_IMPORT_BYTES // (1024 * 1024)},
            )
        head = upload.read(8192)
        upload.seek(0)
        try:
            sniff_format(head)
        except DomainError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        return upload
