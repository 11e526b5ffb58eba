from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from gonghui.accounts import views as account_views
from gonghui.api import api
from gonghui.audit import views as audit_views
from gonghui.core.views import healthz
from gonghui.jobs import views as job_views
from gonghui.joining import urls as joining_urls
from gonghui.members import views as member_views
from gonghui.orgs import views as org_views
from gonghui.portal import views as portal_views

accounts_patterns = (
    [
        path("", account_views.home, name="home"),
        path("accounts/login/", account_views.login_view, name="login"),
        path("accounts/logout/", account_views.logout_view, name="logout"),
        path("accounts/2fa/", account_views.two_factor, name="2fa"),
        path("w/", account_views.workspace, name="workspace"),
        path("w/profile/", account_views.profile, name="profile"),
        path("w/users/", account_views.user_list, name="user_list"),
        path("w/roles/", account_views.role_list, name="role_list"),
        path("w/users/new/", account_views.user_create, name="user_create"),
        path("w/users/<uuid:public_id>/", account_views.user_detail, name="user_detail"),
    ],
    "accounts",
)
orgs_patterns = (
    [
        path("", org_views.tree, name="tree"),
        path("import/", org_views.import_page, name="import"),
        path("template.xlsx", org_views.template_download, name="template"),
        path("<str:code>/", org_views.detail, name="detail"),
        path("<str:code>/children/", org_views.children, name="children"),
        path("<str:code>/<str:action>/", org_views.act, name="act"),
    ],
    "orgs",
)
audit_patterns = (
    [
        path("", audit_views.log, name="log"),
        path("export.xlsx", audit_views.export, name="export"),
    ],
    "audit",
)
jobs_patterns = (
    [
        path("", job_views.job_list, name="list"),
        path("<uuid:public_id>/", job_views.detail, name="detail"),
        path("<uuid:public_id>/progress/", job_views.progress, name="progress"),
        path("<uuid:public_id>/result/", job_views.result, name="result"),
    ],
    "jobs",
)
members_patterns = (
    [
        path("", member_views.member_list, name="list"),
        path("new/", member_views.member_create, name="create"),
        path("import/", member_views.import_page, name="import"),
        path("export/", member_views.export_page, name="export"),
        path("template.xlsx", member_views.template_download, name="template"),
        path("transfers/", member_views.transfers, name="transfers"),
        path("quality/", member_views.quality, name="quality"),
        path(
            "transfers/<uuid:public_id>/<str:decision>/",
            member_views.transfer_decide,
            name="transfer_decide",
        ),
        path("<str:member_no>/", member_views.member_detail, name="detail"),
        path("<str:member_no>/reveal/<str:field>/", member_views.reveal, name="reveal"),
        path("<str:member_no>/<str:action>/", member_views.act, name="act"),
    ],
    "members",
)
portal_patterns = ([path("", portal_views.home, name="home")], "portal")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include(accounts_patterns)),
    path("w/orgs/", include(orgs_patterns)),
    path("w/audit/", include(audit_patterns)),
    path("w/jobs/", include(jobs_patterns)),
    path("w/members/", include(members_patterns)),
    path("w/joining/", include(joining_urls.staff_patterns)),
    path("m/join/", include(joining_urls.public_patterns)),
    path("m/", include(portal_patterns)),
]
