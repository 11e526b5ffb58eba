from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarmthConfig(AppConfig):
    name = "gonghui.warmth"
    label = "warmth"
    verbose_name = _("送温暖")

    def ready(self) -> None:
        from gonghui.core.demo import DEMO_SEEDERS
        from gonghui.warmth import jobs  # noqa: F401  (job handlers)
        from gonghui.warmth.demo import seed_warmth

        if seed_warmth not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(seed_warmth)
