from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.money import format_fen, parse_yuan
from gonghui.warmth import rules
from gonghui.warmth.models import FundSource, Method, TargetStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class YuanField(forms.CharField):
    """Money typed in yuan (`1234.5`), cleaned to integer fen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        kwargs["widget"].attrs.setdefault("maxlength", "16")
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            fen = parse_yuan(text)
        except ValueError:
            raise forms.ValidationError(_("金额格式不正确，例如 1234.50")) from None
        if fen < 0:
            raise forms.ValidationError(_("金额不能为负"))
        return fen


class CampaignForm(forms.Form):
    code = forms.CharField(label=_("活动代码"), max_length=16, help_text=_("例如 2027CJ"))
    name = forms.CharField(label=_("活动名称"), max_length=60)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    groups = forms.CharField(
        label=_("慰问对象类别和标准（JSON）"),
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        help_text=_(
            "每类：code 代码、name 名称、cash_fen 慰问金（分）、goods 慰问品、goods_value_fen "
            "慰问品价值（分），条件 hardship 困难职工、model_worker 劳模（true/false/null）、"
            "categories 职工类别、min_age 年龄（min_age_female 女性年龄）。一人符合多类时列入标准"
            "最高的一类，标准相同时列入排在前面的一类。"
        ),
    )

    def clean_groups(self) -> Any:
        try:
            data = json.loads(self.cleaned_data["groups"])
        except ValueError:
            raise forms.ValidationError(_("不是有效的 JSON")) from None
        return data

    @staticmethod
    def default_groups() -> str:
        return json.dumps([g.as_data() for g in rules.DEFAULT_GROUPS], ensure_ascii=False, indent=2)


class FundForm(forms.Form):
    source = forms.ChoiceField(label=_("资金来源"), choices=FundSource.choices)
    donor = forms.CharField(label=_("出资单位或个人"), max_length=100)
    amount = YuanField(label=_("金额（元）"))
    received_on = forms.DateField(label=_("到账日期"), widget=DATE)
    reference = forms.CharField(label=_("凭证号"), max_length=60, required=False)

    def clean_amount(self) -> int:
        fen = self.cleaned_data["amount"]
        if not fen:
            raise forms.ValidationError(_("金额须大于 0"))
        return int(fen)


class AllocationForm(forms.Form):
    union = forms.CharField(label=_("工会代码"), max_length=32)
    amount = YuanField(label=_("预算（元）"))

    def clean_amount(self) -> int:
        fen = self.cleaned_data["amount"]
        if fen is None:
            raise forms.ValidationError(_("请填写预算"))
        return int(fen)


class BuildForm(forms.Form):
    union = forms.CharField(label=_("工会代码"), max_length=32)


class TargetFilterForm(forms.Form):
    union = forms.CharField(label=_("工会代码"), max_length=32, required=False)
    group = forms.ChoiceField(label=_("慰问类别"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *TargetStatus.choices]
    )
    q = forms.CharField(label=_("姓名或会员号"), max_length=40, required=False)

    def __init__(self, *args: Any, groups: tuple[rules.TargetGroup, ...] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["group"]).choices = [
            ("", _("全部")),
            *[(g.code, g.name) for g in groups],
        ]


class TargetAddForm(forms.Form):
    member_no = forms.CharField(label=_("会员号"), max_length=12)
    group = forms.ChoiceField(label=_("慰问类别"))
    reason = forms.CharField(label=_("列入理由"), max_length=200)

    def __init__(self, *args: Any, groups: tuple[rules.TargetGroup, ...] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["group"]).choices = [(g.code, g.name) for g in groups]


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("移出理由"), max_length=200)


class DistributeForm(forms.Form):
    method = forms.ChoiceField(label=_("发放方式"), choices=Method.choices)
    distributed_on = forms.DateField(label=_("发放日期"), widget=DATE)
    targets = forms.MultipleChoiceField(
        label=_("发放对象"),
        widget=forms.MultipleHiddenInput,
        required=True,
        error_messages={"required": _("请勾选要发放的对象")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"distributed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        ids = self.data.getlist("targets") if hasattr(self.data, "getlist") else []
        cast(forms.MultipleChoiceField, self.fields["targets"]).choices = [(i, i) for i in ids]


class ScanForm(forms.Form):
    scan = forms.FileField(
        label=_("签字后的签收表扫描件"), help_text=_("PDF、JPEG 或 PNG，不超过 10 MB")
    )


class ResultForm(forms.Form):
    file = forms.FileField(
        label=_("银行回盘文件（xlsx）"),
        help_text=_("银行返回的结果文件：每条明细有“结果”（成功或失败）和“失败原因”"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


CONDITION_CHOICES = [("", _("不限")), ("yes", _("是")), ("no", _("否"))]
CONDITION_VALUES: dict[str, bool | None] = {"": None, "yes": True, "no": False}


def _category_choices() -> list[tuple[str, Any]]:
    from gonghui.members.models import Member

    known = dict(Member._meta.get_field("category").choices or [])
    return [(code, known.get(code, code)) for code in ("employee", *rules.NEW_FORM_CATEGORIES)]


class GroupForm(forms.Form):
    """One target group as staff edit it: money in yuan, conditions as plain choices."""

    code = forms.CharField(
        label=_("类别代码"), max_length=32, help_text=_("英文字母、数字或下划线，例如 hardship")
    )
    name = forms.CharField(label=_("类别名称"), max_length=40)
    cash = YuanField(label=_("慰问金（元）"), required=False)
    goods = forms.CharField(label=_("慰问品"), max_length=100, required=False)
    goods_value = YuanField(label=_("慰问品价值（元）"), required=False)
    hardship = forms.ChoiceField(label=_("困难职工"), choices=CONDITION_CHOICES, required=False)
    model_worker = forms.ChoiceField(label=_("劳模"), choices=CONDITION_CHOICES, required=False)
    categories = forms.MultipleChoiceField(
        label=_("职工类别（不选为不限）"),
        choices=_category_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    min_age = forms.IntegerField(
        label=_("年龄满（岁）"), min_value=16, max_value=100, required=False
    )
    min_age_female = forms.IntegerField(
        label=_("女性年龄满（岁）"), min_value=16, max_value=100, required=False
    )

    def as_group(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "code": data["code"].strip(),
            "name": data["name"].strip(),
            "cash_fen": data.get("cash") or 0,
            "goods": data.get("goods", ""),
            "goods_value_fen": data.get("goods_value") or 0,
            "hardship": CONDITION_VALUES[data.get("hardship") or ""],
            "model_worker": CONDITION_VALUES[data.get("model_worker") or ""],
            "categories": list(data.get("categories") or []),
            "min_age": data.get("min_age"),
            "min_age_female": data.get("min_age_female"),
        }

    @staticmethod
    def initial_for(group: rules.TargetGroup, order: int) -> dict[str, Any]:
        def condition(value: bool | None) -> str:
            return "" if value is None else ("yes" if value else "no")

        return {
            "code": group.code,
            "name": group.name,
            "cash": format_fen(group.cash_fen, symbol=False),
            "goods": group.goods,
            "goods_value": format_fen(group.goods_value_fen, symbol=False),
            "hardship": condition(group.hardship),
            "model_worker": condition(group.model_worker),
            "categories": list(group.categories),
            "min_age": group.min_age,
            "min_age_female": group.min_age_female,
            "ORDER": order,
        }


class BaseGroupFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def groups(self) -> list[dict[str, Any]]:
        """The groups kept, in the order given (ORDER; a new group without one goes last)."""
        return [cast(GroupForm, form).as_group() for form in self.ordered_forms]


GroupFormSet = forms.formset_factory(
    GroupForm,
    formset=BaseGroupFormSet,
    extra=1,
    can_order=True,
    can_delete=True,
    max_num=rules.MAX_GROUPS,
    validate_max=True,
)
