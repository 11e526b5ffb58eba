from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JoiningConfig(AppConfig):
    name = "gonghui.joining"
    label = "joining"
    verbose_name = _("入会申请")
