"""The member's page under /m/model-workers/: 劳模大讲堂 sign-ups and, for a model worker,
their 疗休养 invitations to answer."""

from django.urls import path

from gonghui.modelworkers import views

app_name = "modelworkers_portal"
urlpatterns = [
    path("", views.portal, name="home"),
    path("lectures/<uuid:public_id>/sign-up/", views.portal_sign_up, name="sign_up"),
    path("lectures/<uuid:public_id>/cancel/", views.portal_cancel, name="cancel"),
    path("invitations/<uuid:public_id>/", views.portal_invitation, name="invitation"),
    path("invitations/<uuid:public_id>/answer/", views.portal_answer, name="answer"),
]
