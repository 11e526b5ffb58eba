from django.urls import path

from gonghui.cards import views

staff_patterns = (
    [
        path("", views.card_list, name="list"),
        path("export.xlsx", views.card_export, name="export"),
        path("apply/", views.card_apply, name="apply"),
        path("batches/", views.batch_list, name="batches"),
        path("batches/new/", views.batch_new, name="batch_new"),
        path("batches/from-list/", views.batch_from_list, name="batch_from_list"),
        path("batches/<uuid:public_id>/", views.batch_detail, name="batch_detail"),
        path("batches/<uuid:public_id>/send/", views.batch_send, name="batch_send"),
        path(
            "batches/<uuid:public_id>/production.xlsx",
            views.batch_production,
            name="batch_production",
        ),
        path("batches/<uuid:public_id>/result/", views.batch_result, name="batch_result"),
        path("batches/<uuid:public_id>/jobs/<uuid:job_id>/", views.batch_job, name="batch_job"),
        path(
            "batches/<uuid:public_id>/fake-result.xlsx",
            views.batch_fake_result,
            name="batch_fake_result",
        ),
        path("<uuid:public_id>/", views.card_detail, name="detail"),
        path("<uuid:public_id>/reveal/<str:field>/", views.card_reveal, name="reveal"),
        path("<uuid:public_id>/<str:action>/", views.card_act, name="act"),
    ],
    "cards",
)

portal_patterns = (
    [
        path("", views.portal_home, name="home"),
        path("apply/", views.portal_apply, name="apply"),
        path("lost/", views.portal_lost, name="lost"),
        path("qr/", views.portal_qr, name="qr"),
        path("qr/codes/", views.portal_qr_codes, name="qr_codes"),
    ],
    "card",
)
