"""Staff pages of 信息工作."""

from django.urls import URLPattern

app_name = "infowork"
urlpatterns: list[URLPattern] = []
