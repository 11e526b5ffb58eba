"""Files closed (脱困 or 注销) are kept HARDSHIP_CLOSED_RETENTION_DAYS after closing, then their
sensitive details go (PIPL): household income, health, the situation written down, the
household's names and the uploaded proofs, and the bank accounts given for aid. The file row,
the aid records, the disbursement ledger and the audit trail stay."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.audit.log import Event, log_many
from gonghui.core.retention import RetentionRule
from gonghui.hardship.models import (
    AidApplication,
    Evidence,
    FileStatus,
    HardshipFile,
    HouseholdMember,
)

BATCH = 200


def _due(cutoff: datetime) -> QuerySet[HardshipFile]:
    return HardshipFile.objects.filter(
        status__in=(FileStatus.RELIEVED, FileStatus.CANCELLED),
        closed_on__lt=timezone.localtime(cutoff).date(),
        purged_at__isnull=True,
    )


def closed_files_purge(cutoff: datetime, dry_run: bool = False) -> int:
    if dry_run:
        return _due(cutoff).count()
    purged = 0
    while ids := list(_due(cutoff).values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            # Lock the rows: a file reopened at this moment must not be purged.
            files = list(
                HardshipFile.objects.select_for_update().filter(pk__in=ids, purged_at__isnull=True)
            )
            now = timezone.now()
            for file in files:
                file.household_income = file.per_capita_income = ""
                file.health_details = file.situation = ""
                file.purged_at = now
            HardshipFile.objects.bulk_update(
                files,
                [
                    "household_income",
                    "per_capita_income",
                    "health_details",
                    "situation",
                    "purged_at",
                ],
            )
            HouseholdMember.objects.filter(file__in=files).update(
                name=_("已清除"), monthly_income="", health=""
            )
            proofs = Evidence.objects.filter(file__in=files) | Evidence.objects.filter(
                aid__file__in=files
            )
            for evidence in proofs:
                evidence.stored.delete(save=False)
            proofs.delete()
            AidApplication.objects.filter(file__in=files).update(bank_account="")
            log_many(
                None,
                [
                    Event(
                        "hardship.file.purged",
                        obj=file,
                        object_repr=file.file_no,
                        changes={"cutoff": cutoff.isoformat()},
                    )
                    for file in files
                ],
            )
        purged += len(files)
    return purged


CLOSED_FILES = RetentionRule(
    code="hardship.closed_files",
    label=gettext_lazy("脱困或注销的困难职工档案中的收入、健康信息和证明材料"),
    setting="HARDSHIP_CLOSED_RETENTION_DAYS",
    purge=closed_files_purge,
)
