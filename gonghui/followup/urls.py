"""Staff pages of 联席会议与督查督办."""

from django.urls import path

from gonghui.followup import views

app_name = "followup"
urlpatterns = [
    path("", views.home, name="home"),
    path("export/", views.export, name="export"),
    path("overdue/export/", views.export_overdue, name="export_overdue"),
    path("mine/", views.mine, name="mine"),
    path("items/new/", views.item_new, name="item_new"),
    path("items/<uuid:public_id>/", views.item_detail, name="item"),
    path("items/<uuid:public_id>/progress/", views.item_progress, name="item_progress"),
    path("items/<uuid:public_id>/close/", views.item_close, name="item_close"),
    path("items/<uuid:public_id>/cancel/", views.item_cancel, name="item_cancel"),
    path("items/<uuid:public_id>/reopen/", views.item_reopen, name="item_reopen"),
    path("items/<uuid:public_id>/evidence/", views.evidence, name="evidence"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<uuid:public_id>/", views.meeting_detail, name="meeting"),
    path("meetings/<uuid:public_id>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<uuid:public_id>/decisions/", views.decision_add, name="decision_add"),
    path("decisions/<uuid:public_id>/items/", views.decision_item, name="decision_item"),
]
