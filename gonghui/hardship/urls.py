"""Staff pages under /w/hardship/ (the member's are in portal_urls.py)."""

from django.urls import path

from gonghui.hardship import views

app_name = "hardship"
urlpatterns = [
    path("", views.home, name="home"),
    path("files/", views.file_list, name="files"),
    path("files/export/", views.file_export, name="files_export"),
    path("files/new/", views.file_new, name="file_new"),
    path("files/<uuid:public_id>/", views.file_detail, name="file"),
    path("files/<uuid:public_id>/move/", views.file_move, name="file_move"),
    path("files/<uuid:public_id>/objections/", views.file_objection, name="file_objection"),
    path("files/<uuid:public_id>/recheck/", views.file_recheck, name="file_recheck"),
    path("objections/<uuid:public_id>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("evidence/<uuid:public_id>/", views.evidence, name="evidence"),
    path("aid/", views.aid_list, name="aid_list"),
    path("aid/export/", views.aid_export, name="aid_export"),
    path("aid/new/", views.aid_new, name="aid_new"),
    path("aid/<uuid:public_id>/", views.aid_detail, name="aid"),
    path("aid/<uuid:public_id>/move/", views.aid_move, name="aid_move"),
    path("aid/<uuid:public_id>/documents/", views.aid_documents, name="aid_documents"),
    path("thresholds/", views.threshold_list, name="thresholds"),
    path("thresholds/export/", views.threshold_export, name="thresholds_export"),
    path("standards/", views.standard_list, name="standards"),
    path("standards/export/", views.standard_export, name="standards_export"),
    path("budgets/", views.budget_list, name="budgets"),
    path("budgets/export/", views.budget_export, name="budgets_export"),
    path("payouts/", views.payout_list, name="payouts"),
    path("payouts/export/", views.payout_export, name="payouts_export"),
    path("payouts/<uuid:public_id>/", views.payout_detail, name="payout"),
    path("payouts/<uuid:public_id>/file/", views.payout_file, name="payout_file"),
    path("ledger/", views.ledger_list, name="ledger"),
    path("ledger/export/", views.ledger_export, name="ledger_export"),
    path("reports/", views.report, name="reports"),
    path("reports/export/<slug:table>/", views.report_export, name="report_export"),
]
