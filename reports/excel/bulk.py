"""Writing many new rows of one model at once, as fast as the database takes them.

On PostgreSQL the rows get their ids from the table's own sequence (one statement) and go in
by COPY (one stream): an import of 10,000 suggestions writes some 70,000 rows, and Django's
`bulk_create` spends most of its time building each row's SQL parameters, not in the database.
Elsewhere (SQLite, the tests' default) it is `bulk_create`. Either way the objects come back
saved, with their ids, as `bulk_create` leaves them; no `save()` and no signals, as with
`bulk_create`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Field, ForeignKey, Model

_M = TypeVar("_M", bound=Model)

# Field types whose Python value psycopg writes as it is, without the field converting it (the
# objects hold aware datetimes, as everywhere with USE_TZ).
_PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def insert(model: type[_M], objects: Sequence[_M], *, batch_size: int = 1000) -> None:
    """Insert `objects`, new instances of `model` whose related objects are saved already."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=batch_size)  # (`objects` on every model here)
        return
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if f is not pk]
    relations = [f for f in fields if isinstance(f, ForeignKey)]  # (one-to-one fields too)
    for obj in objects:
        for relation in relations:
            if getattr(obj, relation.attname) is None:
                related = relation.get_cached_value(obj, None)
                if related is not None:
                    if related.pk is None:
                        raise ValueError(f"{model.__name__}.{relation.name}: the related object is not saved")
                    setattr(obj, relation.attname, related.pk)
    # An `auto_now_add` column: the one moment of this insert, on every object.
    for f in fields:
        if _stamped(f):
            moment = f.pre_save(objects[0], True)
            for obj in objects:
                setattr(obj, f.attname, moment)
    # The plain columns in one C-level call per row; the others through their field.
    plain = [f for f in fields if f.get_internal_type() in _PLAIN]
    others = [f for f in fields if f not in plain]
    take_plain = _plain_getter([f.attname for f in plain])
    getters = [_getter(f) for f in others]
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objects)],
        )
        ids = [pk_value for (pk_value,) in cursor.fetchall()]
        columns = ", ".join(quote(f.column) for f in [pk, *plain, *others])
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for pk_value, obj in zip(ids, objects, strict=True):
                copy.write_row((pk_value, *take_plain(obj), *[get(obj) for get in getters]))
    for pk_value, obj in zip(ids, objects, strict=True):
        obj.pk = pk_value
        obj._state.adding = False
        obj._state.db = connection.alias


def _plain_getter(attnames: list[str]) -> Callable[[Model], tuple[Any, ...]]:
    if len(attnames) > 1:
        return attrgetter(*attnames)
    return lambda obj: tuple(getattr(obj, name) for name in attnames)


def _stamped(field: Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _getter(field: Field[Any, Any]) -> Callable[[Model], Any]:
    """How a column that is not plain is taken from an object: through its field (JSON…)."""
    attname = field.attname
    return lambda obj: field.get_db_prep_save(getattr(obj, attname), connection)
