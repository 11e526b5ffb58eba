from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "gonghui.assessment"
    label = "assessment"
    verbose_name = _("目标考核")

    def ready(self) -> None:
        from gonghui.assessment.demo import seed_assessment
        from gonghui.core.demo import DEMO_SEEDERS

        if seed_assessment not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(seed_assessment)
