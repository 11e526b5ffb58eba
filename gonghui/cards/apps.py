from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CardsConfig(AppConfig):
    name = "gonghui.cards"
    label = "cards"
    verbose_name = _("会员卡")

    def ready(self) -> None:
        from gonghui.cards import jobs  # noqa: F401  (registers the result import job)
        from gonghui.cards.demo import seed_cards
        from gonghui.core.demo import DEMO_SEEDERS

        if seed_cards not in DEMO_SEEDERS:
            DEMO_SEEDERS.append(seed_cards)
