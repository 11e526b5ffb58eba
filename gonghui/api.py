"""The /api/v1/ JSON API, assembled from the apps' routers."""

from ninja import NinjaAPI

from gonghui.accounts.api import router as accounts_router
from gonghui.audit.api import router as audit_router
from gonghui.cards.api import router as cards_router
from gonghui.core.api import AUTH, install_error_handlers
from gonghui.jobs.api import router as jobs_router
from gonghui.joining.api import router as joining_router
from gonghui.members.api import router as members_router
from gonghui.merchants.api import router as merchants_router
from gonghui.mutualaid.api import router as mutualaid_router
from gonghui.orgs.api import router as orgs_router
from gonghui.pos.api import router as pos_router

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
