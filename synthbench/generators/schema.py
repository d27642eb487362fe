"""Rule-based generation: declare the columns, get a DataFrame.

How the random streams are laid out (and why):

* Rows are made in blocks of :data:`BLOCK_SIZE`. Block *k* depends only on
  ``(seed, k)``, so any block can be made on its own (streaming, Dask), and
  ``sample(n)`` is the first *n* rows of any larger sample with the same seed.
* Inside a block each column draws from its own stream,
  ``np.random.default_rng([seed, block, attempt, column_key(name)])``. Changing one
  column's parameters therefore leaves every other column's values unchanged, which
  keeps live previews stable while a knob is turned.
* A column's missing values come from a second stream of its own, so a null rate
  does not move the values either. Every stream makes a single draw per block, so
  row *i* gets the same values whatever the block's length.
* Rows that break a constraint are made again from the streams of the next
  ``attempt``, or dropped, and the counts are reported in ``df.attrs["synthbench"]``.

All of this is done by the kernels of :mod:`synthbench.kernels.rules`: each column
compiles to a ``(name, stream key, kernel, arguments, missing)`` entry with literal
arguments, and :func:`~synthbench.kernels.rules.make_table` makes the frame from the
table. ``sample`` runs that call; ``to_code`` writes the kernels, the table and the
same call, so the exported cell cannot drift from the library.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import pandas as pd

from .. import expressions, scale
from ..base import Generator, max_bytes, threads
from ..codegen import CodeCell, Plan, Ref, literal, wrap
from ..exceptions import ExpressionError, InvalidParameterError, SynthbenchError
from ..kernels import rules as k
from ..params import ComponentOf, Int, ListOf, Options, Param, Str
from ..registry import register
from .columns import COLUMN_TYPES, Column, Setup, column_key

__all__ = ["BLOCK_SIZE", "MAX_POOL_VALUES", "Schema", "column_key"]

#: Rows per block. Part of the output's definition: changing it changes the data.
BLOCK_SIZE = 2**16

#: Sub-stream of a column that draws its missing values (written as ``1`` in the kernel
#: :func:`~synthbench.kernels.rules.make_rows`). Every stream makes exactly one draw
#: per block, so row i's values never depend on how many rows the block has.
NULL_STREAM = 1

#: Most Faker values the Text columns of one schema may pool, all together.
MAX_POOL_VALUES = 1_000_000


@register
class Schema(Generator):
    """A table declared column by column: ids, categories, numbers, dates, text.

    Parameters
    ----------
    columns : list of Column
        The columns, in output order (see :mod:`synthbench.columns`). A column may read
        columns declared anywhere in the list (``Derived``, ``by=``); they are made in
        dependency order.
    constraints : list of str
        Row conditions such as ``"start < end"`` or ``"age >= 18"``. A missing value
        never breaks a constraint (as in SQL ``CHECK``).
    on_violation : {"resample", "drop", "raise"}
        What to do with rows that break a constraint: make them again (up to
        ``max_attempts`` times), drop them (fewer rows come back), or raise.
    max_attempts : int
        How many times a broken row is made again before giving up.

    Examples
    --------
    The customer table of the tutorials:

    >>> import synthbench as sb
    >>> from synthbench import columns as c
    >>> customers = sb.Schema(columns=[
    ...     c.Id("id"),
    ...     c.Categorical("gender", categories=["female", "male"]),
    ...     c.Integer("age", params={"low": 18, "high": 80}),
    ...     c.Categorical("country", categories=["DE", "FR", "US"], weights=[0.3, 0.2, 0.5]),
    ... ])
    >>> df = customers.sample(1000, seed=42)
    >>> df.shape
    (1000, 4)
    >>> df.dtypes.astype(str).tolist()
    ['int64', 'category', 'int64', 'category']
    """

    family: ClassVar[str] = "rules"
    panel: ClassVar[str] = "SchemaPanel"
    block_size: ClassVar[int] = BLOCK_SIZE
    params = (
        Param(
            "columns",
            ListOf(ComponentOf(COLUMN_TYPES, "a column"), min_len=1, max_len=2_000),
            help="The columns, in output order.",
        ),
        Param(
            "constraints",
            ListOf(Str(max_len=expressions.MAX_LENGTH, what="an expression str"), max_len=200),
            (),
            "Row conditions such as 'start < end'.",
        ),
        Param(
            "on_violation",
            Options(("resample", "drop", "raise")),
            "resample",
            "Make broken rows again, drop them, or raise.",
        ),
        Param("max_attempts", Int(1, 1_000), 100, "Tries per broken row before giving up."),
    )

    @classmethod
    def example(cls) -> Schema:
        """The customer table: ids, gender, age 18-80, country, income with gaps, signup."""
        from . import columns as c

        return cls(
            columns=[
                c.Id("customer_id", prefix="C-", width=6),
                c.Categorical("gender", categories=["female", "male"]),
                c.Integer("age", params={"low": 18, "high": 80}),
                c.Categorical("country", categories=["DE", "FR", "UK", "US"], weights=[0.2, 0.1, 0.2, 0.5]),
                c.Float(
                    "income",
                    distribution="lognormal",
                    params={"mean": 10.5, "sigma": 0.5},
                    by="country",
                    params_by={"US": {"mean": 10.9}},
                    decimals=2,
                    null_rate=0.05,
                ),
                c.Datetime("signup", start="2020-01-01", end="2024-12-31", freq="D"),
            ]
        )

    # -- validation -------------------------------------------------------------------
    def _check_params(self) -> None:
        names = [c.name for c in self.columns]
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise self.invalid("columns", f"must have distinct names; {name!r} is repeated", names)
            seen.add(name)
        keys: dict[int, str] = {}
        for name in names:
            other = keys.setdefault(column_key(name), name)
            if other != name:  # pragma: no cover - a 1 in 4 billion coincidence
                raise self.invalid("columns", f"must not share a stream key ({other!r}, {name!r}); rename one", names)
        for col in self.columns:
            for dep in col.dependencies():
                if dep not in seen:
                    raise self.invalid("columns", f"must define {dep!r}, which {col.label} reads", names)
                if dep == col.name:
                    raise self.invalid("columns", f"must not let {col.label} read itself", names)
        self._order()
        for text in self.constraints:
            self._parse_constraint(text, seen)
        pooled = sum(c.pool_size for c in self.columns if type(c).__name__ == "Text")
        if pooled > MAX_POOL_VALUES:
            raise self.invalid(
                "columns",
                f"must pool at most {MAX_POOL_VALUES:,} Faker values over all Text columns "
                f"(their pool_size adds up to {pooled:,}); lower pool_size",
                f"{len(self.columns)} columns",
            )

    def _parse_constraint(self, text: str, names: set[str]) -> expressions.Expression:
        try:
            expr = expressions.parse(text, what="constraint")
        except ExpressionError as exc:
            raise ExpressionError(f"The 'constraints' parameter of Schema: {exc}") from None
        if not expr.is_condition:
            raise self.invalid("constraints", "must hold conditions (comparisons joined by and/or)", text)
        if not expr.columns:
            raise self.invalid("constraints", "must refer to at least one column", text)
        unknown = [c for c in expr.columns if c not in names]
        if unknown:
            raise self.invalid("constraints", f"must only use defined columns; {unknown} are not", text)
        return expr

    def _order(self) -> list[Column]:
        """Columns in an order where each comes after the columns it reads."""
        pending = list(self.columns)
        done: set[str] = set()
        order: list[Column] = []
        while pending:
            ready = [c for c in pending if all(d in done for d in c.dependencies())]
            if not ready:
                cycle = [c.name for c in pending]
                raise self.invalid("columns", f"must not read each other in a cycle (among {cycle})", cycle)
            for c in ready:
                order.append(c)
                done.add(c.name)
            pending = [c for c in pending if c.name not in done]
        return order

    def _constraints(self) -> list[expressions.Expression]:
        names = {c.name for c in self.columns}
        return [self._parse_constraint(t, names) for t in self.constraints]

    # -- the plan ------------------------------------------------------------------------
    def _table(self, setup: Setup) -> list[tuple[str, int, Any, dict[str, Any], Any]]:
        """One ``(name, stream key, kernel, arguments, missing)`` entry per column, in the
        order they are made (each after the columns it reads)."""
        table = []
        for col in self._order():
            kernel, arguments = col.kernel_call(setup)
            table.append((col.name, column_key(col.name), kernel, arguments, col.missing()))
        return table

    def _make_table(
        self, n: int, seed: int, columns: Any, constraints: Any, blocks: Any = None, block_map: Any = None
    ) -> Plan:
        """The call that makes the frame, with ``columns`` and ``constraints`` as given
        (the tables themselves, or the names of the exported code's variables); ``sample``
        adds a ``block_map`` that makes blocks side by side (the exported code makes them
        one after another: the same values)."""
        names = [c.name for c in self.columns]
        options: dict[str, Any] = {}
        if self.constraints:
            options = {
                "enforce": k.enforce_constraints,
                "constraints": constraints,
                "on_violation": self.on_violation,
                "max_attempts": self.max_attempts,
            }
        if names != [c.name for c in self._order()]:
            options["output"] = names
        if blocks is not None:
            options["blocks"] = blocks
        if block_map is not None:
            options["block_map"] = block_map
        plan = Plan()
        plan.call("df", k.make_table, n_rows=n, seed=seed, columns=columns, **options, block_size=BLOCK_SIZE)
        return plan

    def _constraint_table(self) -> list[tuple[str, Any]]:
        return [(expr.text, expr.tree) for expr in self._constraints()]

    def _run(self, n: int, seed: int, blocks: tuple[int, int] | None = None) -> pd.DataFrame:
        setup = Setup(seed)
        table = self._table(setup)
        try:
            env = setup.plan.run()
            made = n if blocks is None else max(0, min(blocks[1] * BLOCK_SIZE, n) - blocks[0] * BLOCK_SIZE)
            block_map = functools.partial(scale.block_map, max_threads=self._block_threads(made))
            plan = self._make_table(n, seed, table, self._constraint_table(), blocks, block_map=block_map)
            return plan.run(**env)["df"]
        except SynthbenchError:
            raise
        except Exception as exc:  # a kernel's numpy/pandas error, named for the user
            raise self._explain(exc) from None

    def _explain(self, exc: Exception) -> SynthbenchError:
        notes = " ".join(getattr(exc, "__notes__", []))
        why = f"{type(exc).__name__}: {exc}"
        for col in self.columns:
            if notes == f"while making column {col.name!r}":
                if type(col).__name__ == "Derived":
                    return ExpressionError(f"The expression {col.expr!r} of {col.label} cannot be computed: {why}")
                return InvalidParameterError(f"{col.label} cannot be made: {exc}.")
        for text in self.constraints:
            if notes == f"while checking constraint {text!r}":
                return ExpressionError(f"The constraint {text!r} cannot be computed on these columns: {why}")
        if notes or not isinstance(exc, ValueError):
            return InvalidParameterError(f"Schema cannot make its rows: {why}")
        return InvalidParameterError(f"The 'constraints' parameter of Schema: {exc}")

    # -- sampling ----------------------------------------------------------------------
    def broken_rows(self, df: pd.DataFrame) -> pd.DataFrame:
        """One boolean column per constraint: which rows of ``df`` break it.

        >>> import synthbench as sb
        >>> import pandas as pd
        >>> s = sb.Schema(columns=[sb.columns.Integer("age", params={"low": 0, "high": 99})],
        ...               constraints=["age >= 18"])
        >>> s.broken_rows(pd.DataFrame({"age": [10, 30, None]}))["age >= 18"].tolist()
        [True, False, False]
        """
        self.validate()
        constraints = self._constraint_table()
        for text, tree in constraints:
            missing = [c for c in dict.fromkeys(k.columns_of(tree)) if c not in df.columns]
            if missing:
                raise InvalidParameterError(f"The frame lacks column(s) {missing} used by constraint {text!r}.")
        try:
            broken = k.broken_rows(df, constraints)
        except Exception as exc:
            raise self._explain(exc) from None
        out = dict(zip(self.constraints, broken, strict=True))
        return pd.DataFrame(out, index=df.index, columns=list(out))

    def _sample(self, n: int, seed: int) -> pd.DataFrame:
        df = self._run(n, seed)
        if "constraints" in df.attrs:
            df.attrs["synthbench"] = df.attrs.pop("constraints")
        return df

    def _sample_blocks(self, n: int, seed: int, start: int, stop: int) -> pd.DataFrame:
        """Rows of blocks ``start <= k < stop`` of ``sample(n, seed)``, made on their own.

        Block k depends only on ``(seed, k)``, so concatenating the block ranges of any
        partition of ``range(n_blocks)`` gives ``sample(n, seed)`` (streaming, Dask).
        """
        df = self._run(n, seed, (start, stop))
        df.attrs.pop("constraints", None)
        return df

    # -- resources ----------------------------------------------------------------------
    def _row_bytes(self) -> int:
        """About how many bytes one row of the frame takes (text at its longest)."""
        self.validate()
        widths: dict[str, int] = {}
        total = 8 * len(self.constraints)
        for col in self._order():
            widths[col.name] = col.text_width(widths)
            total += col.row_bytes(widths[col.name])
        return total

    def _estimate_bytes(self, n: int) -> int:
        """About how many bytes ``sample(n)`` needs (see :meth:`_block_plan`)."""
        return self._block_plan(n)[1]

    def _block_threads(self, n: int) -> int:
        """Threads that make the blocks of ``n`` rows (see :meth:`_block_plan`)."""
        return self._block_plan(n)[0]

    def _block_plan(self, n: int) -> tuple[int, int]:
        """The threads that make the blocks of ``n`` rows, and the bytes ``sample(n)`` needs.

        The bytes: the frame and its blocks while they are joined, the temporaries of the
        blocks being made at once (text is built as 4-byte code points), pools and grids.
        Each thread holds a block's temporaries, so there are as many threads as the memory
        limit leaves room for beside the frame (at least one, at most one per block; one
        block asks for none): more threads never make a request too large for memory.
        """
        rows = self._row_bytes()
        fixed = 2 * n * rows + sum(c.setup_bytes() for c in self.columns)
        temporaries = min(n, BLOCK_SIZE) * 8 * rows
        blocks = -(-n // BLOCK_SIZE)
        count = 1 if blocks < 2 else max(1, min(threads(), blocks, (max_bytes() - fixed) // max(1, temporaries)))
        return count, fixed + min(n, BLOCK_SIZE * count) * 8 * rows

    # -- code ----------------------------------------------------------------------------
    def _to_code(self, n: int, seed: int) -> str:
        setup = Setup(seed)
        table = self._table(setup)
        constraints = self._constraint_table()
        run = self._make_table(n, seed, table, constraints)
        cell = CodeCell(f"Schema: {n} rows, seed {seed}. Regenerates the frame as `df`.")
        cell.need("import numpy as np", "import pandas as pd")
        cell.kernels(Plan([*setup.plan.steps, *run.steps]).kernels())
        if setup.plan.steps:
            cell.block(None, *setup.plan.lines())
        order = {c.name: c for c in self.columns}
        rows = []
        for i, (name, key, kernel, arguments, missing) in enumerate(table, 1):
            rows.append(f"    # {i}: {order[name].summary()}")
            one = [literal(name), literal(key), kernel.__name__, literal(arguments), literal(missing)]
            lines = wrap("(", one, "),", indent="    ")
            if max(map(len, lines)) > 88:  # the arguments one per line
                args = [f"{literal(a)}: {literal(v)}" for a, v in arguments.items()]
                lines = [
                    "    (",
                    f"        {literal(name)}, {literal(key)}, {kernel.__name__},",
                    *wrap("{", args, "},", indent="        "),
                    f"        {literal(missing)},",
                    "    ),",
                ]
            rows.extend(lines)
        cell.block(
            "One entry per column, in the order they are made (each after the columns it reads):\n"
            "(name, random stream key, kernel, its arguments, (share missing, dtype that holds missing) or None)",
            "COLUMNS = [",
            *rows,
            "]",
        )
        if constraints:
            lines = ["CONSTRAINTS = ["]
            for text, tree in constraints:
                lines.extend(wrap("(", [literal(text), literal(tree)], "),", indent="    "))
            lines.append("]")
            cell.block("Row conditions (text, expression tree); a missing value breaks none", *lines)
        final = self._make_table(n, seed, Ref("COLUMNS"), Ref("CONSTRAINTS"))
        cell.block(None, *final.lines())
        return cell.render()


def _n_blocks(n: int) -> int:
    return max(1, -(-n // BLOCK_SIZE))
