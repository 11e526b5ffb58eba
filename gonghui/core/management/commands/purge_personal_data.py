import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gonghui.core.retention import purge_all


class Command(BaseCommand):
    help = (
        "Purge personal data past its retention period (left members, closed applications to "
        "join, uploaded rosters and exports); the audit log stays. Run daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes = purge_all(dry_run=options["dry_run"])
        if options["json"]:
            summary = {
                o.rule.code: {"count": o.count, "days": o.rule.days, "cutoff": o.cutoff.isoformat()}
                for o in outcomes
            }
            self.stdout.write(json.dumps({"dry_run": options["dry_run"], "rules": summary}))
            return
        verb = "due" if options["dry_run"] else "purged"
        for o in outcomes:
            self.stdout.write(f"{o.rule.code}: {o.count} {verb} (older than {o.rule.days} days)")
