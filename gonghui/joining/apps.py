from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JoiningConfig(AppConfig):
    name = "gonghui.joining"
    label = "joining"
    verbose_name = _("入会申请")

    def ready(self) -> None:
        from gonghui.core.retention import RetentionRule, register
        from gonghui.joining.services import applications_purge

        register(
            RetentionRule(
                "joining.closed",
                _("已答复或撤回的入会申请"),
                "JOIN_APPLICATION_RETENTION_DAYS",
                applications_purge,
            )
        )
