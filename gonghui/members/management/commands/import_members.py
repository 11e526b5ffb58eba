import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from gonghui.core.errors import DomainError
from gonghui.members.importer import import_members, write_error_report
from gonghui.orgs.models import Union


class Command(BaseCommand):
    help = (
        "Import a member roster (.xlsx, .xls, .csv). Exit 0 without row errors, 1 with row "
        "errors, 2 for an unusable file. All or nothing unless --skip-invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--union", required=True, help="code of the union the roster is for")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--skip-invalid", action="store_true", help="write the valid rows")
        parser.add_argument(
            "--no-transfers",
            action="store_true",
            help="a person registered in another union is a row error, not a transfer request",
        )
        parser.add_argument("--report", type=Path, help="where to write the error report (.xlsx)")
        parser.add_argument("--json", action="store_true", help="print a JSON summary last")

    def handle(self, *args, **options):
        union = Union.objects.filter(code=options["union"].strip().upper()).first()
        if union is None:
            return self._fail(options, "org.not_found", f"no union with code {options['union']}")
        if not options["file"].is_file():
            return self._fail(options, "file.not_found", f"{options['file']} does not exist")
        progress = _TerminalProgress(self.stderr) if sys.stderr.isatty() else None
        try:
            summary = import_members(
                by=None,
                path=options["file"],
                union=union,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                allow_transfers=not options["no_transfers"],
                progress=progress,
            )
        except DomainError as exc:
            return self._fail(options, exc.code, exc.message)
        if summary.errors:
            report = options["report"] or options["file"].with_name(
                options["file"].stem + ".errors.xlsx"
            )
            summary.error_report = write_error_report(summary, report)
            for error in summary.error_rows[:20]:
                self.stderr.write(f"第{error.row}行 {error.column}: {error.value} — {error.reason}")
            if summary.errors > 20:
                self.stderr.write(f"… {summary.errors} errors in all, see {summary.error_report}")
        self.stdout.write(
            f"rows {summary.rows}, created {summary.created}, updated {summary.updated}, "
            f"transfers {summary.transfers}, errors {summary.errors}, "
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


class _TerminalProgress:
    """The same interface as jobs.registry.Progress, drawn on the terminal."""

    def __init__(self, stream):
        self.stream = stream
        self.total = 0
        self.done = 0

    def set_total(self, total):
        self.total = total

    def advance(self, count=1):
        self.done += count
        if self.done % 5000 == 0 or self.done == self.total:
            width = 40
            filled = width * self.done // max(self.total, 1)
            self.stream.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}", ending=""
            )
            self.stream.flush()

    def message(self, text):
        self.stream.write(text)
