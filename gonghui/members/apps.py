from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "gonghui.members"
    label = "members"
    verbose_name = _("会员")

    def ready(self) -> None:
        from gonghui.core.demo import DEMO_SEEDERS
        from gonghui.core.retention import RetentionRule, register
        from gonghui.members import jobs, quality, signals  # noqa: F401  (jobs, org hooks)
        from gonghui.members.demo import seed_members
        from gonghui.members.retention import members_left_purge

        register(
            RetentionRule(
                "members.left",
                _("已退会会员的个人信息"),
                "MEMBER_LEFT_RETENTION_DAYS",
                members_left_purge,
            )
        )
        if seed_members not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(seed_members)
