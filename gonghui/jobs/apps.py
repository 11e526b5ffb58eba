from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "gonghui.jobs"
    label = "jobs"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        from gonghui.core.retention import RetentionRule, register
        from gonghui.jobs.services import job_files_purge

        register(
            RetentionRule(
                "jobs.files",
                _("上传的名册和导出的文件"),
                "JOB_FILE_RETENTION_DAYS",
                job_files_purge,
            )
        )
