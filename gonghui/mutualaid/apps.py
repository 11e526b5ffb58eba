from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MutualAidConfig(AppConfig):
    name = "gonghui.mutualaid"
    label = "mutualaid"
    verbose_name = _("职工医疗互助")

    def ready(self) -> None:
        from gonghui.core.demo import DEMO_SEEDERS
        from gonghui.mutualaid import jobs  # noqa: F401  (job handlers)
        from gonghui.mutualaid.demo import seed_mutualaid

        if seed_mutualaid not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(seed_mutualaid)
