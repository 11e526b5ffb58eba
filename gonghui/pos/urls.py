from django.urls import path  # noqa: F401

staff_patterns: tuple[list, str] = ([], "pos")
cashier_patterns: tuple[list, str] = ([], "cashier")
savings_patterns: tuple[list, str] = ([], "savings")
