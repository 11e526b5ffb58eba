"""Forms of the information-work pages: they parse input; services decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.infowork import rules
from gonghui.infowork.models import Category, Level, OutletKind, Placement, SubmissionStatus


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class SubmissionForm(forms.Form):
    officer = forms.ChoiceField(label=_("报送单位"))
    title = forms.CharField(label=_("标题"), max_length=120)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    body = forms.CharField(
        label=_("正文"), max_length=20000, widget=forms.Textarea(attrs={"rows": 12})
    )
    photos = MultipleFileField(
        label=_("照片"),
        required=False,
        help_text=_("JPEG 或 PNG，每张不超过 5 MB，最多 9 张"),
    )

    def __init__(self, *args: Any, officers: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        posts = officers or []
        cast(forms.ChoiceField, self.fields["officer"]).choices = [
            (str(o.public_id), o.department.name if o.department else o.union.name) for o in posts
        ]
        if len(posts) == 1:
            self.fields["officer"].widget = forms.HiddenInput()
            self.fields["officer"].initial = str(posts[0].public_id)


class EditForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    body = forms.CharField(
        label=_("正文"), max_length=20000, widget=forms.Textarea(attrs={"rows": 14})
    )
    photos = MultipleFileField(
        label=_("补充照片"), required=False, help_text=_("JPEG 或 PNG，每张不超过 5 MB")
    )


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=SubmissionStatus.choices)
    reason = forms.CharField(label=_("原因"), max_length=300, required=False)


class SubmissionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), choices=[("", _("全部")), *list(SubmissionStatus.choices)], required=False
    )
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部")), *list(Category.choices)], required=False
    )
    q = forms.CharField(label=_("标题包含"), max_length=60, required=False)


class PublicationForm(forms.Form):
    level = forms.ChoiceField(label=_("刊用级别"), choices=Level.choices)
    outlet_kind = forms.ChoiceField(label=_("媒体类型"), choices=OutletKind.choices)
    outlet_name = forms.CharField(label=_("媒体名称"), max_length=80)
    published_on = forms.DateField(
        label=_("刊用日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    placement = forms.ChoiceField(label=_("版面位置"), choices=Placement.choices)
    link = forms.CharField(label=_("链接"), max_length=500, required=False)
    scan = forms.FileField(
        label=_("版面扫描件"),
        required=False,
        help_text=_("PDF、JPEG 或 PNG，不超过 10 MB；链接和扫描件至少提供一项"),
    )


class VerifyForm(forms.Form):
    approve = forms.ChoiceField(choices=[("1", _("核实通过")), ("0", _("不通过"))])
    reason = forms.CharField(label=_("不通过的原因"), max_length=300, required=False)


class InstructionForm(forms.Form):
    level = forms.ChoiceField(label=_("批示级别"), choices=Level.choices)
    leader = forms.CharField(label=_("批示领导"), max_length=60)
    instructed_on = forms.DateField(
        label=_("批示日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


class CorrectionForm(forms.Form):
    union = forms.CharField(label=_("工会代码"), max_length=32)
    department = forms.ChoiceField(label=_("部门"), required=False)
    occurred_on = forms.DateField(
        label=_("差错日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    description = forms.CharField(label=_("差错说明"), max_length=300)

    def __init__(
        self, *args: Any, departments: Sequence[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            ("", _("（不是部门）")),
            *list(departments),
        ]


class OfficerForm(forms.Form):
    username = forms.CharField(label=_("账号（用户名）"), max_length=150)
    union = forms.CharField(label=_("工会代码"), max_length=32)
    department = forms.ChoiceField(label=_("部门"), required=False)

    def __init__(
        self, *args: Any, departments: Sequence[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            ("", _("（不是部门）")),
            *list(departments),
        ]


class QuotaForm(forms.Form):
    union = forms.CharField(label=_("工会代码"), max_length=32)
    department = forms.ChoiceField(label=_("部门"), required=False)
    pieces = forms.IntegerField(label=_("采用篇数任务"), min_value=0, max_value=10000)
    points = forms.DecimalField(label=_("积分任务"), min_value=0, max_digits=7, decimal_places=1)

    def __init__(
        self, *args: Any, departments: Sequence[tuple[str, str]] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["department"]).choices = [
            ("", _("（不是部门）")),
            *list(departments),
        ]


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    month = forms.ChoiceField(
        label=_("月份"),
        required=False,
        choices=[("", _("全年"))] + [(str(m), _("%(m)s 月") % {"m": m}) for m in range(1, 13)],
    )
    kind = forms.ChoiceField(
        label=_("排名对象"),
        required=False,
        choices=[("union", _("工会")), ("department", _("部门")), ("officer", _("信息员"))],
    )

    def period(self) -> tuple[int, int | None, str]:
        data = self.cleaned_data if self.is_valid() else {}
        year = data.get("year") or timezone.localdate().year
        month = int(data["month"]) if data.get("month") else None
        return year, month, data.get("kind") or "union"


def cell_name(level: str, kind: str, placement: str) -> str:
    return f"p_{level}_{kind}_{placement}"


class PointsTableForm(forms.Form):
    """The whole table on one page: 3 levels × 4 kinds × 3 placements, the 批示 bonuses and the
    two penalties; it starts from the version in force."""

    effective_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    note = forms.CharField(label=_("修订说明"), max_length=200, required=False)
    shortfall_penalty = forms.DecimalField(
        label=_("未完成任务每少一篇扣分"), min_value=0, max_digits=6, decimal_places=1
    )
    error_penalty = forms.DecimalField(
        label=_("每次差错扣分"), min_value=0, max_digits=6, decimal_places=1
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for level in rules.LEVELS:
            for kind in rules.KINDS:
                for placement in rules.PLACEMENTS:
                    self.fields[cell_name(level, kind, placement)] = forms.DecimalField(
                        label=" ".join(
                            str(c.label)
                            for c in (Level(level), OutletKind(kind), Placement(placement))
                        ),
                        min_value=0,
                        max_digits=6,
                        decimal_places=1,
                    )
            self.fields[f"i_{level}"] = forms.DecimalField(
                label=_("%(level)s批示加分") % {"level": Level(level).label},
                min_value=0,
                max_digits=6,
                decimal_places=1,
            )

    @staticmethod
    def initial_from(
        publication_points: Any, instruction_points: Any, shortfall: Any, error: Any
    ) -> dict[str, Any]:
        initial: dict[str, Any] = {"shortfall_penalty": shortfall, "error_penalty": error}
        for level, kinds in publication_points.items():
            for kind, placements in kinds.items():
                for placement, value in placements.items():
                    initial[cell_name(level, kind, placement)] = value
        for level, value in instruction_points.items():
            initial[f"i_{level}"] = value
        return initial

    def grid(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            level: {
                kind: {p: data[cell_name(level, kind, p)] for p in rules.PLACEMENTS}
                for kind in rules.KINDS
            }
            for level in rules.LEVELS
        }

    def bonuses(self) -> dict[str, Any]:
        return {level: self.cleaned_data[f"i_{level}"] for level in rules.LEVELS}

    def rows(self) -> list[dict[str, Any]]:
        """The grid as table rows for the template: one per level × kind."""
        return [
            {
                "level": Level(level).label,
                "kind": OutletKind(kind).label,
                "cells": [self[cell_name(level, kind, p)] for p in rules.PLACEMENTS],
            }
            for level in rules.LEVELS
            for kind in rules.KINDS
        ]
