"""Staff pages of 联席会议与督查督办."""

from django.urls import URLPattern

app_name = "followup"
urlpatterns: list[URLPattern] = []
