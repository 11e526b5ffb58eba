import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from gonghui.pos import idempotency, signing
from gonghui.pos.models import IdempotencyRecord, Nonce

# A nonce must outlive every timestamp it could be replayed with: a request stamped T is
# accepted until T + window, and T may be up to a window before the nonce was seen.
NONCE_RETENTION = timedelta(seconds=2 * signing.TIMESTAMP_WINDOW_SECONDS + 60)


class Command(BaseCommand):
    help = (
        "Delete idempotency records older than --hours (at least 24) and nonces older than "
        "the replay window allows. The ledger and the audit log are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        minimum = int(idempotency.RETENTION.total_seconds() // 3600)
        if options["hours"] < minimum:
            raise CommandError(f"--hours must be at least {minimum}: retried requests need them")
        now = timezone.now()
        # No signals or cascades on these two tables: each delete is one DELETE statement.
        records, _ = IdempotencyRecord.objects.filter(
            created_at__lt=now - timedelta(hours=options["hours"])
        ).delete()
        nonces, _ = Nonce.objects.filter(seen_at__lt=now - NONCE_RETENTION).delete()
        if options["json"]:
            self.stdout.write(json.dumps({"idempotency_records": records, "nonces": nonces}))
        else:
            self.stdout.write(f"deleted {records} idempotency records and {nonces} nonces")
