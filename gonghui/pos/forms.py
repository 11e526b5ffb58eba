from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.money import parse_yuan
from gonghui.merchants.models import Category
from gonghui.pos.models import Settlement

MAX_AMOUNT_FEN = 10_000_000  # ¥100,000.00: more than any discount sale at a member merchant


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class YuanField(forms.CharField):
    """An amount typed in yuan (`12.5`, `１２.５０`, `¥12.50`), cleaned to integer fen."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int:  # type: ignore[override]
        text = super().clean(value)
        try:
            fen = parse_yuan(text)
        except ValueError as exc:
            raise forms.ValidationError(
                _("请输入金额（元），最多两位小数，例如 100.00"), code="invalid"
            ) from exc
        if fen <= 0:
            raise forms.ValidationError(_("金额须大于 0"), code="min")
        if fen > MAX_AMOUNT_FEN:
            raise forms.ValidationError(_("金额过大，请核对"), code="max")
        return fen


# -- cashier --------------------------------------------------------------------------------


class QuoteForm(forms.Form):
    """The amount first, then the member's code: a keyboard-wedge scanner types the code and
    presses Enter, which asks for the quote."""

    amount = YuanField(
        label=_("消费金额（元）"),
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "autofocus": True}
        ),
    )
    credential = forms.CharField(
        label=_("会员码或卡号"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
        help_text=_("扫描会员手机上的会员码（扫码枪扫入后自动提交），或输入市民卡卡号"),
    )

    def clean_credential(self) -> str:
        return str(self.cleaned_data["credential"]).strip()


class ConfirmForm(forms.Form):
    quote_id = forms.UUIDField(widget=forms.HiddenInput)


class RefundForm(forms.Form):
    amount = YuanField(label=_("退款金额（元）"))

    def __init__(self, *args: Any, refundable_fen: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refundable_fen = refundable_fen

    def clean_amount(self) -> int:
        fen = int(self.cleaned_data["amount"])
        if fen > self.refundable_fen:
            from gonghui.core.money import format_fen

            raise forms.ValidationError(
                _("退款金额不能超过可退金额 %(left)s") % {"left": format_fen(self.refundable_fen)},
                code="above_refundable",
            )
        return fen


# -- staff ----------------------------------------------------------------------------------


class DateRangeForm(forms.Form):
    start = forms.DateField(label=_("开始日期"), required=False, widget=DateInput())
    end = forms.DateField(label=_("结束日期"), required=False, widget=DateInput())

    default_days = 30

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("开始日期不能晚于结束日期"), code="range")
        return data

    def period(self) -> tuple[date, date]:
        """The chosen days, or the last `default_days` up to today."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - timedelta(days=self.default_days - 1)
        return (start, end) if start <= end else (end, end)


class StatsForm(DateRangeForm):
    default_days = 365


class AnomalyForm(DateRangeForm):
    default_days = 7


class TransactionFilterForm(forms.Form):
    merchant = forms.CharField(label=_("商户编号"), max_length=12, required=False)
    member_no = forms.CharField(label=_("会员号"), max_length=12, required=False)
    category = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部")), *Category.choices], required=False
    )
    start = forms.DateField(label=_("开始日期"), required=False, widget=DateInput())
    end = forms.DateField(label=_("结束日期"), required=False, widget=DateInput())


class SettlementFilterForm(forms.Form):
    month = forms.CharField(
        label=_("月份"),
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}),
    )
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部")), *Settlement.Status.choices],
        required=False,
    )


class GenerateForm(forms.Form):
    month = forms.CharField(
        label=_("结算月份"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"}),
    )
