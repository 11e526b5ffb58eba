"""Tables the database itself keeps append-only (ledgers of money): UPDATE, DELETE and
TRUNCATE are refused while the audit log's one-row `audit_guard` is on (gonghui/audit/triggers.py),
the one switch the test suite turns off to flush a transactional test.

A ledger's migration adds `append_only("<table>")` to its operations after creating the table
(and depends on ("audit", "0002_append_only_triggers"), which creates the guard)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# Constant DDL built from table names in our own migrations only: nothing comes from input.
# ruff: noqa: S608


def statements(vendor: str, table: str) -> tuple[list[str], list[str]]:
    """(install, remove) statements for one table."""
    if vendor == "postgresql":
        function = f"{table}_refuse_change"
        return (
            [
                f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
                   BEGIN
                     IF (SELECT enabled FROM audit_guard LIMIT 1) THEN
                       RAISE EXCEPTION '{table} is append-only';
                     END IF;
                     IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
                     RETURN NEW;
                   END; $$ LANGUAGE plpgsql""",
                f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
                f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
                    FOR EACH ROW EXECUTE FUNCTION {function}()""",
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
                f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                    FOR EACH STATEMENT EXECUTE FUNCTION {function}()""",
            ],
            [
                f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
                f"DROP FUNCTION IF EXISTS {function}()",
            ],
        )
    return (
        [
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
                WHEN (SELECT enabled FROM audit_guard) = 1
                BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
                WHEN (SELECT enabled FROM audit_guard) = 1
                BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
        ],
        [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"],
    )


def append_only(table: str) -> migrations.RunPython:
    def run(schema_editor: Any, install: bool) -> None:
        forward, backward = statements(schema_editor.connection.vendor, table)
        with schema_editor.connection.cursor() as cursor:
            for statement in forward if install else backward:
                cursor.execute(statement)

    return migrations.RunPython(
        lambda apps, schema_editor: run(schema_editor, True),
        lambda apps, schema_editor: run(schema_editor, False),
    )
