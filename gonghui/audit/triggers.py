"""Database triggers that refuse UPDATE, DELETE and TRUNCATE on the audit log.

`audit_guard` is a one-row table outside Django's models, so `flush` leaves it alone; the test
suite turns the guard off only around its own flush of transactional tests."""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditentry"
# Constant DDL only: nothing here is built from input.
# ruff: noqa: S608

SQLITE = [
    "CREATE TABLE IF NOT EXISTS audit_guard (enabled INTEGER NOT NULL)",
    "INSERT INTO audit_guard (enabled) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM audit_guard)",
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE}
        WHEN (SELECT enabled FROM audit_guard) = 1
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE}
        WHEN (SELECT enabled FROM audit_guard) = 1
        BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
]
POSTGRES = [
    "CREATE TABLE IF NOT EXISTS audit_guard (enabled BOOLEAN NOT NULL)",
    "INSERT INTO audit_guard (enabled) SELECT TRUE WHERE NOT EXISTS (SELECT 1 FROM audit_guard)",
    """CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
       BEGIN
         IF (SELECT enabled FROM audit_guard LIMIT 1) THEN
           RAISE EXCEPTION 'audit log is append-only';
         END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS audit_no_change ON {TABLE}",
    f"""CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
    f"""CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
]


def install(connection: Any) -> None:
    statements = POSTGRES if connection.vendor == "postgresql" else SQLITE
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def set_guard(connection: Any, enabled: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_guard SET enabled = %s", [enabled])
