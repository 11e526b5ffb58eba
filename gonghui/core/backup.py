"""Backup and restore of the database and the uploaded files (MEDIA_ROOT).

A backup is a folder: the database (`database.sqlite3`, a consistent copy made with SQLite's
online backup API, or `database.dump`, PostgreSQL's `pg_dump -Fc`), `media.tar.gz`, and
`manifest.json` (engine, time, migration state, sha256 of every file), written last so that a
folder without it is an unfinished backup. Restore checks the manifest before it touches
anything, stages the database and the files next to their targets, then swaps them in: the
SQLite file with one `os.replace`, PostgreSQL with `pg_restore --single-transaction`, so a
failure leaves the old state in place. Stop the web server and the workers before a restore.

The connection settings reach `pg_dump`/`pg_restore` through PG* environment variables, never
through a command line or a shell, so the password shows up in no process list."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import django
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from gonghui.audit import triggers

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_ARCHIVE = "media.tar.gz"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# libpq reads these; OPTIONS keys of Django's PostgreSQL backend that map onto them.
PG_OPTION_VARS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}
# A restore waits at most this long for a lock held by a server that is still running.
PG_LOCK_TIMEOUT = "60s"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    audit_entries: int
    audit_guard_repaired: list[str] = field(default_factory=list)
    pending_migrations: list[str] = field(default_factory=list)


def backup_create(*, target: Path, alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write a backup of the database and MEDIA_ROOT into `target` (new or empty folder)."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: back up into a new or empty folder")
    target.mkdir(parents=True, exist_ok=True)
    connection = connections[alias]
    engine = _engine(connection)
    database_file = target / DATABASE_FILES[engine]
    if engine == "sqlite":
        _sqlite_backup(connection, database_file)
    else:
        _pg_dump(connection.settings_dict, database_file)
    _media_archive(Path(settings.MEDIA_ROOT), target / MEDIA_ARCHIVE)
    manifest = {
        "format": FORMAT_VERSION,
        "engine": engine,
        "created": timezone.now().isoformat(timespec="seconds"),
        "django": django.get_version(),
        "migrations": _migration_summary(connection),
        "files": {
            path.name: {"sha256": _sha256(path), "size": path.stat().st_size}
            for path in (database_file, target / MEDIA_ARCHIVE)
        },
    }
    _write_atomically(target / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
    return manifest


def backup_check(*, source: Path, alias: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """The manifest of the backup in `source`, after checking it fits this installation:
    same database engine, every file's checksum, no migration this code does not know."""
    source = Path(source)
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source} holds no {MANIFEST}: not a backup, or an unfinished one")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise BackupError(f"{manifest_path} is not valid JSON: {exc}") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"backup format {manifest.get('format')!r} is not supported here")
    engine = _engine(connections[alias])
    if manifest.get("engine") != engine:
        theirs = ENGINE_NAMES.get(manifest.get("engine"), repr(manifest.get("engine")))
        raise BackupError(
            f"this backup is of a {theirs} database but this installation uses "
            f"{ENGINE_NAMES[engine]}: restore it where DATABASE_URL names {theirs}"
        )
    expected = {DATABASE_FILES[engine], MEDIA_ARCHIVE}
    files = manifest.get("files") or {}
    if set(files) != expected:
        raise BackupError(f"the manifest lists {sorted(files)}, expected {sorted(expected)}")
    for name, meta in sorted(files.items()):
        path = source / name
        if not path.is_file():
            raise BackupError(f"{path} is missing")
        if _sha256(path) != meta.get("sha256"):
            raise BackupError(f"{path} does not match its sha256 in the manifest: damaged copy")
    unknown = _unknown_migrations(manifest.get("migrations", {}).get("latest", {}))
    if unknown:
        raise BackupError(
            "the backup was made by a newer version of gonghui (unknown migrations: "
            + ", ".join(unknown)
            + "): deploy that version, then restore"
        )
    return cast(dict[str, Any], manifest)


def backup_restore(*, source: Path, alias: str = DEFAULT_DB_ALIAS) -> RestoreReport:
    """Replace the database and MEDIA_ROOT with the backup in `source`."""
    source = Path(source)
    manifest = backup_check(source=source, alias=alias)
    connection = connections[alias]
    engine = _engine(connection)
    media_root = Path(settings.MEDIA_ROOT)
    with _staged_media(source / MEDIA_ARCHIVE, media_root) as staged_media:
        connections.close_all()
        if engine == "sqlite":
            _sqlite_restore(connection.settings_dict, source / DATABASE_FILES[engine])
        else:
            _pg_restore(connection.settings_dict, source / DATABASE_FILES[engine])
        _swap_in(staged_media, media_root)
    connections.close_all()
    repaired = audit_guard_ensure(connection)
    from gonghui.audit.verify import verify_chain

    chain = verify_chain()
    if not chain.ok:
        raise BackupError(
            f"restored, but the audit chain is broken at entry {chain.broken_id}: "
            f"{chain.reason}; keep this backup aside and report it"
        )
    return RestoreReport(
        manifest=manifest,
        audit_entries=chain.checked,
        audit_guard_repaired=repaired,
        pending_migrations=_pending_migrations(connection),
    )


def audit_guard_ensure(connection: Any) -> list[str]:
    """Make sure the audit log's append-only triggers and its guard row exist and the guard is
    on; returns what had to be repaired (nothing, for a sound backup)."""
    problems = _audit_guard_problems(connection)
    if problems:
        triggers.install(connection)
        triggers.set_guard(connection, True)
        still = _audit_guard_problems(connection)
        if still:
            raise BackupError("could not reinstall the audit log triggers: " + "; ".join(still))
    return problems


def _audit_guard_problems(connection: Any) -> list[str]:
    problems = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                "AND tgrelid = to_regclass(%s)",
                [triggers.TABLE],
            )
            wanted = {"audit_no_change", "audit_no_truncate"}
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [triggers.TABLE],
            )
            wanted = {"audit_no_update", "audit_no_delete"}
        missing = wanted - {row[0] for row in cursor.fetchall()}
        problems += [f"trigger {name} missing" for name in sorted(missing)]
        if "audit_guard" not in connection.introspection.table_names(cursor):
            return [*problems, "table audit_guard missing"]
        cursor.execute("SELECT enabled FROM audit_guard")
        rows = cursor.fetchall()
    if len(rows) != 1:
        problems.append(f"audit_guard has {len(rows)} rows instead of one")
    elif not rows[0][0]:
        problems.append("audit_guard was off")
    return problems


def _engine(connection: Any) -> str:
    if connection.vendor not in DATABASE_FILES:
        raise BackupError(f"backups of {connection.vendor} databases are not supported")
    return str(connection.vendor)


# SQLite


def _sqlite_path(settings_dict: dict[str, Any]) -> Path:
    name = str(settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or not name:
        raise BackupError("the SQLite database is in memory: there is no file to restore into")
    return Path(name)


def _sqlite_backup(connection: Any, target: Path) -> None:
    """SQLite's online backup: a consistent copy while other processes go on writing."""
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)
        # The copy is one self-contained file: no -wal beside it, whatever the source uses.
        destination.execute("PRAGMA journal_mode=DELETE")
    finally:
        destination.close()


def _sqlite_restore(settings_dict: dict[str, Any], backup_file: Path) -> None:
    target = _sqlite_path(settings_dict)
    staged = target.with_name(f".{target.name}.restore-{secrets.token_hex(4)}")
    try:
        shutil.copyfile(backup_file, staged)
        _fsync(staged)
        check = sqlite3.connect(staged)
        try:
            result = check.execute("PRAGMA integrity_check").fetchone()
        finally:
            check.close()
        if result is None or result[0] != "ok":
            raise BackupError(f"{backup_file} fails SQLite's integrity check: {result}")
        if target.exists():
            _sqlite_leave_wal(target)
        os.replace(staged, target)
        _fsync(target.parent)
    finally:
        staged.unlink(missing_ok=True)


def _sqlite_leave_wal(target: Path) -> None:
    """Fold the write-ahead log into the database file and drop it: a -wal file left beside
    the replaced database would be replayed into the restored one."""
    live = sqlite3.connect(target, timeout=30)
    try:
        live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mode = live.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except sqlite3.OperationalError as exc:
        raise BackupError(
            f"{target} is in use ({exc}): stop the web server and the workers, then restore"
        ) from exc
    finally:
        live.close()
    if mode != "delete":
        raise BackupError(
            f"{target} is in use by another process: stop the web server and the workers first"
        )
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


# PostgreSQL


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The process environment for libpq tools, carrying the connection settings."""
    env = dict(os.environ)
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for key, var in PG_OPTION_VARS.items():
        if options.get(key):
            env[var] = str(options[key])
    return env


def _pg_run(args: list[str], env: dict[str, str]) -> None:
    if shutil.which(args[0]) is None:
        raise BackupError(f"{args[0]} not found: install the PostgreSQL client tools")
    # A list of arguments, no shell; the connection settings travel in `env`.
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{args[0]} failed (exit {result.returncode}): {result.stderr.strip()}")


def _pg_dump(settings_dict: dict[str, Any], target: Path) -> None:
    _pg_run(
        ["pg_dump", "--format=custom", "--no-password", f"--file={target}"],
        pg_environment(settings_dict),
    )


def _pg_restore(settings_dict: dict[str, Any], dump: Path) -> None:
    env = pg_environment(settings_dict)
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={PG_LOCK_TIMEOUT}".strip()
    # --clean drops and recreates every object of the dump (the audit table and its triggers
    # included: DROP is not an UPDATE, DELETE or TRUNCATE), in one transaction.
    _pg_run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--no-password",
            f"--dbname={env['PGDATABASE']}",
            str(dump),
        ],
        env,
    )


# Uploaded files


def _media_archive(media_root: Path, target: Path) -> None:
    with tarfile.open(target, "w:gz") as archive:
        if media_root.is_dir():
            for child in sorted(media_root.iterdir()):
                archive.add(child, arcname=child.name)


@contextmanager
def _staged_media(archive_path: Path, media_root: Path) -> Iterator[Path]:
    """The archive unpacked next to MEDIA_ROOT (same file system, so the swap is a rename)."""
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staged = media_root.with_name(f".{media_root.name}.restore-{secrets.token_hex(4)}")
    staged.mkdir()
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            # "data" refuses absolute paths, "..", devices and links leading outside.
            archive.extractall(staged, filter="data")
        yield staged
    finally:
        if staged.exists():
            shutil.rmtree(staged)


def _swap_in(staged: Path, media_root: Path) -> None:
    old = media_root.with_name(f".{media_root.name}.old-{secrets.token_hex(4)}")
    if media_root.exists():
        os.replace(media_root, old)
    try:
        os.replace(staged, media_root)
    except OSError:
        if old.exists():
            os.replace(old, media_root)
        raise
    if old.exists():
        shutil.rmtree(old)


# Migrations


def _migration_summary(connection: Any) -> dict[str, Any]:
    applied = sorted(MigrationRecorder(connection).applied_migrations())
    latest: dict[str, str] = {}
    for app, name in applied:
        latest[app] = name  # names sort in the order they were created (0001_, 0002_...)
    return {"applied": len(applied), "latest": latest}


def _unknown_migrations(latest: dict[str, str]) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return [f"{app}.{name}" for app, name in sorted(latest.items()) if (app, name) not in known]


def _pending_migrations(connection: Any) -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


# Files


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomically(path: Path, text: str) -> None:
    staged = path.with_name(f".{path.name}.tmp")
    staged.write_text(text, encoding="utf-8")
    _fsync(staged)
    os.replace(staged, path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
