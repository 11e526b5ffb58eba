from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from gonghui.jobs import selectors

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: str
    kind: str
    title: str
    status: str
    total: int
    done: int
    percent: int
    messages: list[str]
    summary: dict[str, Any]
    has_result: bool
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return str(obj.public_id)

    @staticmethod
    def resolve_has_result(obj: Any) -> bool:
        return bool(obj.result_file)


@router.get("/{job_id}", response=JobOut)
def get_job(request: HttpRequest, job_id: str) -> Any:
    return selectors.job_get(actor=request.user, public_id=job_id)
