from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MerchantsConfig(AppConfig):
    name = "gonghui.merchants"
    label = "merchants"
    verbose_name = _("会员服务基地")

    def ready(self) -> None:
        from gonghui.core.demo import DEMO_SEEDERS
        from gonghui.merchants.demo import seed_merchants

        if seed_merchants not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(seed_merchants)
