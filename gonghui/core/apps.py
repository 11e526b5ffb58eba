from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"

    def ready(self) -> None:
        from gonghui.core import lookups  # noqa: F401  (registers __prefix)
