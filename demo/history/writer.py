"""Where a chunk's rows go: PostgreSQL COPY (psycopg 3) on PostgreSQL, bulk_create elsewhere,
behind one small interface. Primary keys are reserved ahead (rows point at each other and
events name them) and the day's ticket-number counters are raised to the last number used,
so that tickets created later by intake continue after them."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    JSONField,
    Max,
    Model,
    TextField,
)
from django.utils import timezone

from demo.history.rows import Row
from tickets.models import TicketNumberSequence


class RowWriter(Protocol):
    # Whether rows may come as COPY text made elsewhere (copy_text) through text_write.
    encodes: bool

    def ids_reserve(self, model: type[Model], count: int) -> list[int]: ...

    def rows_write(self, model: type[Model], columns: Sequence[str],
                   rows: Sequence[Row]) -> None: ...

    def text_write(self, model: type[Model], columns: Sequence[str], data: bytes) -> None: ...

    def sequences_read(self, first: date, last: date) -> dict[date, int]: ...

    def sequences_write(self, lasts: dict[date, int]) -> None: ...


class _NumberSequences:
    """TicketNumberSequence through the ORM: a few hundred rows, the same on every database."""

    def sequences_read(self, first: date, last: date) -> dict[date, int]:
        return dict(TicketNumberSequence.objects.filter(day__gte=first, day__lte=last)
                    .values_list("day", "last"))

    def sequences_write(self, lasts: dict[date, int]) -> None:
        TicketNumberSequence.objects.bulk_create(
            [TicketNumberSequence(day=day, last=last) for day, last in lasts.items()],
            update_conflicts=True, unique_fields=["day"], update_fields=["last"])


def _copy_fields(model: type[Model], columns: Sequence[str]) -> tuple[list[Any], Row]:
    """The fields a COPY names, and the values appended to every row for the fields the
    story does not know of (added since): their model default, as an ORM insert gives."""
    rest = [f for f in model._meta.concrete_fields
            if f.attname not in columns and not f.primary_key]
    tail = tuple(timezone.now() if getattr(f, "auto_now", False)
                 or getattr(f, "auto_now_add", False) else f.get_default() for f in rest)
    return [model._meta.get_field(c) for c in columns] + rest, tail


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


# One value in COPY's text format, one function per kind of column.
def _text(value: str | None) -> str:
    if value is None:
        return _NULL
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


_JSON = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per value


def _json(value: Any) -> str:
    return _text(_JSON(value))


def _moment(value: datetime | None) -> str:
    return _NULL if value is None else value.isoformat()


def _flag(value: bool | None) -> str:
    return _NULL if value is None else ("t" if value else "f")


def _number(value: Any) -> str:  # ints, keys, floats, dates
    return _NULL if value is None else str(value)


def _format_for(field: Any) -> Callable[[Any], str]:
    if isinstance(field, JSONField):
        return _json
    if isinstance(field, BooleanField):
        return _flag
    if isinstance(field, DateTimeField):
        return _moment
    if isinstance(field, CharField | TextField):
        return _text
    return _number


def copy_text(model: type[Model], columns: Sequence[str], rows: Sequence[Row]) -> bytes:
    """The rows as COPY FROM STDIN text: made where the rows are (a worker), so the writing
    process only streams bytes."""
    fields, tail = _copy_fields(model, columns)
    formats = [_format_for(f) for f in fields]
    lines = ["\t".join([f(v) for f, v in zip(formats, row + tail, strict=True)])
             for row in rows]
    return ("\n".join(lines) + "\n").encode() if lines else b""


class PostgresCopyWriter(_NumberSequences):
    encodes = True

    def ids_reserve(self, model: type[Model], count: int) -> list[int]:
        # nextval() hands out each id once, whoever else inserts meanwhile.
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                           "FROM generate_series(1, %s)", [model._meta.db_table, count])
            return [row[0] for row in cursor.fetchall()]

    def _sql(self, model: type[Model], fields: list[Any]) -> str:
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        return f"COPY {connection.ops.quote_name(model._meta.db_table)} ({names}) FROM STDIN"

    def rows_write(self, model: type[Model], columns: Sequence[str],
                   rows: Sequence[Row]) -> None:
        if rows:
            self.text_write(model, columns, copy_text(model, columns, rows))

    def text_write(self, model: type[Model], columns: Sequence[str], data: bytes) -> None:
        if not data:
            return
        fields, _tail = _copy_fields(model, columns)
        with connection.cursor() as cursor, cursor.cursor.copy(self._sql(model, fields)) as copy:
            copy.write(data)


class OrmBulkWriter(_NumberSequences):
    """SQLite (tests, the embedded demo): ids counted on from the largest one, which holds
    while this is the only writer."""

    encodes = False

    def __init__(self) -> None:
        self._next: dict[type[Model], int] = {}

    def ids_reserve(self, model: type[Model], count: int) -> list[int]:
        if model not in self._next:
            self._next[model] = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
        first = self._next[model]
        self._next[model] = first + count
        return list(range(first, first + count))

    def rows_write(self, model: type[Model], columns: Sequence[str],
                   rows: Sequence[Row]) -> None:
        objects: list[Any] = [model(**dict(zip(columns, row, strict=True))) for row in rows]
        model._default_manager.bulk_create(objects, batch_size=500)

    def text_write(self, model: type[Model], columns: Sequence[str], data: bytes) -> None:
        raise NotImplementedError("COPY text is for PostgreSQL only")


def row_writer_for_database() -> RowWriter:
    return PostgresCopyWriter() if connection.vendor == "postgresql" else OrmBulkWriter()
