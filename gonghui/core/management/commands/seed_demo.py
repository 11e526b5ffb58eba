import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gonghui.core import demo


class Command(BaseCommand):
    help = "Build the fictitious demo city (idempotent: a second run adds nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--members", type=int, default=2000, help="members to generate")
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument("--json", action="store_true", help="print the logins as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        logins = demo.seed(members=options["members"], seed_value=options["seed"])
        if options["json"]:
            self.stdout.write(json.dumps([login.__dict__ for login in logins], ensure_ascii=False))
            return
        self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD})")
        self.stdout.write(f"{'username':<12} {'role':<26} {'where':<22} TOTP secret (2FA)")
        for login in logins:
            secret = login.totp_secret or "-"
            self.stdout.write(f"{login.username:<12} {login.role:<26} {login.where:<22} {secret}")
        self.stdout.write("Current 2FA code for a demo user: python manage.py demo_totp USERNAME\n")
