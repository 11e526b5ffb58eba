from django.urls import path

from gonghui.pos import views

staff_patterns: tuple[list, str] = (
    [
        path("", views.stats, name="stats"),
        path("stats/<str:table>.xlsx", views.stats_export, name="stats_export"),
        path("transactions/", views.transaction_list, name="transactions"),
        path("transactions/export.xlsx", views.transaction_export, name="transactions_export"),
        path("settlements/", views.settlement_list, name="settlements"),
        path("settlements/export.xlsx", views.settlement_export, name="settlements_export"),
        path("settlements/generate/", views.settlement_generate, name="settlement_generate"),
        path("settlements/<uuid:public_id>/", views.settlement_detail, name="settlement_detail"),
        path(
            "settlements/<uuid:public_id>/confirm/",
            views.settlement_confirm,
            name="settlement_confirm",
        ),
        path(
            "settlements/<uuid:public_id>/statement.xlsx",
            views.settlement_xlsx,
            name="settlement_xlsx",
        ),
        path("anomalies/", views.anomaly_list, name="anomalies"),
        path("anomalies/<str:kind>.xlsx", views.anomaly_export, name="anomalies_export"),
    ],
    "pos",
)
cashier_patterns: tuple[list, str] = (
    [
        path("", views.cashier_home, name="home"),
        path("quote/", views.cashier_quote, name="quote"),
        path("confirm/", views.cashier_confirm, name="confirm"),
        path("receipt/<uuid:public_id>/", views.cashier_receipt, name="receipt"),
        path("transactions/", views.cashier_transactions, name="transactions"),
        path("transactions/<uuid:public_id>/refund/", views.cashier_refund, name="refund"),
        path("statements/", views.cashier_statements, name="statements"),
        path(
            "statements/<uuid:public_id>.xlsx",
            views.cashier_statement_xlsx,
            name="statement_xlsx",
        ),
    ],
    "cashier",
)
savings_patterns: tuple[list, str] = (
    [path("", views.savings_home, name="home")],
    "savings",
)
