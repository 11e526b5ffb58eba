"""The site's routes: each app keeps its own in `<app>/urls.py`."""

from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from gonghui.api import api
from gonghui.core.views import healthz
from gonghui.joining import urls as joining_urls

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("gonghui.accounts.urls")),
    path("w/orgs/", include("gonghui.orgs.urls")),
    path("w/audit/", include("gonghui.audit.urls")),
    path("w/jobs/", include("gonghui.jobs.urls")),
    path("w/members/", include("gonghui.members.urls")),
    path("w/joining/", include(joining_urls.staff_patterns)),
    path("m/join/", include(joining_urls.public_patterns)),
    path("m/", include("gonghui.portal.urls")),
]
