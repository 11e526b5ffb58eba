from django.urls import path

from gonghui.members import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.member_create, name="create"),
    path("import/", views.import_page, name="import"),
    path("export/", views.export_page, name="export"),
    path("template.xlsx", views.template_download, name="template"),
    path("transfers/", views.transfers, name="transfers"),
    path("quality/", views.quality, name="quality"),
    path("corrections/", views.correction_list, name="corrections"),
    path(
        "corrections/<uuid:public_id>/<str:decision>/",
        views.correction_decide,
        name="correction_decide",
    ),
    path(
        "transfers/<uuid:public_id>/<str:decision>/",
        views.transfer_decide,
        name="transfer_decide",
    ),
    path("<str:member_no>/", views.member_detail, name="detail"),
    path("<str:member_no>/reveal/<str:field>/", views.reveal, name="reveal"),
    path("<str:member_no>/<str:action>/", views.act, name="act"),
]
