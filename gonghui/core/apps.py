from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"

    def ready(self) -> None:
        from gonghui.core import checks, lookups  # noqa: F401  (register checks and __prefix)
