"""The member's 劳模大讲堂 page under /m/model-workers/."""

from django.urls import path

from gonghui.modelworkers import views

app_name = "modelworkers_portal"
urlpatterns = [
    path("", views.portal, name="home"),
    path("lectures/<uuid:public_id>/sign-up/", views.portal_sign_up, name="sign_up"),
    path("lectures/<uuid:public_id>/cancel/", views.portal_cancel, name="cancel"),
]
