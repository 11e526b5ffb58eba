from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfoWorkConfig(AppConfig):
    name = "gonghui.infowork"
    label = "infowork"
    verbose_name = _("信息工作")

    def ready(self) -> None:
        from gonghui.core.demo import DEMO_SEEDERS
        from gonghui.infowork.demo import seed_infowork

        if seed_infowork not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(seed_infowork)
