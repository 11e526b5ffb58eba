import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from gonghui.cards.models import IssueBatch
from gonghui.cards.services import batch_result_apply, write_error_report
from gonghui.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Import the citizen-card bureau's result file for a batch. All or nothing; a second "
        "import of the same file changes nothing. Exit 0 when imported, 1 with row errors "
        "(an error report is written), 2 for an unusable file or batch."
    )

    def add_arguments(self, parser):
        parser.add_argument("batch_no")
        parser.add_argument("file", type=Path)
        parser.add_argument("--report", type=Path, help="where to write the error report (.xlsx)")
        parser.add_argument("--json", action="store_true", help="print a JSON summary last")

    def handle(self, *args, **options):
        batch = (
            IssueBatch.objects.select_related("union")
            .filter(batch_no=options["batch_no"].strip())
            .first()
        )
        if batch is None:
            return self._fail(options, "cards.batch_not_found", f"no batch {options['batch_no']}")
        if not options["file"].is_file():
            return self._fail(options, "file.not_found", f"{options['file']} does not exist")
        try:
            summary = batch_result_apply(by=None, batch=batch, path=options["file"])
        except DomainError as exc:
            return self._fail(options, exc.code, exc.message)
        if summary.errors:
            report = options["report"] or options["file"].with_name(
                options["file"].stem + ".errors.xlsx"
            )
            write_error_report(summary.errors, report)
            for error in summary.errors[:20]:
                self.stderr.write(f"第{error.row}行 {error.column}: {error.value} — {error.reason}")
            self.stderr.write(f"{len(summary.errors)} errors, report: {report}")
        self.stdout.write(
            f"rows {summary.rows}, made {summary.made}, failed {summary.failed}, "
            f"unchanged {summary.unchanged}, pending {summary.pending}, "
            f"{'written' if summary.written else 'nothing written'}"
        )
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_json(), ensure_ascii=False))
        sys.exit(1 if summary.errors else 0)

    def _fail(self, options, code, message):
        self.stderr.write(f"{code}: {message}")
        if options["json"]:
            self.stdout.write(json.dumps({"code": code, "message": message}, ensure_ascii=False))
        sys.exit(2)
