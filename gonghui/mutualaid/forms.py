from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.filetypes import Upload
from gonghui.core.money import parse_yuan
from gonghui.members.models import WorkerCategory
from gonghui.mutualaid import rules, services
from gonghui.mutualaid.models import ClaimStatus, DocumentKind, HospitalLevel, PayoutChannel

INVOICE_ROWS = 5
UPLOAD_FIELDS = (
    ("invoice_file", DocumentKind.INVOICE, _("发票照片或扫描件")),
    ("discharge_file", DocumentKind.DISCHARGE, _("出院小结或诊断证明")),
    ("other_file", DocumentKind.OTHER, _("其他材料")),
)


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


class ClaimForm(forms.Form):
    """One claim: the benefit item, the event, the invoices, the documents and the consent."""

    item_code = forms.ChoiceField(label=_("申请项目"))
    condition_code = forms.ChoiceField(
        label=_("所患疾病（仅特重大疾病）"), required=False, choices=[("", "—")]
    )
    event_date = forms.DateField(
        label=_("发生日期（入院或受伤日期）"), widget=forms.DateInput(attrs={"type": "date"})
    )
    hospital = forms.CharField(label=_("就诊医院"), max_length=100)
    hospital_level = forms.ChoiceField(
        label=_("医院等级"), required=False, choices=[("", "—"), *HospitalLevel.choices]
    )
    health_details = forms.CharField(
        label=_("病情说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("诊断和治疗经过，只有审核人员可以看到"),
    )
    consent = forms.BooleanField(
        label=_("我已阅读并单独同意上述健康信息处理说明"),
        required=True,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "consent-text"}),
        error_messages={"required": _("请阅读并勾选同意，否则无法申请互助金")},
    )
    consent_version = forms.CharField(widget=forms.HiddenInput, initial=services.CONSENT_VERSION)
    bank_account = forms.CharField(
        label=_("收款银行账号（选填）"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("不填则打入您的工会会员卡；填写后按银行转账支付"),
    )
    bank_name = forms.CharField(label=_("开户银行（选填）"), required=False, max_length=60)

    def __init__(self, *args: Any, items: tuple[rules.BenefitItem, ...] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["item_code"]).choices = [
            (i.code, i.name) for i in items
        ]
        conditions = [(c.code, c.name) for i in items for c in i.conditions]
        cast(forms.ChoiceField, self.fields["condition_code"]).choices = [("", "—"), *conditions]
        for n in range(1, INVOICE_ROWS + 1):
            self.fields[f"invoice_no_{n}"] = forms.CharField(
                label=_("发票号码 %(n)s") % {"n": n},
                max_length=40,
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
            )
            self.fields[f"invoice_amount_{n}"] = YuanField(
                label=_("个人自付金额（元）%(n)s") % {"n": n},
                required=False,
            )
        for name, _kind, label in UPLOAD_FIELDS:
            self.fields[name] = forms.FileField(
                label=label,
                required=False,
                help_text=_("PDF、JPEG 或 PNG，不超过 10 MB"),
                widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        invoices = []
        for n in range(1, INVOICE_ROWS + 1):
            number = data.get(f"invoice_no_{n}") or ""
            amount = data.get(f"invoice_amount_{n}")
            if number and amount is None:
                self.add_error(f"invoice_amount_{n}", _("请填写这张发票的个人自付金额"))
            elif amount is not None and not number:
                self.add_error(f"invoice_no_{n}", _("请填写发票号码"))
            elif number:
                invoices.append(services.InvoiceData(number, amount or 0))
        data["invoices"] = invoices
        return data

    def claim_data(self, files: Any) -> services.ClaimData:
        data = self.cleaned_data
        uploads = []
        for name, kind, _label in UPLOAD_FIELDS:
            upload = files.get(name)
            if upload is not None:
                uploads.append(Upload.of(upload, kind))
        return services.ClaimData(
            item_code=data["item_code"],
            event_date=data["event_date"],
            hospital=data["hospital"],
            hospital_level=data.get("hospital_level") or "",
            condition_code=data.get("condition_code") or "",
            invoices=data["invoices"],
            health_details=data.get("health_details") or "",
            documents=uploads,
            bank_account=data.get("bank_account") or "",
            bank_name=data.get("bank_name") or "",
        )

    def invoice_rows(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"invoice_no_{n}"], self[f"invoice_amount_{n}"])
            for n in range(1, INVOICE_ROWS + 1)
        ]

    def upload_fields(self) -> list[Any]:
        return [self[name] for name, _kind, _label in UPLOAD_FIELDS]

    def main_fields(self) -> list[Any]:
        names = ("item_code", "condition_code", "event_date", "hospital", "hospital_level")
        return [self[name] for name in names]

    def payee_fields(self) -> list[Any]:
        return [self["bank_account"], self["bank_name"]]


class OnBehalfForm(ClaimForm):
    """The union files for a member who signed a paper consent form."""

    member_no = forms.CharField(label=_("会员号"), max_length=12)
    field_order = ["member_no"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = _("会员已在纸质同意书上签字，单独同意上述健康信息处理说明")

    def main_fields(self) -> list[Any]:
        return [self["member_no"], *super().main_fields()]


class MoreMaterialForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("PDF、JPEG 或 PNG，不超过 10 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=ClaimStatus.choices)
    reason = forms.CharField(
        label=_("意见或原因"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("退回、不予给付和申诉须写明原因，申请人会看到"),
    )


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *ClaimStatus.choices]
    )


class BatchForm(forms.Form):
    """Whom to enrol: the union's roster (optionally one worker category), or a list."""

    plan = forms.ChoiceField(label=_("保障期"))
    union = forms.CharField(
        label=_("参保工会代码"),
        max_length=32,
        help_text=_("本工会或下属工会的代码；名单内其他工会的会员不会参保"),
    )
    source = forms.ChoiceField(
        label=_("名单来源"),
        choices=[
            ("filter", _("从会员名册选取（本工会全部在会会员）")),
            ("file", _("导入名单（含“会员号”或“身份证号”列）")),
        ],
        widget=forms.RadioSelect,
        initial="filter",
    )
    category = forms.ChoiceField(
        label=_("只选这一类职工"),
        required=False,
        choices=[("", _("全部类别")), *WorkerCategory.choices],
    )
    file = forms.FileField(label=_("名单文件（xlsx、xls 或 csv）"), required=False)

    def __init__(self, *args: Any, plans: Any = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["plan"]).choices = [(p.code, p.name) for p in plans]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("source") == "file" and not data.get("file"):
            self.add_error("file", _("请选择名单文件"))
        return data


class PaymentForm(forms.Form):
    paid = YuanField(label=_("累计实缴（元）"))
    paid_on = forms.DateField(label=_("缴费日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("缴费凭证号"), max_length=60, required=False)


# A browser's date box takes and shows only ISO dates, whatever the page's language.
DAY = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class RuleVersionForm(forms.Form):
    """A new rule version as data: figures in fields, benefit items as JSON (see the default)."""

    effective_from = forms.DateField(label=_("生效日期"), widget=DAY)
    contribution = YuanField(label=_("每人每期缴费（元）"))
    employer_weight = forms.IntegerField(label=_("行政负担份额"), min_value=0, max_value=100)
    union_weight = forms.IntegerField(label=_("工会负担份额"), min_value=0, max_value=100)
    worker_weight = forms.IntegerField(label=_("个人负担份额"), min_value=0, max_value=100)
    waiting_days = forms.IntegerField(label=_("新参保等待期（天）"), min_value=0, max_value=365)
    min_age = forms.IntegerField(label=_("最低参保年龄"), min_value=0, max_value=120)
    max_age = forms.IntegerField(label=_("最高参保年龄"), min_value=0, max_value=120)
    benefits = forms.CharField(
        label=_("保障项目（JSON）"),
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false", "class": "mono"}),
        help_text=_(
            "金额单位为分；reimbursement 为按比例报销（起付线、各级医院比例、年度封顶），"
            "lump_sum 为特重大疾病定额给付"
        ),
    )
    note = forms.CharField(label=_("修订说明"), max_length=200, required=False)

    def clean_benefits(self) -> Any:
        try:
            data = json.loads(self.cleaned_data["benefits"])
        except ValueError:
            raise forms.ValidationError(_("保障项目不是有效的 JSON")) from None
        return data

    def rule_data(self) -> services.RuleData:
        data = self.cleaned_data
        return services.RuleData(
            effective_from=data["effective_from"],
            contribution_fen=data["contribution"] or 0,
            weights=(data["employer_weight"], data["union_weight"], data["worker_weight"]),
            waiting_days=data["waiting_days"],
            min_age=data["min_age"],
            max_age=data["max_age"],
            benefits=data["benefits"],
            note=data.get("note") or "",
        )


class PlanYearForm(RuleVersionForm):
    """A new 保障期 and its first rules (the rules take effect on the day cover starts)."""

    code = forms.CharField(
        label=_("保障期代码"),
        max_length=20,
        help_text=_("如 2027；公示页地址和凭证号使用，设立后不能修改"),
    )
    name = forms.CharField(label=_("名称"), max_length=100)
    starts_on = forms.DateField(label=_("保障开始"), widget=DAY)
    ends_on = forms.DateField(label=_("保障结束"), widget=DAY)
    enrol_opens_on = forms.DateField(label=_("参保登记开始"), widget=DAY)
    enrol_closes_on = forms.DateField(label=_("参保登记截止"), widget=DAY)
    allow_individual = forms.BooleanField(label=_("允许会员在手机上个人参保"), required=False)
    effective_from = None  # type: ignore[assignment]  # the first rules start with the cover

    field_order = [
        "code",
        "name",
        "starts_on",
        "ends_on",
        "enrol_opens_on",
        "enrol_closes_on",
        "allow_individual",
    ]

    def clean_code(self) -> str:
        code = "".join(str(self.cleaned_data["code"]).split()).upper()
        if not code.isascii() or not code.replace("-", "").isalnum():
            raise forms.ValidationError(_("代码只能由字母、数字和“-”组成"))
        return code

    def rule_data(self) -> services.RuleData:
        self.cleaned_data["effective_from"] = self.cleaned_data["starts_on"]
        return super().rule_data()


class PayoutForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("支付渠道"),
        choices=PayoutChannel.choices,
        widget=forms.RadioSelect,
        initial=PayoutChannel.CARD,
    )


class PayoutResultForm(forms.Form):
    file = forms.FileField(
        label=_("银行回盘文件（xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
