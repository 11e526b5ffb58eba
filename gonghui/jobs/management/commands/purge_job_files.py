import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from gonghui.jobs.services import job_files_purge


class Command(BaseCommand):
    help = (
        "Delete uploaded rosters and generated exports of jobs finished more than --days ago "
        "(default JOB_FILE_RETENTION_DAYS); the job records and the audit log stay. Run daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=settings.JOB_FILE_RETENTION_DAYS)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = job_files_purge(older_than_days=options["days"])
        if options["json"]:
            self.stdout.write(json.dumps({"deleted_files": deleted, "days": options["days"]}))
        else:
            self.stdout.write(f"{deleted} job files older than {options['days']} days deleted")
