from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.money import parse_yuan
from gonghui.modelworkers import rules
from gonghui.modelworkers.models import InvitationState, Level, WorkerStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class YuanField(forms.CharField):
    """Money typed in yuan, cleaned to integer fen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 8}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> int:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return 0
        try:
            fen = parse_yuan(text)
        except ValueError:
            raise forms.ValidationError(_("金额格式不正确，例如 500.00")) from None
        if fen < 0:
            raise forms.ValidationError(_("金额不能为负"))
        return fen


class RegistryFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名或会员号"), required=False, max_length=40)
    level = forms.ChoiceField(
        label=_("级别"), required=False, choices=[("", _("全部")), *Level.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *WorkerStatus.choices]
    )
    union = forms.CharField(label=_("工会代码"), required=False, max_length=32)


class HonourForm(forms.Form):
    title = forms.CharField(
        label=_("荣誉称号"),
        max_length=60,
        help_text=_("例如 全国劳动模范、省劳动模范、市劳动模范、全国五一劳动奖章"),
    )
    level = forms.ChoiceField(label=_("级别"), choices=Level.choices)
    year = forms.IntegerField(label=_("授予年份"), min_value=1950, max_value=2100)
    unit = forms.CharField(label=_("获奖时所在单位"), max_length=120)


class RegisterForm(HonourForm):
    member_no = forms.CharField(label=_("会员号"), max_length=12)
    status = forms.ChoiceField(label=_("状态"), choices=WorkerStatus.choices)

    field_order = ["member_no", "title", "level", "year", "unit", "status"]


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=200)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=WorkerStatus.choices)
    since = forms.DateField(label=_("变更日期"), widget=DATE)


class HealthCheckForm(forms.Form):
    done_on = forms.DateField(label=_("体检日期"), widget=DATE)
    institution = forms.CharField(label=_("体检机构"), max_length=100)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("劳模名册（xlsx、xls 或 csv）"),
        help_text=_("表头：会员号（或身份证号）、荣誉称号、级别、授予年份、获奖时所在单位、状态"),
    )


STATUS_LABELS: dict[str, Any] = {WorkerStatus.WORKING: _("在职"), WorkerStatus.RETIRED: _("退休")}


def rate_field(level: str, status: str, hardship: bool) -> str:
    return f"rate_{level}_{status}_{'h' if hardship else 'n'}"


class PolicyForm(forms.Form):
    """A year's allowance table (yuan per month) and health checks per level."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    note = forms.CharField(label=_("依据文件"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for level, level_label in Level.choices:
            for status in rules.PAYABLE_STATUSES:
                for hardship in (False, True):
                    label = f"{level_label} {STATUS_LABELS[status]}" + (
                        str(_("（困难）")) if hardship else ""
                    )
                    self.fields[rate_field(level, status, hardship)] = YuanField(label=label)
            self.fields[f"health_{level}"] = forms.IntegerField(
                label=_("%(level)s 每年体检次数") % {"level": level_label},
                min_value=0,
                max_value=4,
                initial=1,
            )

    def table(self) -> list[tuple[Any, list[Any]]]:
        """Rows of bound fields for the template: one row per level."""
        rows = []
        for level, level_label in Level.choices:
            cells = [
                self[rate_field(level, status, hardship)]
                for status in rules.PAYABLE_STATUSES
                for hardship in (False, True)
            ]
            rows.append((level_label, [*cells, self[f"health_{level}"]]))
        return rows

    def rates(self) -> dict[rules.RateKey, int]:
        data = self.cleaned_data
        return {
            (level, status, hardship): data[rate_field(level, status, hardship)]
            for level in rules.LEVELS
            for status in rules.PAYABLE_STATUSES
            for hardship in (False, True)
            if data.get(rate_field(level, status, hardship))
        }

    def health(self) -> dict[str, int]:
        return {level: self.cleaned_data[f"health_{level}"] for level in rules.LEVELS}


def policy_initial(policy: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {"year": policy.year, "note": policy.note}
    for rate in policy.rates.all():
        fen = rate.monthly_fen
        initial[rate_field(rate.level, rate.status, rate.hardship)] = (
            f"{fen // 100}.{fen % 100:02d}"
        )
    for row in policy.health.all():
        initial[f"health_{row.level}"] = row.checks_per_year
    return initial


class MonthField(forms.CharField):
    """`2026-10` (an <input type="month">) cleaned to the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            year, month = (int(x) for x in text.split("-"))
            return date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(_("月份格式为 2026-10")) from None


class GenerateForm(forms.Form):
    month = MonthField(label=_("津贴月份"))


class ResultForm(forms.Form):
    file = forms.FileField(label=_("银行回盘文件"))
    paid_on = forms.DateField(label=_("到账日期"), widget=DATE, initial=timezone.localdate)


class TripForm(forms.Form):
    title = forms.CharField(
        label=_("名称"),
        max_length=100,
        required=False,
        help_text=_("例如“2026年度劳模疗休养（第二批）”；不填则以目的地为名称"),
    )
    destination = forms.CharField(label=_("目的地"), max_length=100)
    starts_on = forms.DateField(label=_("出发日期"), widget=DATE)
    ends_on = forms.DateField(label=_("返回日期"), widget=DATE)
    quota = forms.IntegerField(label=_("名额"), min_value=1, max_value=500)
    answer_by = forms.DateField(
        label=_("答复截止日期"),
        widget=DATE,
        required=False,
        help_text=_("受邀劳模在手机上接受或婉拒的最后一天；不填则为出发前一天"),
    )
    union = forms.CharField(
        label=_("组织单位代码"),
        max_length=32,
        help_text=_("轮候名单为该工会及其下级工会的在册劳模"),
    )


class InvitationMoveForm(forms.Form):
    to = forms.ChoiceField(choices=InvitationState.choices)


class AnswerForm(forms.Form):
    """The invited model worker's answer on the phone."""

    answer = forms.ChoiceField(choices=[("accept", _("接受")), ("decline", _("婉拒"))])
    reason = forms.CharField(
        label=_("婉拒原因（选填）"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CancelForm(forms.Form):
    """Calling off a trip or a lecture: a reason, and a tick that the person means it."""

    reason = forms.CharField(
        label=_("取消原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(label=_("我已确认取消，此操作不能撤回"))


class LectureForm(forms.Form):
    title = forms.CharField(label=_("主题"), max_length=100)
    speaker = forms.CharField(label=_("主讲劳模会员号"), max_length=12)
    starts_at = forms.DateTimeField(
        label=_("开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label=_("地点"), max_length=120)
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=10000)
    union = forms.CharField(
        label=_("主办单位代码"), max_length=32, help_text=_("面向该工会及其下级工会的会员")
    )


class AttendanceForm(forms.Form):
    attended = forms.BooleanField(required=False)
