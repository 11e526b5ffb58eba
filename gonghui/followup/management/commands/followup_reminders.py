import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from gonghui.followup.services import reminders_run


class Command(BaseCommand):
    help = (
        "Record today's reminders for action items due within 3 working days, due today or "
        "overdue, and list them. Run daily; a second run on the same day records nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run for (YYYY-MM-DD), today by default")
        parser.add_argument("--json", action="store_true", help="print a JSON summary")

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as exc:
            raise CommandError(f"--date: {exc}") from exc
        summary = reminders_run(today=today).summary()
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        for row in summary["items"]:
            late = f" ({row['days_overdue']} days late)" if row["days_overdue"] else ""
            self.stdout.write(
                f"{row['kind']:9} {row['deadline']} {row['owner']:12} {row['title']}{late}"
            )
        self.stdout.write(
            f"{summary['date']}: overdue {summary['overdue']}, due today {summary['due_today']}, "
            f"due soon {summary['due_soon']}; {summary['new']} new reminders recorded"
        )
