import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gonghui.cards.citizen_card import RESULT_HEADERS, FakeBureau
from gonghui.cards.models import CardStatus, IssueBatch
from gonghui.core.excel import write_xlsx


class Command(BaseCommand):
    help = (
        "Play the citizen-card bureau (demo and tests only): write the result file it would "
        "send back for a batch's cards in production, with fictitious card numbers."
    )

    def add_arguments(self, parser):
        parser.add_argument("batch_no")
        parser.add_argument("out", type=Path, help="where to write the result file (.xlsx)")
        parser.add_argument(
            "--fail-every", type=int, default=0, help="every Nth card fails (0: none)"
        )
        parser.add_argument("--json", action="store_true", help="print a JSON summary")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("the fake bureau is for the demo only (GONGHUI_ENV=production)")
        batch = IssueBatch.objects.filter(batch_no=options["batch_no"].strip()).first()
        if batch is None:
            raise CommandError(f"no batch {options['batch_no']}")
        pairs = [
            (batch.batch_no, no)
            for no in batch.cards.filter(status=CardStatus.PRODUCING)
            .order_by("id")
            .values_list("member__member_no", flat=True)
        ]
        rows = FakeBureau(fail_every=options["fail_every"]).answer_rows(pairs)
        write_xlsx(options["out"], RESULT_HEADERS, rows, "回盘")
        failed = sum(1 for r in rows if r[4] != "成功")
        self.stdout.write(f"{len(rows)} rows ({failed} failed) written to {options['out']}")
        if options["json"]:
            summary = {"rows": len(rows), "failed": failed, "file": str(options["out"])}
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        sys.exit(0)
