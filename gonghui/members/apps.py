from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "gonghui.members"
    label = "members"
    verbose_name = _("会员")

    def ready(self) -> None:
        from gonghui.core.demo import DEMO_SEEDERS
        from gonghui.members import jobs, quality, signals  # noqa: F401  (jobs, org hooks)
        from gonghui.members.demo import seed_members

        if seed_members not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(seed_members)
