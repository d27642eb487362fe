"""Related tables: primary and foreign keys with referential integrity by construction.

:class:`Tables` holds named rule-based tables (:class:`~synthbench.Schema`) and the
:class:`ForeignKey` relations between them; ``sample(n, seed=)`` returns a dict
``{table name: DataFrame}``.

How the tables are made:

* Tables are made parents first. A table with a *driving* foreign key (one with
  ``children=``) is a child: each parent row gets a number of children drawn from
  the declared count distribution (:class:`Fixed`, :class:`Poisson`,
  :class:`NegativeBinomial`, :class:`Empirical`; zero allowed), optionally by a
  parent column (``by=`` and ``children_by=``), and the foreign key is copied from
  that parent row. Every other table is a *root* whose size comes from ``n``.
* Other foreign keys of a table (no ``children=``) pick a row of their parent
  uniformly: an order has a customer (driving) and a store (picked).
* A self-reference (``parent == child``, e.g. an employee's manager) points at an
  earlier row picked uniformly, so the references form a tree; the first row (the
  root) has a missing value.
* A child column declared as an :class:`~synthbench.columns.Id` with the foreign
  key's name is both primary and foreign key (a one-to-one table); the relation
  must then make at most one child per parent.
* ``parent_columns=[...]`` copies parent columns into the child *before* its own
  columns are made, so its ``Derived`` columns, ``by=`` and constraints can read them
  (an order's date on or after its customer's signup: ``Derived("date", expr="signup +
  days(delay)")``). Copied columns are not part of the child's output.

All of it is done by the kernels of :mod:`synthbench.kernels.relational` and
:mod:`synthbench.kernels.rules`: ``sample`` runs the plan, ``to_code`` writes the
same calls into one cell that builds ``dfs``.

>>> import synthbench as sb
>>> gen = Tables.example()
>>> dfs = gen.sample(50, seed=0)
>>> list(dfs)
['customers', 'stores', 'profiles', 'orders', 'items']
>>> dfs["orders"]["customer_id"].isin(dfs["customers"]["customer_id"]).all()
np.True_
"""

from __future__ import annotations

import contextlib
import inspect
import json
import math
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..base import Generator, check_memory, check_n
from ..codegen import CodeCell, Plan, Ref, pretty
from ..exceptions import DataError, InvalidParameterError, SpecError, SynthbenchError
from ..kernels import relational as kr
from ..kernels import rules as k
from ..params import Component, ComponentOf, Float, Int, ListOf, MapOf, Optional, Options, Param, Str, short_repr
from ..registry import get_generator, register
from ..scale import _pyarrow, _replace, _temporary
from .columns import Id, Setup, column_key
from .schema import BLOCK_SIZE, Schema

__all__ = [
    "Empirical",
    "FittedTables",
    "Fixed",
    "ForeignKey",
    "NegativeBinomial",
    "Poisson",
    "Tables",
    "iter_table_blocks",
    "stream_parquet",
    "tables_to_dask",
    "write_duckdb",
    "write_json_fixtures",
    "write_parquet",
    "write_sqlite",
]

#: Largest mean number of children per parent (memory is checked separately).
MAX_MEAN = 1e9
#: Most tables and relations one spec may hold.
MAX_TABLES = 100

_TABLE_NAME = Str(
    pattern=r"[^\x00\ud800-\udfff]+",
    max_len=200,
    what="a non-empty str without NUL or lone surrogates (at most 200 characters)",
)
_COLUMN_NAME = Str(
    pattern=r"[^\n\r`\ud800-\udfff]+",
    max_len=200,
    what="a non-empty single-line str without backticks (at most 200 characters)",
)


# -- count distributions ----------------------------------------------------------------------
class Counts(Component):
    """Base class of the distributions of children per parent."""

    def spec(self) -> tuple[Any, ...]:
        """The literal the kernels read (see :mod:`synthbench.kernels.relational`)."""
        raise NotImplementedError

    def expected(self) -> float:
        """The mean count."""
        raise NotImplementedError

    def most(self) -> float:
        """The largest count it can draw."""
        return math.inf


class Fixed(Counts):
    """Exactly ``count`` children per parent (1: one-to-one; 0: none)."""

    params = (Param("count", Int(0, 10**9), help="Children per parent."),)

    def spec(self) -> tuple[Any, ...]:
        return ("fixed", self.count)

    def expected(self) -> float:
        return float(self.count)

    def most(self) -> float:
        return float(self.count)


class Poisson(Counts):
    """A Poisson number of children with this mean."""

    params = (Param("mean", Float(0, MAX_MEAN), help="Mean children per parent."),)

    def spec(self) -> tuple[Any, ...]:
        return ("poisson", float(self.mean))

    def expected(self) -> float:
        return float(self.mean)


class NegativeBinomial(Counts):
    """An overdispersed count: variance ``mean + mean**2 / dispersion``."""

    params = (
        Param("mean", Float(0, MAX_MEAN), help="Mean children per parent."),
        Param("dispersion", Float(0.01, 1e6), 1.0, "Smaller: more spread (variance grows)."),
    )

    def spec(self) -> tuple[Any, ...]:
        return ("negative_binomial", float(self.mean), float(self.dispersion))

    def expected(self) -> float:
        return float(self.mean)


class Empirical(Counts):
    """``probabilities[k]`` is the chance of ``k`` children (k = 0, 1, ...)."""

    params = (
        Param(
            "probabilities",
            ListOf(Float(0, 1), min_len=1, max_len=10_000),
            help="Chance of 0, 1, 2, ... children; sums to 1.",
        ),
    )

    def _check_params(self) -> None:
        total = math.fsum(self.probabilities)
        if abs(total - 1) > 1e-6:
            raise self.invalid("probabilities", f"must sum to 1 (they sum to {total:.6g})", self.probabilities)

    def spec(self) -> tuple[Any, ...]:
        return ("empirical", [float(p) for p in self.probabilities])

    def expected(self) -> float:
        return math.fsum(k * p for k, p in enumerate(self.probabilities))

    def most(self) -> float:
        return float(max(k for k, p in enumerate(self.probabilities) if p > 0))


COUNTS = {"Fixed": Fixed, "Poisson": Poisson, "NegativeBinomial": NegativeBinomial, "Empirical": Empirical}


class ForeignKey(Component):
    """A foreign key: ``child.column`` holds a ``parent.key`` value.

    Parameters
    ----------
    child, column : str
        The table holding the foreign key and the key's column name.
    parent, key : str
        The referenced table and its key column: an ``Id`` column of the parent.
    children : Counts, optional
        Children per parent row (a driving relation: the child's rows are made per
        parent). None: each child row picks a parent row uniformly.
    by : str, optional
        A parent column whose value (as text) picks the count distribution from
        ``children_by``; other values use ``children``.
    children_by : dict of str to Counts
        Count distribution per value of ``by``.
    parent_columns : list of str
        Parent columns copied into the child before its columns are made, so its
        expressions and constraints can read them (not part of the output).
    """

    params = (
        Param("child", _TABLE_NAME, help="Table holding the foreign key."),
        Param("column", _COLUMN_NAME, help="Foreign key column of the child."),
        Param("parent", _TABLE_NAME, help="Referenced table."),
        Param("key", _COLUMN_NAME, help="Key column of the parent (an Id column)."),
        Param("children", Optional(ComponentOf(COUNTS, "a count distribution")), None, "Children per parent row."),
        Param("by", Optional(_COLUMN_NAME), None, "Parent column that picks the count distribution."),
        Param("children_by", MapOf(ComponentOf(COUNTS, "a count distribution")), {}, "Counts per value of by."),
        Param("parent_columns", ListOf(_COLUMN_NAME, max_len=200, unique=True), (), "Parent columns to read."),
    )

    @property
    def driving(self) -> bool:
        return self.children is not None and not self.self_reference

    @property
    def self_reference(self) -> bool:
        return self.child == self.parent

    def _check_params(self) -> None:
        for counts in self.children_by.values():
            counts.validate()
        if self.children_by and self.by is None:
            raise self.invalid("children_by", "must be empty unless 'by' names a parent column", self.children_by)
        if self.by is not None and self.children is None:
            raise self.invalid("by", "needs 'children' (the counts for other values)", self.by)
        if self.self_reference:
            if self.children is not None or self.parent_columns:
                raise self.invalid(
                    "children",
                    "must be None for a self-reference (each row points at an earlier row; no parent_columns)",
                    self.children,
                )
            if self.column == self.key:
                raise self.invalid("column", "must differ from 'key' in a self-reference", self.column)

    def counts_spec(self) -> tuple[Any, list[tuple[str, Any]]]:
        return self.children.spec(), [(value, c.spec()) for value, c in self.children_by.items()]

    def expected(self) -> float:
        return max([self.children.expected(), *(c.expected() for c in self.children_by.values())])

    def most(self) -> float:
        return max([self.children.most(), *(c.most() for c in self.children_by.values())])


def _derive(seed: int, *words: int) -> int:
    """A seed for one stream of one table, from the sample's seed (same in every process)."""
    return int(np.random.SeedSequence([seed, *words]).generate_state(1)[0])


class _Streams:
    """Block-wise output of related tables (see :func:`stream_parquet`)."""

    def iter_table_blocks(self, n: Any, *, seed: int | None = None, block_rows: int = 65_536) -> Any:
        """The tables block by block, keys continued (see :func:`iter_table_blocks`)."""
        return iter_table_blocks(self, n, seed=seed, block_rows=block_rows)

    def stream_parquet(
        self,
        path: str | os.PathLike,
        n: Any,
        *,
        seed: int | None = None,
        block_rows: int = 65_536,
        overwrite: bool = False,
        progress: bool = True,
    ) -> Path:
        """Stream the tables to Parquet with bounded memory (see :func:`stream_parquet`)."""
        return stream_parquet(self, path, n, seed=seed, block_rows=block_rows, overwrite=overwrite, progress=progress)

    def to_dask(  # type: ignore[override]
        self, n: Any, *, table: str, seed: int | None = None, block_rows: int = 65_536
    ) -> Any:
        """One table as a lazy Dask frame, one partition per block (see :func:`tables_to_dask`)."""
        return tables_to_dask(self, n, table, seed=seed, block_rows=block_rows)


@register
class Tables(_Streams, Generator):
    """Several related tables: primary keys, foreign keys and children per parent.

    Parameters
    ----------
    tables : dict of str to Schema
        The tables by name, each a :class:`~synthbench.Schema`.
    relations : list of ForeignKey
        The foreign keys (see :class:`ForeignKey`): driving ones make a child's rows
        per parent, others pick a parent row, self-references make a tree.
    sizes : dict of str to int
        Fixed row counts of root tables (e.g. 5 stores); other roots get ``n`` rows.

    ``sample(n, seed=)`` takes ``n`` rows for each root table without a fixed size, or
    a dict of sizes by root table, and returns ``{table name: DataFrame}``.
    """

    family: ClassVar[str] = "relational"
    #: A first panel: the controls and one table's preview (see :func:`__getattr__`).
    panel: ClassVar[str] = "synthbench.generators.relational:TablesPanel"
    multi_table: ClassVar[bool] = True
    why_not_streamable: ClassVar[str] = (
        "a child table's rows depend on its parents' rows; stream the tables with "
        "stream_parquet(path, n) (bounded memory, keys continued across files) or write them with "
        "write_sqlite, write_duckdb, write_parquet or write_json_fixtures"
    )
    params = (
        Param("tables", MapOf(ComponentOf({"Schema": Schema}, "a Schema"), min_len=1), help="Tables by name."),
        Param(
            "relations",
            ListOf(ComponentOf({"ForeignKey": ForeignKey}, "a ForeignKey"), max_len=200),
            (),
            "Foreign keys between the tables.",
        ),
        Param("sizes", MapOf(Int(0, 2**40)), {}, "Fixed row counts of root tables."),
    )

    @classmethod
    def example(cls) -> Tables:
        """A shop: customers (with a one-to-one profile), 5 stores, orders, order items."""
        from . import columns as c

        return cls(
            tables={
                "customers": Schema(
                    columns=[
                        c.Id("customer_id", prefix="C-", width=5),
                        c.Categorical("tier", categories=["basic", "gold"], weights=[0.8, 0.2]),
                        c.Datetime("signup", start="2020-01-01", end="2023-12-31", freq="D"),
                    ]
                ),
                "stores": Schema(columns=[c.Id("store_id"), c.Categorical("city", categories=["Berlin", "Paris"])]),
                "profiles": Schema(columns=[c.Id("customer_id"), c.Boolean("newsletter", p=0.3)]),
                "orders": Schema(
                    columns=[
                        c.Id("order_id", start=1000),
                        c.Integer("delay", params={"low": 0, "high": 365}),
                        c.Derived("date", expr="signup + days(delay)"),
                        c.Float("amount", distribution="normal", params={"loc": 50, "scale": 10}, decimals=2),
                        c.Derived("discount", expr="where(tier == 'gold', 0.1, 0.0)"),
                    ]
                ),
                "items": Schema(
                    columns=[
                        c.Id("item_id"),
                        c.Integer("quantity", params={"low": 1, "high": 5}),
                    ]
                ),
            },
            relations=[
                ForeignKey(child="profiles", column="customer_id", parent="customers", key="customer_id",
                           children=Fixed(count=1)),
                ForeignKey(child="orders", column="customer_id", parent="customers", key="customer_id",
                           children=Poisson(mean=1.5), by="tier", children_by={"gold": Poisson(mean=4.0)},
                           parent_columns=["tier", "signup"]),
                ForeignKey(child="orders", column="store_id", parent="stores", key="store_id"),
                ForeignKey(child="items", column="order_id", parent="orders", key="order_id",
                           children=Empirical(probabilities=[0.0, 0.5, 0.3, 0.2])),
            ],
            sizes={"stores": 5},
        )  # fmt: skip

    # -- validation -------------------------------------------------------------------
    def _check_params(self) -> None:
        names = list(self.tables)
        if len(names) > MAX_TABLES:
            raise self.invalid("tables", f"must hold at most {MAX_TABLES} tables", f"{len(names)} tables")
        lowered: dict[str, str] = {}
        for name in names:
            if not _TABLE_NAME.is_satisfied_by(name):
                raise self.invalid("tables", f"must have names that are each {_TABLE_NAME.describe()}", name)
            other = lowered.setdefault(_ascii_lower(name), name)
            if other != name:
                raise self.invalid("tables", f"must have names that differ in more than case ({other!r})", name)
        for name, schema in self.tables.items():
            # Each table is checked whole below, with the parent columns it reads; first
            # only its declared parameters, so the relations can be checked against them.
            for p in type(schema).params:
                if not p.constraint.is_satisfied_by(getattr(schema, p.name)):
                    exc = schema.invalid(p.name, f"must be {p.constraint.describe()}", getattr(schema, p.name))
                    raise type(exc)(f"The 'tables' parameter of Tables, table {name!r}: {exc}")
            for col in schema.columns:
                try:
                    col.validate()
                except InvalidParameterError as exc:
                    raise type(exc)(f"The 'tables' parameter of Tables, table {name!r}: {exc}") from None
        for i, fk in enumerate(self.relations):
            self._check_relation(i, fk)
        for name in self.sizes:
            if name not in self.tables or self._driver(name) is not None:
                raise self.invalid("sizes", f"must name root tables (tables without children=); {name!r} is not", name)
        self._order()
        for name in names:
            try:
                self._augmented(name).validate()
            except InvalidParameterError as exc:
                raise type(exc)(f"The 'tables' parameter of Tables, table {name!r}: {exc}") from None

    def _check_relation(self, i: int, fk: ForeignKey) -> None:
        what = f"relation {i} ({fk.child!r}.{fk.column!r} -> {fk.parent!r}.{fk.key!r})"
        for table in (fk.child, fk.parent):
            if table not in self.tables:
                raise self.invalid("relations", f"must name existing tables; {what} names {table!r}", list(self.tables))
        parent = {c.name: c for c in self.tables[fk.parent].columns}
        child = {c.name: c for c in self.tables[fk.child].columns}
        key = parent.get(fk.key)
        if not isinstance(key, Id) or key.null_rate:
            raise self.invalid(
                "relations", f"must point at an Id column without missing values of the parent; {what} does not", fk.key
            )
        for name in [fk.by] if fk.by is not None else []:
            if name not in parent:
                raise self.invalid("relations", f"must use parent columns for by=; {what} has {name!r}", name)
        for name in fk.parent_columns:
            if name not in parent:
                raise self.invalid("relations", f"must copy parent columns that exist; {what} copies {name!r}", name)
            if name in child:
                raise self.invalid(
                    "relations", f"must not copy a column the child declares; {what} copies {name!r}", name
                )
        declared = child.get(fk.column)
        if declared is not None and not fk.self_reference:
            if not (isinstance(declared, Id) and fk.driving and fk.most() <= 1):
                raise self.invalid(
                    "relations",
                    f"must not fill a declared child column unless it is an Id and at most one child per parent "
                    f"(a one-to-one key both primary and foreign); {what} does",
                    fk.column,
                )
        elif declared is not None:
            raise self.invalid(
                "relations", f"must not fill a declared column with a self-reference; {what} does", fk.column
            )
        drivers = [j for j, r in enumerate(self.relations[: i + 1]) if r.child == fk.child and r.driving]
        if len(drivers) > 1:
            raise self.invalid(
                "relations", f"must give children= to one relation per child table; {what} is a second", fk.child
            )
        links = [n for r in self.relations if r.child == fk.child for n in (r.column, *r.parent_columns)]
        if len(set(links)) != len(links):
            raise self.invalid("relations", f"must fill each child column once; {what} repeats one", links)

    def _driver(self, name: str) -> ForeignKey | None:
        return next((r for r in self.relations if r.child == name and r.driving), None)

    def _order(self) -> list[str]:
        """Table names, each after the tables its foreign keys point at."""
        return _parents_first(self, list(self.tables))

    def roots(self) -> list[str]:
        """Tables whose size comes from ``n`` or ``sizes`` (no driving foreign key)."""
        return [t for t in self.tables if self._driver(t) is None]

    # -- one table's plan -----------------------------------------------------------------
    def _links(self, name: str) -> list[str]:
        """Columns a table gets from its parents (foreign keys, then copied columns)."""
        return [
            n for r in self.relations if r.child == name and not r.self_reference for n in (r.column, *r.parent_columns)
        ]

    def _output(self, name: str) -> list[str]:
        """The table's columns in output order: declared ones, foreign keys after the first Id."""
        declared = [c.name for c in self.tables[name].columns]
        extra = [r.column for r in self.relations if r.child == name and r.column not in declared]
        at = 1 if isinstance(self.tables[name].columns[0], Id) else 0
        return declared[:at] + extra + declared[at:]

    def _augmented(self, name: str) -> Schema:
        """The table's Schema with a stand-in column for each linked column (for checks and order)."""
        schema = self.tables[name]
        links = self._links(name)
        own = [c for c in schema.columns if c.name not in links]
        return Schema(
            columns=[Id(n) for n in links] + own,
            constraints=schema.constraints,
            on_violation=schema.on_violation,
            max_attempts=schema.max_attempts,
        )

    def _others(self, name: str, seed: int) -> list[tuple[Any, ...]]:
        key = column_key(name)
        return [
            (r.parent, r.key, r.column, list(r.parent_columns), _derive(seed, key, column_key(r.column), 2))
            for r in self.relations
            if r.child == name and not r.driving and not r.self_reference
        ]

    def _table_plan(
        self, i: int, name: str, rows: int | None, seed: int, setup: Setup, code: bool
    ) -> tuple[Plan, Any, Any]:
        """The calls that make table ``name`` (number ``i``) into ``dfs``, and its column
        and constraint tables (the literals ``COLUMNS_i`` and ``CONSTRAINTS_i``)."""
        tkey = column_key(name)
        schema = self._augmented(name)
        link = Ref(f"link_{i}")
        links = self._links(name)
        setup.seed = _derive(seed, tkey, 0)
        table = [
            (n, key, kr.from_link, {"link": link, "column": n}, None) if n in links else (n, key, kernel, args, missing)
            for n, key, kernel, args, missing in schema._table(setup)
        ]
        constraints = schema._constraint_table()
        plan = Plan()
        driver, others = self._driver(name), self._others(name, seed)
        if driver is not None:
            counts, counts_by = driver.counts_spec()
            extra: dict[str, Any] = {"by": driver.by, "counts_by": counts_by} if driver.by is not None else {}
            if driver.parent_columns:
                extra["copy"] = list(driver.parent_columns)
            if others:
                extra["others"] = others
            plan.call(
                link.name, kr.parent_links, Ref("dfs"), parent=driver.parent, key=driver.key, column=driver.column,
                counts=counts, seed=_derive(seed, tkey, column_key(driver.column), 1), **extra,
                comment=f"Table {i}: children per parent row; their keys and the parent columns they read",
            )  # fmt: skip
        elif others:
            plan.call(
                link.name,
                kr.uniform_links,
                Ref("dfs"),
                n_rows=rows,
                others=others,
                comment=f"Table {i}: keys picked from parents",
            )
        options: dict[str, Any] = {"seed": _derive(seed, tkey, 0)}
        options["columns"] = Ref(f"COLUMNS_{i}") if code else table
        selfs = [r for r in self.relations if r.child == name and r.self_reference]
        final = self._output(name)
        options["output"] = [c for c in final if c not in {r.column for r in selfs}]
        if constraints:
            options.update(
                enforce=k.enforce_constraints,
                constraints=Ref(f"CONSTRAINTS_{i}") if code else constraints,
                on_violation=schema.on_violation,
                max_attempts=schema.max_attempts,
            )
        options["block_size"] = BLOCK_SIZE
        where = ("dfs", name)
        if driver is not None:
            plan.call(where, kr.child_table, k.make_table, link, **options, comment=f"Table {i}: one row per link row")
        else:
            plan.call(where, k.make_table, n_rows=rows, **options, comment=f"Table {i}: a root table of {rows} rows")
        for r in sorted(selfs, key=lambda r: final.index(r.column)):
            plan.call(
                where, kr.self_reference, Ref("dfs"), name, r.key, r.column,
                _derive(seed, tkey, column_key(r.column), 3), final.index(r.column),
                comment=f"Table {i}: each row points at an earlier row (a tree)",
            )  # fmt: skip
        return plan, table, constraints

    # -- sampling ------------------------------------------------------------------------
    def _check_n(self, n: Any, owner: str) -> dict[str, int]:  # type: ignore[override]
        """Rows of each root table, from ``n`` (an int, or a dict by root table)."""
        self.validate()
        roots = self.roots()
        if isinstance(n, dict):
            unknown = [t for t in n if t not in roots]
            if unknown:
                raise InvalidParameterError(
                    f"The 'n' parameter of {owner} must be an int or a dict of sizes by root table {roots}. "
                    f"Got sizes for {short_repr(unknown)}, which are not root tables."
                )
            sizes = {t: n.get(t, self.sizes.get(t)) for t in roots}
            missing = [t for t, v in sizes.items() if v is None]
            if missing:
                raise InvalidParameterError(
                    f"The 'n' parameter of {owner} must give a size for every root table without one in "
                    f"'sizes'. Got none for {short_repr(missing)}."
                )
            return {t: check_n(v, owner=owner) for t, v in sizes.items()}
        rows = check_n(n, owner=owner)
        return {t: self.sizes.get(t, rows) for t in roots}

    def _rows(self, sizes: dict[str, int]) -> dict[str, float]:
        """Expected rows of every table."""
        rows: dict[str, float] = dict(sizes)
        for name in self._order():
            driver = self._driver(name)
            if driver is not None:
                rows[name] = rows[driver.parent] * driver.expected()
        return rows

    def _estimate_bytes(self, n: Any) -> int:
        sizes = n if isinstance(n, dict) else self._check_n(n, "Tables")
        total = 0.0
        for name, rows in self._rows(sizes).items():
            row = self._augmented(name)._row_bytes()
            total += rows * (3 * row + 16) + min(rows, BLOCK_SIZE) * 8 * row
        total += sum(c.setup_bytes() for s in self.tables.values() for c in s.columns)
        return math.ceil(min(total, 1e30))

    def _check_memory(self, n: Any, owner: str) -> None:
        need = self._estimate_bytes(n)
        if need:
            check_memory(need, f"{owner}(n={short_repr(n)})", "Ask for fewer rows or fewer children per parent. ")

    def _plans(self, sizes: dict[str, int], seed: int, code: bool = False) -> tuple[Plan, list[tuple[Any, ...]]]:
        """The shared values' plan (Faker pools, calendar grids), then per table, parents
        first: ``(number, name, plan, column table, constraint table)``."""
        setup = Setup(seed)
        tables = []
        for i, name in enumerate(self._order(), 1):
            tables.append((i, name, *self._table_plan(i, name, sizes.get(name), seed, setup, code)))
        return setup.plan, tables

    def _sample(self, n: Any, seed: int, shared: dict[str, pd.DataFrame] | None = None) -> dict[str, pd.DataFrame]:
        setup, tables = self._plans(n, seed)
        env: dict[str, Any] = {"dfs": {}}
        try:
            env.update(setup.run())
        except SynthbenchError:
            raise
        except Exception as exc:
            raise InvalidParameterError(f"Tables cannot make its shared values: {exc}") from None
        relational = (kr.parent_links, kr.uniform_links, kr.self_reference)
        for _, name, plan, _, _ in tables:
            if shared and name in shared:  # made once for a whole stream (see stream_parquet)
                env["dfs"][name] = shared[name]
                continue
            for step in plan.steps:
                try:
                    env = Plan([step]).run(**env)
                except SynthbenchError:
                    raise
                except Exception as exc:  # a kernel's numpy/pandas error, named for the user
                    if step.func in relational:
                        why: SynthbenchError = InvalidParameterError(
                            f"The 'relations' parameter of Tables: table {name!r} cannot be linked to its "
                            f"parents: {exc}."
                        )
                    else:
                        why = self._augmented(name)._explain(exc)
                        why = type(why)(f"The 'tables' parameter of Tables, table {name!r}: {why}")
                    raise why from None
        for df in env["dfs"].values():
            if "constraints" in df.attrs:
                df.attrs["synthbench"] = df.attrs.pop("constraints")
        return env["dfs"]

    def _to_code(self, n: Any, seed: int) -> str:
        setup, tables = self._plans(n, seed, code=True)
        sizes = ", ".join(str(v) for v in n.values())
        cell = CodeCell(
            f"Tables: {len(self.tables)} related tables ({len(self.roots())} root(s) of {sizes} rows), seed {seed}.\n"
            "Regenerates the tables as the dict `dfs` (table name -> DataFrame)."
        )
        cell.need("import numpy as np", "import pandas as pd")
        # The kernels of the same calls with the column tables inline (the cell names them).
        _, inline = self._plans(n, seed)
        cell.kernels(Plan([*setup.steps, *(s for _, _, p, _, _ in inline for s in p.steps)]).kernels())
        if setup.steps:
            cell.block(None, *setup.lines())
        cell.block("The tables, parents first", "dfs = {}")
        for i, _, plan, table, constraints in tables:
            links = [s for s in plan.steps if s.func in (kr.parent_links, kr.uniform_links)]
            makes = [s for s in plan.steps if s not in links]
            if links:
                cell.block(None, *Plan(links).lines())
            cell.block(
                f"Table {i}: {len(table)} columns as (name, stream key, kernel, arguments, missing)",
                f"COLUMNS_{i} = {pretty(table)}",
            )
            if constraints:
                cell.block(
                    f"Table {i}: row conditions (text, expression tree)", f"CONSTRAINTS_{i} = {pretty(constraints)}"
                )
            cell.block(None, *Plan(makes).lines())
        return cell.render()

    # -- streaming: keys that continue across blocks ----------------------------------------
    def _shared(self) -> list[str]:
        """Root tables made once for a whole stream (those with a fixed size)."""
        return [t for t in self.roots() if t in self.sizes]

    def _block_keys(self, name: str, df: pd.DataFrame, offset: int) -> dict[str, Any]:
        """The table's own sequential ids as if its rows came after ``offset`` earlier rows."""
        links = set(self._links(name))
        out = {}
        for col in self.tables[name].columns:
            if isinstance(col, Id) and col.kind == "sequential" and col.name not in links:
                kernel, args = col.kernel_call(None)  # type: ignore[arg-type]
                values = pd.Series(kernel(None, np.arange(offset, offset + len(df)), None, **args))
                out[col.name] = values.astype(df[col.name].dtype).where(df[col.name].notna().to_numpy())
        return out

    # -- keys, for the outputs -------------------------------------------------------------
    def keys(self) -> dict[str, dict[str, Any]]:
        """Per table: its primary key column (or None), other unique keys, and its foreign
        keys as ``(column, parent table, parent key)``, in the order tables are made."""
        self.validate()
        out: dict[str, dict[str, Any]] = {}
        for name in self._order():
            referenced = list(dict.fromkeys(r.key for r in self.relations if r.parent == name))
            ids = [c.name for c in self.tables[name].columns if isinstance(c, Id) and not c.null_rate]
            primary = referenced[0] if referenced else (ids[0] if ids else None)
            out[name] = {
                "primary": primary,
                "unique": [c for c in referenced if c != primary],
                "foreign": [(r.column, r.parent, r.key) for r in self.relations if r.child == name],
            }
        return out


# -- fitted from real related tables -------------------------------------------------------------
#: Fitted single-table families a FittedTables can use per table.
FITTED_MODELS = ("GaussianCopula", "GaussianMixture", "CART")


def _renamed(plan: Plan, prefix: str) -> Plan:
    """``plan`` with each variable it assigns renamed ``<prefix>_<name>`` (so several
    models' plans share one cell)."""
    names = {s.target.name for s in plan.steps if isinstance(s.target, Ref)}

    def swap(value: Any) -> Any:
        if isinstance(value, Ref):
            return Ref(f"{prefix}_{value.name}") if value.name in names else value
        if isinstance(value, list):
            return [swap(v) for v in value]
        if isinstance(value, tuple):
            return tuple(swap(v) for v in value)
        if isinstance(value, dict):
            return {k: swap(v) for k, v in value.items()}
        return value

    out = Plan()
    for s in plan.steps:
        target = Ref(f"{prefix}_{s.target.name}") if isinstance(s.target, Ref) else s.target
        out.steps.append(type(s)(target, s.func, swap(s.args), swap(s.kwargs), s.comment))
    return out


def _probabilities(counts: np.ndarray) -> list[float]:
    """Empirical probabilities of 0, 1, ... children from per-parent counts."""
    if len(counts) == 0:
        return [1.0]
    freq = np.bincount(counts.astype(np.int64))
    return (freq / freq.sum()).tolist()


@register
class FittedTables(_Streams, Generator):
    """Related tables learned from real ones: each table, the children per parent, and
    each child's columns given its parent's segment.

    ``fit(dfs)`` takes ``{table name: DataFrame}`` and learns, table by table, parents first:

    * each table's own columns (not its keys) with a fitted single-table model
      (``model``: GaussianCopula, GaussianMixture or CART);
    * for a child, the number of children of each parent row (empirical counts, zero
      included), per *segment* of the parent: the value of the parent column named in
      ``segments`` (the most frequent ``max_segments`` values; numbers in ``bins``
      quantile bins);
    * the child's columns given the parent's segment: one model per segment with at least
      ``min_segment_rows`` child rows, the pooled model for the rest.

    The first relation of a child drives it (its rows are made per parent row); its other
    foreign keys pick parent rows in proportion to counts drawn from what was learned
    (popular parents stay popular); a self-reference points at an earlier row. Keys are not
    learned: a referenced key becomes 1, 2, ... (int64 if the real key is an integer, else
    text). Referential integrity holds by construction. ``sample(n)`` gives the largest
    real root table ``n`` rows and the other root tables as many in proportion to their
    real sizes, at least one (or takes a dict of rows per root table) and returns ``{table name:
    DataFrame}``; ``to_code`` writes one cell and ``to_dict`` embeds the learned models.
    """

    family: ClassVar[str] = "relational"
    learns: ClassVar[bool] = True
    multi_table: ClassVar[bool] = True
    panel: ClassVar[str] = "synthbench.generators.relational:TablesPanel"
    why_not_streamable: ClassVar[str] = Tables.why_not_streamable
    params = (
        Param(
            "relations",
            ListOf(ComponentOf({"ForeignKey": ForeignKey}, "a ForeignKey"), min_len=1, max_len=200),
            help="Foreign keys between the tables (children= is learned, leave it None).",
        ),
        Param("segments", MapOf(_COLUMN_NAME), {}, "Per parent table, the column whose values split its children."),
        Param("model", Options(FITTED_MODELS), "GaussianCopula", "Fitted model of each table's own columns."),
        Param("min_segment_rows", Int(1, 10**9), 30, "Fewest child rows for a segment's own model."),
        Param("max_segments", Int(1, 1000), 20, "Most segments per parent column."),
        Param("bins", Int(2, 100), 4, "Quantile bins of a numeric segment column."),
        Param("random_state", Int(0, 2**32 - 1), 0, "Seed of the fitted models' random steps."),
    )

    @classmethod
    def example(cls) -> FittedTables:
        """Fitted on a small shop made by :meth:`Tables.example`, orders split by tier."""
        shop = Tables.example()
        real = shop.sample(60, seed=0)
        relations = [ForeignKey(child=r.child, column=r.column, parent=r.parent, key=r.key) for r in shop.relations]
        return cls(relations=relations, segments={"customers": "tier"}).fit(real)

    # -- validation -----------------------------------------------------------------------
    def _check_params(self) -> None:
        for i, r in enumerate(self.relations):
            if r.children is not None or r.children_by or r.by is not None or r.parent_columns:
                raise self.invalid(
                    "relations",
                    f"must leave children, by, children_by and parent_columns unset (they are learned); relation {i} "
                    "sets them",
                    r,
                )
        self._order()

    def _tables(self) -> list[str]:
        return list(dict.fromkeys(t for r in self.relations for t in (r.parent, r.child)))

    def _order(self) -> list[str]:
        return _parents_first(self, self._tables())

    def _driver(self, name: str) -> ForeignKey | None:
        """The relation that drives table ``name`` (its first to another table), if any."""
        return next((r for r in self.relations if r.child == name and not r.self_reference), None)

    def roots(self) -> list[str]:
        """Tables whose size comes from ``n`` (no foreign key to another table)."""
        return [t for t in self._order() if self._driver(t) is None]

    # -- fitting -----------------------------------------------------------------------------
    def _fit(self, data: Any) -> None:
        owner = "FittedTables.fit"
        if not (isinstance(data, dict) and data and all(isinstance(v, pd.DataFrame) for v in data.values())):
            raise DataError(f"{owner} needs a non-empty dict of DataFrames by table name. Got {short_repr(data)}.")
        names = self._order()
        for name in names:
            if name not in data:
                raise DataError(f"{owner}: the relations name table {name!r}, which the data lacks ({list(data)}).")
        for i, r in enumerate(self.relations):
            parent, child = data[r.parent], data[r.child]
            for table, col, frame in ((r.parent, r.key, parent), (r.child, r.column, child)):
                if col not in frame.columns:
                    raise DataError(f"{owner}: relation {i} names column {col!r}, which table {table!r} lacks.")
            keys = parent[r.key]
            if keys.isna().any() or not keys.is_unique:
                raise DataError(f"{owner}: the key {r.parent!r}.{r.key!r} must be unique and never missing.")
            values = child[r.column]
            orphans = int((~values.isin(keys)).sum()) - (int(values.isna().sum()) if r.self_reference else 0)
            if orphans:
                raise DataError(
                    f"{owner}: {orphans} row(s) of {r.child!r} have a {r.column!r} that is not a "
                    f"{r.parent!r}.{r.key!r} (drop or fix them first)."
                )
            if values.isna().any() and not r.self_reference:
                raise DataError(f"{owner}: the foreign key {r.child!r}.{r.column!r} has missing values.")
        for parent, column in self.segments.items():
            if parent not in names or column not in data[parent].columns:
                raise DataError(f"{owner}: segments names {parent!r}.{column!r}, which the data lacks.")
        segments = {p: self._learn_segment(data[p], c) for p, c in self.segments.items()}
        self._models: dict[str, list[Generator]] = {}
        tables = {name: self._learn_table(name, data, segments) for name in names}
        self.segments_ = segments
        self.tables_ = tables

    def _learn_segment(self, frame: pd.DataFrame, column: str) -> dict[str, Any]:
        x = frame[column]
        if pd.api.types.is_numeric_dtype(x.dtype) and not pd.api.types.is_bool_dtype(x.dtype):
            v = pd.to_numeric(x, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            v = v[np.isfinite(v)]
            edges = np.unique(np.quantile(v, np.linspace(0, 1, self.bins + 1)[1:-1])) if len(v) else np.zeros(0)
            return {"column": column, "values": None, "edges": [float(e) for e in edges]}
        text = x.astype(str)
        values = text.value_counts(sort=True).index[: self.max_segments]
        return {"column": column, "values": [str(v) for v in values], "edges": None}

    @staticmethod
    def _segment_args(segment: dict[str, Any] | None) -> tuple[Any, Any, Any]:
        if segment is None:
            return (None, None, None)
        return (segment["column"], segment["values"], segment["edges"])

    def _counts(self, i: int, data: dict[str, pd.DataFrame], segments: dict[str, Any]) -> dict[str, Any]:
        r = self.relations[i]
        parent = data[r.parent]
        per_parent = data[r.child][r.column].value_counts().reindex(parent[r.key], fill_value=0).to_numpy()
        codes = kr.segment_codes(parent, *self._segment_args(segments.get(r.parent)))
        by_code = []
        for code in np.unique(codes):
            hit = codes == code
            if code >= 0 and hit.sum() >= min(self.min_segment_rows, 10) and segments.get(r.parent) is not None:
                by_code.append([int(code), _probabilities(per_parent[hit])])
        return {"relation": i, "pooled": _probabilities(per_parent), "by_code": by_code}

    def _learn_table(self, name: str, data: dict[str, pd.DataFrame], segments: dict[str, Any]) -> dict[str, Any]:
        frame = data[name]
        referenced = list(dict.fromkeys(r.key for r in self.relations if r.parent == name))
        foreign = [r.column for r in self.relations if r.child == name]
        if len(referenced) > 1:
            raise DataError(f"FittedTables.fit: table {name!r} is referenced by several keys {referenced}; use one.")
        key = None
        if referenced and referenced[0] not in foreign:
            kind = "integer" if pd.api.types.is_integer_dtype(frame[referenced[0]].dtype) else "text"
            key = [referenced[0], kind]
        own = [c for c in frame.columns if c not in referenced and c not in foreign]
        driver = self._driver(name)
        out: dict[str, Any] = {"columns": [str(c) for c in frame.columns], "key": key, "drive": None, "picks": []}
        groups: list[np.ndarray] = [np.arange(len(frame))]
        if driver is not None:
            r = driver
            d = next(i for i, x in enumerate(self.relations) if x is r)
            out["drive"] = self._counts(d, data, segments)
            parent = data[r.parent]
            codes = kr.segment_codes(parent, *self._segment_args(segments.get(r.parent)))
            child_codes = pd.Series(codes, index=pd.Index(parent[r.key])).reindex(frame[r.column]).to_numpy()
            model_of = []
            for code in np.unique(child_codes):
                rows = np.flatnonzero(child_codes == code)
                if code >= 0 and segments.get(r.parent) is not None and len(rows) >= self.min_segment_rows:
                    model_of.append([int(code), len(groups)])
                    groups.append(rows)
            out["drive"]["model_of"] = model_of
            out["picks"] = [
                self._counts(j, data, segments)
                for j, p in enumerate(self.relations)
                if p.child == name and j != d and not p.self_reference
            ]
        # A parent picked (not driving) with a segment: its segment becomes a column of the
        # child's model, so the child's own columns and the parent it picks go together.
        given = pd.DataFrame(index=frame.index)
        for pick in out["picks"]:
            p = self.relations[pick["relation"]]
            pick["given"] = None
            if segments.get(p.parent) is None:
                continue
            helper = f"__segment_of_{p.column}"
            while helper in frame.columns or helper in given.columns:
                helper += "_"
            parent = data[p.parent]
            codes = kr.segment_codes(parent, *self._segment_args(segments[p.parent]))
            child_codes = pd.Series(codes, index=pd.Index(parent[p.key])).reindex(frame[p.column]).to_numpy()
            given[helper] = pd.Series([f"s{c}" for c in child_codes], index=frame.index, dtype="category")
            pick["given"] = helper
        if given.shape[1]:
            frame = pd.concat([frame, given], axis=1)
            own = [*own, *given.columns]
        models = []
        if own:
            cls = get_generator(self.model)
            for rows in groups:
                part = frame[own].iloc[rows].reset_index(drop=True)
                try:
                    models.append(cls(random_state=self.random_state).fit(part))
                except SynthbenchError as exc:
                    raise type(exc)(f"FittedTables.fit, table {name!r}: {exc}") from None
        out["models"] = [m.to_dict() for m in models]
        out["rows"] = len(frame)
        self._models[name] = models
        return out

    # -- state --------------------------------------------------------------------------------
    def _get_state(self) -> dict[str, Any]:
        return {"segments": self.segments_, "tables": self.tables_}

    def _set_state(self, state: Any) -> None:
        bad = SpecError("The spec's 'state' for FittedTables must hold 'segments' and 'tables' as fit writes them.")
        if not isinstance(state, dict) or set(state) != {"segments", "tables"}:
            raise bad
        segments, tables = state["segments"], state["tables"]
        names = self._order()
        if not isinstance(segments, dict) or not isinstance(tables, dict) or set(tables) != set(names):
            raise SpecError(f"The spec's 'state' for FittedTables must have one entry per table {names}.")
        for parent, seg in segments.items():
            ok = (
                parent in names
                and isinstance(seg, dict)
                and set(seg) == {"column", "values", "edges"}
                and isinstance(seg["column"], str)
                and (seg["values"] is None) != (seg["edges"] is None)
                and (seg["values"] is None or _all(seg["values"], lambda v: isinstance(v, str)))
                and (seg["edges"] is None or _all(seg["edges"], _finite))
            )
            if not ok or (seg["edges"] is not None and seg["edges"] != sorted(seg["edges"])):
                raise SpecError(f"The spec's 'state' for FittedTables has a bad segment for {parent!r}.")
        self.segments_ = segments
        loaded = {}
        for name in names:
            loaded[name] = self._check_table_state(name, tables[name])
        self.tables_ = tables
        self._models = loaded

    def _check_counts(self, counts: Any, name: str, drive: bool) -> None:
        bad = SpecError(f"The spec's 'state' for FittedTables has bad children counts for table {name!r}.")
        keys = {"relation", "pooled", "by_code", *(("model_of",) if drive else ("given",))}
        if not isinstance(counts, dict) or set(counts) != keys:
            raise bad
        if not drive and not (counts["given"] is None or (isinstance(counts["given"], str) and counts["given"])):
            raise bad

        def probs(p: Any) -> bool:
            return (
                isinstance(p, list) and 1 <= len(p) <= 100_000
                and all(isinstance(x, (int, float)) and not isinstance(x, bool) and 0 <= x <= 1 for x in p)
                and abs(math.fsum(p) - 1) < 1e-6
            )  # fmt: skip

        r = counts["relation"]
        if not (isinstance(r, int) and 0 <= r < len(self.relations) and self.relations[r].child == name):
            raise bad
        if not probs(counts["pooled"]):
            raise bad
        for pair in counts["by_code"]:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], int) and probs(pair[1])):
                raise bad
        for pair in counts.get("model_of", []):
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, int) for x in pair)):
                raise bad

    def _check_table_state(self, name: str, table: Any) -> list[Generator]:
        bad = SpecError(f"The spec's 'state' for FittedTables has a bad entry for table {name!r}.")
        if not isinstance(table, dict) or set(table) != {"columns", "key", "drive", "picks", "models", "rows"}:
            raise bad
        columns = table["columns"]
        if not (
            isinstance(columns, list) and all(isinstance(c, str) for c in columns) and len(set(columns)) == len(columns)
        ):
            raise bad
        key = table["key"]
        if key is not None and not (
            isinstance(key, list) and len(key) == 2 and key[0] in columns and key[1] in ("integer", "text")
        ):
            raise bad
        driver = self._driver(name)
        if (table["drive"] is None) != (driver is None):
            raise bad
        if driver is not None:
            self._check_counts(table["drive"], name, True)
        if not isinstance(table["picks"], list):
            raise bad
        for pick in table["picks"]:
            self._check_counts(pick, name, False)
        if not isinstance(table["rows"], int) or isinstance(table["rows"], bool) or table["rows"] < 0:
            raise bad
        if not isinstance(table["models"], list) or len(table["models"]) > 10_000:
            raise bad
        links = {r.column for r in self.relations if r.child == name}
        if not links | ({key[0]} if key else set()) <= set(columns):
            raise bad
        models = []
        for spec in table["models"]:
            if not isinstance(spec, dict) or spec.get("generator") not in FITTED_MODELS:
                raise bad
            gen = get_generator(spec["generator"]).from_dict(spec)
            models.append(gen)
        own = [c for c in columns if c not in links and (key is None or c != key[0])]
        helpers = [p["given"] for p in table["picks"] if p["given"] is not None]
        if len(set(helpers)) != len(helpers) or set(helpers) & set(columns):
            raise bad
        own += helpers
        if any(m.column_names != own for m in models) or (own and not models):
            raise bad
        if driver is not None and any(not 0 <= m < max(len(models), 1) for _, m in table["drive"]["model_of"]):
            raise bad
        return models

    def _loaded(self) -> dict[str, list[Generator]]:
        return self._models

    # -- sampling ----------------------------------------------------------------------------
    def _check_n(self, n: Any, owner: str) -> dict[str, int]:  # type: ignore[override]
        self.validate()
        roots = self.roots()
        if isinstance(n, dict):
            if set(n) != set(roots):
                raise InvalidParameterError(
                    f"The 'n' parameter of {owner} must be an int or a dict of sizes for the root tables {roots}. "
                    f"Got sizes for {short_repr(list(n))}."
                )
            return {t: check_n(v, owner=owner) for t, v in n.items()}
        rows = check_n(n, owner=owner)
        if not self.is_fitted:
            return dict.fromkeys(roots, rows)
        # The largest real root gets n rows, the other roots as many in proportion.
        real = {t: self.tables_[t]["rows"] for t in roots}
        most = max(real.values())
        if most == 0:
            return dict.fromkeys(roots, rows)
        # At least one row of a root that had rows, so its children have a parent to point at.
        return {
            t: rows if r == most else max(int(r > 0 and rows > 0), math.floor(rows * r / most + 0.5))
            for t, r in real.items()
        }

    def _rows(self, sizes: dict[str, int]) -> dict[str, float]:
        rows: dict[str, float] = dict(sizes)
        for name in self._order():
            if name not in rows:
                drive = self.tables_[name]["drive"]
                r = self.relations[drive["relation"]]
                most = max([_mean(drive["pooled"]), *(_mean(p) for _, p in drive["by_code"])])
                rows[name] = rows[r.parent] * most
        return rows

    def _estimate_bytes(self, n: Any) -> int:
        sizes = n if isinstance(n, dict) else self._check_n(n, "FittedTables")
        if not self.is_fitted:
            return 0
        total = 0.0
        for name, rows in self._rows(sizes).items():
            total += rows * 8 * (6 * len(self.tables_[name]["columns"]) + 4)
        return math.ceil(min(total, 1e30))

    def _check_memory(self, n: Any, owner: str) -> None:
        need = self._estimate_bytes(n)
        if need:
            check_memory(need, f"{owner}(n={short_repr(n)})", "Ask for fewer rows of the root tables. ")

    def _plan(self, sizes: dict[str, int], seed: int, code: bool = False) -> Plan:
        plan = Plan()
        models = self._loaded()
        for i, name in enumerate(self._order(), 1):
            state = self.tables_[name]
            tkey = column_key(name)
            driver = self._driver(name)
            links_ref = None
            if driver is None:
                counts: list[Any] = [sizes[name]]
            else:
                drive = state["drive"]
                r = self.relations[drive["relation"]]
                links_ref = plan.call(
                    f"links_{i}", kr.fitted_links, Ref("dfs"), r.parent, r.key, r.column,
                    _derive(seed, tkey, 1), list(self._segment_args(self.segments_.get(r.parent))),
                    drive["pooled"], drive["by_code"], drive["model_of"],
                    comment=f"Table {i}: children per parent row (learned counts per parent segment)",
                )  # fmt: skip
                counts = [
                    plan.call(f"rows_{i}_{m}", kr.model_rows, links_ref, m) for m in range(max(len(models[name]), 1))
                ]
            frames = []
            for m, model in enumerate(models[name]):
                # CART's plan holds arrays for sampling and packed text for code (literals).
                extra = {"for_code": True} if code and "for_code" in inspect.signature(model._plan).parameters else {}
                sub = _renamed(model._plan(counts[m], _derive(seed, tkey, 2, m), **extra), f"t{i}_{m}")
                plan.steps.extend(sub.steps)
                frames.append(Ref(f"t{i}_{m}_df"))
            if not models[name]:
                frames.append(plan.call(f"t{i}_0_df", kr.no_columns, counts[0]))
            picks = []
            for j, pick in enumerate(state["picks"]):
                r = self.relations[pick["relation"]]
                segment = list(self._segment_args(self.segments_.get(r.parent)))
                picks.append(
                    (r.parent, r.key, r.column, _derive(seed, tkey, 3, j), segment, pick["pooled"], pick["by_code"],
                     pick["given"])
                )  # fmt: skip
            selfs = [r for r in self.relations if r.child == name and r.self_reference]
            refer = {r.column for r in selfs}
            plan.call(
                ("dfs", name), kr.fitted_table, frames, [c for c in state["columns"] if c not in refer],
                links=links_ref, key=state["key"], picks=picks, dfs=Ref("dfs"),
                comment=f"Table {i}: its rows, keys and foreign keys in place",
            )  # fmt: skip
            for r in sorted(selfs, key=lambda r: state["columns"].index(r.column)):
                position = state["columns"].index(r.column)
                plan.call(
                        ("dfs", name), kr.self_reference, Ref("dfs"), name, r.key, r.column,
                        _derive(seed, tkey, column_key(r.column), 3), position,
                        comment=f"Table {i}: each row points at an earlier row (a tree)",
                    )  # fmt: skip
        return plan

    def _shared(self) -> list[str]:
        return []

    def _block_keys(self, name: str, df: pd.DataFrame, offset: int) -> dict[str, Any]:
        key = self.tables_[name]["key"]
        if key is None:
            return {}
        return {key[0]: kr.key_column(len(df), key[1], offset).astype(df[key[0]].dtype)}

    def _sample(self, n: Any, seed: int, shared: dict[str, pd.DataFrame] | None = None) -> dict[str, pd.DataFrame]:
        try:
            return self._plan(n, seed).run(dfs={})["dfs"]
        except SynthbenchError:
            raise
        except Exception as exc:
            raise InvalidParameterError(f"FittedTables cannot make its tables: {exc}") from None

    def _to_code(self, n: Any, seed: int) -> str:
        plan = self._plan(n, seed, code=True)
        sizes = ", ".join(str(v) for v in n.values())
        cell = CodeCell(
            f"FittedTables: {len(self.tables_)} related tables ({len(self.roots())} root(s) of {sizes} rows), "
            f"seed {seed}, from what it learned.\nRegenerates the tables as the dict `dfs` (table name -> DataFrame).\n"
            "No training row is stored: per-table fitted models and children counts per parent segment."
        )
        cell.need("import numpy as np", "import pandas as pd")
        cell.kernels(plan.kernels())
        cell.block("The tables, parents first", "dfs = {}")
        cell.block(None, *plan.lines())
        return cell.render()

    def keys(self) -> dict[str, dict[str, Any]]:
        """Per table: its primary key column (or None), other unique keys and foreign keys."""
        self._check_fitted()
        out: dict[str, dict[str, Any]] = {}
        for name in self._order():
            referenced = list(dict.fromkeys(r.key for r in self.relations if r.parent == name))
            out[name] = {
                "primary": referenced[0] if referenced else None,
                "unique": [],
                "foreign": [(r.column, r.parent, r.key) for r in self.relations if r.child == name],
            }
        return out


def _all(values: Any, test: Any) -> bool:
    return isinstance(values, list) and len(values) <= 100_000 and all(test(v) for v in values)


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _mean(probs: list[float]) -> float:
    return math.fsum(k * p for k, p in enumerate(probs))


# -- streaming large child tables ------------------------------------------------------------------
def _block_sizes(gen: Any, n: Any, block_rows: int, owner: str) -> list[dict[str, int]]:
    """Rows of each root table in each block: streamed roots split evenly, shared roots whole."""
    sizes = gen._check_n(n, owner)
    shared = gen._shared()
    streamed = [t for t in sizes if t not in shared]
    most = max([sizes[t] for t in streamed] or [0])
    count = max(1, -(-most // block_rows))
    blocks = []
    for b in range(count):
        block = {t: (b + 1) * sizes[t] // count - b * sizes[t] // count for t in streamed}
        blocks.append({**block, **{t: sizes[t] for t in shared}})
    return blocks


def _rekey(
    gen: Any, dfs: dict[str, pd.DataFrame], offsets: dict[str, int], shared: list[str]
) -> dict[str, pd.DataFrame]:
    """A block's tables with their keys continued after ``offsets`` earlier rows, and every
    foreign key mapped to its parent row's new key (so integrity holds across blocks)."""
    out: dict[str, pd.DataFrame] = {}
    for name in gen._order():
        df = dfs[name]
        if name in shared:
            out[name] = df
            continue
        new = df.copy(deep=False)
        for col, values in gen._block_keys(name, df, offsets[name]).items():
            new[col] = values.array
        for r in gen.relations:
            if r.child != name or r.parent in shared:
                continue
            old = pd.Index(dfs[r.parent][r.key])
            keys = (new if r.parent == name else out[r.parent])[r.key]
            values = df[r.column]
            pos = old.get_indexer(values)
            mapped = keys.astype(values.dtype).iloc[np.maximum(pos, 0)].reset_index(drop=True)
            if (pos < 0).any():
                mapped = mapped.where(pos >= 0)
            new[r.column] = mapped.array
        out[name] = new
    return out


def iter_table_blocks(gen: Any, n: Any, *, seed: int | None = None, block_rows: int = 65_536):
    """The related tables block by block: ``{table: frame}`` per block of ``block_rows`` root
    rows (with all their descendants), keys continued across blocks.

    Root tables with a fixed size (``Tables(sizes=...)``) are made once, in the first block
    (later blocks point at the same rows and leave them out). Block 0 uses ``seed`` and
    block k the seed spawned from ``(seed, k)`` (:func:`synthbench.scale.block_seed`), so a
    run of one block equals ``sample(n, seed)``. Memory: one block's tables, checked against
    the memory limit before anything is made.
    """
    from ..base import check_seed
    from ..scale import block_seed

    owner = f"{type(gen).__name__}.iter_table_blocks"
    if not isinstance(gen, (Tables, FittedTables)):
        raise InvalidParameterError(f"{owner} needs a Tables or FittedTables. Got {short_repr(gen)} instead.")
    block_rows = int(check_value_int(block_rows, "block_rows", owner))
    seed = check_seed(seed, owner=owner)
    gen.validate()
    gen._check_fitted()
    blocks = _block_sizes(gen, n, block_rows, owner)
    gen._check_memory(blocks[0], owner)
    shared_names = gen._shared()
    shared: dict[str, pd.DataFrame] = {}
    offsets = dict.fromkeys(gen._order(), 0)

    def make() -> Any:
        for b, sizes in enumerate(blocks):
            dfs = gen._sample(sizes, block_seed(seed, b), shared=shared or None)
            if b == 0:
                shared.update({t: dfs[t] for t in shared_names})
            out = _rekey(gen, dfs, offsets, shared_names)
            for name, df in out.items():
                if name not in shared_names:
                    offsets[name] += len(df)
            yield out if b == 0 else {t: df for t, df in out.items() if t not in shared_names}

    return make()


def check_value_int(value: Any, name: str, owner: str) -> int:
    from ..params import check_value

    return int(check_value(value, name, Int(1, 2**40), owner))


def stream_parquet(
    gen: Any,
    path: str | os.PathLike,
    n: Any,
    *,
    seed: int | None = None,
    block_rows: int = 65_536,
    overwrite: bool = False,
    progress: bool = True,
) -> Path:
    """Stream related tables to a folder of Parquet datasets with bounded memory, atomically.

    ``path/<table>/part-00000.parquet, ...`` hold each table block by block (plain table
    names name their folder, others ``table_<i>``; ``tables.json`` maps names to folders;
    ``pd.read_parquet(path / folder)`` reads a table back in order). Every foreign key
    names a row of its parent table, across files. Memory holds one block of
    ``block_rows`` root rows and their descendants, whatever ``n`` (see
    :func:`iter_table_blocks`).
    """
    from ..scale import _Progress

    owner = f"{type(gen).__name__}.stream_parquet"
    target = _target(path, owner, overwrite)
    if target.exists() and not (target.is_dir() and not target.is_symlink() and (target / MANIFEST).is_file()):
        raise InvalidParameterError(
            f"The 'path' parameter of {owner}: {str(target)!r} exists and is not a folder written by synthbench."
        )
    pa, pq = _pyarrow()
    blocks = iter_table_blocks(gen, n, seed=seed, block_rows=block_rows)
    folders = {t: f.removesuffix(".parquet") for t, f in _file_names(gen._order()).items()}
    tmp = _temporary(target, owner, folder=True)
    bar = _Progress(len(_block_sizes(gen, n, block_rows, owner)), progress, f"{type(gen).__name__} -> {target.name}")
    try:
        schemas: dict[str, Any] = {}
        files = dict.fromkeys(folders, 0)
        rows = dict.fromkeys(folders, 0)
        for name in folders.values():
            (tmp / name).mkdir()
        for block in blocks:
            for name, df in block.items():
                if len(df) == 0 and files[name]:
                    continue
                table = pa.Table.from_pandas(df, schema=schemas.get(name), preserve_index=False)
                schemas.setdefault(name, table.schema)
                pq.write_table(table, tmp / folders[name] / f"part-{files[name]:05d}.parquet")
                files[name] += 1
                rows[name] += len(df)
            bar.update(1)
        manifest = {
            "synthbench_tables": 1,
            "streamed": True,
            "tables": [{"name": t, "folder": folders[t], "rows": rows[t], "files": files[t]} for t in folders],
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        _replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        bar.close()
    return target


class _TablePartition:
    """Makes one block's table for Dask (picklable): the block again, keys continued."""

    def __init__(self, gen: Any, blocks: list[dict[str, int]], offsets: list[dict[str, int]], seed: int, table: str):
        self.gen, self.blocks, self.offsets, self.seed, self.table = gen, blocks, offsets, seed, table

    def __dask_tokenize__(self) -> str:
        import hashlib

        spec = json.dumps(self.gen.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(f"{spec}|{self.blocks}|{self.seed}|{self.table}".encode()).hexdigest()

    def __call__(self, k: int) -> pd.DataFrame:
        from ..scale import block_seed

        shared_names = self.gen._shared()
        shared = None
        if k and shared_names:
            first = self.gen._sample(self.blocks[0], self.seed)
            shared = {t: first[t] for t in shared_names}
        dfs = self.gen._sample(self.blocks[k], block_seed(self.seed, k), shared=shared)
        df = _rekey(self.gen, dfs, self.offsets[k], shared_names)[self.table]
        start = self.offsets[k][self.table]
        return df.set_axis(pd.RangeIndex(start, start + len(df)))


def tables_to_dask(gen: Any, n: Any, table: str, *, seed: int | None = None, block_rows: int = 65_536) -> Any:
    """One table of a related-tables run as a lazy ``dask.dataframe.DataFrame``, one
    partition per block (see :func:`iter_table_blocks`; equal to the streamed table).

    A first pass makes every block once to count its rows (memory: one block), so each
    partition knows where its keys continue; the partitions then make their block again.
    A table with a fixed size is one partition.
    """
    from ..base import check_seed
    from ..scale import _dask_dataframe

    owner = f"{type(gen).__name__}.to_dask"
    if not isinstance(table, str) or table not in gen._order():
        raise InvalidParameterError(
            f"The 'table' parameter of {owner} must name a table {gen._order()}. Got {short_repr(table)} instead."
        )
    seed = check_seed(seed, owner=owner)
    dd = _dask_dataframe()
    blocks = _block_sizes(gen, n, int(check_value_int(block_rows, "block_rows", owner)), owner)
    offsets, current = [], dict.fromkeys(gen._order(), 0)
    for block in iter_table_blocks(gen, n, seed=seed, block_rows=block_rows):
        offsets.append(dict(current))
        for name, df in block.items():
            current[name] += len(df)
    parts = [0] if table in gen._shared() else list(range(len(blocks)))
    make = _TablePartition(gen, blocks, offsets, seed, table)
    meta = make(0).iloc[:0]
    import dask

    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_map(make, parts, meta=meta, label=f"synthbench-{table}".lower(), enforce_metadata=False)


def _ascii_lower(text: str) -> str:
    """``text`` lowered as SQLite compares identifiers (ASCII letters only)."""
    return text.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))


# -- outputs -----------------------------------------------------------------------------------
def _frames(data: Any, n: Any, seed: int | None, owner: str) -> tuple[dict[str, pd.DataFrame], dict[str, Any] | None]:
    """The frames to write and their keys: a Tables is sampled, a dict of frames is checked."""
    if isinstance(data, (Tables, FittedTables)):
        if n is None:
            raise InvalidParameterError(f"The 'n' parameter of {owner} is required when writing a Tables generator.")
        return data.sample(n, seed=seed), data.keys()
    if not (isinstance(data, dict) and data and all(isinstance(v, pd.DataFrame) for v in data.values())):
        raise InvalidParameterError(
            f"The 'data' parameter of {owner} must be a Tables or FittedTables generator or a non-empty dict of "
            "DataFrames. "
            f"Got {short_repr(data)} instead."
        )
    for name, df in data.items():
        if not _TABLE_NAME.is_satisfied_by(name):
            raise InvalidParameterError(
                f"The 'data' parameter of {owner} must have table names that are each {_TABLE_NAME.describe()}. "
                f"Got {short_repr(name)} instead."
            )
        for column in df.columns:
            if not (isinstance(column, str) and _TABLE_NAME.is_satisfied_by(column)):
                raise InvalidParameterError(
                    f"The 'data' parameter of {owner} must have column names that are each "
                    f"{_TABLE_NAME.describe()}. Table {name!r} has {short_repr(column)}."
                )
    return data, None


def _target(path: Any, owner: str, overwrite: bool) -> Path:
    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise InvalidParameterError(
            f"The 'path' parameter of {owner} must be a file path. Got {short_repr(path)} instead."
        )
    target = Path(path)
    if not target.parent.is_dir():
        raise InvalidParameterError(
            f"The 'path' parameter of {owner}: the folder {str(target.parent)!r} does not exist."
        )
    if (target.exists() or target.is_symlink()) and not overwrite:
        raise InvalidParameterError(
            f"The 'path' parameter of {owner}: {str(target)!r} exists; pass overwrite=True to replace it."
        )
    return target


def quote_identifier(name: str) -> str:
    """``name`` as an SQL identifier: in double quotes, an embedded quote doubled; NUL refused.

    >>> print(quote_identifier('a"b'))
    "a""b"
    """
    if not isinstance(name, str) or not name or "\x00" in name:
        raise InvalidParameterError(f"SQL identifiers must be non-empty str without NUL. Got {short_repr(name)}.")
    return '"' + name.replace('"', '""') + '"'


def _sql_type(series: pd.Series) -> str:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _sql_type(pd.Series(dtype.categories))
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        return "INTEGER"
    if pd.api.types.is_float_dtype(dtype):
        return "REAL"
    return "TEXT"


def _sql_values(series: pd.Series) -> list[Any]:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = series.dt.strftime("%Y-%m-%d %H:%M:%S.%f").str.removesuffix(".000000")
    values = series.astype(object).where(series.notna(), None).tolist()
    values = [v.item() if isinstance(v, np.generic) else v for v in values]
    # What SQLite cannot store (a Timedelta, a list) goes in as its text.
    return [v if v is None or isinstance(v, (bool, int, float, str, bytes)) else str(v) for v in values]


def write_sqlite(
    data: Any, path: str | os.PathLike, *, n: Any = None, seed: int | None = None, overwrite: bool = False
) -> Path:
    """Write related tables to a SQLite file atomically, with their keys declared.

    ``data`` is a :class:`Tables` (sampled with ``n`` and ``seed``; its primary and
    foreign keys become ``PRIMARY KEY``/``UNIQUE``/``FOREIGN KEY`` clauses, checked by
    SQLite while the rows go in) or a dict of DataFrames (written without keys).
    Identifiers are quoted (double quotes, embedded quotes doubled); names SQLite
    cannot tell apart (case) are refused. The file appears whole or not at all.
    """
    owner = "write_sqlite"
    target = _target(path, owner, overwrite)
    frames, keys = _frames(data, n, seed, owner)
    for name, df in frames.items():
        if _ascii_lower(name).startswith("sqlite_"):
            raise InvalidParameterError(f"Table names starting with 'sqlite_' are reserved by SQLite. Got {name!r}.")
        lowered = [_ascii_lower(str(c)) for c in df.columns]
        if len(set(lowered)) != len(lowered):
            raise InvalidParameterError(
                f"Table {name!r} has column names SQLite cannot tell apart (they differ only in case)."
            )
    if len({_ascii_lower(t) for t in frames}) != len(frames):
        raise InvalidParameterError("The tables have names SQLite cannot tell apart (they differ only in case).")
    with _replacing_file(target, owner, sqlite3.Error) as tmp:
        con = sqlite3.connect(tmp)
        try:
            con.execute("PRAGMA foreign_keys = ON")
            for name, df in frames.items():
                con.execute(_create_table(name, df, None if keys is None else keys[name], _sql_type))
                columns = [_sql_values(df[c]) for c in df.columns]
                marks = ", ".join("?" * len(df.columns))
                con.executemany(f"INSERT INTO {quote_identifier(name)} VALUES ({marks})", zip(*columns, strict=True))
            con.commit()
        finally:
            con.close()
    return target


def _duckdb_type(series: pd.Series) -> str:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _duckdb_type(pd.Series(dtype.categories))
    if pd.api.types.is_bool_dtype(dtype):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(dtype):
        return "BIGINT"
    if pd.api.types.is_float_dtype(dtype):
        return "DOUBLE"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "TIMESTAMP"
    return "VARCHAR"


def write_duckdb(
    data: Any, path: str | os.PathLike, *, n: Any = None, seed: int | None = None, overwrite: bool = False
) -> Path:
    """Write related tables to a DuckDB file atomically, keys declared (needs ``duckdb``,
    an optional package: ``pip install duckdb``).

    Like :func:`write_sqlite`: ``data`` is a :class:`Tables` or :class:`FittedTables`
    (sampled with ``n`` and ``seed``; ``PRIMARY KEY``/``UNIQUE``/``FOREIGN KEY`` declared
    and checked by DuckDB as rows go in, parents first) or a dict of DataFrames (no keys).
    DuckDB does not check a foreign key into its own table, so a self-reference is written
    without its clause. Identifiers are quoted; names that differ only in case are refused.
    """
    owner = "write_duckdb"
    try:
        import duckdb
    except ImportError:
        raise InvalidParameterError(f"{owner} needs the duckdb package: pip install duckdb.") from None
    target = _target(path, owner, overwrite)
    frames, keys = _frames(data, n, seed, owner)
    for name, df in frames.items():
        if len({_ascii_lower(str(c)) for c in df.columns}) != df.shape[1]:
            raise InvalidParameterError(
                f"Table {name!r} has column names DuckDB cannot tell apart (they differ only in case)."
            )
    if len({_ascii_lower(t) for t in frames}) != len(frames):
        raise InvalidParameterError("The tables have names DuckDB cannot tell apart (they differ only in case).")
    with _replacing_file(target, owner, duckdb.Error) as tmp:
        tmp.unlink(missing_ok=True)  # DuckDB makes the file itself
        con = duckdb.connect(str(tmp))
        try:
            for name, df in frames.items():
                # DuckDB has no foreign key from a table to itself
                info = (
                    None
                    if keys is None
                    else {**keys[name], "foreign": [f for f in keys[name]["foreign"] if f[1] != name]}
                )
                con.execute(_create_table(name, df, info, _duckdb_type))
                plain = df.copy(deep=False)
                for c in plain.columns:  # categories and pandas' text as plain values
                    if isinstance(plain[c].dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(plain[c].dtype):
                        plain[c] = plain[c].astype(object).where(plain[c].notna(), None)
                con.register("synthbench_frame", plain)
                con.execute(f"INSERT INTO {quote_identifier(name)} SELECT * FROM synthbench_frame")
                con.unregister("synthbench_frame")
        finally:
            con.close()
    return target


def _file_names(names: list[str]) -> dict[str, str]:
    """A safe file name per table: the name itself when plain, else ``table_<i>``."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for i, name in enumerate(names, 1):
        plain = re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,99}", name) is not None
        stem = name if plain and name.lower() not in used else f"table_{i}"
        used.add(stem.lower())
        out[name] = f"{stem}.parquet"
    return out


#: The file in a folder of :func:`write_parquet` naming each table's file.
MANIFEST = "tables.json"


def write_parquet(
    data: Any, path: str | os.PathLike, *, n: Any = None, seed: int | None = None, overwrite: bool = False
) -> Path:
    """Write one Parquet file per table into a folder, atomically, with a ``tables.json``
    manifest mapping each table name to its file (plain names keep their name; others
    become ``table_<i>.parquet``). An existing folder is replaced only if it holds a manifest."""
    owner = "write_parquet"
    target = _target(path, owner, overwrite)
    if target.exists() and not (target.is_dir() and not target.is_symlink() and (target / MANIFEST).is_file()):
        raise InvalidParameterError(
            f"The 'path' parameter of {owner}: {str(target)!r} exists and is not a folder written by write_parquet."
        )
    _pyarrow()
    frames, _ = _frames(data, n, seed, owner)
    files = _file_names(list(frames))
    tmp = _temporary(target, owner, folder=True)
    try:
        for name, df in frames.items():
            df.to_parquet(tmp / files[name], index=False)
        manifest = {"synthbench_tables": 1, "tables": [{"name": t, "file": f} for t, f in files.items()]}
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        _replace(tmp, target)  # an old folder goes only once the new one is in place
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def nested_records(gen: Tables, dfs: dict[str, pd.DataFrame]) -> dict[str, list[dict[str, Any]]]:
    """Each root table's rows as JSON-ready records, each row holding its children's
    records (by driving foreign key) under the child table's name."""
    records = {name: json.loads(df.to_json(orient="records", date_format="iso")) for name, df in dfs.items()}
    order = gen._order()
    for name in reversed(order):
        driver = gen._driver(name)
        if driver is None:
            continue
        parent = dfs[driver.parent]
        if name in parent.columns:
            raise InvalidParameterError(
                f"Table {driver.parent!r} has a column named like its child table {name!r}; rename one to nest them."
            )
        rows = pd.Index(parent[driver.key]).get_indexer(dfs[name][driver.column])
        for parent_record in records[driver.parent]:
            parent_record[name] = []
        for record, row in zip(records[name], rows, strict=True):
            records[driver.parent][row][name].append(record)
    return {name: records[name] for name in order if gen._driver(name) is None}


def write_json_fixtures(
    gen: Tables, path: str | os.PathLike, n: Any, *, seed: int | None = None, overwrite: bool = False
) -> Path:
    """Nested JSON fixtures for API tests, atomically: ``{root table: [row, ...]}``, each
    row holding its children (``{"customer_id": ..., "orders": [{..., "items": [...]}]}``)."""
    owner = "write_json_fixtures"
    if not isinstance(gen, (Tables, FittedTables)):
        raise InvalidParameterError(
            f"The 'gen' parameter of {owner} must be a Tables or FittedTables. Got {short_repr(gen)} instead."
        )
    target = _target(path, owner, overwrite)
    doc = nested_records(gen, gen.sample(n, seed=seed))
    with _replacing_file(target, owner) as tmp:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return target


def _columns_of(gen: Any, name: str) -> list[str]:
    if isinstance(gen, FittedTables):
        return list(gen.tables_[name]["columns"]) if gen.is_fitted else []
    return gen._output(name)


def _relation_label(gen: Any, r: ForeignKey, driving: bool) -> str:
    if r.self_reference:
        return "earlier row"
    if not driving:
        return "picks"
    if isinstance(gen, FittedTables):
        return "counts" + (f" by {gen.segments[r.parent]}" if r.parent in gen.segments else " (learned)")
    counts = r.children
    words = {"Fixed": f"{counts.params_to_json().get('count', '')} each", "Poisson": "Poisson",
             "NegativeBinomial": "neg. binomial", "Empirical": "empirical"}  # fmt: skip
    label = words.get(type(counts).__name__, "counts")
    if type(counts).__name__ == "Poisson":
        label = f"Poisson({counts.mean:g})"
    return label + (f" by {r.by}" if r.by else "")


def diagram_svg(gen: Any, *, max_columns: int = 6) -> str:
    """The tables and their keys as a small SVG diagram: one box per table (PK: primary
    key, FK: foreign key, then up to ``max_columns`` columns), parents left of their
    children, an arrow per foreign key labelled with how children are made. Names are
    escaped (and shortened), so any table or column name draws safely.
    """
    import html

    def text(value: str, limit: int = 26) -> str:
        value = str(value).replace("\n", " ").replace("\r", " ")
        return html.escape(value if len(value) <= limit else value[: limit - 1] + "\u2026", quote=True)

    order = gen._order()
    depth: dict[str, int] = {}
    for name in order:
        parents = [r.parent for r in gen.relations if r.child == name and not r.self_reference]
        depth[name] = 1 + max((depth[p] for p in parents), default=-1)
    drivers = {}
    for name in order:
        drivers[name] = gen._driver(name)
    box_w, row_h, gap_x, gap_y = 190, 16, 150, 24
    boxes: dict[str, tuple[float, float, float]] = {}
    anchors: dict[tuple[str, str], float] = {}
    lanes: dict[int, float] = {}
    parts = []
    for name in order:
        cols = _columns_of(gen, name)
        keys = gen.keys() if not isinstance(gen, FittedTables) or gen.is_fitted else {}
        info = keys.get(name, {"primary": None, "foreign": []})
        foreign = {c for c, _, _ in info["foreign"]}
        lines = []
        for c in cols:
            tag = "PK " if c == info["primary"] else "FK " if c in foreign else ""
            if tag:
                lines.append((tag + c, True))
        others = [c for c in cols if c != info["primary"] and c not in foreign]
        lines += [(c, False) for c in others[:max_columns]]
        if len(others) > max_columns:
            lines.append((f"+{len(others) - max_columns} more", False))
        h = 26 + row_h * len(lines) + 6
        x = 10 + depth[name] * (box_w + gap_x)
        y = lanes.get(depth[name], 10.0)
        lanes[depth[name]] = y + h + gap_y
        boxes[name] = (x, y, h)
        parts.append(
            f'<g class="synthbench-table-box"><rect x="{x}" y="{y}" width="{box_w}" height="{h}" rx="5" '
            f'fill="#f7f9fc" stroke="#4c78a8"/>'
            f'<rect x="{x}" y="{y}" width="{box_w}" height="22" rx="5" fill="#4c78a8"/>'
            f'<text x="{x + 8}" y="{y + 15}" fill="white" font-weight="bold">{text(name)}</text>'
        )
        for j, (line, key) in enumerate(lines):
            weight = ' font-weight="bold"' if key else ""
            if key:
                anchors[(name, line[3:])] = y + 34 + j * row_h
            parts.append(f'<text x="{x + 8}" y="{y + 38 + j * row_h}"{weight}>{text(line, 28)}</text>')
        parts.append("</g>")
    for r in gen.relations:
        cx, cy, _ = boxes[r.child]
        px, py, _ = boxes[r.parent]
        label = text(_relation_label(gen, r, r is drivers.get(r.child)), 30)
        y1 = anchors.get((r.parent, r.key), py + 11)
        y2 = anchors.get((r.child, r.column), cy + 11)
        if r.self_reference:
            parts.append(
                f'<path d="M{cx + box_w} {y1} C{cx + box_w + 45} {y1}, {cx + box_w + 45} {y2}, '
                f'{cx + box_w} {y2}" fill="none" stroke="#e45756" marker-end="url(#arrow)"/>'
                f'<text x="{cx + box_w + 8}" y="{max(y1, y2) + 16}" fill="#e45756">{label}</text>'
            )
            continue
        x1, x2 = px + box_w, cx
        dash = "" if r is drivers.get(r.child) else ' stroke-dasharray="4 3"'
        parts.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2 - 2}" y2="{y2}" stroke="#555"{dash} marker-end="url(#arrow)"/>'
            f'<text x="{x2 - 8}" y="{y2 - 5}" fill="#333" text-anchor="end" font-size="11">{label}</text>'
        )
    width = 20 + (max(depth.values(), default=0) + 1) * (box_w + gap_x)
    height = 10 + max(lanes.values(), default=40)
    defs = (
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>'
    )
    return (
        f'<svg class="synthbench-diagram" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" style="max-width:100%;height:auto" '
        f'font-family="sans-serif" font-size="12">{defs}{"".join(parts)}</svg>'
    )


def __getattr__(name: str) -> Any:
    """``TablesPanel``, made on first use so that importing this module never imports the widgets.

    The usual controls, then the diagram of the tables and their keys (:func:`diagram_svg`),
    a table picker, the chosen table's preview and comparison charts (``panel.table``;
    ``panel.frames`` holds every table), and the code cell that builds them all. With
    real tables (``panel(gen, dfs)``, a dict of frames), a :class:`FittedTables` is fitted
    on them, each table's charts compare with its real table and the score is that of
    :func:`~synthbench.evaluate.relational_report`.
    """
    if name != "TablesPanel":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import html

    from ..widgets.panel import Panel

    class TablesPanel(Panel):
        table: str | None = None
        frames: dict[str, pd.DataFrame] | None = None

        def __init__(self, generator: Any, data: Any = None, **options: Any) -> None:
            import ipywidgets as w

            self.real_tables: dict[str, pd.DataFrame] | None = None
            if isinstance(data, dict):
                _check_real_tables(data)
                self.real_tables, data = data, None
            self._fitted_key: str | None = None
            self.relational = None
            self.table_box = w.Dropdown(description="table", options=[], layout=w.Layout(width="320px"))
            self.table_box.add_class("synthbench-table-picker")
            self.table_box.observe(lambda c: self._on_table(c["new"]), names="value")
            self.diagram = w.HTML(layout=w.Layout(overflow="auto", max_width="100%"))
            self.diagram.add_class("synthbench-diagram-box")
            super().__init__(generator, data, **options)

        def _layout(self) -> Any:
            box = super()._layout()
            right = box.children[1]
            right.children = (self.diagram, self.table_box, *right.children)
            return box

        def _fit_and_sample(self) -> pd.DataFrame:
            gen = self.generator
            if gen.learns and self.real_tables is not None:
                key = json.dumps(gen.params_to_json(), sort_keys=True, default=repr)
                if key != self._fitted_key or not gen.is_fitted:
                    gen.fit(self.real_tables)
                    self._fitted_key = key
            self.frames = gen.sample(self.n, seed=self.seed)
            names = list(self.frames)
            if list(self.table_box.options) != names:
                hold, self._muted = self._muted, True
                self.table_box.options = names
                self._muted = hold
            shown = self.table if self.table in self.frames else names[0]
            self.table = shown
            if self.table_box.value != shown:
                hold, self._muted = self._muted, True
                self.table_box.value = shown
                self._muted = hold
            self.diagram.value = diagram_svg(gen)
            self.model.compare_with((self.real_tables or {}).get(shown))
            return self.frames[shown]

        def _update_views(self) -> None:
            super()._update_views()
            if self.real_tables is not None and self.frames is not None:
                from ..evaluate.relational import relational_report

                try:
                    r = relational_report(self.real_tables, self.frames, self.generator.relations)
                except (ValueError, TypeError):
                    self.relational = None
                    return
                self.relational = r
                worst = float(r.integrity["integrity"].min()) if len(r.integrity) else 1.0
                self.score_box.value = (
                    f'<div class="synthbench-score">quality score <b>{100 * r.score:.1f}%</b> '
                    f"(column shapes {100 * r.column_shapes_score:.1f}%, pair trends "
                    f"{100 * r.column_pair_trends_score:.1f}%, children per parent {100 * r.cardinality_score:.1f}%, "
                    f"parent-child trends {100 * r.intertable_trends_score:.1f}%); referential integrity "
                    f"{100 * worst:.1f}%. Table shown: {html.escape(str(self.table))}</div>"
                )

        def _on_table(self, value: Any) -> None:
            if self._muted or value is None or self.frames is None or value not in self.frames:
                return
            self.table = value
            self.model.frame = self.frames[value]
            self.model.compare_with((self.real_tables or {}).get(value))
            self.model.score()
            self._update_views()
            self._render_status()

    TablesPanel.__module__ = __name__
    globals()["TablesPanel"] = TablesPanel
    return TablesPanel


def _parents_first(gen: Any, names: list[str]) -> list[str]:
    """``names`` ordered so that each table comes after the tables its foreign keys point at
    (self-references aside); ``gen``'s relations forming a cycle are refused."""
    pending, done = list(names), []
    while pending:
        ready = [
            t for t in pending
            if all(r.parent in done for r in gen.relations if r.child == t and not r.self_reference)
        ]  # fmt: skip
        if not ready:
            raise gen.invalid("relations", f"must not form a cycle among tables (among {pending})", pending)
        done.extend(ready)
        pending = [t for t in pending if t not in ready]
    return done


@contextlib.contextmanager
def _replacing_file(target: Path, owner: str, errors: Any = ()) -> Iterator[Path]:
    """A temporary file beside ``target``, renamed into place when the block ends.

    On any failure the temporary file goes and ``target`` is left as it was; ``errors``
    (a database library's error classes) become one InvalidParameterError.
    """
    tmp = _temporary(target, owner, folder=False)
    try:
        yield tmp
        os.replace(tmp, target)
    except errors as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise InvalidParameterError(f"{owner} could not write the tables: {exc}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def _create_table(name: str, df: pd.DataFrame, keys: dict[str, Any] | None, sql_type: Any) -> str:
    """``CREATE TABLE`` for ``df`` with its declared keys (``{"primary", "unique", "foreign"}``);
    every name a quoted identifier, column types from ``sql_type``."""
    parts = [f"{quote_identifier(c)} {sql_type(df[c])}" for c in df.columns]
    if keys is not None:
        if keys["primary"] is not None:
            parts.append(f"PRIMARY KEY ({quote_identifier(keys['primary'])})")
        parts.extend(f"UNIQUE ({quote_identifier(c)})" for c in keys["unique"])
        parts.extend(
            f"FOREIGN KEY ({quote_identifier(c)}) REFERENCES {quote_identifier(p)} ({quote_identifier(pk)})"
            for c, p, pk in keys["foreign"]
        )
    return f"CREATE TABLE {quote_identifier(name)} (\n  " + ",\n  ".join(parts) + "\n)"


def _check_real_tables(data: Any) -> None:
    if not (data and all(isinstance(k, str) and isinstance(v, pd.DataFrame) for k, v in data.items())):
        raise DataError(f"Real tables must be a non-empty dict of DataFrames by table name. Got {short_repr(data)}.")
