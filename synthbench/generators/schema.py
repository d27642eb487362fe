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
"""

from __future__ import annotations

import zlib
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .. import expressions
from ..base import Generator
from ..codegen import CodeCell, literal
from ..exceptions import ExpressionError, InvalidParameterError
from ..params import ComponentOf, Int, ListOf, Options, Param, Str
from ..registry import register
from .columns import COLUMN_TYPES, Block, Column, q

__all__ = ["BLOCK_SIZE", "Schema", "column_key"]

#: Rows per block. Part of the output's definition: changing it changes the data.
BLOCK_SIZE = 2**16

#: Sub-stream of a column that draws its missing values. Every stream makes exactly one
#: draw per block, so row i's values never depend on how many rows the block has.
NULL_STREAM = 1


def column_key(name: str) -> int:
    """A stable 32-bit key for a column name (the same in every process and platform)."""
    return zlib.crc32(name.encode("utf-8"))


def _nullable(column: Column) -> str | None:
    if getattr(column, "kind", None) == "sequential" and not (column.prefix or column.width):
        return "Int64"
    return column.nullable_dtype


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
            ListOf(Str(max_len=expressions.MAX_LENGTH, what="an expression str")),
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

    # -- sampling ----------------------------------------------------------------------
    def _make_rows(self, seed: int, positions: np.ndarray, stream: tuple[int, int], cache: dict) -> pd.DataFrame:
        n = len(positions)
        df = pd.DataFrame(index=pd.RangeIndex(n))
        block = Block(seed=seed, positions=positions, stream=stream, df=df, cache=cache)
        order = self._order()
        with np.errstate(all="ignore"):
            for col in order:
                rng = np.random.default_rng([seed, *stream, column_key(col.name)])
                df[col.name] = col.generate(block, rng)
                if col.null_rate > 0:
                    values = df[col.name]
                    if _nullable(col):
                        values = values.astype(_nullable(col))
                    gaps = np.random.default_rng([seed, *stream, column_key(col.name), NULL_STREAM])
                    df[col.name] = values.mask(gaps.random(n) < col.null_rate)
        names = [c.name for c in self.columns]
        return df if names == [c.name for c in order] else df[names]

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
        out = {}
        for expr in self._constraints():
            missing = [c for c in expr.columns if c not in df.columns]
            if missing:
                raise InvalidParameterError(f"The frame lacks column(s) {missing} used by constraint {expr.text!r}.")
            held = expressions.evaluate(expr, df)
            present = df[list(expr.columns)].notna().all(axis=1)
            out[expr.text] = (~held & present).fillna(False).to_numpy(dtype=bool)
        return pd.DataFrame(out, index=df.index, columns=list(out))

    def _make_block(self, seed: int, block: int, n: int, cache: dict, report: dict) -> pd.DataFrame:
        positions = np.arange(block * BLOCK_SIZE, min((block + 1) * BLOCK_SIZE, n))
        df = self._make_rows(seed, positions, (block, 0), cache)
        if not self.constraints:
            return df
        broken = self.broken_rows(df)
        for text in broken:
            report["constraint_violations"][text] += int(broken[text].sum())
        bad = broken.any(axis=1).to_numpy()
        if self.on_violation == "drop":
            report["rows_dropped"] += int(bad.sum())
            return df[~bad]
        attempt = 0
        while bad.any() and self.on_violation == "resample" and attempt < self.max_attempts:
            attempt += 1
            report["rows_resampled"] += int(bad.sum())
            fresh = self._make_rows(seed, positions[bad], (block, attempt), cache)
            df = pd.concat([df[~bad], fresh.set_axis(df.index[bad])]).sort_index()
            bad = self.broken_rows(df).any(axis=1).to_numpy()
        if bad.any():
            first = df.index[bad][0]
            why = f"after {self.max_attempts} attempts" if self.on_violation == "resample" else "(on_violation='raise')"
            raise InvalidParameterError(
                f"The 'constraints' parameter of Schema: {int(bad.sum())} row(s) still break "
                f"{list(self.constraints)} {why}, e.g. row {first}: "
                f"{df.loc[first].to_dict()}. The columns' distributions rarely satisfy them."
            )
        return df

    def _sample(self, n: int, seed: int) -> pd.DataFrame:
        cache: dict = {}
        report: dict[str, Any] = {
            "constraint_violations": dict.fromkeys(self.constraints, 0),
            "rows_resampled": 0,
            "rows_dropped": 0,
        }
        blocks = [self._make_block(seed, k, n, cache, report) for k in range(_n_blocks(n))]
        df = pd.concat(blocks, ignore_index=True)
        if self.constraints:
            df.attrs["synthbench"] = report
        return df

    def _sample_blocks(self, n: int, seed: int, start: int, stop: int) -> pd.DataFrame:
        """Rows of blocks ``start <= k < stop`` of ``sample(n, seed)``, made on their own.

        Block k depends only on ``(seed, k)``, so concatenating the block ranges of any
        partition of ``range(n_blocks)`` gives ``sample(n, seed)`` (streaming, Dask).
        """
        cache: dict = {}
        report: dict[str, Any] = {
            "constraint_violations": dict.fromkeys(self.constraints, 0),
            "rows_resampled": 0,
            "rows_dropped": 0,
        }
        blocks = [self._make_block(seed, k, n, cache, report) for k in range(start, stop)]
        return pd.concat(blocks, ignore_index=True)

    # -- code ----------------------------------------------------------------------------
    def _to_code(self, n: int, seed: int) -> str:
        cell = CodeCell(f"Schema: {n} rows, seed {seed}. Regenerates the frame as `df`.")
        cell.need("import numpy as np", "import pandas as pd")
        cell.block(
            None,
            f"SEED = {seed}",
            f"N_ROWS = {n}",
            "BLOCK_SIZE = 65536  # rows are made in blocks; block k depends only on (SEED, k)",
        )
        setup = [line for c in self.columns for line in c.setup_code(seed)]
        if setup:
            cell.need("from faker import Faker")
            cell.block(None, *setup)

        body = [
            "def make_rows(positions, stream):",
            '    """Rows at `positions` (row numbers) from the random streams keyed by `stream`."""',
            "    n = len(positions)",
            "    df = pd.DataFrame(index=pd.RangeIndex(n))",
        ]
        order = self._order()
        for col in order:
            body.append("")
            body.append(f"    # {col.name}: {col.describe()}")
            if col.uses_rng or col.null_rate > 0:
                body.append(f"    rng = np.random.default_rng([SEED, *stream, {column_key(col.name)}])")
            body.extend(f"    {line}" for line in col.code())
            if col.null_rate > 0:
                cast = f".astype({literal(_nullable(col))})" if _nullable(col) else ""
                body.append(
                    f"    gaps = np.random.default_rng([SEED, *stream, {column_key(col.name)}, {NULL_STREAM}])"
                    f"  # {col.null_rate:.0%} missing"
                )
                body.append(
                    f"    df[{q(col.name)}] = df[{q(col.name)}]{cast}.mask(gaps.random(n) < {literal(col.null_rate)})"
                )
        names = [c.name for c in self.columns]
        body.append("")
        body.append(f"    return df[{literal(names)}]" if names != [c.name for c in order] else "    return df")
        cell.block(None, *body)

        if self.constraints:
            cell.block(None, *self._constraint_code())
        block = [
            "def make_block(block):",
            "    positions = np.arange(block * BLOCK_SIZE, min((block + 1) * BLOCK_SIZE, N_ROWS))",
            "    df = make_rows(positions, (block, 0))"
            if self.constraints
            else "    return make_rows(positions, (block, 0))",
        ]
        if self.on_violation == "drop" and self.constraints:
            block.append("    return df[~broken(df)]  # drop rows that break a constraint")
        elif self.constraints:
            block += [
                "    bad = broken(df)",
                "    attempt = 0",
                f"    while bad.any() and attempt < {self.max_attempts if self.on_violation == 'resample' else 0}:",
                "        attempt += 1  # make the broken rows again from fresh streams",
                "        fresh = make_rows(positions[bad], (block, attempt))",
                "        df = pd.concat([df[~bad], fresh.set_axis(df.index[bad])]).sort_index()",
                "        bad = broken(df)",
                "    if bad.any():",
                '        raise ValueError(f"{bad.sum()} rows still break the constraints")',
                "    return df",
            ]
        cell.block(None, *block)
        cell.block(
            None,
            "n_blocks = max(1, -(-N_ROWS // BLOCK_SIZE))",
            "df = pd.concat([make_block(k) for k in range(n_blocks)], ignore_index=True)",
        )
        return cell.render()

    def _constraint_code(self) -> list[str]:
        lines = [
            "def broken(df):",
            '    """Rows that break a constraint; a missing value breaks none (as in SQL CHECK)."""',
            "    bad = np.zeros(len(df), dtype=bool)",
        ]
        for expr in self._constraints():
            cols = literal(list(expr.columns))
            lines.append(f"    held = {expressions.to_source(expr)}  # {expr.text}")
            lines.append(f"    bad |= (~held & df[{cols}].notna().all(axis=1)).fillna(False).to_numpy(dtype=bool)")
        lines.append("    return bad")
        return lines


def _n_blocks(n: int) -> int:
    return max(1, -(-n // BLOCK_SIZE))
