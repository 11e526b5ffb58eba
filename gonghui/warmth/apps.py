from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WarmthConfig(AppConfig):
    name = "gonghui.warmth"
    label = "warmth"
    verbose_name = _("送温暖")
