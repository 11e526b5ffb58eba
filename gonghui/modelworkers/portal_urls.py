"""The member's pages of 劳模工作."""

from django.urls import URLPattern

app_name = "modelworkers_portal"
urlpatterns: list[URLPattern] = []
