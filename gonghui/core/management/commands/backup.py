import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded files (MEDIA_ROOT) into DIR, a new or empty "
        "folder: database.sqlite3 or database.dump, media.tar.gz and manifest.json."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path, help="folder to create the backup in")
        parser.add_argument("--json", action="store_true", help="print the manifest as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create(target=options["dir"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(manifest, ensure_ascii=False))
            return
        sizes = ", ".join(
            f"{name} {meta['size']:,} bytes" for name, meta in manifest["files"].items()
        )
        self.stdout.write(
            self.style.SUCCESS(f"backup of the {manifest['engine']} database written to ")
            + f"{options['dir']} ({sizes})"
        )
