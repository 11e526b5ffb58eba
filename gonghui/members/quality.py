"""Data quality (what no peer does): suspicious records in a union's subtree, and the fixes
that are safe to make in one click.

Each check is one query over indexed columns, so the report stays quick at a million members;
identity numbers are validated on every way in, so the check of old invalid numbers is a
background scan that decrypts them (`members.quality_scan`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.scoping import require_perm, scoped
from gonghui.audit.log import Event, log_many
from gonghui.core import idnumbers
from gonghui.core.errors import DomainError
from gonghui.jobs.models import Job
from gonghui.jobs.registry import Progress, job_handler
from gonghui.members import rules
from gonghui.members.models import Member, MemberEvent, MemberStatus
from gonghui.orgs.models import Union

STALE_YEARS = 3
CHECKS = {
    "retired": gettext_lazy("已过法定退休年龄仍为“在会”"),
    "no_phone": gettext_lazy("没有手机号码"),
    "duplicates": gettext_lazy("姓名和出生日期相同的疑似重复（全市范围）"),
    "stale": gettext_lazy("超过 %(years)d 年没有更新"),
}


@dataclass
class Finding:
    code: str
    label: str
    count: int
    sample: list[Member]
    fixable: bool = False


def _in_union(actor: Any, union: Union) -> QuerySet[Member]:
    return scoped(Member.objects.all(), actor, "members.view").filter(
        union__path__prefix=union.path
    )


def retired_active(qs: QuerySet[Member], today: date) -> QuerySet[Member]:
    men, women = rules.retirement_cutoff("M", today), rules.retirement_cutoff("F", today)
    return qs.filter(status=MemberStatus.ACTIVE).filter(
        Q(gender="M", birth_date__lte=men) | Q(gender="F", birth_date__lte=women)
    )


def duplicate_keys(qs: QuerySet[Member]) -> QuerySet[Any]:
    """(name, birth date) pairs held by more than one member in the whole city, where at least
    one of them is in `qs`; the grouping runs only over the names present in `qs`."""
    return (
        Member.objects.filter(name__in=qs.values("name"))
        .values("name", "birth_date")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )


def quality_report(*, actor: Any, union: Union, sample_size: int = 20) -> list[Finding]:
    require_perm(actor, "members.view", union.path)
    today = timezone.localdate()
    base = _in_union(actor, union).select_related("union")
    stale_before = timezone.now() - timedelta(days=365 * STALE_YEARS)
    retired = retired_active(base, today)
    no_phone = base.filter(phone_last4="", status=MemberStatus.ACTIVE)
    stale = base.filter(updated_at__lt=stale_before, status=MemberStatus.ACTIVE)
    keys = list(duplicate_keys(base)[:200])
    duplicates = base.none()
    if keys:
        condition = Q(pk__in=[])
        for key in keys:
            condition |= Q(name=key["name"], birth_date=key["birth_date"])
        duplicates = Member.objects.filter(condition).select_related("union").order_by("name")
    findings = []
    for code, qs, fixable in [
        ("retired", retired, True),
        ("no_phone", no_phone, False),
        ("duplicates", duplicates, False),
        ("stale", stale, False),
    ]:
        count = len(keys) if code == "duplicates" else qs.count()
        findings.append(
            Finding(code, _label(code), count, list(qs.order_by("id")[:sample_size]), fixable)
        )
    return findings


def _label(code: str) -> str:
    """In the request's language; formatted here, since `%` on a lazy string translates it."""
    return str(CHECKS[code]) % {"years": STALE_YEARS} if code == "stale" else str(CHECKS[code])


def retain_retired(*, by: Any, union: Union, reason: str = "") -> int:
    """One-click fix: members past retirement age move from 在会 to 保留会籍, each audited."""
    require_perm(by, "members.change", union.path)
    today = timezone.localdate()
    note = reason.strip() or _("已过法定退休年龄，转为保留会籍")
    with transaction.atomic():
        qs = retired_active(
            scoped(Member.objects.select_for_update(), by, "members.change").filter(
                union__path__prefix=union.path
            ),
            today,
        ).select_related("union")
        members = list(qs)
        if not members:
            return 0
        rules.check_transition(MemberStatus.ACTIVE, MemberStatus.RETAINED)
        Member.objects.filter(pk__in=[m.pk for m in members]).update(
            status=MemberStatus.RETAINED, updated_at=timezone.now()
        )
        changes = {"status": [MemberStatus.ACTIVE, MemberStatus.RETAINED], "reason": note}
        MemberEvent.objects.bulk_create(
            [
                MemberEvent(
                    member=m, by=by, kind="members.member.retained", changes=changes, union=m.union
                )
                for m in members
            ],
            batch_size=1000,
        )
        log_many(by, [Event("members.member.retained", m, changes) for m in members])
    return len(members)


@job_handler("members.quality_scan")
def quality_scan(job: Job, progress: Progress) -> dict[str, Any]:
    """Decrypt and re-validate every identity number in the subtree (numbers from before
    validation, or typed into another system); the findings go into the result file."""
    from django.core.files.base import ContentFile

    from gonghui.core.excel import xlsx_bytes
    from gonghui.core.masking import mask_id_number

    union = Union.objects.get(code=job.params["union"])
    require_perm(job.owner, "members.view", union.path)
    qs = _in_union(job.owner, union).select_related("union").order_by("id")
    progress.set_total(qs.count())
    bad: list[list[str]] = []
    for member in qs.iterator(chunk_size=2000):
        try:
            parsed = idnumbers.parse(member.id_number)
            if parsed.birth_date != member.birth_date or parsed.gender != member.gender:
                raise DomainError("member.id_mismatch", _("身份证号与登记的出生日期或性别不一致"))
        except DomainError as exc:
            bad.append(
                [
                    member.member_no,
                    member.name,
                    mask_id_number(member.id_number),
                    member.union.code,
                    exc.message,
                ]
            )
        progress.advance()
    if bad:
        content = xlsx_bytes(["会员号", "姓名", "身份证号", "工会代码", "问题"], bad)
        job.result_file.save(f"invalid-ids-{union.code}.xlsx", ContentFile(content), save=False)
    return {"rows": qs.count(), "invalid": len(bad)}
