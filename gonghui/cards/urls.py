from django.urls import path  # noqa: F401

staff_patterns: tuple[list, str] = ([], "cards")
portal_patterns: tuple[list, str] = ([], "card")
