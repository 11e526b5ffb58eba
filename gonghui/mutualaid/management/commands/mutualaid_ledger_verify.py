import json

from django.core.management.base import BaseCommand, CommandError

from gonghui.core.ledger import verify
from gonghui.mutualaid.models import LedgerEntry, PlanYear


class Command(BaseCommand):
    help = (
        "Verify the mutual-aid fund ledger's hash chains (every plan year, or one with --plan "
        "CODE); exit 1 naming the first broken entry."
    )

    def add_arguments(self, parser):
        parser.add_argument("--plan", default="", help="a plan year's code (2026)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        chain = None
        if options["plan"]:
            if not PlanYear.objects.filter(code=options["plan"]).exists():
                raise CommandError(f"no plan year with code {options['plan']}")
            chain = options["plan"]
        broken = verify(LedgerEntry, chain)
        entries = LedgerEntry.objects.all()
        if chain is not None:
            entries = entries.filter(chain=chain)
        count = entries.count()
        if options["json"]:
            payload = {"ok": broken is None, "entries": count}
            if broken is not None:
                payload |= {
                    "chain": broken.chain,
                    "seq": broken.seq,
                    "broken_id": broken.entry_id,
                    "reason": broken.reason,
                }
            self.stdout.write(json.dumps(payload))
        if broken is None:
            if not options["json"]:
                self.stdout.write(f"mutual-aid ledger intact: {count} entries")
            return
        raise CommandError(f"mutual-aid ledger broken at {broken.describe()}")
