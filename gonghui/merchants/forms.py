from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.money import parse_yuan
from gonghui.merchants import rules
from gonghui.merchants.models import Category, DiscountKind, MerchantStatus, StaffRole
from gonghui.merchants.services import MerchantData

CATEGORY_CHOICES = [("", _("全部类别")), *Category.choices]


class DistrictChoicesMixin:
    fields: dict[str, forms.Field]

    def _district_field(self) -> forms.ChoiceField:
        field = self.fields["district"]
        assert isinstance(field, forms.ChoiceField)
        return field


def district_choices(districts: Any, blank: Any = None) -> list[tuple[str, Any]]:
    rows = [(d.code, d.name) for d in districts]
    return [("", blank), *rows] if blank is not None else rows


class MerchantFieldsForm(DistrictChoicesMixin, forms.Form):
    """The facts of a merchant, as the applicant types them and the reviewer corrects them."""

    name = forms.CharField(label=_("商户名称"), max_length=80, help_text=_("与营业执照或门头一致"))
    uscc = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
        help_text=_("营业执照上的 18 位代码"),
    )
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    district = forms.ChoiceField(label=_("所在县（市、区）"))
    address = forms.CharField(label=_("地址"), max_length=160)
    latitude = forms.CharField(
        label=_("纬度"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("选填，如 32.394210；不清楚可以不填，审核人员会补上"),
    )
    longitude = forms.CharField(
        label=_("经度"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=_("选填，如 119.412930"),
    )
    opening_hours = forms.CharField(
        label=_("营业时间"), max_length=80, required=False, help_text=_("如 每天 09:00–21:00")
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=40, required=False)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    description = forms.CharField(
        label=_("简介"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, districts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._district_field().choices = district_choices(districts, _("请选择"))

    def merchant_data(self) -> MerchantData:
        data = self.cleaned_data
        return MerchantData(
            name=data["name"],
            uscc=data["uscc"],
            category=data["category"],
            address=data["address"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            opening_hours=data["opening_hours"],
            phone=data["phone"],
            contact_name=data["contact_name"],
            description=data.get("description", ""),
            proposal=data.get("proposal", ""),
        )


class ApplyForm(MerchantFieldsForm):
    proposal = forms.CharField(
        label=_("拟给予会员的优惠"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("如：全场8.5折，单笔最多优惠50元")}),
        help_text=_("工会会员凭会员卡或动态码消费时的折扣，须在五折到九折之间，或每单立减一定金额"),
    )

    field_order = [
        "name",
        "uscc",
        "category",
        "district",
        "address",
        "latitude",
        "longitude",
        "opening_hours",
        "contact_name",
        "phone",
        "proposal",
        "description",
    ]


class EditForm(MerchantFieldsForm):
    pass


class StatusForm(forms.Form):
    application_no = forms.CharField(
        label=_("申请编号"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        help_text=_("提交申请后显示的编号，以 SQ 开头"),
    )
    phone = forms.CharField(
        label=_("申请时填写的联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )


class FilterForm(DistrictChoicesMixin, forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("名称、编号或信用代码")}),
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *MerchantStatus.choices]
    )
    category = forms.ChoiceField(label=_("类别"), required=False, choices=CATEGORY_CHOICES)
    district = forms.ChoiceField(label=_("县区"), required=False)

    def __init__(self, *args: Any, districts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._district_field().choices = district_choices(districts, _("全部县区"))


def _yuan_field(label: Any, help_text: Any = "", required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=help_text,
    )


class ContractForm(forms.Form):
    discount_kind = forms.ChoiceField(
        label=_("优惠方式"), choices=DiscountKind.choices, initial=DiscountKind.RATE
    )
    discount_rate = forms.DecimalField(
        label=_("折扣率"),
        required=False,
        max_digits=4,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "0.85"}),
        help_text=_("会员实付比例，0.50–0.90：0.85 即 8.5 折"),
    )
    fixed_off = _yuan_field(_("立减金额（元）"), _("按立减金额时填写，如 5"))
    min_amount = _yuan_field(_("最低消费（元）"), _("满多少元可用，不限请留空"))
    per_txn_cap = _yuan_field(_("单笔优惠上限（元）"), _("不设上限请留空"))
    per_member_day_cap = _yuan_field(_("每人每日优惠上限（元）"), _("不设上限请留空"))
    valid_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valid_to = forms.DateField(
        label=_("到期日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("最长三年"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            today = timezone.localdate()
            self.initial.setdefault("valid_from", today)
            self.initial.setdefault("valid_to", rules.add_years(today, 1) - timedelta(days=1))

    def _fen(self, name: str) -> int | None:
        text = str(self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            fen = parse_yuan(text)
        except ValueError:
            self.add_error(name, _("请填写金额，如 5 或 12.50"))
            return None
        if fen < 0:
            self.add_error(name, _("金额不能为负数"))
            return None
        return fen

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("discount_kind")
        if kind == DiscountKind.RATE and data.get("discount_rate") is None:
            self.add_error("discount_rate", _("按折扣优惠时请填写折扣率，如 0.85"))
        data["fixed_off_fen"] = self._fen("fixed_off")
        if kind == DiscountKind.FIXED and not data["fixed_off_fen"]:
            self.add_error("fixed_off", _("按立减金额优惠时请填写立减金额"))
        data["min_amount_fen"] = self._fen("min_amount") or 0
        data["per_txn_cap_fen"] = self._fen("per_txn_cap")
        data["per_member_day_cap_fen"] = self._fen("per_member_day_cap")
        return data

    def terms(self) -> rules.ContractTerms:
        data = self.cleaned_data
        rate_kind = data["discount_kind"] == DiscountKind.RATE
        return rules.ContractTerms(
            discount_kind=data["discount_kind"],
            discount_rate=data.get("discount_rate") if rate_kind else None,
            fixed_off_fen=None if rate_kind else data.get("fixed_off_fen"),
            min_amount_fen=data["min_amount_fen"],
            per_txn_cap_fen=data["per_txn_cap_fen"],
            per_member_day_cap_fen=data["per_member_day_cap_fen"],
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"),
        max_length=200,
        help_text=_("写明原因和商户可以怎么办；商户查询时会看到"),
    )


class StaffForm(forms.Form):
    username = forms.CharField(
        label=_("登录用户名"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    display_name = forms.CharField(label=_("姓名"), max_length=60)
    role = forms.ChoiceField(label=_("岗位"), choices=StaffRole.choices)


class KeyForm(forms.Form):
    label = forms.CharField(
        label=_("终端名称"), max_length=60, required=False, help_text=_("如 一楼收银台 1 号机")
    )


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("照片"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text=_("JPEG 或 PNG，不超过 2 MB，每个商户最多 6 张"),
    )
    caption = forms.CharField(label=_("说明"), max_length=60, required=False)


class DirectoryForm(DistrictChoicesMixin, forms.Form):
    category = forms.ChoiceField(label=_("类别"), required=False, choices=CATEGORY_CHOICES)
    district = forms.ChoiceField(label=_("县区"), required=False)
    q = forms.CharField(label=_("商户名称"), required=False, max_length=40)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, districts: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._district_field().choices = district_choices(districts, _("全部县区"))
        self.fields["district"].widget.attrs["class"] = "autosubmit"
