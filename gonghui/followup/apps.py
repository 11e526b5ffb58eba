from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "gonghui.followup"
    label = "followup"
    verbose_name = _("联席会议与督查督办")

    def ready(self) -> None:
        from gonghui.core.demo import DEMO_SEEDERS
        from gonghui.followup.demo import seed_followup

        if seed_followup not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(seed_followup)
