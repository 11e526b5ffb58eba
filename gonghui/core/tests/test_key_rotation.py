"""EncryptedTextField stores tokens, never plain text; `manage.py rotate_field_key` rewrites
every stored value under an older key with the current one, in batches.

The model here is a throwaway (an isolated app registry and a table created inside the test's
transaction), so the test does not depend on which app happens to hold encrypted fields."""

from __future__ import annotations

import base64
import io
import json
import secrets
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection, models
from django.test.utils import isolate_apps

from gonghui.core import crypto, keyrotation
from gonghui.core.fields import EncryptedTextField
from gonghui.core.keyrotation import rotate_field_keys

pytestmark = pytest.mark.django_db

KEY_A = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
KEY_B = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
TABLE = "core_test_secret_note"


@pytest.fixture
def note_model(db):
    with isolate_apps("gonghui.core"):

        class SecretNote(models.Model):
            note = EncryptedTextField(null=True, blank=True)
            label = models.CharField(max_length=20, default="")

            class Meta:
                app_label = "core"
                db_table = TABLE

        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE {TABLE} (id bigint PRIMARY KEY, note text NULL, label varchar(20))"
            )
        yield SecretNote


def raw_tokens() -> dict[int, str | None]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, note FROM {TABLE} ORDER BY id")
        return dict(cursor.fetchall())


def test_the_column_holds_a_token_and_the_model_reads_plain_text(note_model):
    note_model.objects.create(id=1, note="410102199001011234")

    assert "410102199001011234" not in raw_tokens()[1]
    assert note_model.objects.get(id=1).note == "410102199001011234"


def test_rotation_reencrypts_every_old_value_in_batches(note_model, settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    for n in range(1, 8):
        note_model.objects.create(id=n, note=f"号码{n}", label=f"L{n}")
    note_model.objects.create(id=8, note=None)
    note_model.objects.create(id=9, note="")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    note_model.objects.create(id=10, note="已是新钥匙")
    current_before = raw_tokens()[10]
    batches = []

    [report] = rotate_field_keys(
        [note_model], batch_size=3, on_batch=lambda r: batches.append(r.reencrypted)
    )

    assert report.reencrypted == 7
    assert batches == [3, 6, 7]
    tokens = raw_tokens()
    assert all(not crypto.needs_reencryption(t) for t in tokens.values() if t)
    assert (tokens[8], tokens[9], tokens[10]) == (None, "", current_before)
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B]  # the old key can go now
    assert [n.note for n in note_model.objects.order_by("id")][:7] == [
        f"号码{n}" for n in range(1, 8)
    ]
    assert note_model.objects.get(id=3).label == "L3"
    assert rotate_field_keys([note_model])[0].reencrypted == 0


def test_the_command_reports_what_it_reencrypted(note_model, settings, monkeypatch):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_A]
    note_model.objects.create(id=1, note="13812345678")
    settings.FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    monkeypatch.setattr(keyrotation, "apps", SimpleNamespace(get_models=lambda: [note_model]))
    out = io.StringIO()

    call_command("rotate_field_key", "--json", stdout=out)

    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (summary["fields"], summary["reencrypted"]) == (1, 1)
    assert summary["by_field"] == {"core.SecretNote.note": 1}
    assert not crypto.needs_reencryption(raw_tokens()[1])


def test_the_command_with_no_encrypted_fields_reports_0(monkeypatch):
    monkeypatch.setattr(keyrotation, "apps", SimpleNamespace(get_models=lambda: []))
    out = io.StringIO()

    call_command("rotate_field_key", stdout=out)

    assert "re-encrypted 0 value(s) in 0 field(s)" in out.getvalue()


def test_the_command_over_the_installed_models_changes_nothing_already_current():
    out = io.StringIO()

    call_command("rotate_field_key", stdout=out)

    assert "re-encrypted 0 value(s)" in out.getvalue()
