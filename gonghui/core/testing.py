"""Throwaway installations for tests that run manage.py or a web server in a subprocess.

Each sandbox has its own GONGHUI_VAR_DIR (the SQLite database, uploads) and, when DATABASE_URL
names PostgreSQL, its own database created here and dropped on exit, under a random name, so
it never meets pytest-django's test databases or those of a parallel xdist worker."""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parents[2]
# Inherited values that would point a sandbox at someone else's data or settings.
CLEARED_ENV = ("DATABASE_URL", "MEDIA_ROOT", "GONGHUI_ENV", "GONGHUI_VAR_DIR")


def postgres_url() -> str | None:
    """DATABASE_URL when it names a PostgreSQL server, else None (the suite runs on SQLite)."""
    url = os.environ.get("DATABASE_URL", "")
    return url if urlsplit(url).scheme in {"postgres", "postgresql", "pgsql"} else None


@dataclass
class Sandbox:
    var_dir: Path
    env: dict[str, str]
    database: str | None = None

    @property
    def sqlite_file(self) -> Path:
        return self.var_dir / "gonghui.sqlite3"

    def manage(
        self, *args: str, check: bool = True, timeout: float = 180, **kwargs: Any
    ) -> subprocess.CompletedProcess[str]:
        """Run `manage.py ARGS` in this sandbox; with check, fail showing its output."""
        result = subprocess.run(  # noqa: S603 (our own manage.py, no shell)
            [sys.executable, str(BASE_DIR / "manage.py"), *args],
            env=self.env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            **kwargs,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} exited {result.returncode}\n"
                f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
            )
        return result


@contextmanager
def sandbox(var_dir: Path, *, prefix: str, template: Sandbox | None = None) -> Iterator[Sandbox]:
    """A fresh installation in `var_dir`; with `template`, a copy of that one's database
    (which must have no open connection: nothing may be running on it)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in CLEARED_ENV}
    env |= {
        "GONGHUI_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "gonghui.settings",
        "PYTHONUNBUFFERED": "1",
    }
    url = postgres_url()
    if url is None:
        if template is not None:
            _sqlite_copy(template.sqlite_file, var_dir / "gonghui.sqlite3")
        yield Sandbox(var_dir=var_dir, env=env)
        return
    name = f"{prefix}_{secrets.token_hex(5)}"
    _pg_admin(url, "CREATE DATABASE {}" + (" TEMPLATE {}" if template else ""), name, template)
    try:
        yield Sandbox(
            var_dir=var_dir, env=env | {"DATABASE_URL": _with_db(url, name)}, database=name
        )
    finally:
        _pg_admin(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


def _sqlite_copy(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _pg_admin(url: str, statement: str, name: str, template: Sandbox | None = None) -> None:
    import psycopg
    from psycopg import sql

    names = [sql.Identifier(name)]
    if template is not None:
        names.append(sql.Identifier(str(template.database)))
    with psycopg.connect(_with_db(url, "postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL(statement).format(*names))
