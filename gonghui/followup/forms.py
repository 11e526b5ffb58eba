from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import User
from gonghui.followup import rules
from gonghui.followup.models import ItemStatus, MeetingKind, Priority
from gonghui.orgs.models import Department

DATE = forms.DateInput(attrs={"type": "date"})


def staff_user(username: str) -> User | None:
    return User.objects.filter(username=username.strip(), kind="staff", is_active=True).first()


class OwnerField(forms.CharField):
    """A staff account by its login name."""

    def clean(self, value: Any) -> User:
        username = super().clean(value)
        user = staff_user(username)
        if user is None:
            raise forms.ValidationError(_("没有这个工作人员账号，请填写责任人的登录账号"))
        return user


class ItemFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *ItemStatus.choices]
    )
    department = forms.ModelChoiceField(
        label=_("责任部门"),
        required=False,
        queryset=Department.objects.all(),
        to_field_name="code",
        empty_label=_("全部"),
    )
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)


class ItemForm(forms.Form):
    title = forms.CharField(label=_("督办事项"), max_length=200)
    description = forms.CharField(
        label=_("具体要求"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = OwnerField(label=_("责任人账号"), max_length=150)
    department = forms.ModelChoiceField(
        label=_("责任部门"), required=False, queryset=Department.objects.all()
    )
    deadline = forms.DateField(label=_("完成时限"), required=False, widget=DATE)
    working_days = forms.IntegerField(
        label=_("或：几个工作日内完成"),
        required=False,
        min_value=1,
        max_value=250,
        help_text=_("按工作日历计算，节假日和调休不算"),
    )
    priority = forms.ChoiceField(label=_("紧急程度"), choices=Priority.choices, initial="normal")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("deadline") and not data.get("working_days"):
            self.add_error("deadline", _("请填写完成时限，或几个工作日内完成"))
        return data


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=120)
    held_on = forms.DateField(label=_("会议日期"), widget=DATE)
    location = forms.CharField(label=_("地点"), max_length=120, required=False)
    agenda = forms.CharField(
        label=_("议题（每行一个）"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    attendees = forms.CharField(
        label=_("出席人员"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(
        label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class MinutesForm(forms.Form):
    attendees = forms.CharField(
        label=_("出席人员"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(
        label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("议定事项"), widget=forms.Textarea(attrs={"rows": 2}))


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 2}))
    percent = forms.IntegerField(label=_("完成进度（%）"), min_value=0, max_value=99)


class CloseForm(forms.Form):
    evidence_text = forms.CharField(label=_("办结情况"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence_link = forms.CharField(
        label=_("佐证链接"),
        required=False,
        max_length=500,
        help_text=_("发文、报道或系统页面的网址；或在下面上传文件"),
    )
    evidence_file = forms.FileField(
        label=_("佐证文件（PDF、JPEG、PNG，10 MB 以内）"), required=False
    )

    def upload(self) -> Any:
        from gonghui.followup.services import Upload

        file = self.cleaned_data.get("evidence_file")
        if not file:
            return None
        return Upload(file.name, file.read(rules.EVIDENCE_MAX_BYTES + 1))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300)
