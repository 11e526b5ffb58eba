"""Staff pages of 劳模工作."""

from django.urls import URLPattern

app_name = "modelworkers"
urlpatterns: list[URLPattern] = []
