"""Shared by the benchmarks: a fresh database per phase, Django set up against it, peak RSS."""

from __future__ import annotations

import atexit
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def scratch_dir(prefix: str) -> Path:
    """A directory for this run's files and SQLite databases, removed when the run ends."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def fresh_database(database_url: str | None, var_dir: Path, label: str) -> dict[str, str]:
    """Environment for a subprocess that uses its own new database."""
    env = dict(
        os.environ, GONGHUI_VAR_DIR=str(var_dir / label), DJANGO_SETTINGS_MODULE="gonghui.settings"
    )
    env.pop("DATABASE_URL", None)
    if database_url:
        import psycopg

        name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
        base = database_url.rsplit("/", 1)[0]
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{base}/{name}"
        env["BENCH_DROP_DATABASE"] = name
        env["BENCH_ADMIN_URL"] = database_url
    return env


def drop_database(env: dict[str, str]) -> None:
    name = env.get("BENCH_DROP_DATABASE")
    if not name:
        return
    import psycopg

    with psycopg.connect(env["BENCH_ADMIN_URL"], autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_phase(script: Path, phase: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run one phase in its own process, so its peak RSS is its own; it prints JSON last."""
    out = subprocess.run(
        [sys.executable, str(script), "--phase", phase, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"phase {phase} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def setup_django(migrate: bool = True) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
