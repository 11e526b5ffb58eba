"""Building a campaign's list for a whole city reads the registry for a long time: a job with
progress (see services.targets_build), and so is rebuilding it after the groups changed
(services.targets_rebuild)."""

from __future__ import annotations

from typing import Any

from gonghui.accounts.models import User
from gonghui.jobs.models import Job
from gonghui.jobs.registry import Progress, job_handler
from gonghui.orgs.models import Union
from gonghui.warmth import selectors, services
from gonghui.warmth.models import Campaign


@job_handler("warmth.build")
def build_job(job: Job, progress: Progress) -> dict[str, Any]:
    by: User = job.owner
    campaign = Campaign.objects.select_related("union").get(code=job.params["campaign"])
    union = Union.objects.get(code=job.params["union"])
    members = selectors.candidates(actor=by, campaign=campaign, union=union)
    progress.set_total(members.count())
    added = services.targets_build(
        by=by,
        campaign=campaign,
        union=union,
        members=members.iterator(chunk_size=services.BULK_CHUNK),
        progress=progress,
    )
    return {
        "added": sum(added.values()),
        "by_group": added,
        "url": f"/w/warmth/{campaign.code}/targets/?union={union.code}",
    }


@job_handler("warmth.rebuild")
def rebuild_job(job: Job, progress: Progress) -> dict[str, Any]:
    campaign = Campaign.objects.select_related("union").get(code=job.params["campaign"])
    return services.targets_rebuild(by=job.owner, campaign=campaign, progress=progress)
