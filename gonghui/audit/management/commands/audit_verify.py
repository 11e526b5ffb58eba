import json

from django.core.management.base import BaseCommand, CommandError

from gonghui.audit.verify import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit 1 naming the first broken entry."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        report = verify_chain()
        if options["json"]:
            payload = {"ok": report.ok, "checked": report.checked, "broken_id": report.broken_id}
            self.stdout.write(json.dumps(payload | {"reason": report.reason}))
        if report.ok:
            if not options["json"]:
                self.stdout.write(f"audit chain intact: {report.checked} entries")
            return
        where = f" at entry {report.broken_id}" if report.broken_id is not None else ""
        raise CommandError(
            f"audit chain broken{where}: {report.reason} "
            f"({report.checked} entries before it are intact)"
        )
