"""The member's pages under /m/mutual-aid/: certificate, individual enrolment, claims; and the
public transparency report (no login)."""

from django.urls import path

from gonghui.mutualaid import views

app_name = "mutualaid_portal"
urlpatterns = [
    path("", views.certificate, name="certificate"),
    path("enrol/", views.enrol_self, name="enrol"),
    path("report/<str:code>/", views.public_report, name="report"),
    path("claims/new/", views.claim_new, name="claim_new"),
    path("claims/<uuid:public_id>/", views.my_claim, name="claim"),
    path("claims/<uuid:public_id>/move/", views.my_claim_move, name="claim_move"),
    path(
        "claims/<uuid:public_id>/documents/<uuid:document_id>/",
        views.my_document,
        name="document",
    ),
]
