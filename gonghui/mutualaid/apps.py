from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MutualAidConfig(AppConfig):
    name = "gonghui.mutualaid"
    label = "mutualaid"
    verbose_name = _("职工医疗互助")

    def ready(self) -> None:
        from gonghui.core.demo import DEMO_SEEDERS
        from gonghui.core.retention import RetentionRule, register
        from gonghui.mutualaid import jobs  # noqa: F401  (job handlers)
        from gonghui.mutualaid.demo import seed_mutualaid
        from gonghui.mutualaid.services import claims_purge

        register(
            RetentionRule(
                "mutualaid.claims",
                _("已办结互助金申请的健康信息、材料和银行账号"),
                "MUTUALAID_CLAIM_RETENTION_DAYS",
                claims_purge,
            )
        )
        if seed_mutualaid not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(seed_mutualaid)
