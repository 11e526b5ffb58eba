from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from gonghui.core.errors import NotFound
from gonghui.jobs.models import Job


def job_list(*, actor: Any) -> QuerySet[Job]:
    """A job is its owner's: it may carry a roster or an export only they asked for."""
    return Job.objects.filter(owner=actor).order_by("-created_at")


def job_get(*, actor: Any, public_id: str) -> Job:
    try:
        return job_list(actor=actor).get(public_id=uuid.UUID(str(public_id)))
    except (ValueError, Job.DoesNotExist) as exc:
        raise NotFound("not_found", _("没有找到该记录，或您无权查看")) from exc
