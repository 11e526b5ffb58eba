"""Staff pages of 对标找差距."""

from django.urls import path

from gonghui.benchmarking import views

app_name = "benchmarking"
urlpatterns = [
    path("", views.home, name="home"),
    path("gaps/export/", views.export_gaps, name="export_gaps"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("indicators/<str:code>/problems/", views.problem_new, name="problem_new"),
    path("problems/<uuid:public_id>/", views.problem_detail, name="problem"),
    path("problems/<uuid:public_id>/measures/", views.measure_new, name="measure_new"),
    path("data/", views.data, name="data"),
    path("data/<str:kind>/", views.data_save, name="data_save"),
    path("visits/", views.visit_list, name="visits"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<uuid:public_id>/", views.visit_detail, name="visit"),
    path("visits/<uuid:public_id>/reflection/", views.reflection_submit, name="reflection"),
    path("visits/<uuid:public_id>/<str:kind>/", views.visit_add, name="visit_add"),
    path("takeaways/<uuid:public_id>/<str:kind>/", views.takeaway_use, name="takeaway_use"),
    path("plans/", views.plans, name="plans"),
]
