"""Staff pages of 劳模工作 under /w/model-workers/."""

from django.urls import path

from gonghui.modelworkers import views

app_name = "modelworkers"
urlpatterns = [
    path("", views.home, name="home"),
    path("charts/<str:table>.xlsx", views.chart_export, name="chart_export"),
    path("registry/", views.registry, name="registry"),
    path("registry/new/", views.register, name="register"),
    path("registry/import/", views.registry_import, name="import"),
    path("registry/<uuid:public_id>/", views.worker, name="worker"),
    path("registry/<uuid:public_id>/honours/", views.worker_honour, name="worker_honour"),
    path(
        "registry/<uuid:public_id>/honours/<uuid:honour_id>/revoke/",
        views.worker_revoke,
        name="worker_revoke",
    ),
    path("registry/<uuid:public_id>/status/", views.worker_status, name="worker_status"),
    path("registry/<uuid:public_id>/health-check/", views.worker_check, name="worker_check"),
    path("policies/", views.policies, name="policies"),
    path("allowances/", views.batches, name="batches"),
    path("allowances/<uuid:public_id>/", views.batch, name="batch"),
    path("allowances/<uuid:public_id>/approve/", views.batch_approve, name="batch_approve"),
    path("allowances/<uuid:public_id>/payout-file/", views.batch_file, name="batch_file"),
    path("allowances/<uuid:public_id>/results/", views.batch_results, name="batch_results"),
    path("health-checks/", views.health, name="health"),
    path("trips/", views.trips, name="trips"),
    path("trips/<uuid:public_id>/", views.trip, name="trip"),
    path("trips/<uuid:public_id>/invite/", views.trip_invite, name="trip_invite"),
    path("trips/<uuid:public_id>/cancel/", views.trip_cancel, name="trip_cancel"),
    path(
        "trips/<uuid:public_id>/invitations/<uuid:invitation_id>/",
        views.invitation_move,
        name="invitation_move",
    ),
    path("lectures/", views.lectures, name="lectures"),
    path("lectures/<uuid:public_id>/", views.lecture, name="lecture"),
    path("lectures/<uuid:public_id>/cancel/", views.lecture_cancel, name="lecture_cancel"),
    path(
        "lectures/<uuid:public_id>/signups/<uuid:signup_id>/",
        views.signup_attendance,
        name="signup_attendance",
    ),
]
