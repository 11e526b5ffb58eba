"""`manage.py rotate_field_key [--batch-size N] [--json]`: re-encrypt every encrypted field value
that is not under the first key of FIELD_ENCRYPTION_KEYS, in batches, printing counts.

Rotation: generate a key, put it first in FIELD_ENCRYPTION_KEYS with the old key(s) after it,
restart, run this command, and remove the old key once it reports no value left to re-encrypt."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.audit.context import origin
from gonghui.audit.log import log_action
from gonghui.core import crypto
from gonghui.core.keyrotation import (
    BATCH_SIZE,
    FieldRotation,
    RotationError,
    encrypted_fields,
    rotate_field_keys,
)


class Command(BaseCommand):
    help = "Re-encrypt sensitive fields with the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help="rows per transaction"
        )
        parser.add_argument("--json", action="store_true", help="print a JSON summary last")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        key_id = crypto.current_key_id()
        fields = encrypted_fields()
        self.stdout.write(f"current key {key_id}; {len(fields)} encrypted field(s)")
        try:
            with origin(None, "cli"):
                reports = rotate_field_keys(
                    batch_size=options["batch_size"], on_batch=self._progress
                )
        except RotationError as exc:
            raise CommandError(str(exc)) from exc
        for report in reports:
            self.stdout.write(f"{report.label}: re-encrypted {report.reencrypted}")
        total = sum(r.reencrypted for r in reports)
        if total:
            with origin(None, "cli"):
                log_action(
                    "core.field_key.rotated",
                    actor=None,
                    object_repr="FIELD_ENCRYPTION_KEYS",
                    changes={"key": key_id, **{r.label: r.reencrypted for r in reports}},
                )
        self.stdout.write(f"re-encrypted {total} value(s) in {len(reports)} field(s)")
        if options["json"]:
            summary = {
                "key": key_id,
                "fields": len(reports),
                "reencrypted": total,
                "by_field": {r.label: r.reencrypted for r in reports},
            }
            self.stdout.write(json.dumps(summary, ensure_ascii=False))

    def _progress(self, report: FieldRotation) -> None:
        if self.stdout.isatty():
            self.stdout.write(f"\r{report.label}: {report.reencrypted}", ending="")
            self.stdout.flush()
