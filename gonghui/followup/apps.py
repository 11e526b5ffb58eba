from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "gonghui.followup"
    label = "followup"
    verbose_name = _("联席会议与督查督办")
