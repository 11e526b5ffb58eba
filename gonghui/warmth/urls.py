"""Staff pages of 送温暖."""

from django.urls import URLPattern

app_name = "warmth"
urlpatterns: list[URLPattern] = []
