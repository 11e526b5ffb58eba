"""Staff pages of 目标考核."""

from django.urls import URLPattern

app_name = "assessment"
urlpatterns: list[URLPattern] = []
