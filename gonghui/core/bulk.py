"""Fast bulk insert for imports: values adapted by field type, written in few statements.

Django's bulk_create compiles every value through each field's get_db_prep_save (about 5 µs a
value); a roster row has two dozen columns and a city has a million rows. Here each column
gets its adapter once and plain text passes through untouched. SQLite takes up to ROWS_PER_INSERT
rows in one INSERT and PostgreSQL a batch through binary COPY, so the database's own work runs
in C (or in the server) without the GIL, and `BackgroundWriter` lets it overlap Python preparing
the next batch. Values are always parameters: nothing is formatted into SQL."""

from __future__ import annotations

import gc
import itertools
import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from types import TracebackType
from typing import Any, cast

import psycopg
from django.db import OperationalError, connection, models, transaction
from django.utils import timezone

from gonghui.core import crypto
from gonghui.core.fields import EncryptedTextField

Adapter = Callable[[Any], Any]
# Rows in one SQLite INSERT: larger statements stop paying off near a thousand rows.
ROWS_PER_INSERT = 1000
# Below this many rows a load keeps the indexes up row by row: rebuilding them has a fixed cost.
INDEX_AFTER_MIN_ROWS = 50_000
# SQLite sorts an index's keys in runs as large as the page cache, then merges them: runs of a
# couple of megabytes stay in the CPU's caches and sort on every core; runs as large as the
# connection's 128 MiB cache make the million-row rebuild take twice as long.
SORT_CACHE_KIB = 2000
# How long a first load on PostgreSQL waits for the table's readers before it keeps the indexes.
LOCK_WAIT = "2s"


def _adapter(field: models.Field[Any, Any], encrypt: Adapter) -> Adapter | None:
    """How a Python value becomes a database parameter; None when it passes as it is."""
    ops = connection.ops
    if isinstance(field, EncryptedTextField):
        return lambda v: encrypt(v) if v else v
    if isinstance(field, models.UUIDField):
        if connection.vendor == "postgresql":
            return None
        return lambda v: v.hex if isinstance(v, uuid.UUID) else v
    if isinstance(field, models.DateField) and connection.vendor == "postgresql":
        return None  # the driver adapts dates and times itself (Django passes them through)
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda v: field.get_db_prep_save(v, connection)
    return None


def _column(field: models.Field[Any, Any]) -> str:
    # A concrete field always has a column; the stubs allow None for the others.
    return cast(str, field.column)


class BulkInserter:
    """Insert rows of the fields named by `attnames` (`union_id` for a foreign key).

    Fields with `auto_now`/`auto_now_add` are filled with the batch's timestamp; UUID fields
    get a fresh uuid4 when missing; other fields left out get their model default (what
    `Model.save()` would store), or NULL when they have none."""

    def __init__(self, model: type[models.Model], attnames: Sequence[str]) -> None:
        self.model = model
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        by_attname = {f.attname: f for f in fields}
        unknown = set(attnames) - set(by_attname)
        if unknown:
            raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
        self.attnames = tuple(attnames)
        self.given = [by_attname[name] for name in self.attnames]
        rest = [f for f in fields if f.attname not in self.attnames]
        self.stamped = [f for f in fields if _stamped(f)]
        self.uuids = [f for f in rest if isinstance(f, models.UUIDField)]
        self.defaults = [
            f for f in rest if f.has_default() and f not in self.uuids and not _stamped(f)
        ]
        self.nulls = [f for f in rest if f not in self.uuids + self.defaults and not _stamped(f)]
        # Columns in the order a row's values come: the caller's, then those filled here.
        self.fields = [
            *self.given,
            *[f for f in self.stamped if f.attname not in self.attnames],
            *self.uuids,
            *self.defaults,
            *self.nulls,
        ]
        self.table = model._meta.db_table
        self._copy_types: list[int] = []

    def insert(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Insert rows given as dicts keyed by attname, in the caller's transaction."""
        names = self.attnames
        return self.insert_values([row.get(name) for name in names] for row in rows)

    def insert_values(self, rows: Iterable[Sequence[Any]]) -> int:
        """Insert rows given as values in `attnames` order, in the caller's transaction.

        Returns the number of rows."""
        values = self.complete(rows)
        if values:
            writer = self.writer()
            with connection.wrap_database_errors:
                writer(values)
        return len(values)

    def complete(self, rows: Iterable[Sequence[Any]]) -> list[list[Any]]:
        """Every row's database parameters in column order: adapted and encrypted values, the
        batch's timestamp, fresh UUIDs and defaults."""
        encrypt = crypto.Encrypter()
        adapters = {f.attname: _adapter(f, encrypt) for f in self.fields}
        now = timezone.now()
        stamp = {f.attname: (adapters[f.attname] or _same)(now) for f in self.stamped}
        # Positions among the caller's values that change on the way in.
        changes: list[tuple[int, Adapter]] = []
        for position, field in enumerate(self.given):
            if field.attname in stamp:
                changes.append((position, _constant(stamp[field.attname])))
            elif (adapt := adapters[field.attname]) is not None:
                changes.append((position, adapt))
        stamps = [stamp[f.attname] for f in self.stamped if f.attname not in self.attnames]
        uuids = [adapters[f.attname] or _same for f in self.uuids]
        defaults = [(f, adapters[f.attname] or _same) for f in self.defaults]
        nulls = [None] * len(self.nulls)
        tail = stamps + nulls  # what every row ends with when no field needs a fresh value

        def complete(row: Sequence[Any]) -> list[Any]:
            values = list(row)
            for position, adapt in changes:
                values[position] = adapt(values[position])
            if not (uuids or defaults):
                values += tail
                return values
            values += stamps
            values += [adapt(uuid.uuid4()) for adapt in uuids]
            values += [adapt(field.get_default()) for field, adapt in defaults]
            values += nulls
            return values

        return [complete(row) for row in rows]

    def writer(self) -> Callable[[list[list[Any]]], None]:
        """A function writing completed rows through this thread's database connection, which
        may run on another thread (it touches the DB-API connection only). It raises the
        driver's errors: call it inside `connection.wrap_database_errors`."""
        connection.ensure_connection()
        raw = connection.connection
        quote = connection.ops.quote_name
        table = quote(self.table)
        columns = ", ".join(quote(_column(f)) for f in self.fields)
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"
            types = self._postgresql_types()

            def copy(values: list[list[Any]]) -> None:
                with raw.cursor() as cursor, cursor.copy(sql) as stream:
                    stream.set_types(types)
                    for record in values:
                        stream.write_row(record)

            return copy
        marks = "(" + ", ".join(["?"] * len(self.fields)) + ")"

        def insert(values: list[list[Any]]) -> None:
            # The DB-API connection directly: Django's wrapper rewrites every parameter list.
            for start in range(0, len(values), ROWS_PER_INSERT):
                chunk = values[start : start + ROWS_PER_INSERT]
                sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([marks] * len(chunk))}"  # noqa: S608
                cast(sqlite3.Connection, raw).execute(sql, list(itertools.chain(*chunk)))

        return insert

    def _postgresql_types(self) -> list[int]:
        """The columns' type OIDs, which binary COPY needs: read from the table itself."""
        if not self._copy_types:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass",
                    [connection.ops.quote_name(self.table)],
                )
                oids = dict(cursor.fetchall())
            self._copy_types = [oids[_column(f)] for f in self.fields]
        return self._copy_types


class BackgroundWriter:
    """Writes an inserter's batches on a second thread, one batch at a time, so the database
    (SQLite's C code without the GIL, or the PostgreSQL server) works while this thread
    prepares the next batch. Both use this thread's connection and transaction: call `wait()`
    before any other query, and leave the `with` block (which waits) before the transaction
    ends."""

    def __init__(self, inserter: BulkInserter) -> None:
        self.inserter = inserter
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-writer")
        self._pending: Future[None] | None = None

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown()

    def submit(self, rows: Iterable[Sequence[Any]]) -> int:
        """Start writing rows (values in `attnames` order); returns how many."""
        values = self.inserter.complete(rows)
        self.wait()
        if values:
            self._pending = self._pool.submit(self.inserter.writer(), values)
        return len(values)

    def wait(self) -> None:
        """Until the batch being written is in, raising its error as Django's."""
        pending, self._pending = self._pending, None
        if pending is not None:
            with connection.wrap_database_errors:
                pending.result()


@contextmanager
def indexes_built_after(model: type[models.Model], *, adding: int) -> Iterator[bool]:
    """Around a load of `adding` rows into `model`'s table, in the caller's transaction: when
    they are at least INDEX_AFTER_MIN_ROWS and the table is new enough (below), its plain
    indexes (`Meta.indexes`) are dropped for the block and built again at its end.

    A B-tree that takes a million rows one at a time in random order costs several times what
    building it afterwards from sorted keys does: a million-row load spent four times as long on
    the members' search indexes row by row as on building them afterwards. DDL is transactional
    on both databases: when the block raises, the indexes are not built here; the caller's
    transaction rolls back and brings them back.

    - SQLite: when the load at least doubles the table. Readers on their WAL snapshots keep the
      old indexes, and the unique ones stay, so every constraint holds throughout; the rebuild
      sorts in small runs on every core (SORT_CACHE_KIB).
    - PostgreSQL: only into an empty table (a city's first load). Dropping an index locks the
      table against readers until the commit, which costs nobody anything only while there is
      nothing to read; the lock is waited for at most LOCK_WAIT, and a table someone is reading
      keeps its indexes up row by row instead. Held alone, the table also has its unique
      constraints (all but the primary key) dropped and added again at the end, which checks
      every row at once: no other transaction can write it meanwhile.

    Yields True when the table was empty and no other transaction can write it until the
    caller's ends: the block's rows are all there is, so the caller need not look for rows
    already in it (and, their unique indexes gone, should not)."""
    if adding < INDEX_AFTER_MIN_ROWS or not _rebuild_pays(model, adding):
        yield False
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_built_after() needs the caller's transaction")
    alone = connection.vendor == "postgresql"
    if alone and not _taken_while_empty(model):
        yield False
        return
    indexes = list(model._meta.indexes)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        uniques = _unique_constraints(cursor, model) if alone else []
        for name, _definition in uniques:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for index in indexes:
            cursor.execute(f"DROP INDEX {quote(index.name)}")
    yield alone
    editor = connection.schema_editor()  # only to write each index's CREATE INDEX
    with connection.cursor() as cursor, _rebuilding(cursor):
        for name, definition in uniques:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
        for index in indexes:
            cursor.execute(str(index.create_sql(model, editor)))


def _unique_constraints(cursor: Any, model: type[models.Model]) -> list[tuple[str, str]]:
    """The table's unique constraints but its primary key and those a foreign key points at, as
    PostgreSQL itself defines them: (name, definition) by name."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint c"
        " WHERE conrelid = %s::regclass AND contype = 'u' AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid"
        " ) ORDER BY conname",
        [connection.ops.quote_name(model._meta.db_table)],
    )
    return list(cursor.fetchall())


@contextmanager
def constraints_checked_per_statement() -> Iterator[None]:
    """Deferred constraints checked as each statement ends, for a bulk load in the caller's
    transaction on PostgreSQL: the server checks one batch's foreign keys while the client
    prepares the next, where a million rows' checks queued for the commit run alone at the end
    (4.6 s of a million-row roster load). They are deferred again after the block. SQLite counts
    its deferred violations as rows go in and has nothing to run at the commit."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    # Not after an error: the transaction is aborted, and its end resets the mode anyway.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _rebuild_pays(model: type[models.Model], adding: int) -> bool:
    if connection.vendor == "sqlite":
        return adding >= model._default_manager.count()
    # Looked at in a savepoint rolled back at once: its share lock on the table goes with it, so
    # two loads never both hold one while each asks for the whole table (a deadlock).
    savepoint = transaction.savepoint()
    empty = not model._default_manager.exists()
    transaction.savepoint_rollback(savepoint)
    return empty


def _taken_while_empty(model: type[models.Model]) -> bool:
    """Take the empty table for this transaction alone, waiting at most LOCK_WAIT for its
    readers. False, with the lock let go, when they hold it longer or when another load filled
    the table meanwhile."""
    table = connection.ops.quote_name(model._meta.db_table)
    savepoint = transaction.savepoint()  # rolling back to it releases the lock
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('lock_timeout')")
            (before,) = cursor.fetchone()
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_WAIT])
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
        empty = not model._default_manager.exists()
    except OperationalError as exc:
        if not isinstance(
            exc.__cause__, psycopg.errors.LockNotAvailable | psycopg.errors.DeadlockDetected
        ):
            raise
        empty = False
    if empty:
        transaction.savepoint_commit(savepoint)
    else:
        transaction.savepoint_rollback(savepoint)
    return empty


@contextmanager
def _rebuilding(cursor: Any) -> Iterator[None]:
    """The connection made ready to build indexes on the table just loaded."""
    if connection.vendor == "postgresql":
        # No index is built on a table with deferred checks pending: they run now, not at
        # the commit (the same foreign-key checks, once).
        connection.check_constraints()
        yield
        return
    with _sqlite_pragmas(cursor, cache_size=-SORT_CACHE_KIB, threads=os.cpu_count() or 1):
        yield


@contextmanager
def _sqlite_pragmas(cursor: Any, **values: int) -> Iterator[None]:
    """These connection settings for the block, the previous ones restored after it."""
    before = {}
    for name in values:
        cursor.execute(f"PRAGMA {name}")
        before[name] = int(cursor.fetchone()[0])
    try:
        for name, value in values.items():
            cursor.execute(f"PRAGMA {name} = {int(value)}")
        yield
    finally:
        for name, value in before.items():
            cursor.execute(f"PRAGMA {name} = {value}")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the block, for a bulk job whose millions of objects die
    young and are freed by their reference counts (none is in a reference cycle): the collector
    would walk them again and again on their way out, 2.5 s of a million-row roster import's
    busiest thread. A process forked in the block inherits the pause."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def existing_values(model: type[models.Model], attname: str, values: Collection[str]) -> set[str]:
    """Which of `values` the text column `attname` already holds: one query for the lot, the
    values passed as a single parameter (an IN list of thousands costs Django milliseconds)."""
    if not values:
        return set()
    quote = connection.ops.quote_name
    field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    column, table = quote(_column(field)), quote(model._meta.db_table)
    # A semi-join on the unnested list: PostgreSQL probes the index even while an import grows
    # the table past its statistics (`= ANY(list)` turns into a scan of the whole table).
    param: Any
    if connection.vendor == "postgresql":
        test, param = "IN (SELECT unnest(%s::text[]))", list(values)
    else:
        test, param = "IN (SELECT value FROM json_each(%s))", json.dumps(list(values))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} {test}", [param])  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


def _stamped(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _same(value: Any) -> Any:
    return value


def _constant(value: Any) -> Adapter:
    return lambda _ignored: value
