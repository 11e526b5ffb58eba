"""The member's pages of 困难职工帮扶."""

from django.urls import URLPattern

app_name = "hardship_portal"
urlpatterns: list[URLPattern] = []
