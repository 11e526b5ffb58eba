import json

from django.core.management.base import BaseCommand, CommandError

from gonghui.core.errors import DomainError
from gonghui.merchants import rules, services
from gonghui.merchants.models import Merchant, TerminalKey


class Command(BaseCommand):
    help = (
        "Issue a POS terminal key for a merchant and print its id and secret once "
        "(`pos_key SH00001 --label 1号收银台 [--json]`), or revoke one (`pos_key --revoke pk_…`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("merchant", nargs="?", help="merchant code, e.g. SH00001")
        parser.add_argument("--label", default="", help="the terminal's name")
        parser.add_argument("--revoke", metavar="KEY_ID", help="revoke this key instead")
        parser.add_argument("--json", action="store_true", help="print a JSON object")

    def handle(self, *args, **options):
        if options["revoke"]:
            return self._revoke(options)
        if not options["merchant"]:
            raise CommandError("give a merchant code (e.g. SH00001) or --revoke KEY_ID")
        code = rules.normalise_code(options["merchant"])
        merchant = Merchant.objects.select_related("district").filter(code=code).first()
        if merchant is None:
            raise CommandError(f"no merchant with code {code}")
        try:
            key, secret = services.key_issue(by=None, merchant=merchant, label=options["label"])
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        if options["json"]:
            self.stdout.write(
                json.dumps({"merchant": code, "key_id": key.key_id, "secret": secret})
            )
            return
        self.stdout.write(f"merchant: {code} {merchant.name}")
        self.stdout.write(f"key_id:   {key.key_id}")
        self.stdout.write(f"secret:   {secret}")
        self.stdout.write("The secret is shown only now: configure the terminal with it.")

    def _revoke(self, options):
        key = TerminalKey.objects.filter(key_id=options["revoke"].strip()).first()
        if key is None or (
            options["merchant"] and key.merchant.code != rules.normalise_code(options["merchant"])
        ):
            raise CommandError(f"no terminal key {options['revoke']}")
        already = key.revoked_at is not None
        key = services.key_revoke(by=None, key=key)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "merchant": key.merchant.code,
                        "key_id": key.key_id,
                        "revoked_at": key.revoked_at.isoformat(),
                        "already_revoked": already,
                    }
                )
            )
            return
        state = "was already revoked" if already else "revoked"
        self.stdout.write(f"{key.key_id} ({key.merchant.code}) {state}")
