"""The /api/v1/ JSON API, assembled from the apps' routers."""

from ninja import NinjaAPI

from gonghui.accounts.api import router as accounts_router
from gonghui.assessment.api import router as assessment_router
from gonghui.audit.api import router as audit_router
from gonghui.benchmarking.api import router as benchmarking_router
from gonghui.cards.api import router as cards_router
from gonghui.core.api import AUTH, install_error_handlers
from gonghui.followup.api import router as followup_router
from gonghui.hardship.api import router as hardship_router
from gonghui.infowork.api import router as infowork_router
from gonghui.jobs.api import router as jobs_router
from gonghui.joining.api import router as joining_router
from gonghui.members.api import router as members_router
from gonghui.merchants.api import router as merchants_router
from gonghui.modelworkers.api import router as modelworkers_router
from gonghui.mutualaid.api import router as mutualaid_router
from gonghui.orgs.api import router as orgs_router
from gonghui.pos.api import router as pos_router
from gonghui.warmth.api import router as warmth_router

api = NinjaAPI(
    title="gonghui API",
    version="1",
    urls_namespace="api",
    auth=AUTH,
    docs_url="/docs",
)
install_error_handlers(api)
api.add_router("/", accounts_router)
api.add_router("/unions", orgs_router)
api.add_router("/audit", audit_router)
api.add_router("/jobs", jobs_router)
api.add_router("/members", members_router)
api.add_router("/applications", joining_router)
api.add_router("/cards", cards_router)
api.add_router("/merchants", merchants_router)
api.add_router("/pos", pos_router)
api.add_router("/mutual-aid", mutualaid_router)
api.add_router("/hardship", hardship_router)
api.add_router("/warmth", warmth_router)
api.add_router("/model-workers", modelworkers_router)
api.add_router("/assessment/infowork", infowork_router)
api.add_router("/assessment/benchmarks", benchmarking_router)
api.add_router("/assessment/actions", followup_router)
api.add_router("/assessment", assessment_router)
