from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HardshipConfig(AppConfig):
    name = "gonghui.hardship"
    label = "hardship"
    verbose_name = _("困难职工帮扶")

    def ready(self) -> None:
        from gonghui.core.demo import DEMO_SEEDERS
        from gonghui.core.retention import register
        from gonghui.hardship.demo import seed_hardship
        from gonghui.hardship.retention import CLOSED_FILES

        if seed_hardship not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(seed_hardship)
        register(CLOSED_FILES)
