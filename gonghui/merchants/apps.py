from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MerchantsConfig(AppConfig):
    name = "gonghui.merchants"
    label = "merchants"
    verbose_name = _("会员服务基地")
