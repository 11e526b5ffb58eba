"""Staff pages of 困难职工帮扶."""

from django.urls import URLPattern

app_name = "hardship"
urlpatterns: list[URLPattern] = []
