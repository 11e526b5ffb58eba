from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PosConfig(AppConfig):
    name = "gonghui.pos"
    label = "pos"
    verbose_name = _("优惠交易")

    def ready(self) -> None:
        from gonghui.core.demo import DEMO_SEEDERS
        from gonghui.pos import jobs  # noqa: F401  (registers the pos.settle job kind)
        from gonghui.pos.demo import seed_pos

        if seed_pos not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(seed_pos)
