import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from gonghui.merchants import services


class Command(BaseCommand):
    help = (
        "Mark active merchants whose last contract has ended as expired (run daily; a second "
        "run the same day changes nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print a JSON summary")

    def handle(self, *args, **options):
        today = timezone.localdate()
        codes = services.merchants_expire(today=today)
        if options["json"]:
            self.stdout.write(
                json.dumps({"day": today.isoformat(), "expired": len(codes), "codes": codes})
            )
            return
        self.stdout.write(f"{today.isoformat()}: {len(codes)} merchant(s) expired")
        for code in codes:
            self.stdout.write(f"  {code}")
