from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import User
from gonghui.benchmarking.models import CODE_VALIDATOR, BenchmarkCity, BenchmarkIndicator
from gonghui.followup.forms import DATE, OwnerField
from gonghui.followup.models import Priority
from gonghui.orgs.models import Department

MIN_YEAR, MAX_YEAR = 2000, 2099


def year_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=MIN_YEAR, max_value=MAX_YEAR)


class YearForm(forms.Form):
    year = year_field(_("年度"))


class CityForm(forms.Form):
    code = forms.CharField(
        label=_("代码"), max_length=40, validators=[CODE_VALIDATOR], help_text=_("如 yangzhou")
    )
    name = forms.CharField(label=_("城市"), max_length=40)
    province = forms.CharField(label=_("省份"), max_length=20, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class IndicatorForm(forms.Form):
    code = forms.CharField(label=_("代码"), max_length=40, validators=[CODE_VALIDATOR])
    name = forms.CharField(label=_("指标"), max_length=80)
    unit = forms.CharField(label=_("单位"), max_length=16, required=False)
    higher_is_better = forms.TypedChoiceField(
        label=_("方向"),
        choices=[("1", _("越高越好")), ("0", _("越低越好"))],
        coerce=lambda value: value == "1",
        initial="1",
    )
    registry_code = forms.CharField(
        label=_("平台指标代码"),
        max_length=60,
        required=False,
        help_text=_("平台能计算本市数值时填写，如 members.registered；否则手工填报本市数值"),
    )
    note = forms.CharField(label=_("口径说明"), max_length=300, required=False)


class FigureForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=_("指标"),
        queryset=BenchmarkIndicator.objects.filter(active=True),
        to_field_name="code",
    )
    year = year_field(_("年度"))
    value = forms.DecimalField(label=_("数值"), max_digits=18, decimal_places=4)
    source = forms.CharField(
        label=_("来源"), max_length=200, help_text=_("统计公报、工作报告或网址")
    )
    source_date = forms.DateField(label=_("来源日期"), widget=DATE)


class CityValueForm(FigureForm):
    city = forms.ModelChoiceField(
        label=_("对标城市"),
        queryset=BenchmarkCity.objects.filter(active=True),
        to_field_name="code",
    )
    field_order = ["city", "indicator", "year", "value", "source", "source_date"]


class ProblemForm(forms.Form):
    text = forms.CharField(label=_("问题"), widget=forms.Textarea(attrs={"rows": 3}))
    department = forms.ModelChoiceField(label=_("牵头部门"), queryset=Department.objects.all())


class MeasureForm(forms.Form):
    title = forms.CharField(label=_("措施"), max_length=200)
    expected_effect = forms.CharField(label=_("预期效果"), max_length=300)
    owner = OwnerField(label=_("责任人账号"), max_length=150)
    department = forms.ModelChoiceField(
        label=_("责任部门"),
        queryset=Department.objects.all(),
        required=False,
        help_text=_("不选则为问题的牵头部门"),
    )
    deadline = forms.DateField(label=_("完成时限"), widget=DATE)
    priority = forms.ChoiceField(label=_("紧急程度"), choices=Priority.choices, initial="normal")


class VisitForm(forms.Form):
    city = forms.ModelChoiceField(
        label=_("考察城市"), queryset=BenchmarkCity.objects.filter(active=True)
    )
    title = forms.CharField(label=_("考察主题"), max_length=120)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    participants = forms.CharField(
        label=_("参加人员账号"),
        help_text=_("登录账号，用逗号或空格分隔"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_participants(self) -> list[User]:
        names = [
            n
            for n in self.cleaned_data["participants"].replace("，", ",").replace(",", " ").split()
            if n
        ]
        users = list(User.objects.filter(username__in=names, kind="staff", is_active=True))
        missing = sorted(set(names) - {u.username for u in users})
        if missing:
            raise forms.ValidationError(
                _("没有这些工作人员账号：%(names)s") % {"names": "、".join(missing)}
            )
        if not users:
            raise forms.ValidationError(_("请填写参加人员"))
        return users


class CounterpartForm(forms.Form):
    our_department = forms.ModelChoiceField(label=_("我方部门"), queryset=Department.objects.all())
    their_department = forms.CharField(label=_("对方部门"), max_length=80)
    notes = forms.CharField(
        label=_("交流要点"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReflectionForm(forms.Form):
    text = forms.CharField(label=_("我的心得体会"), widget=forms.Textarea(attrs={"rows": 6}))


class TakeawayForm(forms.Form):
    text = forms.CharField(label=_("启示"), widget=forms.Textarea(attrs={"rows": 2}))


class TakeawayMeasureForm(forms.Form):
    problem = forms.ChoiceField(label=_("针对的问题"))
    expected_effect = forms.CharField(label=_("预期效果"), max_length=300)
    owner = OwnerField(label=_("责任人账号"), max_length=150)
    deadline = forms.DateField(label=_("完成时限"), widget=DATE)

    def __init__(self, *args: Any, problems: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        problem_field: Any = self.fields["problem"]
        problem_field.choices = [
            (str(p.public_id), f"{p.year} {p.indicator.name}：{p.text[:30]}") for p in problems
        ]


class PlanItemForm(forms.Form):
    year = year_field(_("计划年度"))
    text = forms.CharField(label=_("工作任务"), widget=forms.Textarea(attrs={"rows": 2}))
    department = forms.ModelChoiceField(
        label=_("牵头部门"), queryset=Department.objects.all(), required=False
    )


class TakeawayPlanForm(forms.Form):
    year = year_field(_("计划年度"))
    department = forms.ModelChoiceField(
        label=_("牵头部门"), queryset=Department.objects.all(), required=False
    )
