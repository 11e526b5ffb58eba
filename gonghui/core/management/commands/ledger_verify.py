import json
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core.ledger import ChainedEntry, ledger_label, verify
from gonghui.core.models import LedgerHead


def chained_ledgers() -> list[type[ChainedEntry]]:
    """Every hash-chained ledger of the project, by label."""
    return sorted((m for m in apps.get_models() if issubclass(m, ChainedEntry)), key=ledger_label)


class Command(BaseCommand):
    help = (
        "Verify the hash chains of the money ledgers (mutual-aid fund, hardship aid, model "
        "workers' allowances): all of them, or those named (an app label such as `mutualaid` or a "
        "model label such as `hardship.disbursement`), every chain or one with --chain (a plan "
        "year's code, a budget year); exit 1 naming the first broken entry. The POS discount "
        "ledger has its own command, pos_ledger_verify."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ledgers", nargs="*", help="app or model labels (default: all)")
        parser.add_argument("--chain", default="", help="one chain: a plan year code, a year")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        ledgers = self._selected(options["ledgers"])
        chain = options["chain"] or None
        if (
            chain is not None
            and not LedgerHead.objects.filter(
                ledger__in=[ledger_label(m) for m in ledgers], chain=chain
            ).exists()
        ):
            raise CommandError(f"no chain {chain!r} in {', '.join(map(ledger_label, ledgers))}")
        report = []
        for model in ledgers:
            broken = verify(model, chain)
            entries = model._default_manager.all()
            if chain is not None:
                entries = entries.filter(chain=chain)
            line: dict[str, Any] = {
                "ledger": ledger_label(model),
                "ok": broken is None,
                "entries": entries.count(),
            }
            if broken is not None:
                line |= {
                    "chain": broken.chain,
                    "seq": broken.seq,
                    "broken_id": broken.entry_id,
                    "reason": broken.reason,
                    "where": broken.describe(),
                }
            report.append(line)
        failed = [line for line in report if not line["ok"]]
        if options["json"]:
            self.stdout.write(json.dumps({"ok": not failed, "ledgers": report}))
        else:
            for line in report:
                state = "intact" if line["ok"] else f"BROKEN at {line['where']}"
                self.stdout.write(f"{line['ledger']}: {state}, {line['entries']} entries")
        if failed:
            raise CommandError(
                "; ".join(f"{line['ledger']} broken at {line['where']}" for line in failed)
            )

    def _selected(self, names: list[str]) -> list[type[ChainedEntry]]:
        ledgers = chained_ledgers()
        if not names:
            return ledgers
        names = [name.lower() for name in names]
        chosen = [m for m in ledgers if ledger_label(m) in names or m._meta.app_label in names]
        known = {ledger_label(m) for m in chosen} | {m._meta.app_label for m in chosen}
        unknown = [name for name in names if name not in known]
        if unknown:
            labels = ", ".join(ledger_label(m) for m in ledgers)
            raise CommandError(f"no ledger {', '.join(unknown)}; the ledgers are: {labels}")
        return chosen
