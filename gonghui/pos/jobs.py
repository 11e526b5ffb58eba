"""Background jobs of discount transactions: generating a month's settlement statements."""

from __future__ import annotations

from typing import Any

from gonghui.jobs.models import Job
from gonghui.jobs.registry import Progress, job_handler
from gonghui.merchants.models import Merchant
from gonghui.pos.settlement import parse_month, settlement_generate


@job_handler("pos.settle")
def settle_job(job: Job, progress: Progress) -> dict[str, Any]:
    month = parse_month(job.params["month"])
    merchant = None
    if job.params.get("merchant"):
        merchant = Merchant.objects.select_related("district").get(code=job.params["merchant"])
    drafts = settlement_generate(by=job.owner, month=month, merchant=merchant, progress=progress)
    return {"rows": job.total, "updated": drafts, "month": f"{month:%Y-%m}"}
