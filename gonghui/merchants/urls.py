from django.urls import path

from gonghui.merchants import views

staff_patterns = (
    [
        path("", views.merchant_list, name="list"),
        path("export.xlsx", views.merchant_export, name="export"),
        path("review/", views.review, name="review"),
        path("<str:key>/", views.merchant_detail, name="detail"),
        path("<str:key>/edit/", views.merchant_edit, name="edit"),
        path("<str:key>/approve/", views.merchant_approve, name="approve"),
        path("<str:key>/contracts/", views.contract_new, name="contract_new"),
        path("<str:key>/staff/", views.staff_add, name="staff_add"),
        path("<str:key>/staff/<str:username>/off/", views.staff_off, name="staff_off"),
        path("<str:key>/keys/", views.key_new, name="key_new"),
        path("<str:key>/keys/<str:key_id>/revoke/", views.key_off, name="key_off"),
        path("<str:key>/photos/", views.photo_new, name="photo_new"),
        path("<str:key>/photos/<str:name>", views.photo, name="photo"),
        path("<str:key>/photos/<str:name>/remove/", views.photo_off, name="photo_off"),
        path("<str:key>/<str:action>/", views.merchant_status, name="status"),
    ],
    "merchants",
)

directory_patterns = (
    [
        path("", views.directory, name="list"),
        path("map/", views.directory_map, name="map"),
        path("<str:code>/", views.directory_detail, name="detail"),
        path("<str:code>/photos/<str:name>", views.directory_photo, name="photo"),
    ],
    "directory",
)

apply_patterns = (
    [
        path("", views.apply, name="form"),
        path("done/", views.apply_done, name="done"),
        path("status/", views.apply_status, name="status"),
    ],
    "merchant_apply",
)
