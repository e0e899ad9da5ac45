"""Reads of a fixed shape compiled to SQL once per process, then run with new parameters.

Building and compiling a Django query costs 0.5-1 ms of CPU, several times what running it on a
kept connection costs; the GP's few hot reads (every answer, every image) have a fixed shape.
So their query is built once with marker values standing for the parameters, compiled, and
from then on only executed, its values converted as the ORM converts them (JSON, SQLite's
dates). Only whole numbers and strings can be parameters: they reach the SQL unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.expressions import Expression
from modeltranslation.translator import translator

Row = tuple[Any, ...]
# Whole-number markers start here: high enough to differ from the small fixed values a query
# may hold, low enough for a small-integer column (Django refuses a value out of its range).
FIRST_MARKER = 32001


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[tuple[str | None, Any], ...]  # (parameter name, or None and a fixed value)
    expressions: tuple[Expression, ...]
    converters: tuple[tuple[int, tuple[Any, ...]], ...]  # (column, its converters)


class CompiledValues:
    """``build(**markers)`` returns a ``values_list`` query; ``rows(**params)`` runs it.

    ``params`` name the parameters, each as ``int`` or ``str``; the query is compiled on first
    use for the database vendor in use (the tests switch between PostgreSQL and SQLite).
    """

    def __init__(self, build: Callable[..., QuerySet[Any, Any]], **params: type) -> None:
        self.build = build
        self.types = params
        self._compiled: dict[str, _Compiled] = {}

    def _compile(self) -> _Compiled:
        numbers = itertools.count(FIRST_MARKER)
        markers: dict[str, Any] = {
            name: next(numbers) if kind is int else f"\x00{name}"
            for name, kind in self.types.items()
        }
        by_value = {value: name for name, value in markers.items()}
        queryset = self.build(**markers)
        if getattr(queryset, "_rewrite", False):
            # modeltranslation's queryset picks its columns (and their order) by the active
            # language: compiled once, it would serve one language's order to every request.
            raise ValueError(
                f"{queryset.model.__name__} has texts per language: build the query from "
                f"{queryset.model.__name__}.objects.rewrite(False)."
            )
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = tuple((by_value.get(p), None if p in by_value else p) for p in params)
        missing = set(markers) - {name for name, _ in slots if name is not None}
        if missing:
            raise ValueError(f"Parameters not in the compiled query: {sorted(missing)}")
        expressions = tuple(column[0] for column in compiler.select)
        converters = tuple(
            (i, tuple(functions))
            for i, expression in enumerate(expressions)
            if (
                functions := connection.ops.get_db_converters(expression)
                + expression.get_db_converters(connection)
            )
        )
        return _Compiled(sql, slots, expressions, converters)

    def rows(self, **params: Any) -> list[Row]:
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiled = self._compiled[connection.vendor] = self._compile()
        values = [params[name] if name is not None else fixed for name, fixed in compiled.params]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, values)
            rows: list[Row] = cursor.fetchall()
        if not compiled.converters:
            return rows
        out = []
        for row in rows:
            values = list(row)
            for i, functions in compiled.converters:
                for convert in functions:
                    values[i] = convert(values[i], compiled.expressions[i], connection)
            out.append(tuple(values))
        return out


def fields_of(model: type[Model], prefix: str = "") -> list[str]:
    """The names ``values_list`` takes for every stored field of ``model`` (FKs as ``x_id``).

    A text stored per language (modeltranslation) is read from its language columns only:
    the original column's name would be rewritten to the active language's, a column twice."""
    translated = _translated_fields(model)
    return [
        prefix + field.attname
        for field in model._meta.concrete_fields
        if field.name not in translated
    ]


def _translated_fields(model: type[Model]) -> set[str]:
    if model not in translator.get_registered_models():
        return set()
    return set(translator.get_options_for_model(model).all_fields)


def instance(model: type[Model], names: Sequence[str], values: Sequence[Any]) -> Any:
    """A model instance from database values, as the ORM builds one (``Model.from_db``)."""
    return model.from_db(connection.alias, list(names), list(values))


class CompiledUpdate:
    """``UPDATE <table> SET <fields> WHERE <pk> = %s`` for a fixed set of a model's fields, its
    SQL written once per database vendor; values are prepared as ``Model.save`` prepares them.
    No signals are sent (the same as ``QuerySet.update``)."""

    def __init__(self, model: type[Model], fields: Sequence[str]) -> None:
        by_name = {field.name: field for field in model._meta.concrete_fields}
        self.fields = [by_name[name] for name in fields]
        self.table = model._meta.db_table
        self.pk_column = str(model._meta.concrete_fields[0].column)
        if not model._meta.concrete_fields[0].primary_key:
            raise ValueError(f"{model.__name__}: the primary key is not the first field")
        self._sql: dict[str, str] = {}

    def _statement(self) -> str:
        sql = self._sql.get(connection.vendor)
        if sql is None:
            quote = connection.ops.quote_name
            assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in self.fields)
            where = f"{quote(self.pk_column)} = %s"
            sql = f"UPDATE {quote(self.table)} SET {assignments} WHERE {where}"  # noqa: S608 - names from the model, values bound
            self._sql[connection.vendor] = sql
        return sql

    def run(self, pk: Any, **values: Any) -> int:
        """Set ``values`` (every field named at construction) on the row ``pk``; rows changed."""
        params = [field.get_db_prep_save(values[field.name], connection) for field in self.fields]
        with connection.cursor() as cursor:
            cursor.execute(self._statement(), [*params, pk])
            return int(cursor.rowcount)

    def save(self, instance: Model) -> int:
        """Write the instance's current values of the fields."""
        values = {field.name: getattr(instance, field.attname) for field in self.fields}
        return self.run(instance.pk, **values)


class CompiledInsert:
    """``INSERT`` of a model's rows (every stored field but an automatic primary key), its SQL
    written once per database vendor and number of rows; values prepared as ``Model.save``
    prepares them (``pre_save``, then ``get_db_prep_save``). No signals are sent (the same as
    ``bulk_create``)."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        pk = model._meta.pk
        assert pk is not None
        self.pk_column = str(pk.column)
        self.fields = [
            field
            for field in model._meta.concrete_fields
            if not (field is pk and getattr(field, "db_returning", False))
        ]
        self._sql: dict[tuple[str, int, bool], str] = {}

    def _statement(self, rows: int, returning: bool) -> str:
        key = (connection.vendor, rows, returning)
        sql = self._sql.get(key)
        if sql is None:
            quote = connection.ops.quote_name
            columns = ", ".join(quote(str(field.column)) for field in self.fields)
            one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
            sql = f"INSERT INTO {quote(self.model._meta.db_table)} ({columns}) VALUES "  # noqa: S608 - names from the model, values bound
            sql += ", ".join([one] * rows)
            if returning:
                sql += f" RETURNING {quote(self.pk_column)}"
            self._sql[key] = sql
        return sql

    def _values(self, instance: Model) -> list[Any]:
        return [
            field.get_db_prep_save(field.pre_save(instance, True), connection)
            for field in self.fields
        ]

    def insert(self, instances: Sequence[Model]) -> None:
        """Write the rows; their ids are not read back."""
        if not instances:
            return
        params = [value for instance in instances for value in self._values(instance)]
        with connection.cursor() as cursor:
            cursor.execute(self._statement(len(instances), False), params)

    def insert_one(self, instance: Model) -> None:
        """Write one row and give the instance its new id (``Model.save`` where the database
        cannot return it)."""
        if not connection.features.can_return_columns_from_insert:
            instance.save(force_insert=True)
            return
        with connection.cursor() as cursor:
            cursor.execute(self._statement(1, True), self._values(instance))
            instance.pk = cursor.fetchone()[0]
        instance._state.adding = False
        instance._state.db = connection.alias
