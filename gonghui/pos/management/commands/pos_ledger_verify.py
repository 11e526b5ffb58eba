import json

from django.core.management.base import BaseCommand, CommandError

from gonghui.merchants.models import Merchant
from gonghui.pos.ledger import verify
from gonghui.pos.models import LedgerEntry


class Command(BaseCommand):
    help = (
        "Verify the discount ledger's hash chains (all merchants, or one with --merchant CODE); "
        "exit 1 naming the first broken entry."
    )

    def add_arguments(self, parser):
        parser.add_argument("--merchant", default="", help="a merchant code (SH00001)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        merchant = None
        if options["merchant"]:
            merchant = Merchant.objects.filter(code=options["merchant"]).first()
            if merchant is None:
                raise CommandError(f"no merchant with code {options['merchant']}")
        broken = verify(merchant)
        entries = LedgerEntry.objects.all()
        if merchant is not None:
            entries = entries.filter(merchant=merchant)
        if options["json"]:
            payload = {"ok": broken is None, "entries": entries.count()}
            if broken is not None:
                payload |= {
                    "merchant_id": broken.chain,
                    "seq": broken.seq,
                    "broken_id": broken.entry_id,
                    "reason": broken.reason,
                }
            self.stdout.write(json.dumps(payload))
        if broken is None:
            if not options["json"]:
                self.stdout.write(f"pos ledger intact: {entries.count()} entries")
            return
        code = Merchant.objects.filter(pk=broken.chain).values_list("code", flat=True).first()
        where = f"entry {broken.entry_id} " if broken.entry_id is not None else ""
        raise CommandError(
            f"pos ledger broken at {where}(merchant {code or broken.chain}, "
            f"seq {broken.seq}): {broken.reason}"
        )
