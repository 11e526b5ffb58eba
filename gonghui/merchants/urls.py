from django.urls import path  # noqa: F401

staff_patterns: tuple[list, str] = ([], "merchants")
directory_patterns: tuple[list, str] = ([], "directory")
apply_patterns: tuple[list, str] = ([], "merchant_apply")
