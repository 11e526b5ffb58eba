"""Staff pages of 目标考核."""

from django.urls import path

from gonghui.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:year>/", views.plan_detail, name="plan"),
    path("<int:year>/ranking/", views.ranking, name="ranking"),
    path("<int:year>/ranking.xlsx", views.ranking_export, name="ranking_export"),
    path("bodies/<uuid:public_id>/", views.body_detail, name="body"),
    path("bodies/<uuid:public_id>/report/", views.body_report, name="report"),
    path("bodies/<uuid:public_id>/scorecard.xlsx", views.body_export, name="body_export"),
    path("bodies/<uuid:public_id>/move/", views.body_move, name="move"),
    path("bodies/<uuid:public_id>/values/<uuid:node_id>/", views.value_enter, name="value"),
    path(
        "bodies/<uuid:public_id>/values/<uuid:node_id>/review/", views.value_review, name="review"
    ),
    path("bodies/<uuid:public_id>/evidence/<uuid:node_id>/", views.evidence, name="evidence"),
]
