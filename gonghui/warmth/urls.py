"""Staff pages of 送温暖 under /w/warmth/."""

from django.urls import path

from gonghui.warmth import views

app_name = "warmth"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.campaign_new, name="campaign_new"),
    path("batches/<uuid:public_id>/", views.batch_detail, name="batch"),
    path("batches/<uuid:public_id>/print/", views.batch_print, name="batch_print"),
    path("batches/<uuid:public_id>/xlsx/", views.batch_xlsx, name="batch_xlsx"),
    path("batches/<uuid:public_id>/payout/", views.batch_payout, name="batch_payout"),
    path("batches/<uuid:public_id>/scan/", views.batch_scan, name="batch_scan"),
    path("batches/<uuid:public_id>/results/", views.batch_results, name="batch_results"),
    path("<str:code>/", views.campaign_detail, name="campaign"),
    path("<str:code>/move/", views.campaign_move, name="campaign_move"),
    path("<str:code>/funds/", views.fund_add, name="fund_add"),
    path("<str:code>/allocations/", views.allocation_add, name="allocation_add"),
    path("<str:code>/build/", views.build, name="build"),
    path("<str:code>/groups/", views.groups_edit, name="groups"),
    path("<str:code>/rebuild/", views.rebuild, name="rebuild"),
    path("<str:code>/targets/", views.target_list, name="targets"),
    path("<str:code>/targets/add/", views.target_add, name="target_add"),
    path("<str:code>/targets/<uuid:public_id>/remove/", views.target_remove, name="target_remove"),
    path("<str:code>/distribute/", views.distribute, name="distribute"),
    path("<str:code>/batches/", views.batch_list, name="batches"),
    path("<str:code>/report/", views.report, name="report"),
]
