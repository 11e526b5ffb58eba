from django.urls import path

from gonghui.joining import views

public_patterns = (
    [
        path("", views.join, name="form"),
        path("unions/", views.union_options, name="unions"),
        path("done/", views.done, name="done"),
        path("status/", views.status, name="status"),
        path("status/withdraw/", views.withdraw, name="withdraw"),
    ],
    "join",
)

staff_patterns = (
    [
        path("", views.application_list, name="list"),
        path("export.xlsx", views.application_export, name="export"),
        path("<uuid:public_id>/", views.application_detail, name="detail"),
        path("<uuid:public_id>/<str:decision>/", views.application_decide, name="decide"),
    ],
    "joining",
)
