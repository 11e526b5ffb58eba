"""Writes of information work: each one user action, in one transaction, audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import has_perm, require_perm
from gonghui.audit.log import log_action
from gonghui.core.errors import Conflict, DomainError, Forbidden
from gonghui.infowork import rules, selectors
from gonghui.infowork.models import (
    Category,
    Correction,
    InfoOfficer,
    Instruction,
    Level,
    OutletKind,
    Placement,
    PointsTable,
    Publication,
    PublicationStatus,
    Quota,
    Submission,
    SubmissionEvent,
    SubmissionPhoto,
    SubmissionStatus,
)
from gonghui.orgs.models import Department, Union


@dataclass
class Upload:
    name: str
    data: bytes


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


# -- officers --------------------------------------------------------------------------------


def officer_appoint(
    *, by: Any, user: Any, union: Union, department: Department | None = None
) -> InfoOfficer:
    """Make `user` a 信息员 of `union` (or of a federation department, at the city). Staff with
    `infowork.change` appoint in their subtree; department officers only 宣教部 appoints."""
    require_perm(by, "infowork.change", union.path)
    if department is not None:
        selectors.require_editor(by)
        if union.kind != "city":
            raise DomainError("infowork.department_at_city", _("部门信息员只能设在市总工会的部门"))
    if getattr(user, "kind", "staff") != "staff" or not user.is_active:
        raise DomainError("infowork.officer_not_staff", _("信息员须是在用的工作人员账号"))
    with transaction.atomic():
        officer, created = InfoOfficer.objects.get_or_create(
            user=user,
            union=union,
            department=department,
            defaults={"appointed_by": _user(by)},
        )
        if not created and officer.active:
            raise DomainError("infowork.officer_exists", _("该账号已是这里的信息员"))
        if not created:
            officer.active = True
            officer.save(update_fields=["active"])
        log_action(
            "infowork.officer.appointed",
            actor=by,
            obj=officer,
            object_repr=f"{user} @ {union.name}",
            changes={
                "user": user.username,
                "union": union.code,
                "department": department.code if department else None,
            },
        )
    return officer


def officer_set_active(*, by: Any, officer: InfoOfficer, active: bool) -> InfoOfficer:
    require_perm(by, "infowork.change", officer.union.path)
    if officer.department_id:
        selectors.require_editor(by)
    with transaction.atomic():
        officer.active = active
        officer.save(update_fields=["active"])
        log_action(
            "infowork.officer.activated" if active else "infowork.officer.deactivated",
            actor=by,
            obj=officer,
            object_repr=str(officer),
            changes={"active": active},
        )
    return officer


# -- submissions -----------------------------------------------------------------------------


def _check_photos(photos: Sequence[Upload], already: int = 0) -> list[tuple[Upload, str, str]]:
    if len(photos) + already > rules.PHOTO_MAX_COUNT:
        raise DomainError(
            "infowork.photo_limit",
            _("每篇投稿最多 %(n)s 张照片") % {"n": rules.PHOTO_MAX_COUNT},
        )
    checked = []
    for photo in photos:
        if len(photo.data) > rules.PHOTO_MAX_BYTES:
            raise DomainError(
                "infowork.photo_too_large",
                _("照片“%(name)s”超过 5 MB，请压缩后再上传") % {"name": photo.name},
            )
        found = rules.photo_type(photo.data[:16])
        if found is None:
            raise DomainError(
                "infowork.photo_type",
                _("照片“%(name)s”不是 JPEG 或 PNG 格式") % {"name": photo.name},
            )
        checked.append((photo, found[0], found[1]))
    return checked


def _store_photos(submission: Submission, checked: Sequence[tuple[Upload, str, str]]) -> None:
    for photo, extension, content_type in checked:
        row = SubmissionPhoto(
            submission=submission, content_type=content_type, size=len(photo.data)
        )
        row.file.save(f"photo.{extension}", ContentFile(photo.data), save=False)
        row.save()


def _category(category: str) -> str:
    if category not in Category.values:
        raise DomainError("infowork.category_invalid", _("请选择稿件类别"))
    return category


def submission_submit(
    *,
    by: Any,
    officer: InfoOfficer,
    title: str,
    body: str,
    category: str,
    photos: Sequence[Upload] = (),
) -> Submission:
    """An officer submits a piece for their union or department."""
    if not getattr(by, "pk", None) or officer.user_id != by.pk or not officer.active:
        raise Forbidden("auth.forbidden", _("只有在任的信息员本人可以报送"))
    require_perm(by, "infowork.submit", officer.union.path)
    title, body = rules.check_text(title, body)
    checked = _check_photos(photos)
    with transaction.atomic():
        submission = Submission.objects.create(
            officer=officer,
            union=officer.union,
            department=officer.department,
            title=title,
            body=body,
            category=_category(category),
        )
        _store_photos(submission, checked)
        SubmissionEvent.objects.create(
            submission=submission, by=_user(by), to_status=SubmissionStatus.SUBMITTED
        )
        log_action(
            "infowork.submission.submitted",
            actor=by,
            obj=submission,
            object_repr=title,
            changes={"category": category, "photos": len(checked), "union": officer.union.code},
        )
    return submission


def can_edit(by: Any, submission: Submission) -> bool:
    """宣教部 edits a piece waiting for review; its officer edits it once returned."""
    if submission.status in rules.EDITABLE:
        return selectors.is_editor(by)
    return submission.status == SubmissionStatus.RETURNED and selectors.is_owner(by, submission)


def submission_edit(
    *,
    by: Any,
    submission: Submission,
    title: str,
    body: str,
    category: str,
    photos: Sequence[Upload] = (),
) -> Submission:
    with transaction.atomic():
        # Lock the piece: an edit racing an adoption must not change an adopted text.
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if not can_edit(by, locked):
            raise Forbidden("auth.forbidden", _("这篇投稿现在不能由您修改"))
        title, body = rules.check_text(title, body)
        checked = _check_photos(photos, already=locked.photos.count())
        before = {"title": locked.title, "body": locked.body, "category": locked.category}
        locked.title, locked.body, locked.category = title, body, _category(category)
        locked.save()
        _store_photos(locked, checked)
        changed = [name for name, old in before.items() if getattr(locked, name) != old]
        SubmissionEvent.objects.create(
            submission=locked,
            by=_user(by),
            from_status=locked.status,
            to_status=locked.status,
            note=_("修改了：%(fields)s") % {"fields": "、".join(changed) or _("照片")},
        )
        log_action(
            "infowork.submission.edited",
            actor=by,
            obj=locked,
            object_repr=title,
            changes={"fields": changed, "photos_added": len(checked)},
        )
    return locked


def submission_transition(
    *, by: Any, submission: Submission, to: str, reason: str = ""
) -> Submission:
    """The one way a submission moves (rules.TRANSITIONS): adopt, return, resubmit, withdraw."""
    with transaction.atomic():
        # Lock the piece: of two editors adopting and returning at once, the second finds it moved.
        locked = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("officer", "union")
            .get(pk=submission.pk)
        )
        actor = rules.transition_actor(locked.status, to)
        if actor == rules.EDITOR:
            selectors.require_editor(by)
        elif not selectors.is_owner(by, locked):
            raise Forbidden("auth.forbidden", _("只有报送这篇稿件的信息员本人可以办理"))
        note = rules.check_reason(to, reason)
        before = locked.status
        locked.status = to
        if to == SubmissionStatus.RETURNED:
            locked.reason = note
        if to == SubmissionStatus.ADOPTED:
            locked.adopted_at = timezone.now()
        if to == SubmissionStatus.SUBMITTED:
            locked.submitted_at = timezone.now()
        locked.save()
        SubmissionEvent.objects.create(
            submission=locked, by=_user(by), from_status=before, to_status=to, note=note
        )
        log_action(
            f"infowork.submission.{to}",
            actor=by,
            obj=locked,
            object_repr=locked.title,
            changes={"status": [before, to], "reason": note},
        )
    return locked


def photo_bytes(photo: SubmissionPhoto) -> bytes:
    with photo.file.open("rb") as handle:
        return bytes(handle.read())


# -- publications ----------------------------------------------------------------------------


@dataclass
class PublicationData:
    level: str
    outlet_kind: str
    outlet_name: str
    published_on: date
    placement: str
    link: str = ""


def _check_publication(data: PublicationData, scan: Upload | None) -> tuple[str, str] | None:
    if data.level not in Level.values or data.outlet_kind not in OutletKind.values:
        raise DomainError("infowork.publication_invalid", _("请选择刊用级别和媒体类型"))
    if data.placement not in Placement.values:
        raise DomainError("infowork.publication_invalid", _("请选择版面位置"))
    if not " ".join(data.outlet_name.split()):
        raise DomainError("infowork.outlet_required", _("请填写媒体名称，例如“河南工人日报”"))
    if data.published_on > timezone.localdate():
        raise DomainError("infowork.published_in_future", _("刊用日期不能晚于今天"))
    link = data.link.strip()
    if link and not link.startswith(("https://", "http://")):
        raise DomainError("infowork.link_invalid", _("链接须以 http:// 或 https:// 开头"))
    if not link and scan is None:
        raise DomainError(
            "infowork.evidence_required", _("请提供刊用证明：网页链接或版面扫描件，至少一项")
        )
    if scan is None:
        return None
    if len(scan.data) > rules.SCAN_MAX_BYTES:
        raise DomainError("infowork.scan_too_large", _("扫描件超过 10 MB，请压缩后再上传"))
    found = rules.scan_type(scan.data[:16])
    if found is None:
        raise DomainError("infowork.scan_type", _("扫描件须是 PDF、JPEG 或 PNG 格式"))
    return found


def publication_record(
    *, by: Any, submission: Submission, data: PublicationData, scan: Upload | None = None
) -> Publication:
    """Record that an adopted piece was published: by 宣教部, or claimed by its officer. It
    scores nothing until 宣教部 verifies it."""
    if not (selectors.is_editor(by) or selectors.is_owner(by, submission)):
        raise Forbidden("auth.forbidden", _("刊用情况由宣教部或报送的信息员登记"))
    if submission.status != SubmissionStatus.ADOPTED:
        raise DomainError("infowork.not_adopted", _("只有已采用的稿件才能登记刊用"))
    scan_kind = _check_publication(data, scan)
    try:
        with transaction.atomic():
            publication = Publication(
                submission=submission,
                union=submission.union,
                department=submission.department,
                officer=submission.officer,
                level=data.level,
                outlet_kind=data.outlet_kind,
                outlet_name=" ".join(data.outlet_name.split())[:80],
                published_on=data.published_on,
                placement=data.placement,
                link=data.link.strip(),
                recorded_by=_user(by),
            )
            if scan is not None and scan_kind is not None:
                publication.scan.save(f"scan.{scan_kind[0]}", ContentFile(scan.data), save=False)
                publication.scan_type = scan_kind[1]
            publication.save()
            log_action(
                "infowork.publication.recorded",
                actor=by,
                obj=publication,
                object_repr=f"{submission.title} · {publication.outlet_name}",
                changes={
                    "level": data.level,
                    "outlet_kind": data.outlet_kind,
                    "outlet": publication.outlet_name,
                    "published_on": data.published_on,
                    "placement": data.placement,
                    "link": publication.link,
                    "scan": bool(scan),
                },
            )
    except IntegrityError as exc:
        raise Conflict(
            "infowork.publication_duplicate", _("这篇稿件在同一媒体同一天的刊用已经登记过")
        ) from exc
    return publication


def publication_verify(
    *, by: Any, publication: Publication, approve: bool, reason: str = ""
) -> Publication:
    """宣教部 checks the evidence: verified, it scores from the table version in force on its
    publication date; refused, it scores nothing and says why."""
    selectors.require_editor(by)
    with transaction.atomic():
        # Lock it: two editors verifying at once must not both score it.
        locked = Publication.objects.select_for_update().get(pk=publication.pk)
        if locked.status != PublicationStatus.CLAIMED:
            raise DomainError(
                "infowork.publication_decided",
                _("这条刊用记录已经是“%(status)s”") % {"status": locked.get_status_display()},
            )
        if approve:
            table = selectors.table_in_force(locked.published_on)
            locked.points = rules.publication_points(
                table.publication_points,
                level=locked.level,
                kind=locked.outlet_kind,
                placement=locked.placement,
            )
            locked.points_table = table
            locked.status = PublicationStatus.VERIFIED
        else:
            note = " ".join(str(reason or "").split())
            if not note:
                raise DomainError(
                    "infowork.reason_required", _("请写明未通过核实的原因，例如证明材料不符")
                )
            locked.reason = note[:300]
            locked.status = PublicationStatus.REJECTED
        locked.verified_by = _user(by)
        locked.verified_at = timezone.now()
        locked.save()
        log_action(
            f"infowork.publication.{locked.status}",
            actor=by,
            obj=locked,
            object_repr=f"{locked.outlet_name} {locked.published_on}",
            changes={
                "status": [PublicationStatus.CLAIMED, locked.status],
                "points": locked.points,
                "table": locked.points_table.number if locked.points_table else None,
                "reason": locked.reason,
            },
        )
    return locked


def scan_bytes(publication: Publication) -> bytes:
    with publication.scan.open("rb") as handle:
        return bytes(handle.read())


# -- bonuses and penalties -------------------------------------------------------------------


def instruction_record(
    *, by: Any, submission: Submission, level: str, leader: str, instructed_on: date
) -> Instruction:
    """A leader's 批示 on an adopted piece, recorded by 宣教部 from the document."""
    selectors.require_editor(by)
    if submission.status != SubmissionStatus.ADOPTED:
        raise DomainError("infowork.not_adopted", _("只有已采用的稿件才能登记领导批示"))
    leader = " ".join(leader.split())[:60]
    if not leader:
        raise DomainError("infowork.leader_required", _("请填写批示领导的姓名和职务"))
    if instructed_on > timezone.localdate():
        raise DomainError("infowork.date_in_future", _("批示日期不能晚于今天"))
    table = selectors.table_in_force(instructed_on)
    points = rules.instruction_points(table.instruction_points, level=level)
    with transaction.atomic():
        instruction = Instruction.objects.create(
            submission=submission,
            union=submission.union,
            department=submission.department,
            officer=submission.officer,
            level=level,
            leader=leader,
            instructed_on=instructed_on,
            points_table=table,
            points=points,
            recorded_by=_user(by),
        )
        log_action(
            "infowork.instruction.recorded",
            actor=by,
            obj=instruction,
            object_repr=f"{submission.title} · {leader}",
            changes={"level": level, "instructed_on": instructed_on, "points": points},
        )
    return instruction


def correction_record(
    *,
    by: Any,
    union: Union,
    department: Department | None,
    occurred_on: date,
    description: str,
    submission: Submission | None = None,
) -> Correction:
    """An error (差错) in information work: a penalty from the table in force that day."""
    selectors.require_editor(by)
    description = " ".join(description.split())[:300]
    if not description:
        raise DomainError("infowork.description_required", _("请写明差错情况"))
    if occurred_on > timezone.localdate():
        raise DomainError("infowork.date_in_future", _("差错日期不能晚于今天"))
    if submission is not None:
        union, department = submission.union, submission.department
    table = selectors.table_in_force(occurred_on)
    with transaction.atomic():
        correction = Correction.objects.create(
            union=union,
            department=department,
            submission=submission,
            occurred_on=occurred_on,
            description=description,
            points_table=table,
            points=table.error_penalty,
            recorded_by=_user(by),
        )
        log_action(
            "infowork.correction.recorded",
            actor=by,
            obj=correction,
            object_repr=f"{union.name} {occurred_on}",
            changes={
                "union": union.code,
                "department": department.code if department else None,
                "description": description,
                "points": table.error_penalty,
            },
        )
    return correction


# -- the points table ------------------------------------------------------------------------


def points_table_create(
    *,
    by: Any,
    effective_from: date,
    publication_points: Any,
    instruction_points: Any,
    shortfall_penalty: Any,
    error_penalty: Any,
    note: str = "",
) -> PointsTable:
    """A new version of the points table. Everything dated from `effective_from` up to the next
    version (verified publications, 批示, 差错) is rescored with it in the same transaction, so
    each record always carries the points of the version in force on its date."""
    selectors.require_editor(by)
    grid = rules.parse_publication_points(publication_points)
    bonuses = rules.parse_instruction_points(instruction_points)
    shortfall = rules.points_value(shortfall_penalty, _("每少一篇扣分"))
    error = rules.points_value(error_penalty, _("每次差错扣分"))
    try:
        with transaction.atomic():
            # Lock the versions: of two editors adding one at once, the second waits, then
            # counts again (a new statement sees the first one's version) and takes the next number.
            list(PointsTable.objects.select_for_update().values_list("pk", flat=True))
            if PointsTable.objects.filter(effective_from=effective_from).exists():
                raise DomainError(
                    "infowork.table_date_taken",
                    _("这一天已有生效的积分标准版本，请换一个生效日期"),
                )
            number = PointsTable.objects.aggregate(n=Max("number"))["n"] or 0
            table = PointsTable.objects.create(
                number=number + 1,
                effective_from=effective_from,
                publication_points=rules.grid_as_json(grid),
                instruction_points={level: str(v) for level, v in bonuses.items()},
                shortfall_penalty=shortfall,
                error_penalty=error,
                note=" ".join(note.split())[:200],
                created_by=_user(by),
            )
            rescored = _rescore(table, grid, bonuses)
            log_action(
                "infowork.points_table.versioned",
                actor=by,
                obj=table,
                object_repr=str(table),
                changes={
                    "number": table.number,
                    "effective_from": effective_from,
                    "publication_points": table.publication_points,
                    "instruction_points": table.instruction_points,
                    "shortfall_penalty": shortfall,
                    "error_penalty": error,
                    "rescored": rescored,
                },
            )
    except IntegrityError as exc:
        # The very first two versions at once (nothing to lock yet), or the same date twice.
        raise Conflict(
            "infowork.table_concurrent", _("刚刚有人新增了积分标准版本，请刷新后再试")
        ) from exc
    return table


def _rescore(
    table: PointsTable, grid: rules.PointsGrid, bonuses: dict[str, Decimal]
) -> dict[str, int]:
    """36 + 3 + 1 UPDATEs, however many records the period holds."""
    after = (
        PointsTable.objects.filter(effective_from__gt=table.effective_from)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )

    def dated(field: str) -> dict[str, Any]:
        window: dict[str, Any] = {f"{field}__gte": table.effective_from}
        if after is not None:
            window[f"{field}__lt"] = after
        return window

    publications = 0
    verified = Publication.objects.filter(
        status=PublicationStatus.VERIFIED, **dated("published_on")
    )
    for level, kinds in grid.items():
        for kind, placements in kinds.items():
            for placement, points in placements.items():
                publications += verified.filter(
                    level=level, outlet_kind=kind, placement=placement
                ).update(points=points, points_table=table)
    instructions = 0
    for level, points in bonuses.items():
        instructions += Instruction.objects.filter(level=level, **dated("instructed_on")).update(
            points=points, points_table=table
        )
    corrections = Correction.objects.filter(**dated("occurred_on")).update(
        points=table.error_penalty, points_table=table
    )
    return {"publications": publications, "instructions": instructions, "corrections": corrections}


# -- quotas ----------------------------------------------------------------------------------


def quota_set(
    *,
    by: Any,
    year: int,
    union: Union,
    department: Department | None,
    pieces: int,
    points: Any,
) -> Quota:
    """The annual target of a union or department; setting it again replaces it."""
    selectors.require_editor(by)
    if not has_perm(by, "infowork.change", union.path):
        raise Forbidden("auth.forbidden", _("您没有执行此操作的权限"))
    if department is not None and union.kind != "city":
        raise DomainError("infowork.department_at_city", _("部门任务只能设在市总工会的部门"))
    if not 2000 <= year <= 2100:
        raise DomainError("infowork.year_invalid", _("年度不正确"))
    if not 0 <= pieces <= 10000:
        raise DomainError("infowork.pieces_invalid", _("采用篇数任务须在 0 到 10000 之间"))
    target = rules.points_value(points, _("积分任务"))
    with transaction.atomic():
        quota, created = Quota.objects.update_or_create(
            year=year,
            union=union,
            department=department,
            defaults={"pieces": pieces, "points": target, "set_by": _user(by)},
        )
        log_action(
            "infowork.quota.set",
            actor=by,
            obj=quota,
            object_repr=f"{year} {department.name if department else union.name}",
            changes={
                "year": year,
                "union": union.code,
                "department": department.code if department else None,
                "pieces": pieces,
                "points": target,
                "created": created,
            },
        )
    return quota
