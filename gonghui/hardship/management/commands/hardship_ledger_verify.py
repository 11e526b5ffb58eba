import json

from django.core.management.base import BaseCommand, CommandError

from gonghui.core.ledger import verify
from gonghui.hardship.models import Disbursement


class Command(BaseCommand):
    help = (
        "Verify the hardship aid ledger's hash chains (every budget year, or one with --year); "
        "exit 1 naming the first broken entry."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", default="", help="a budget year (2026)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        chain = options["year"] or None
        broken = verify(Disbursement, chain)
        entries = Disbursement.objects.all()
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
                self.stdout.write(f"hardship aid ledger intact: {count} entries")
            return
        raise CommandError(f"hardship aid ledger broken at {broken.describe()}")
