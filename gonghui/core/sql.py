"""Hand-written SQL for the few hot paths where compiling ORM queries costs more than running
them: the POS till, where every sale is a signed quote and a signed confirm (compiling their
querysets was two thirds of the server's CPU; `bench/pos_load.py` measures it).

The statements are plain SQL that SQLite and PostgreSQL both run (upserts with
`ON CONFLICT`, `RETURNING`). Values go in and come out through the model fields' own
conversions, so what is written and read is exactly what the ORM writes and reads (aware
datetimes, dates, UUIDs, decimals, JSON, encrypted columns).

    TILL = Part(TerminalKey, "t", ("id", "key_id", "secret", "merchant_id"))
    terminal, = fetch_one(f"SELECT {TILL.columns} FROM merchants_terminalkey t WHERE …", [k], TILL)
    insert(Quote(...))                   # save(force_insert=True) as one INSERT … RETURNING
    first("SELECT discount_fen FROM pos_dayusage WHERE …", [...])   # plain values
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, cast

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Field, Model


class Part:
    """Some columns of one model in a SELECT, under a table alias; `names` are attnames
    (`merchant_id` for a foreign key). Rows come back as instances with only these fields
    loaded (the others deferred)."""

    def __init__(self, model: type[Model], alias: str, names: Sequence[str]) -> None:
        wanted = set(names)
        # from_db takes the values in the model's field order.
        self.fields: list[Field[Any, Any]] = [
            f for f in model._meta.concrete_fields if f.attname in wanted
        ]
        missing = wanted - {f.attname for f in self.fields}
        if missing:
            raise ValueError(f"{model.__name__} has no column {sorted(missing)}")
        self.model = model
        self.alias = alias
        self.names = [f.attname for f in self.fields]

    @cached_property
    def columns(self) -> str:
        quote = _db().ops.quote_name
        return ", ".join(f"{self.alias}.{quote(str(f.column))}" for f in self.fields)

    @cached_property
    def _converters(self) -> list[tuple[Any, list[Callable[..., Any]]]]:
        """Per column, what the ORM's compiler applies to a value read (apply_converters)."""
        db = _db()
        found = []
        for field in self.fields:
            column = field.get_col(self.alias)
            converters = [
                *db.ops.get_db_converters(column),
                *column.get_db_converters(db),
            ]
            found.append((column, converters))
        return found

    def build(self, values: Sequence[Any], db: BaseDatabaseWrapper) -> Model | None:
        """The instance for this part's slice of a row; None when its primary key is NULL
        (a LEFT JOIN that found nothing)."""
        converted = []
        for field, value, (column, converters) in zip(
            self.fields, values, self._converters, strict=True
        ):
            for convert in converters:
                value = convert(value, column, db)
            if field.primary_key and value is None:
                return None
            converted.append(value)
        return self.model.from_db(db.alias, self.names, converted)


def _db() -> BaseDatabaseWrapper:
    """The default connection itself: `django.db.connection` is a proxy that looks the
    connection up again on every attribute read."""
    return connections[DEFAULT_DB_ALIAS]


def _cursor(db: BaseDatabaseWrapper) -> Any:
    """Django's cursor wrapper (query logging, error translation) around, on PostgreSQL, a
    server-binding psycopg cursor. These statements are the same text on every call, so the
    connection prepares each after a few runs (`prepare_threshold` in settings) and the server
    stops parsing and planning them; the ORM's own cursors bind on the client and are never
    prepared."""
    if db.vendor != "postgresql":
        return db.cursor()
    db.ensure_connection()
    db.validate_thread_sharing()
    raw = psycopg.Cursor(db.connection)
    if db.queries_logged:
        return _LoggedCursor(raw, db)
    return CursorWrapper(raw, db)


class _LoggedCursor(CursorWrapper):
    """Logs what Django's debug cursor logs (tests count queries with it). A prepared
    statement has no text of its own to show, so the log has the statement with its values
    composed in."""

    def execute(self, sql: Any, params: Any = None) -> Any:
        start = time.monotonic()
        try:
            return super().execute(sql, params)
        finally:
            self.db.queries_log.append(
                {
                    "sql": self.db.ops.compose_sql(sql, params),
                    "time": f"{time.monotonic() - start:.3f}",
                }
            )


def fetch_one(sql: str, params: Sequence[Any], *parts: Part) -> tuple[Any, ...] | None:
    """The first row as one instance per part (None for a part whose primary key is NULL),
    or None when there is no row."""
    db = _db()
    with _cursor(db) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    built = []
    start = 0
    for part in parts:
        built.append(part.build(row[start : start + len(part.fields)], db))
        start += len(part.fields)
    return tuple(built)


def first(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The first row a SELECT or an INSERT/UPDATE … RETURNING answers, unconverted (use it
    for integers and strings); None when there is none."""
    with _cursor(_db()) as cursor:
        cursor.execute(sql, params)
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row


def execute(sql: str, params: Sequence[Any]) -> int:
    """Run one statement; the number of rows it wrote."""
    with _cursor(_db()) as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def prep(model: type[Model], name: str, value: Any) -> Any:
    """A value as the model's field writes it into a statement's parameters."""
    field = cast("Field[Any, Any]", model._meta.get_field(name))
    return field.get_db_prep_save(value, _db())


def for_update(alias: str) -> str:
    """Row locks on PostgreSQL; SQLite needs none, its IMMEDIATE transactions take the
    database's write lock when they begin."""
    return f" FOR UPDATE OF {alias}" if _db().features.has_select_for_update_of else ""


_INSERTS: dict[tuple[str, type[Model]], tuple[str, list[Field[Any, Any]]]] = {}


def _insert_statement(
    model: type[Model], db: BaseDatabaseWrapper
) -> tuple[str, list[Field[Any, Any]]]:
    key = (db.vendor, model)
    if key not in _INSERTS:
        meta = model._meta
        assert meta.pk is not None
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        quote = db.ops.quote_name
        columns = ", ".join(quote(str(f.column)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        # Identifiers from the model's metadata; every value is a parameter.
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks}) "  # noqa: S608
            f"RETURNING {quote(str(meta.pk.column))}"
        )
        _INSERTS[key] = (sql, fields)
    return _INSERTS[key]


def insert(obj: Model) -> Model:
    """Save a new instance with one INSERT … RETURNING its primary key: what
    save(force_insert=True) does (auto_now_add, defaults already set on the instance), without
    compiling a query or sending signals (callers are models that have no receivers)."""
    db = _db()
    sql, fields = _insert_statement(type(obj), db)
    values = [f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields]
    with _cursor(db) as cursor:
        cursor.execute(sql, values)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding = False
    obj._state.db = db.alias
    return obj
