from pathlib import Path

from django.core.management.base import BaseCommand

from gonghui.members.template import write_template


class Command(BaseCommand):
    help = "Write the roster template (.xlsx) with the header and drop-down validation lists."

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path)

    def handle(self, *args, **options):
        write_template(options["out"])
        self.stdout.write(f"template written to {options['out']}")
