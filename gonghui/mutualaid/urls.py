"""Staff pages under /w/mutual-aid/ (the portal's are in portal_urls.py)."""

from django.urls import path

from gonghui.mutualaid import views

app_name = "mutualaid"
urlpatterns = [
    path("", views.home, name="home"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<str:code>/", views.plan_detail, name="plan"),
    path("plans/<str:code>/enrolments/", views.enrolment_list, name="enrolments"),
    path("plans/<str:code>/ledger/", views.ledger_list, name="ledger"),
    path("plans/<str:code>/report/", views.report, name="report"),
    path("batches/", views.batch_list, name="batches"),
    path("batches/new/", views.batch_new, name="batch_new"),
    path("batches/<uuid:public_id>/", views.batch_detail, name="batch"),
    path("batches/<uuid:public_id>/payments/<str:payer>/", views.payment_record, name="payment"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/new/", views.claim_on_behalf, name="claim_new"),
    path("claims/<uuid:public_id>/", views.claim_detail, name="claim"),
    path("claims/<uuid:public_id>/move/", views.claim_move, name="claim_move"),
    path(
        "claims/<uuid:public_id>/documents/<uuid:document_id>/",
        views.claim_document,
        name="document",
    ),
    path("payouts/", views.payouts, name="payouts"),
    path("payouts/<uuid:public_id>/", views.payout_batch, name="payout"),
    path("payouts/<uuid:public_id>/file/", views.payout_file, name="payout_file"),
]
