from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "gonghui.audit"
    label = "audit"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        from gonghui.audit import signals  # noqa: F401
