from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModelWorkersConfig(AppConfig):
    name = "gonghui.modelworkers"
    label = "modelworkers"
    verbose_name = _("劳模工作")
