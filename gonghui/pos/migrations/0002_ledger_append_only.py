"""The discount ledger refuses UPDATE, DELETE and TRUNCATE, as the audit log does.

The triggers read the audit log's one-row `audit_guard` table (gonghui/audit/triggers.py), so
there is one switch for both: the test suite turns it off only to flush a transactional test,
and a test playing an attacker turns it off to tamper. The DDL is written out here rather than
imported so this migration keeps doing what it did when it was written."""

# Constant DDL only: nothing here is built from input.
# ruff: noqa: S608
from django.db import migrations

TABLE = "pos_ledgerentry"

SQLITE = [
    "CREATE TABLE IF NOT EXISTS audit_guard (enabled INTEGER NOT NULL)",
    "INSERT INTO audit_guard (enabled) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM audit_guard)",
    f"""CREATE TRIGGER IF NOT EXISTS pos_ledger_no_update BEFORE UPDATE ON {TABLE}
        WHEN (SELECT enabled FROM audit_guard) = 1
        BEGIN SELECT RAISE(ABORT, 'the discount ledger is append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS pos_ledger_no_delete BEFORE DELETE ON {TABLE}
        WHEN (SELECT enabled FROM audit_guard) = 1
        BEGIN SELECT RAISE(ABORT, 'the discount ledger is append-only'); END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS pos_ledger_no_update",
    "DROP TRIGGER IF EXISTS pos_ledger_no_delete",
]

POSTGRES = [
    "CREATE TABLE IF NOT EXISTS audit_guard (enabled BOOLEAN NOT NULL)",
    "INSERT INTO audit_guard (enabled) SELECT TRUE WHERE NOT EXISTS (SELECT 1 FROM audit_guard)",
    """CREATE OR REPLACE FUNCTION pos_ledger_refuse_change() RETURNS trigger AS $$
       BEGIN
         IF (SELECT enabled FROM audit_guard LIMIT 1) THEN
           RAISE EXCEPTION 'the discount ledger is append-only';
         END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS pos_ledger_no_change ON {TABLE}",
    f"""CREATE TRIGGER pos_ledger_no_change BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION pos_ledger_refuse_change()""",
    f"DROP TRIGGER IF EXISTS pos_ledger_no_truncate ON {TABLE}",
    f"""CREATE TRIGGER pos_ledger_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION pos_ledger_refuse_change()""",
]
POSTGRES_REVERSE = [
    f"DROP TRIGGER IF EXISTS pos_ledger_no_change ON {TABLE}",
    f"DROP TRIGGER IF EXISTS pos_ledger_no_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS pos_ledger_refuse_change()",
]


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def forward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    _run(schema_editor, POSTGRES if postgres else SQLITE)


def backward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    _run(schema_editor, POSTGRES_REVERSE if postgres else SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [
        ("pos", "0001_initial"),
        ("audit", "0002_append_only_triggers"),
    ]
    operations = [migrations.RunPython(forward, backward)]
