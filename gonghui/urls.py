"""The site's routes: each app keeps its own in `<app>/urls.py`."""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from gonghui.api import api
from gonghui.cards import urls as cards_urls
from gonghui.core.views import healthz
from gonghui.joining import urls as joining_urls
from gonghui.merchants import urls as merchants_urls
from gonghui.pos import urls as pos_urls

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("gonghui.accounts.urls")),
    path("w/orgs/", include("gonghui.orgs.urls")),
    path("w/audit/", include("gonghui.audit.urls")),
    path("w/jobs/", include("gonghui.jobs.urls")),
    path("w/calendar/", include("gonghui.core.urls")),
    path("w/members/", include("gonghui.members.urls")),
    path("w/joining/", include(joining_urls.staff_patterns)),
    path("w/cards/", include(cards_urls.staff_patterns)),
    path("w/merchants/", include(merchants_urls.staff_patterns)),
    path("w/pos/", include(pos_urls.staff_patterns)),
    path("w/mutual-aid/", include("gonghui.mutualaid.urls")),
    path("w/hardship/", include("gonghui.hardship.urls")),
    path("w/warmth/", include("gonghui.warmth.urls")),
    path("w/model-workers/", include("gonghui.modelworkers.urls")),
    path("w/infowork/", include("gonghui.infowork.urls")),
    path("w/assessment/", include("gonghui.assessment.urls")),
    path("w/benchmarking/", include("gonghui.benchmarking.urls")),
    path("w/followup/", include("gonghui.followup.urls")),
    path("m/join/", include(joining_urls.public_patterns)),
    path("m/card/", include(cards_urls.portal_patterns)),
    path("m/merchants/", include(merchants_urls.directory_patterns)),
    path("m/savings/", include(pos_urls.savings_patterns)),
    path("m/mutual-aid/", include("gonghui.mutualaid.portal_urls")),
    path("m/hardship/", include("gonghui.hardship.portal_urls")),
    path("m/model-workers/", include("gonghui.modelworkers.portal_urls")),
    path("merchant/apply/", include(merchants_urls.apply_patterns)),
    path("merchant/", include(pos_urls.cashier_patterns)),
    path("m/", include("gonghui.portal.urls")),
]
