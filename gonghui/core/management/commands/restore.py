import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from gonghui.core.backup import BackupError, backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files (MEDIA_ROOT) with the backup in DIR. "
        "Stop the web server and the workers first. Asks for confirmation unless --yes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path, help="folder written by manage.py backup")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--json", action="store_true", help="print a JSON summary")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["dir"]
        try:
            manifest = backup_check(source=source)
            if not options["yes"]:
                self._confirm(manifest)
            report = backup_restore(source=source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        summary = {
            "restored": str(source),
            "engine": manifest["engine"],
            "created": manifest["created"],
            "audit_entries": report.audit_entries,
            "audit_guard_repaired": report.audit_guard_repaired,
            "pending_migrations": report.pending_migrations,
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(
            self.style.SUCCESS(f"restored the backup of {manifest['created']} from {source}")
        )
        self.stdout.write(f"audit chain intact: {report.audit_entries} entries")
        if report.audit_guard_repaired:
            self.stdout.write(
                self.style.WARNING(
                    "audit log protection repaired: " + "; ".join(report.audit_guard_repaired)
                )
            )
        if report.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(report.pending_migrations)} migrations are newer than the backup: "
                    "run manage.py migrate"
                )
            )

    def _confirm(self, manifest: dict[str, Any]) -> None:
        database = connection.settings_dict["NAME"]
        question = (
            f"This replaces the {manifest['engine']} database {database} and every file in "
            f"{settings.MEDIA_ROOT} with the backup of {manifest['created']}.\n"
            "Type 'yes' to continue: "
        )
        if not sys.stdin.isatty():
            raise CommandError(
                "restore replaces the database and the uploaded files: pass --yes to confirm"
            )
        if input(question).strip().lower() != "yes":
            raise CommandError("restore cancelled: nothing was changed")
