from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarkingConfig(AppConfig):
    name = "gonghui.benchmarking"
    label = "benchmarking"
    verbose_name = _("对标找差距")

    def ready(self) -> None:
        from gonghui.benchmarking.demo import seed_benchmarking
        from gonghui.core.demo import DEMO_SEEDERS

        if seed_benchmarking not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(seed_benchmarking)
