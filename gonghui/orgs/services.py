"""Writes on the union tree: create, rename, move (with its subtree), merge, close. Audited.

`by` is the acting user, whose org.manage scope is checked; `by=None` is the system itself
(manage.py commands, the demo seed), which has no scope to check and is audited as "system"."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import require_perm
from gonghui.audit.log import log_action
from gonghui.core.errors import DomainError
from gonghui.orgs import rules
from gonghui.orgs.models import Union, UnionKind, UnionStatus
from gonghui.orgs.signals import union_closing, union_merging


def _lock(union: Union) -> Union:
    return Union.objects.select_for_update().get(pk=union.pk)


def _require_manage(by: Any, path: str) -> None:
    if by is not None:
        require_perm(by, "org.manage", path)


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
    code = rules.check_code(rules.normalise_code(code))
    _require_manage(by, parent.path if parent else "/")
    rules.check_parent_kind(kind, parent.kind if parent else None)
    if parent is not None and not parent.is_open:
        raise DomainError("org.parent_closed", _("上级工会已撤销"), {"parent": parent.code})
    name = rules.check_name(name)
    address = rules.check_address(address)
    uscc = rules.normalise_uscc(uscc)
    path = rules.child_path(parent.path if parent else None, code)
    rules.check_path_length(len(path))
    if Union.objects.filter(code=code).exists():
        raise _code_taken(code)
    if uscc and Union.objects.filter(uscc=uscc).exists():
        raise _uscc_taken(uscc)
    union = Union(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        path=path,
        depth=(parent.depth + 1) if parent else 0,
        uscc=uscc,
        address=address,
    )
    with transaction.atomic():
        try:
            # A savepoint: the same code or credit code saved meanwhile by someone else
            # fails here, and the caller's transaction stays usable.
            with transaction.atomic():
                union.save()
        except IntegrityError as exc:
            if Union.objects.filter(code=code).exists():
                raise _code_taken(code) from exc
            raise _uscc_taken(uscc or "") from exc
        log_action(
            "org.union.created",
            actor=by,
            obj=union,
            changes={"code": code, "name": name, "kind": kind, "parent": _code(parent)},
        )
    return union


def union_update(*, by: Any, union: Union, name: str, address: str, uscc: str | None) -> Union:
    """Rename, and correct the address and credit code; the code itself never changes."""
    _require_manage(by, union.path)
    uscc = rules.normalise_uscc(uscc)
    name = rules.check_name(name)
    address = rules.check_address(address)
    if uscc and Union.objects.filter(uscc=uscc).exclude(pk=union.pk).exists():
        raise _uscc_taken(uscc)
    with transaction.atomic():
        locked = _lock(union)
        before = {"name": locked.name, "address": locked.address, "uscc": locked.uscc}
        after = {"name": name, "address": address, "uscc": uscc}
        changes = {k: [before[k], v] for k, v in after.items() if before[k] != v}
        if not changes:
            return locked
        if not locked.is_open:
            raise DomainError("org.closed", _("已撤销的工会不能修改"), {"code": locked.code})
        for key, value in after.items():
            setattr(locked, key, value)
        locked.save(update_fields=[*after.keys(), "updated_at"])
        log_action("org.union.updated", actor=by, obj=locked, changes=changes)
    return locked


def union_move(*, by: Any, union: Union, new_parent: Union) -> Union:
    """Re-hang a union and everything under it; one UPDATE rewrites the subtree's paths."""
    _require_manage(by, union.path)
    _require_manage(by, new_parent.path)
    if union.parent_id is None:
        raise DomainError("org.root_fixed", _("市总工会不能迁移"))
    if new_parent.path.startswith(union.path):
        raise DomainError("org.move_into_own_subtree", _("不能把工会迁到它自己的下级之下"))
    if union.parent_id == new_parent.pk:
        raise DomainError(
            "org.move_same_parent",
            _("%(name)s 已经在 %(parent)s 之下") % {"name": union.name, "parent": new_parent.name},
        )
    if not new_parent.is_open:
        raise DomainError("org.parent_closed", _("上级工会已撤销"), {"parent": new_parent.code})
    rules.check_parent_kind(union.kind, new_parent.kind)
    with transaction.atomic():
        locked = _lock(union)
        if not locked.is_open:
            raise DomainError("org.closed", _("已撤销的工会不能迁移"), {"code": locked.code})
        old_parent = locked.parent
        old_path = locked.path
        new_path = rules.child_path(new_parent.path, locked.code)
        subtree = Union.objects.filter(path__prefix=old_path)
        longest = subtree.aggregate(longest=Max(Length("path")))["longest"] or len(old_path)
        rules.check_path_length(longest - len(old_path) + len(new_path))
        depth_delta = new_parent.depth + 1 - locked.depth
        moved = subtree.update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_delta,
        )
        Union.objects.filter(pk=locked.pk).update(parent=new_parent, updated_at=timezone.now())
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
    _require_manage(by, source.path)
    _require_manage(by, target.path)
    if source.pk == target.pk or target.path.startswith(source.path):
        raise DomainError("org.merge_into_own_subtree", _("不能把工会并入它自己或它的下级"))
    with transaction.atomic():
        # Both rows locked: neither may be closed or merged elsewhere while this one runs.
        source, target = _lock(source), _lock(target)
        if not target.is_open or not source.is_open:
            raise DomainError("org.closed", _("已撤销的工会不能合并"))
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
    _require_manage(by, union.path)
    if union.kind == UnionKind.CITY:
        raise DomainError("org.root_fixed", _("市总工会不能撤销"))
    if not reason.strip():
        raise DomainError("org.reason_required", _("请填写撤销原因"))
    with transaction.atomic():
        union = _lock(union)
        if not union.is_open:
            raise DomainError("org.closed", _("该工会已经撤销"), {"code": union.code})
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


def _code_taken(code: str) -> DomainError:
    return DomainError(
        "org.code_taken", _("工会代码 %(code)s 已存在") % {"code": code}, {"code": code}
    )


def _uscc_taken(uscc: str) -> DomainError:
    return DomainError(
        "org.uscc_taken",
        _("统一社会信用代码 %(uscc)s 已被其他工会使用") % {"uscc": uscc},
        {"uscc": uscc},
    )
