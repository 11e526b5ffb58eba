from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.assessment import rules
from gonghui.assessment.models import BodyKind, BodyState, CurveKind, Source
from gonghui.assessment.services import NodeData


class PlanForm(forms.Form):
    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("方案名称"), max_length=100)
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CategoryForm(forms.Form):
    body_kind = forms.ChoiceField(label=_("适用单位类型"), choices=BodyKind.choices)
    name = forms.CharField(label=_("类别名称"), max_length=100)
    weight = forms.DecimalField(
        label=_("权重"), min_value=Decimal("0.01"), max_digits=6, decimal_places=2
    )


class IndicatorForm(forms.Form):
    parent = forms.ChoiceField(label=_("所属类别"))
    name = forms.CharField(label=_("指标名称"), max_length=100)
    weight = forms.DecimalField(
        label=_("权重（同一类别内合计 100）"),
        min_value=Decimal("0.01"),
        max_digits=6,
        decimal_places=2,
    )
    source = forms.ChoiceField(label=_("数据来源"), choices=Source.choices)
    indicator_code = forms.ChoiceField(label=_("平台指标（自动计算时）"), required=False)
    unit = forms.CharField(label=_("单位"), max_length=16, required=False)
    curve = forms.ChoiceField(label=_("计分方法"), choices=CurveKind.choices)
    target = forms.DecimalField(label=_("目标值"), required=False, max_digits=16, decimal_places=2)
    cap = forms.DecimalField(
        label=_("封顶倍数（超额加分时）"), required=False, max_digits=4, decimal_places=2
    )
    lower_is_better = forms.BooleanField(label=_("数值越低越好"), required=False)
    steps = forms.CharField(
        label=_("分档（每行“达到值 得分比例”，如 90 0.6）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    per_unit = forms.DecimalField(
        label=_("每件扣分（按件扣分时）"), required=False, max_digits=6, decimal_places=2
    )
    description = forms.CharField(label=_("考核内容"), max_length=300, required=False)

    def __init__(
        self,
        *args: Any,
        parents: list[tuple[str, str]],
        codes: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["parent"]).choices = parents
        cast(forms.ChoiceField, self.fields["indicator_code"]).choices = [("", "—"), *codes]

    def clean_steps(self) -> tuple[tuple[Decimal, Decimal], ...]:
        steps = []
        for line in (self.cleaned_data.get("steps") or "").splitlines():
            if not line.strip():
                continue
            parts = line.replace("，", " ").replace(",", " ").split()
            try:
                threshold, fraction = (Decimal(p) for p in parts)
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(_("每行写“达到值 得分比例”，例如 90 0.6")) from None
            steps.append((threshold, fraction))
        return tuple(steps)

    def node_data(self) -> NodeData:
        data = self.cleaned_data
        return NodeData(
            name=data["name"],
            weight=data["weight"],
            source=data["source"],
            indicator_code=data.get("indicator_code") or "",
            unit=data.get("unit") or "",
            curve=data["curve"],
            target=data.get("target"),
            cap=data.get("cap") or Decimal(1),
            lower_is_better=data.get("lower_is_better") or False,
            steps=data.get("steps") or (),
            per_unit=data.get("per_unit") or Decimal(0),
            description=data.get("description") or "",
        )


class ValueForm(forms.Form):
    value = forms.DecimalField(label=_("自评值"), required=False, max_digits=16, decimal_places=2)
    comment = forms.CharField(
        label=_("自评说明"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence_link = forms.URLField(
        label=_("佐证链接"), max_length=300, required=False, assume_scheme="https"
    )
    evidence_file = forms.FileField(
        label=_("佐证材料（PDF、JPG 或 PNG，5 MB 以内）"), required=False
    )


class ReviewForm(forms.Form):
    value = forms.DecimalField(
        label=_("认定值（留空则取消调整）"), required=False, max_digits=16, decimal_places=2
    )
    reason = forms.CharField(label=_("调整理由"), max_length=300)


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=BodyState.choices)
    note = forms.CharField(label=_("意见"), max_length=300, required=False)


MOVE_LABELS = {
    rules.REVIEW: _("提交自评"),
    rules.SELF: _("退回修改"),
    rules.FINAL: _("终评定分"),
}
