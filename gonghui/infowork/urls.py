"""Staff pages of 信息工作 under /w/infowork/."""

from django.urls import path

from gonghui.infowork import views

app_name = "infowork"
urlpatterns = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("mine/new/", views.submit, name="submit"),
    path("submissions/", views.submission_list, name="submissions"),
    path("submissions/export/", views.submission_export, name="submissions_export"),
    path("submissions/<uuid:public_id>/", views.submission_detail, name="submission"),
    path("submissions/<uuid:public_id>/edit/", views.submission_edit, name="submission_edit"),
    path("submissions/<uuid:public_id>/move/", views.submission_move, name="submission_move"),
    path("submissions/<uuid:public_id>/photos/<uuid:photo_id>/", views.photo, name="photo"),
    path(
        "submissions/<uuid:public_id>/publications/",
        views.publication_new,
        name="publication_new",
    ),
    path(
        "submissions/<uuid:public_id>/instructions/",
        views.instruction_new,
        name="instruction_new",
    ),
    path("publications/", views.publication_list, name="publications"),
    path("publications/export/", views.publication_export, name="publications_export"),
    path(
        "publications/<uuid:public_id>/verify/",
        views.publication_verify,
        name="publication_verify",
    ),
    path("publications/<uuid:public_id>/scan/", views.publication_scan, name="scan"),
    path("corrections/", views.correction_list, name="corrections"),
    path("officers/", views.officer_list, name="officers"),
    path("officers/<uuid:public_id>/toggle/", views.officer_toggle, name="officer_toggle"),
    path("quotas/", views.quota_list, name="quotas"),
    path("quotas/export/", views.quota_export, name="quotas_export"),
    path("points/", views.points_tables, name="points"),
    path("points/new/", views.points_table_new, name="points_new"),
    path("rankings/", views.rankings, name="rankings"),
    path("rankings/export/", views.rankings_export, name="rankings_export"),
]
