"""manage.py backup / restore, round trip on the engine in use (SQLite, or PostgreSQL when
DATABASE_URL names it). The suite's own SQLite database is in memory, so the round trip runs
manage.py in subprocesses against a throwaway installation (gonghui.core.testing.sandbox)."""

import hashlib
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gonghui.core.backup import (
    DATABASE_FILES,
    MANIFEST,
    MEDIA_ARCHIVE,
    BackupError,
    backup_check,
    pg_environment,
)
from gonghui.core.testing import sandbox

# Printed by `manage.py shell`: what a restore must bring back, and whether the database
# itself still refuses changes to the audit log (the triggers and audit_guard survived).
STATE = """
import json
from django.db import connection, transaction
from gonghui.audit.models import AuditEntry
from gonghui.orgs.models import Union

try:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'tampered'")
    audit_refuses_update = False
except Exception:
    audit_refuses_update = True
print(json.dumps({
    "unions": list(Union.objects.order_by("code").values_list("code", "name")),
    "audit_entries": AuditEntry.objects.count(),
    "audit_refuses_update": audit_refuses_update,
}, ensure_ascii=False))
"""
ADD_UNION = """
from gonghui.orgs.models import Union
from gonghui.orgs.services import union_create
union_create(by=None, code="D01E099", name="备份后新建工会", kind="grassroots",
             parent=Union.objects.get(code="D01"))
"""

AUDIT_VERIFY = """
from django.core.management import call_command
call_command("audit_verify")
"""


def _state(site, before=""):
    output = site.manage("shell", "-v", "0", "-c", before + STATE).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_restore_brings_back_the_database_and_the_uploaded_files(tmp_path):
    with sandbox(tmp_path / "site", prefix="gonghui_backup_test") as site:
        site.manage("migrate", "--noinput")
        site.manage("seed_demo", "--members", "0")
        upload = site.var_dir / "media" / "jobs" / "in" / "roster.csv"
        upload.parent.mkdir(parents=True)
        upload.write_text("代码,名称\nD01E001,鹤川工会\n", encoding="utf-8")
        before = _state(site)
        assert len(before["unions"]) > 200
        assert before["audit_refuses_update"]
        backup_dir = tmp_path / "backup"

        site.manage("backup", str(backup_dir))
        engine = connection.vendor
        assert sorted(p.name for p in backup_dir.iterdir()) == sorted(
            [DATABASE_FILES[engine], MEDIA_ARCHIVE, MANIFEST]
        )
        manifest = json.loads((backup_dir / MANIFEST).read_text())
        assert manifest["engine"] == engine
        assert manifest["migrations"]["latest"]["audit"] == "0002_append_only_triggers"

        upload.unlink()
        changed = _state(site, before=ADD_UNION)
        assert len(changed["unions"]) == len(before["unions"]) + 1

        restored = site.manage("restore", str(backup_dir), "--yes")
        assert "audit chain intact" in restored.stdout
        # audit_verify exits non-zero on a broken chain, which fails the shell command.
        assert _state(site, before=AUDIT_VERIFY) == before
        assert upload.read_text(encoding="utf-8") == "代码,名称\nD01E001,鹤川工会\n"


def _fake_backup(folder, engine, *, damaged=False):
    files = {DATABASE_FILES[engine]: b"database", MEDIA_ARCHIVE: b"media"}
    for name, content in files.items():
        (folder / name).write_bytes(content)
    manifest = {
        "format": 1,
        "engine": engine,
        "created": "2026-11-27T08:00:00+00:00",
        "migrations": {"applied": 0, "latest": {}},
        "files": {
            name: {
                "sha256": hashlib.sha256(b"" if damaged else content).hexdigest(),
                "size": len(content),
            }
            for name, content in files.items()
        },
    }
    (folder / MANIFEST).write_text(json.dumps(manifest))


def test_restore_refuses_a_backup_of_the_other_engine(tmp_path):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    _fake_backup(tmp_path, other)
    with pytest.raises(BackupError, match="database but this installation uses"):
        backup_check(source=tmp_path)


def test_restore_refuses_a_damaged_file(tmp_path):
    _fake_backup(tmp_path, connection.vendor, damaged=True)
    with pytest.raises(BackupError, match="does not match its sha256"):
        backup_check(source=tmp_path)


def test_restore_without_yes_refuses_when_nobody_can_answer(tmp_path):
    """Under pytest stdin is not a terminal, as under cron: no --yes, no restore."""
    _fake_backup(tmp_path, connection.vendor)
    with pytest.raises(CommandError, match="pass --yes to confirm"):
        call_command("restore", str(tmp_path))


def test_restore_refuses_a_folder_without_manifest(tmp_path):
    with pytest.raises(BackupError, match=r"holds no manifest\.json"):
        backup_check(source=tmp_path)


def test_postgres_tools_get_the_connection_through_the_environment():
    env = pg_environment(
        {
            "NAME": "gonghui",
            "USER": "app",
            "PASSWORD": "s3cret pass",
            "HOST": "db.internal",
            "PORT": 5433,
            "OPTIONS": {"sslmode": "require"},
        }
    )
    assert (env["PGDATABASE"], env["PGUSER"], env["PGPASSWORD"]) == (
        "gonghui",
        "app",
        "s3cret pass",
    )
    assert (env["PGHOST"], env["PGPORT"], env["PGSSLMODE"]) == ("db.internal", "5433", "require")
