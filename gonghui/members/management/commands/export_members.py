import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gonghui.core.errors import DomainError
from gonghui.members.exporter import export_members
from gonghui.orgs.models import Union


class Command(BaseCommand):
    help = "Export a union's roster (and its subtree) to .xlsx or .csv; masked unless --reveal."

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path)
        parser.add_argument("--union", required=True)
        parser.add_argument("--reveal", action="store_true", help="full ID and phone numbers")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        union = Union.objects.filter(code=options["union"].strip().upper()).first()
        if union is None:
            raise CommandError(f"no union with code {options['union']}")
        try:
            count = export_members(
                by=None, union=union, path=options["out"], reveal=options["reveal"]
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(f"{count} members written to {options['out']}")
        if options["json"]:
            self.stdout.write(json.dumps({"rows": count, "file": str(options["out"])}))
