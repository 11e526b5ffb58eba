from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from gonghui.audit import selectors
from gonghui.core.api import Paged

router = Router(tags=["audit"])


class AuditOut(Schema):
    id: int
    at: datetime
    actor_label: str
    ip: str | None
    source: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    hash: str


@router.get("", response=list[AuditOut])
@paginate(Paged)
def list_audit(
    request: HttpRequest,
    action: str = "",
    username: str = "",
    object_id: str = "",
    since: date | None = None,
    until: date | None = None,
) -> Any:
    return selectors.audit_search(
        actor=request.user,
        action=action,
        username=username,
        object_id=object_id,
        since=since,
        until=until,
    )
