from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InfoWorkConfig(AppConfig):
    name = "gonghui.infowork"
    label = "infowork"
    verbose_name = _("信息工作")
