from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from gonghui.core.api import Paged
from gonghui.orgs import selectors, services
from gonghui.orgs.models import UnionKind

router = Router(tags=["unions"])


class UnionOut(Schema):
    id: str
    code: str
    name: str
    kind: str
    parent: str | None = None
    path: str
    depth: int
    uscc: str | None
    address: str
    status: str
    updated_at: datetime

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return str(obj.public_id)

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return obj.parent.code if obj.parent_id else None


class UnionIn(Schema):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=120)
    kind: UnionKind
    parent: str = Field(description="code of the parent union")
    uscc: str | None = Field(None, max_length=40)
    address: str = Field("", max_length=200)


class UnionPatch(Schema):
    """Only the fields sent change; `"uscc": null` (or "") clears the credit code."""

    name: str | None = Field(None, min_length=1, max_length=120)
    address: str | None = Field(None, max_length=200)
    uscc: str | None = Field(None, max_length=40)


class MoveIn(Schema):
    parent: str


class MergeIn(Schema):
    into: str


class CloseIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


@router.get("", response=list[UnionOut])
@paginate(Paged)
def list_unions(
    request: HttpRequest, q: str = "", kind: str = "", status: str = "", within: str = ""
) -> Any:
    scope = selectors.union_get(actor=request.user, code=within) if within else None
    return selectors.union_list(actor=request.user, query=q, kind=kind, status=status, within=scope)


@router.get("/{code}", response=UnionOut)
def get_union(request: HttpRequest, code: str) -> Any:
    return selectors.union_get(actor=request.user, code=code)


@router.get("/{code}/children", response=list[UnionOut])
@paginate(Paged)
def list_children(request: HttpRequest, code: str) -> Any:
    parent = selectors.union_get(actor=request.user, code=code)
    return selectors.union_children(actor=request.user, parent=parent).select_related("parent")


@router.post("", response={201: UnionOut})
def create_union(request: HttpRequest, payload: UnionIn) -> Any:
    parent = selectors.union_get(actor=request.user, code=payload.parent, permission="org.manage")
    union = services.union_create(
        by=request.user,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        parent=parent,
        uscc=payload.uscc,
        address=payload.address,
    )
    return Status(201, union)


@router.patch("/{code}", response=UnionOut)
def update_union(request: HttpRequest, code: str, payload: UnionPatch) -> Any:
    union = selectors.union_get(actor=request.user, code=code, permission="org.manage")
    sent = payload.dict(exclude_unset=True)
    return services.union_update(
        by=request.user,
        union=union,
        name=sent.get("name") or union.name,
        address=sent.get("address", union.address) or "",
        uscc=sent.get("uscc", union.uscc),
    )


@router.post("/{code}/move", response=UnionOut)
def move_union(request: HttpRequest, code: str, payload: MoveIn) -> Any:
    union = selectors.union_get(actor=request.user, code=code, permission="org.manage")
    parent = selectors.union_get(actor=request.user, code=payload.parent, permission="org.manage")
    return services.union_move(by=request.user, union=union, new_parent=parent)


@router.post("/{code}/merge", response=UnionOut)
def merge_union(request: HttpRequest, code: str, payload: MergeIn) -> Any:
    source = selectors.union_get(actor=request.user, code=code, permission="org.manage")
    target = selectors.union_get(actor=request.user, code=payload.into, permission="org.manage")
    return services.union_merge(by=request.user, source=source, target=target)


@router.post("/{code}/close", response=UnionOut)
def close_union(request: HttpRequest, code: str, payload: CloseIn) -> Any:
    union = selectors.union_get(actor=request.user, code=code, permission="org.manage")
    return services.union_close(by=request.user, union=union, reason=payload.reason)
