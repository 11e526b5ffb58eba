"""Writes on the union tree: create, rename, move (with its subtree), merge, close. Audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import require_perm
from gonghui.audit.log import log_action
from gonghui.core.errors import DomainError
from gonghui.orgs import rules
from gonghui.orgs.models import Union, UnionKind, UnionStatus
from gonghui.orgs.signals import union_closing, union_merging


def _lock(union: Union) -> Union:
    return Union.objects.select_for_update().get(pk=union.pk)


def union_create(
    *,
    by: Any,
    code: str,
    name: str,
    kind: str,
    parent: Union | None,
    uscc: str | None = None,
    address: str = "",
) -> Union:
    code = rules.normalise_code(code)
    if by is not None:
        require_perm(by, "org.manage", parent.path if parent else "/")
    rules.check_parent_kind(kind, parent.kind if parent else None)
    if parent is not None and not parent.is_open:
        raise DomainError("org.parent_closed", _("上级工会已撤销"), {"parent": parent.code})
    name = name.strip()
    if not name:
        raise DomainError("org.name_required", _("请填写工会名称"))
    uscc = rules.normalise_uscc(uscc)
    if Union.objects.filter(code=code).exists():
        raise DomainError("org.code_taken", _("工会代码 %(code)s 已存在") % {"code": code})
    if uscc and Union.objects.filter(uscc=uscc).exists():
        raise DomainError(
            "org.uscc_taken", _("统一社会信用代码 %(uscc)s 已被其他工会使用") % {"uscc": uscc}
        )
    Union._meta.get_field("code").run_validators(code)
    union = Union(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        path=rules.child_path(parent.path if parent else None, code),
        depth=(parent.depth + 1) if parent else 0,
        uscc=uscc,
        address=address.strip(),
    )
    with transaction.atomic():
        union.save()
        log_action(
            "org.union.created",
            actor=by,
            obj=union,
            changes={"code": code, "name": name, "kind": kind, "parent": _code(parent)},
        )
    return union


def union_update(*, by: Any, union: Union, name: str, address: str, uscc: str | None) -> Union:
    """Rename, and correct the address and credit code; the code itself never changes."""
    require_perm(by, "org.manage", union.path)
    uscc = rules.normalise_uscc(uscc)
    name = name.strip()
    if not name:
        raise DomainError("org.name_required", _("请填写工会名称"))
    if uscc and Union.objects.filter(uscc=uscc).exclude(pk=union.pk).exists():
        raise DomainError(
            "org.uscc_taken", _("统一社会信用代码 %(uscc)s 已被其他工会使用") % {"uscc": uscc}
        )
    with transaction.atomic():
        locked = _lock(union)
        before = {"name": locked.name, "address": locked.address, "uscc": locked.uscc}
        after = {"name": name, "address": address.strip(), "uscc": uscc}
        changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
        if not changes:
            return locked
        for key, value in after.items():
            setattr(locked, key, value)
        locked.save(update_fields=[*after.keys(), "updated_at"])
        log_action("org.union.updated", actor=by, obj=locked, changes=changes)
    return locked


def union_move(*, by: Any, union: Union, new_parent: Union) -> Union:
    """Re-hang a union and everything under it; one UPDATE rewrites the subtree's paths."""
    require_perm(by, "org.manage", union.path)
    require_perm(by, "org.manage", new_parent.path)
    if union.parent_id is None:
        raise DomainError("org.root_fixed", _("市总工会不能迁移"))
    if new_parent.path.startswith(union.path):
        raise DomainError("org.move_into_own_subtree", _("不能把工会迁到它自己的下级之下"))
    if not new_parent.is_open:
        raise DomainError("org.parent_closed", _("上级工会已撤销"), {"parent": new_parent.code})
    rules.check_parent_kind(union.kind, new_parent.kind)
    with transaction.atomic():
        locked = _lock(union)
        old_parent = locked.parent
        old_path = locked.path
        new_path = rules.child_path(new_parent.path, locked.code)
        depth_delta = new_parent.depth + 1 - locked.depth
        moved = Union.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_delta,
        )
        Union.objects.filter(pk=locked.pk).update(parent=new_parent)
        locked.refresh_from_db()
        log_action(
            "org.union.moved",
            actor=by,
            obj=locked,
            changes={"parent": [_code(old_parent), new_parent.code], "subtree_size": moved},
        )
    return locked


def union_merge(*, by: Any, source: Union, target: Union) -> Union:
    """Fold `source` into `target`: its branches and rows move over, then it is closed."""
    require_perm(by, "org.manage", source.path)
    require_perm(by, "org.manage", target.path)
    if source.pk == target.pk or target.path.startswith(source.path):
        raise DomainError("org.merge_into_own_subtree", _("不能把工会并入它自己或它的下级"))
    if not target.is_open or not source.is_open:
        raise DomainError("org.closed", _("已撤销的工会不能合并"))
    with transaction.atomic():
        source = _lock(source)
        children = list(Union.objects.filter(parent=source, status=UnionStatus.ACTIVE))
        for child in children:
            union_move(by=by, union=child, new_parent=target)
        union_merging.send(sender=Union, source=source, target=target, by=by)
        source.status = UnionStatus.CLOSED
        source.merged_into = target
        source.save(update_fields=["status", "merged_into", "updated_at"])
        log_action(
            "org.union.merged",
            actor=by,
            obj=source,
            changes={"merged_into": target.code, "children_moved": [c.code for c in children]},
        )
    return target


def union_close(*, by: Any, union: Union, reason: str) -> Union:
    require_perm(by, "org.manage", union.path)
    if union.kind == UnionKind.CITY:
        raise DomainError("org.root_fixed", _("市总工会不能撤销"))
    if not reason.strip():
        raise DomainError("org.reason_required", _("请填写撤销原因"))
    with transaction.atomic():
        union = _lock(union)
        if Union.objects.filter(parent=union, status=UnionStatus.ACTIVE).exists():
            raise DomainError(
                "org.has_open_children", _("该工会下还有未撤销的下级工会，请先迁移或撤销它们")
            )
        union_closing.send(sender=Union, union=union, by=by)
        union.status = UnionStatus.CLOSED
        union.save(update_fields=["status", "updated_at"])
        log_action(
            "org.union.closed",
            actor=by,
            obj=union,
            changes={"status": ["active", "closed"], "reason": reason.strip()},
        )
    return union


def _code(union: Union | None) -> str | None:
    return union.code if union else None
