from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CalendarOverrideForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("这一天是"),
        choices=[("0", _("休息日")), ("1", _("工作日"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("依据"),
        max_length=100,
        help_text=_("例如：国务院办公厅关于2027年部分节假日安排的通知"),
    )
