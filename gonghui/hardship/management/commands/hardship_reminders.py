"""Daily from cron: what the hardship program must not forget. Files due for their annual
re-check (within 30 days or overdue), 公示 periods that are over (the file can be kept), and
emergency payments whose documents are due within two days or late. Each listed file or aid
is flagged with today's reminder date (shown on the staff pages); `--json` for scripts."""

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from gonghui.hardship import selectors
from gonghui.hardship.models import AidApplication, HardshipFile


class Command(BaseCommand):
    help = "List and flag files due for re-check, ended notices and emergency documents due."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--dry-run", action="store_true", help="list only, flag nothing")

    def handle(self, *args, **options):
        today = timezone.localdate()
        recheck = list(selectors.recheck_due(today=today).order_by("next_check_on", "id"))
        notice = list(
            selectors.notice_over(today=today)
            .select_related("member")
            .order_by("notice_ends_on", "id")
        )
        documents = list(selectors.documents_due(today=today).order_by("documents_due_on", "id"))
        if not options["dry_run"]:
            HardshipFile.objects.filter(pk__in=[f.pk for f in recheck]).update(
                check_reminded_on=today
            )
            AidApplication.objects.filter(pk__in=[a.pk for a in documents]).update(
                documents_reminded_on=today
            )
        summary = {
            "date": today.isoformat(),
            "recheck_due": [
                {"file_no": f.file_no, "union": f.union.code, "due": f.next_check_on.isoformat()}
                for f in recheck
            ],
            "notice_over": [
                {"file_no": f.file_no, "ended": f.notice_ends_on.isoformat()} for f in notice
            ],
            "documents_due": [
                {
                    "aid_no": a.aid_no,
                    "union": a.union.code,
                    "due": a.documents_due_on.isoformat(),
                    "late": a.documents_due_on < today,
                }
                for a in documents
            ],
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        self.stdout.write(f"{today}: {len(recheck)} file(s) due for re-check")
        for row in summary["recheck_due"]:
            self.stdout.write(f"  re-check {row['file_no']} ({row['union']}) due {row['due']}")
        self.stdout.write(f"{len(notice)} notice period(s) over: the files can be kept")
        for row in summary["notice_over"]:
            self.stdout.write(f"  notice {row['file_no']} ended {row['ended']}")
        self.stdout.write(f"{len(documents)} emergency payment(s) with documents due")
        for row in summary["documents_due"]:
            late = " LATE" if row["late"] else ""
            self.stdout.write(
                f"  documents {row['aid_no']} ({row['union']}) due {row['due']}{late}"
            )
