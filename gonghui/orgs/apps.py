from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "gonghui.orgs"
    label = "orgs"
    verbose_name = _("组织架构")

    def ready(self) -> None:
        from gonghui.orgs import importer  # noqa: F401  (registers the import job)
