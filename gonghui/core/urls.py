from django.urls import path

from gonghui.core import views

app_name = "core"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("<str:day>/remove/", views.calendar_remove, name="calendar_remove"),
]
