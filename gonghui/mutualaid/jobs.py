"""Bulk enrolment as a background job: from the roster by filter, or from an uploaded list of
member numbers or identity numbers. Rows stream; members are looked up a chunk at a time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core import idnumbers
from gonghui.core.errors import DomainError
from gonghui.core.excel import iter_rows
from gonghui.core.masking import mask_id_number
from gonghui.jobs.models import Job
from gonghui.jobs.registry import Progress, job_handler
from gonghui.members import services as member_services
from gonghui.members.models import Member
from gonghui.mutualaid import selectors, services
from gonghui.orgs.models import Union

HEADER_ALIASES = {
    "member_no": ("会员号", "会员编号", "member_no"),
    "id_number": ("身份证号", "公民身份号码", "身份证号码", "id_number"),
}
HEADER_SCAN = 10
LOOKUP_CHUNK = 500
MAX_ROWS = 100_000


def _norm(cell: Any) -> str:
    return str(cell or "").strip().replace(" ", "").replace("\u3000", "").lower()


def _header(rows: Iterator[list[Any]]) -> dict[str, int]:
    lookup = {_norm(alias): key for key, names in HEADER_ALIASES.items() for alias in names}
    for number, row in enumerate(rows, start=1):
        columns: dict[str, int] = {}
        for index, cell in enumerate(row):
            key = lookup.get(_norm(cell))
            if key and key not in columns:
                columns[key] = index
        if columns:
            return columns
        if number >= HEADER_SCAN:
            break
    raise DomainError("file.no_header", _("没有找到表头：前 10 行中须有“会员号”或“身份证号”列"))


def members_from_sheet(
    *, actor: Any, union: Union, path: Path, skips: list[services.Skip]
) -> Iterator[Member]:
    """The members a list names, in the actor's scope and the union's subtree; a row naming
    nobody found there is skipped with its reason (the ID number masked)."""
    rows = iter_rows(path)
    columns = _header(rows)
    scope = selectors.roster_to_enrol_scope(actor=actor, union=union)
    pending: list[tuple[str, str]] = []
    count = 0

    def flush() -> Iterator[Member]:
        numbers = [v for k, v in pending if k == "member_no"]
        indexes = [member_services.id_index(v) for k, v in pending if k == "id_number"]
        found = scope.filter(Q(member_no__in=numbers) | Q(id_index__in=indexes))
        by_key: dict[tuple[str, str], Member] = {}
        for member in found:
            by_key[("member_no", member.member_no)] = member
            by_key[("id_index", member.id_index)] = member
        for kind, value in pending:
            key = ("member_no", value) if kind == "member_no" else ("id_index", _index(value))
            named = by_key.get(key)
            if named is None:
                who = value if kind == "member_no" else mask_id_number(value)
                skips.append(services.Skip(who, _("未找到该会员，或不在本工会")))
            else:
                yield named
        pending.clear()

    for row in rows:
        count += 1
        if count > MAX_ROWS:
            raise DomainError("file.too_many_rows", _("名单最多 100000 行，请分批导入"))
        value = ""
        if "member_no" in columns and columns["member_no"] < len(row):
            value = str(row[columns["member_no"]] or "").strip().upper()
            if value:
                pending.append(("member_no", value))
                continue
        if "id_number" in columns and columns["id_number"] < len(row):
            value = idnumbers.normalise(row[columns["id_number"]])
            if value:
                pending.append(("id_number", value))
        if len(pending) >= LOOKUP_CHUNK:
            yield from flush()
    yield from flush()


def _index(id_number: str) -> str:
    return member_services.id_index(id_number)


@job_handler("mutualaid.enrol")
def enrol_job(job: Job, progress: Progress) -> dict[str, Any]:
    by: User = job.owner
    plan = selectors.plan_get(code=job.params["plan"])
    union = Union.objects.get(code=job.params["union"])
    skips: list[services.Skip] = []
    if job.params.get("source") == "file":
        members: Any = members_from_sheet(
            actor=by, union=union, path=Path(job.input_file.path), skips=skips
        )
    elif job.params.get("source") == "numbers":
        numbers = job.params["member_nos"]
        members = selectors.roster_to_enrol_scope(actor=by, union=union).filter(
            member_no__in=numbers
        )
        found = set(members.values_list("member_no", flat=True))
        skips.extend(
            services.Skip(n, _("未找到该会员，或不在本工会")) for n in numbers if n not in found
        )
        progress.set_total(len(found))
        members = members.order_by("id").iterator(chunk_size=services.BULK_CHUNK)
    else:
        members = selectors.roster_to_enrol(
            actor=by, union=union, plan=plan, category=job.params.get("category", "")
        )
        progress.set_total(members.count())
        members = members.iterator(chunk_size=services.BULK_CHUNK)
    batch = services.enrol_members(
        by=by,
        plan=plan,
        union=union,
        members=members,
        source=job.params.get("source", "filter"),
        skipped=skips,
        progress=progress,
    )
    return {
        "batch": str(batch.public_id),
        "enrolled": batch.enrolled_count,
        "skipped": batch.skipped_count,
        "url": f"/w/mutual-aid/batches/{batch.public_id}/",
    }


@job_handler("mutualaid.payout")
def payout_job(job: Job, progress: Progress) -> dict[str, Any]:
    """A payout batch of every claim in the owner's queue (thousands at the year's peak)."""
    batch = services.payout_batch_create(
        by=job.owner, channel=job.params["channel"], progress=progress
    )
    return {
        "batch": str(batch.public_id),
        "batch_no": batch.batch_no,
        "lines": batch.line_count,
        "total_fen": batch.total_fen,
        "without_account": len(batch.without_account),
        "url": f"/w/mutual-aid/payouts/{batch.public_id}/",
    }


@job_handler("mutualaid.payout_result")
def payout_result_job(job: Job, progress: Progress) -> dict[str, Any]:
    batch = selectors.payout_batch_get(
        actor=job.owner, public_id=job.params["batch"], permission="mutualaid.change"
    )
    return services.payout_results_import(
        by=job.owner, batch=batch, path=Path(job.input_file.path), progress=progress
    )
