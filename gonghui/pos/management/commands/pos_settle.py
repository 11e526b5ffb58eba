import json
import sys

from django.core.management.base import BaseCommand, CommandError

from gonghui.core.errors import DomainError
from gonghui.merchants.models import Merchant
from gonghui.pos.models import Settlement
from gonghui.pos.settlement import parse_month, settlement_generate


class Command(BaseCommand):
    help = (
        "Write or refresh the draft settlement statements of a month from the ledger "
        "(confirmed statements are left as they are)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument("--merchant", help="one merchant's code (SH00001); all by default")
        parser.add_argument("--json", action="store_true", help="print a JSON summary last")

    def handle(self, *args, **options):
        try:
            month = parse_month(options["month"])
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        merchant = None
        if options["merchant"]:
            code = options["merchant"].strip().upper()
            merchant = Merchant.objects.select_related("district").filter(code=code).first()
            if merchant is None:
                raise CommandError(f"no merchant with code {code}")
        progress = _TerminalProgress(self.stderr) if sys.stderr.isatty() else None
        drafts = settlement_generate(by=None, month=month, merchant=merchant, progress=progress)
        statements = Settlement.objects.filter(month=month)
        if merchant is not None:
            statements = statements.filter(merchant=merchant)
        confirmed = statements.filter(status=Settlement.Status.CONFIRMED).count()
        self.stdout.write(
            f"{month:%Y-%m}: {drafts} draft statements written, {confirmed} confirmed left alone"
        )
        if options["json"]:
            summary = {"month": f"{month:%Y-%m}", "drafts": drafts, "confirmed": confirmed}
            self.stdout.write(json.dumps(summary))


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
        if self.total:
            filled = self.done * 30 // self.total
            self.stream.write(
                f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}", ending=""
            )
            if self.done >= self.total:
                self.stream.write("")

    def message(self, text):
        self.stream.write(text)
