"""`manage.py followup_reminders`: what is due, as text or JSON; twice a day is once."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from gonghui.followup.tests.conftest import make_item

pytestmark = pytest.mark.django_db


def test_reminders_command_is_idempotent_per_day(tree, olga, sam, today) -> None:
    make_item(olga, sam, tree["city"], date(2026, 11, 20), title="逾期事项")
    out = StringIO()
    call_command("followup_reminders", "--date", "2026-11-27", "--json", stdout=out)
    first = json.loads(out.getvalue())
    assert first["overdue"] == 1 and first["new"] == 1
    assert first["items"][0]["days_overdue"] == 7
    out = StringIO()
    call_command("followup_reminders", "--date", "2026-11-27", stdout=out)
    assert "0 new reminders" in out.getvalue() and "逾期事项" in out.getvalue()
