from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModelWorkersConfig(AppConfig):
    name = "gonghui.modelworkers"
    label = "modelworkers"
    verbose_name = _("劳模工作")

    def ready(self) -> None:
        from gonghui.core.demo import DEMO_SEEDERS
        from gonghui.modelworkers import jobs  # noqa: F401  (job handlers)
        from gonghui.modelworkers.demo import seed_modelworkers

        if seed_modelworkers not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(seed_modelworkers)
