"""Staff pages of 对标找差距."""

from django.urls import URLPattern

app_name = "benchmarking"
urlpatterns: list[URLPattern] = []
