"""The member's pages under /m/hardship/: apply for a file and for aid, follow them, see what
was paid."""

from django.urls import path

from gonghui.hardship import views

app_name = "hardship_portal"
urlpatterns = [
    path("", views.my_home, name="home"),
    path("files/new/", views.my_file_new, name="file_new"),
    path("files/<uuid:public_id>/", views.my_file, name="file"),
    path("files/<uuid:public_id>/move/", views.my_file_move, name="file_move"),
    path("aid/new/", views.my_aid_new, name="aid_new"),
    path("aid/<uuid:public_id>/", views.my_aid, name="aid"),
    path("aid/<uuid:public_id>/move/", views.my_aid_move, name="aid_move"),
    path("evidence/<uuid:public_id>/", views.my_evidence, name="evidence"),
]
