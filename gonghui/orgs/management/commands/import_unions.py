"""`manage.py import_unions FILE [--dry-run] [--json]`: import an org tree, all or nothing.

Exit status: 0 when every row is fine (written, or only checked with --dry-run), 1 when rows
have errors (each printed as `第N行 列: 值 — 原因`, nothing written), 2 when the file itself
cannot be used (missing, not a spreadsheet, no header). With --json the last line of stdout is
one JSON object: {"rows", "created", "updated", "errors", "written"} (errors: how many)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn, TextIO

from django.core.management.base import BaseCommand, CommandParser, OutputWrapper

from gonghui.audit.context import origin
from gonghui.core.errors import DomainError
from gonghui.orgs.importer import import_unions


class Command(BaseCommand):
    help = (
        "Import a union tree from .xlsx, .xls or .csv (columns 代码, 名称, 类型, 上级代码, "
        "统一社会信用代码, 地址). All or nothing. Exit 0 without row errors, 1 with row errors, "
        "2 for an unusable file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--json", action="store_true", help="print a JSON summary last")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            self._fail(options, "file.not_found", f"{path} does not exist or is not a file")
        progress = _TerminalProgress(self.stderr) if _isatty(sys.stderr) else None
        try:
            with origin(None, "cli"):
                result = import_unions(
                    by=None, path=path, dry_run=options["dry_run"], progress=progress
                )
        except DomainError as exc:
            self._fail(options, exc.code, exc.message)
        for error in result.errors:
            self.stderr.write(f"第{error.row}行 {error.column}: {error.value} — {error.reason}")
        if result.written:
            outcome = "written"
        elif options["dry_run"] and not result.errors:
            outcome = "dry run, nothing written"
        else:
            outcome = "nothing written"
        self.stdout.write(
            f"rows {result.rows}, created {result.created}, updated {result.updated}, "
            f"errors {len(result.errors)}, {outcome}"
        )
        if options["json"]:
            summary = {
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "errors": len(result.errors),
                "written": result.written,
            }
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        if result.errors:
            sys.exit(1)

    def _fail(self, options: dict[str, Any], code: str, message: str) -> NoReturn:
        self.stderr.write(f"{code}: {message}")
        if options["json"]:
            self.stdout.write(json.dumps({"code": code, "message": message}, ensure_ascii=False))
        sys.exit(2)


def _isatty(stream: TextIO) -> bool:
    return hasattr(stream, "isatty") and stream.isatty()


class _TerminalProgress:
    """The interface of jobs.registry.Progress, drawn as a bar on the terminal."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.total = 0
        self.done = 0

    def set_total(self, total: int) -> None:
        self.total = total

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.done % 200 == 0 or self.done == self.total:
            width = 40
            filled = width * self.done // max(self.total, 1)
            bar = "#" * filled + "." * (width - filled)
            self.stream.write(f"\r[{bar}] {self.done}/{self.total}", ending="")
            if self.done == self.total:
                self.stream.write("")
            self.stream.flush()

    def message(self, text: str) -> None:
        self.stream.write(text)
