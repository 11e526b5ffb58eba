from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.filetypes import Upload
from gonghui.core.money import parse_yuan
from gonghui.hardship import services
from gonghui.hardship.models import (
    AidCategory,
    AidState,
    Cause,
    Channel,
    EmergencyKind,
    EvidenceKind,
    FileState,
    FileStatus,
    JobStatus,
    Relation,
    SchoolStage,
)

HOUSEHOLD_ROWS = 6
DATE = forms.DateInput(attrs={"type": "date"})


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


def _upload(files: Any, name: str, kind: str) -> list[Upload]:
    upload: UploadedFile | None = files.get(name) if files else None
    if upload is None:
        return []
    return [Upload.of(upload, kind)]


class FileForm(forms.Form):
    """建档申请: causes, the household (the applicant first), the situation, proofs, consent."""

    primary_cause = forms.ChoiceField(label=_("主要致困原因"), choices=[("", "—"), *Cause.choices])
    causes = forms.MultipleChoiceField(
        label=_("其他致困原因"),
        required=False,
        choices=Cause.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    situation = forms.CharField(
        label=_("困难情况说明"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("家庭遇到的困难和需要的帮助，只有帮扶工作人员可以看到"),
    )
    health_details = forms.CharField(
        label=_("本人健康状况（选填）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence_kind = forms.ChoiceField(
        label=_("证明材料类型"), choices=EvidenceKind.choices, required=False
    )
    evidence_file = forms.FileField(
        label=_("证明材料（PDF、JPG 或 PNG，10 MB 以内）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    consent = forms.BooleanField(
        label=_("我已阅读并单独同意上述收入和健康信息处理说明"),
        required=True,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "consent-text"}),
        error_messages={"required": _("请阅读并勾选同意，否则无法建立困难职工档案")},
    )
    consent_version = forms.CharField(widget=forms.HiddenInput, initial=services.CONSENT_VERSION)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, HOUSEHOLD_ROWS + 1):
            first = n == 1
            self.fields[f"relation_{n}"] = forms.ChoiceField(
                label=_("关系"),
                required=first,
                choices=[(Relation.SELF, Relation.SELF.label)]
                if first
                else [("", "—"), *Relation.choices[1:]],
            )
            self.fields[f"name_{n}"] = forms.CharField(
                label=_("姓名"), required=first, max_length=40
            )
            self.fields[f"age_{n}"] = forms.IntegerField(
                label=_("年龄"), required=first, min_value=0, max_value=120
            )
            self.fields[f"job_{n}"] = forms.ChoiceField(
                label=_("就业状况"), required=first, choices=[("", "—"), *JobStatus.choices]
            )
            self.fields[f"income_{n}"] = YuanField(label=_("月收入（元）"), required=False)
            self.fields[f"health_{n}"] = forms.CharField(
                label=_("健康状况"), required=False, max_length=200
            )

    HEAD: tuple[str, ...] = ("primary_cause", "causes", "situation", "health_details")

    def head_fields(self) -> list[Any]:
        return [self[name] for name in self.HEAD]

    def household_rows(self) -> list[list[Any]]:
        return [
            [self[f"{p}_{n}"] for p in ("relation", "name", "age", "job", "income", "health")]
            for n in range(1, HOUSEHOLD_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in range(2, HOUSEHOLD_ROWS + 1):
            filled = [data.get(f"{p}_{n}") for p in ("relation", "name", "age", "job")]
            if any(v not in (None, "") for v in filled) and not all(
                v not in (None, "") for v in filled
            ):
                self.add_error(
                    f"name_{n}", _("请把这位家庭成员的关系、姓名、年龄和就业状况填写完整")
                )
        return data

    def file_data(self, files: Any) -> services.FileData:
        data = self.cleaned_data
        household = []
        for n in range(1, HOUSEHOLD_ROWS + 1):
            if not data.get(f"name_{n}"):
                continue
            household.append(
                services.HouseholdRow(
                    relation=data[f"relation_{n}"],
                    name=data[f"name_{n}"],
                    age=data[f"age_{n}"],
                    job_status=data[f"job_{n}"],
                    income_fen=data.get(f"income_{n}") or 0,
                    health=data.get(f"health_{n}") or "",
                )
            )
        return services.FileData(
            primary_cause=data["primary_cause"],
            causes=list(data.get("causes") or []),
            household=household,
            situation=data["situation"],
            health_details=data.get("health_details") or "",
            uploads=_upload(
                files, "evidence_file", data.get("evidence_kind") or EvidenceKind.OTHER
            ),
        )


class OnBehalfFileForm(FileForm):
    member_no = forms.CharField(label=_("会员号"), max_length=12)
    HEAD = ("member_no", *FileForm.HEAD)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = _("会员已阅读并签署书面单独同意书（工会代办）")


class AidForm(forms.Form):
    category = forms.ChoiceField(
        label=_("救助类别"),
        choices=[("", "—"), *[c for c in AidCategory.choices if c[0] != "emergency"]],
    )
    stage = forms.ChoiceField(
        label=_("子女就读学段（仅助学）"),
        required=False,
        choices=[("", "—"), *SchoolStage.choices[1:]],
    )
    amount = YuanField(label=_("申请金额（元）"), required=False, help_text=_("就业帮扶不填"))
    reason_text = forms.CharField(
        label=_("申请理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    referral_to = forms.CharField(
        label=_("希望参加的招聘会或培训（仅就业帮扶）"), required=False, max_length=200
    )
    channel = forms.ChoiceField(
        label=_("发放方式"),
        choices=[(Channel.CARD, Channel.CARD.label), (Channel.BANK, Channel.BANK.label)],
        initial=Channel.CARD,
        widget=forms.RadioSelect,
    )
    bank_name = forms.CharField(
        label=_("开户银行（银行转账时填写）"), required=False, max_length=60
    )
    bank_account = forms.CharField(
        label=_("收款银行账号（银行转账时填写）"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    evidence_kind = forms.ChoiceField(
        label=_("证明材料类型"), choices=EvidenceKind.choices, required=False
    )
    evidence_file = forms.FileField(
        label=_("证明材料（选填）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def aid_data(self, files: Any) -> services.AidData:
        data = self.cleaned_data
        return services.AidData(
            category=data["category"],
            stage=data.get("stage") or "",
            requested_fen=data.get("amount") or 0,
            reason_text=data["reason_text"],
            referral_to=data.get("referral_to") or "",
            channel=data["channel"],
            bank_name=data.get("bank_name") or "",
            bank_account=data.get("bank_account") or "",
            emergency_kind=data.get("emergency_kind") or "",
            event_date=data.get("event_date"),
            uploads=_upload(
                files, "evidence_file", data.get("evidence_kind") or EvidenceKind.OTHER
            ),
        )


class StaffAidForm(AidForm):
    member_no = forms.CharField(label=_("会员号"), max_length=12)
    emergency = forms.BooleanField(
        label=_("应急救援（快速通道：一人审批，先发放后补材料）"), required=False
    )
    emergency_kind = forms.ChoiceField(
        label=_("突发情况（应急救援）"), required=False, choices=[("", "—"), *EmergencyKind.choices]
    )
    event_date = forms.DateField(label=_("发生日期（应急救援）"), required=False, widget=DATE)
    field_order = ["member_no", "emergency", "emergency_kind", "event_date", "category"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].required = False
        cast(forms.ChoiceField, self.fields["channel"]).choices = Channel.choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("emergency"):
            data["category"] = AidCategory.EMERGENCY
        elif not data.get("category"):
            self.add_error("category", _("请选择救助类别"))
        return data


class MoveForm(forms.Form):
    to = forms.CharField(max_length=16)
    reason = forms.CharField(required=False, max_length=300)
    amount = YuanField(required=False)


class ObjectionForm(forms.Form):
    received_on = forms.DateField(label=_("收到日期"), widget=DATE, initial=timezone.localdate)
    content = forms.CharField(
        label=_("异议内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("核查结论"),
        choices=[("0", _("异议不成立，继续公示")), ("1", _("异议成立，不予建档"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    resolution = forms.CharField(label=_("核查情况"), max_length=300)


class RecheckForm(forms.Form):
    still = forms.TypedChoiceField(
        label=_("复核结论"),
        choices=[("1", _("仍符合困难职工条件，继续在档")), ("0", _("已脱困"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("复核情况"), required=False, max_length=300)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=EvidenceKind.choices)
    file = forms.FileField(
        label=_("文件（PDF、JPG 或 PNG，10 MB 以内）"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )


def _year_field() -> forms.IntegerField:
    return forms.IntegerField(
        label=_("年度"), min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year
    )


class ThresholdForm(forms.Form):
    district = forms.CharField(label=_("县（市、区）总工会代码"), max_length=32)
    year = _year_field()
    monthly = YuanField(label=_("低保标准（元/人/月）"))


class StandardForm(forms.Form):
    year = _year_field()
    category = forms.ChoiceField(
        label=_("救助类别"), choices=[c for c in AidCategory.choices if c[0] != "employment"]
    )
    stage = forms.ChoiceField(
        label=_("学段（仅助学）"), required=False, choices=SchoolStage.choices
    )
    min_amount = YuanField(label=_("最低金额（元）"))
    max_amount = YuanField(label=_("最高金额（元）"), help_text=_("固定金额时与最低金额相同"))
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class PolicyForm(forms.Form):
    year = _year_field()
    notice_working_days = forms.IntegerField(
        label=_("公示期（工作日）"), min_value=1, max_value=365, initial=5
    )
    emergency_hours = forms.IntegerField(
        label=_("应急救援审批时限（小时）"), min_value=1, max_value=365, initial=24
    )
    emergency_document_working_days = forms.IntegerField(
        label=_("应急救援补交材料期限（工作日）"), min_value=1, max_value=365, initial=10
    )
    paid_within_working_days = forms.IntegerField(
        label=_("审批后及时发放期限（工作日）"), min_value=1, max_value=365, initial=10
    )


class BudgetForm(forms.Form):
    union = forms.CharField(label=_("工会代码"), max_length=32)
    category = forms.ChoiceField(
        label=_("救助类别"), choices=[c for c in AidCategory.choices if c[0] != "employment"]
    )
    year = _year_field()
    amount = YuanField(label=_("预算金额（元）"))


class PayoutForm(forms.Form):
    union = forms.ChoiceField(label=_("发放单位"))
    channel = forms.ChoiceField(
        label=_("发放方式"),
        choices=[(Channel.CARD, Channel.CARD.label), (Channel.BANK, Channel.BANK.label)],
    )

    def __init__(self, *args: Any, unions: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["union"]).choices = [(u.code, u.name) for u in unions]


class ResultForm(forms.Form):
    file = forms.FileField(
        label=_("银行回盘文件（xlsx）"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class FileFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名、会员号或档案编号"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=_("档案状态"), required=False, choices=[("", _("全部")), *FileStatus.choices]
    )
    state = forms.ChoiceField(
        label=_("办理环节"), required=False, choices=[("", _("全部")), *FileState.choices]
    )
    cause = forms.ChoiceField(
        label=_("主要致困原因"), required=False, choices=[("", _("全部")), *Cause.choices]
    )
    flag = forms.ChoiceField(
        label=_("提示"),
        required=False,
        choices=[
            ("", _("全部")),
            ("never_helped", _("在档但从未获得救助")),
            ("untouched", _("一年以上未办理")),
            ("recheck_due", _("30 天内到期复核")),
        ],
    )


class AidFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名、会员号或申请编号"), required=False, max_length=40)
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *AidState.choices]
    )
    category = forms.ChoiceField(
        label=_("救助类别"), required=False, choices=[("", _("全部")), *AidCategory.choices]
    )
    emergency = forms.ChoiceField(
        label=_("通道"),
        required=False,
        choices=[("", _("全部")), ("yes", _("应急救援")), ("no", _("常规救助"))],
    )
