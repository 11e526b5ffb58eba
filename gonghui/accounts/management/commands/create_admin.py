import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from gonghui.accounts import services
from gonghui.accounts.models import User
from gonghui.accounts.permissions import ADMIN_ROLES
from gonghui.core.errors import DomainError
from gonghui.orgs.models import Union


class Command(BaseCommand):
    help = (
        "Create one of the three administrators (system_admin, security_admin, audit_admin). "
        "The password comes from GONGHUI_ADMIN_PASSWORD or is asked for on the terminal."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=ADMIN_ROLES)
        parser.add_argument("--display-name", default="")

    def handle(self, *args, **options):
        root = Union.objects.filter(parent__isnull=True).first()
        if root is None:
            raise CommandError("create the city federation (the root union) first")
        user = User.objects.filter(username=options["username"]).first()
        try:
            if user is None:
                password = os.environ.get("GONGHUI_ADMIN_PASSWORD") or self._ask()
                user = services.user_create(
                    by=None,
                    username=options["username"],
                    password=password,
                    display_name=options["display_name"],
                )
            services.admin_grant(user=user, role_code=options["role"], root=root)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(
            f"{user.username} is now {options['role']}; TOTP enrolment happens at first login."
        )

    def _ask(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Again: "):
            raise CommandError("the passwords differ")
        return first
