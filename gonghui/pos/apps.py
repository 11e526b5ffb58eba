from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PosConfig(AppConfig):
    name = "gonghui.pos"
    label = "pos"
    verbose_name = _("优惠交易")
