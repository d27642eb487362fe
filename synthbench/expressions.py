"""Safe expressions over columns, for derived columns and row constraints.

An expression such as ``"price * quantity"`` or ``"start < end"`` is parsed with
:mod:`ast` and checked against a whitelist: column names, number/str/bool constants,
arithmetic, comparisons, ``and``/``or``/``not``, ``in [...]`` and a fixed set of
functions. Nothing is ever passed to ``eval``: :func:`evaluate` walks the checked tree
over a DataFrame, and :func:`to_source` writes the same computation as pandas code for
``to_code``. Column names that are not identifiers are written in backticks, as in
:meth:`pandas.DataFrame.query`: ```unit price` * quantity``.

>>> import pandas as pd
>>> df = pd.DataFrame({"price": [2.0, 3.0], "quantity": [1, 4]})
>>> expr = parse("round(price * quantity, 1)")
>>> evaluate(expr, df).tolist()
[2.0, 12.0]
>>> to_source(expr)
'np.round(df["price"] * df["quantity"], 1)'
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import ExpressionError

__all__ = ["Expression", "evaluate", "parse", "to_source"]

MAX_LENGTH = 1_000
MAX_NODES = 200

_BINOPS: dict[type, str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
_CMPOPS: dict[type, str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}

#: name -> (number of arguments allowed, numpy/pandas source template).
FUNCTIONS: dict[str, tuple[tuple[int, ...], str]] = {
    "abs": ((1,), "np.abs({0})"),
    "sqrt": ((1,), "np.sqrt({0})"),
    "exp": ((1,), "np.exp({0})"),
    "log": ((1,), "np.log({0})"),
    "log10": ((1,), "np.log10({0})"),
    "floor": ((1,), "np.floor({0})"),
    "ceil": ((1,), "np.ceil({0})"),
    "round": ((1, 2), "np.round({0})"),
    "minimum": ((2,), "np.minimum({0}, {1})"),
    "maximum": ((2,), "np.maximum({0}, {1})"),
    "clip": ((3,), "np.clip({0}, {1}, {2})"),
    "where": ((3,), "np.where({0}, {1}, {2})"),
    "days": ((1,), 'pd.to_timedelta({0}, unit="D")'),
    "hours": ((1,), 'pd.to_timedelta({0}, unit="h")'),
    "year": ((1,), "{0}.dt.year"),
    "month": ((1,), "{0}.dt.month"),
    "day": ((1,), "{0}.dt.day"),
    "weekday": ((1,), "{0}.dt.day_of_week"),
}

_BACKTICK = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, its tree and the columns it reads."""

    text: str
    tree: ast.expr
    columns: tuple[str, ...]
    is_condition: bool


def parse(text: Any, *, what: str = "expression") -> Expression:
    """Parse and check ``text``; raise :class:`ExpressionError` saying what is not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(f"The {what} must be a non-empty str. Got {text!r} instead.")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"The {what} is longer than {MAX_LENGTH} characters.")
    names: dict[str, str] = {}

    def quote(match: re.Match) -> str:
        key = f"__col{len(names)}__"
        names[key] = match.group(1)
        return key

    source = _BACKTICK.sub(quote, text)
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        msg = getattr(exc, "msg", None) or type(exc).__name__
        raise ExpressionError(f"The {what} {text!r} is not a valid expression: {msg}.") from None
    checker = _Checker(text, what, names)
    checker.visit_checked(tree)
    is_condition = isinstance(tree, (ast.Compare, ast.BoolOp)) or (
        isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.Not)
    )
    return Expression(text, tree, tuple(dict.fromkeys(checker.columns)), is_condition)


class _Checker:
    def __init__(self, text: str, what: str, names: dict[str, str]) -> None:
        self.text, self.what, self.names = text, what, names
        self.columns: list[str] = []
        self.count = 0

    def fail(self, why: str) -> ExpressionError:
        return ExpressionError(f"The {self.what} {self.text!r} {why}.")

    def visit_checked(self, node: ast.AST) -> None:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(f"has more than {MAX_NODES} parts")
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, (bool, str)):
                return
            if isinstance(v, int) and abs(v) < 2**63:
                return
            if isinstance(v, float) and math.isfinite(v):
                return
            raise self.fail(f"uses the constant {v!r}; only str, bool, int64 and finite floats")
        if isinstance(node, ast.Name):
            name = self.names.get(node.id, node.id)
            node.id = name  # backtick-quoted names get their real text back
            self.columns.append(name)
            return
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            if isinstance(node.op, ast.Pow):
                # Python computes constant ** constant exactly, so 9 ** 9 ** 9 would never end.
                if not (_has_name(node.left) or _has_name(node.right)):
                    raise self.fail("raises a constant to a constant power; write the number instead")
                exp = node.right.value if isinstance(node.right, ast.Constant) else 0
                if not isinstance(exp, (int, float)) or isinstance(exp, bool) or abs(exp) > 100:
                    raise self.fail("raises to a power outside [-100, 100]")
            self.visit_checked(node.left)
            self.visit_checked(node.right)
            return
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
            self.visit_checked(node.operand)
            return
        if isinstance(node, ast.BoolOp):
            for v in node.values:
                self.visit_checked(v)
            return
        if isinstance(node, ast.Compare):
            self.visit_checked(node.left)
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, (ast.In, ast.NotIn)):
                    if not isinstance(right, (ast.List, ast.Tuple)) or not all(
                        isinstance(e, ast.Constant) for e in right.elts
                    ):
                        raise self.fail("uses 'in' with something other than a list of constants")
                    for e in right.elts:
                        self.visit_checked(e)
                elif type(op) in _CMPOPS:
                    self.visit_checked(right)
                else:
                    raise self.fail(f"uses the comparison {type(op).__name__}, which is not allowed")
            return
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                allowed = ", ".join(sorted(FUNCTIONS))
                raise self.fail(f"calls a function that is not allowed (allowed: {allowed})")
            if node.keywords:
                raise self.fail("passes keyword arguments, which are not allowed")
            counts, _ = FUNCTIONS[node.func.id]
            if len(node.args) not in counts:
                raise self.fail(
                    f"calls {node.func.id}() with {len(node.args)} argument(s); it takes "
                    + " or ".join(map(str, counts))
                )
            if (
                node.func.id == "round"
                and len(node.args) == 2
                and not (isinstance(node.args[1], ast.Constant) and type(node.args[1].value) is int)
            ):
                raise self.fail("rounds to a number of decimals that is not an int constant")
            for a in node.args:
                self.visit_checked(a)
            return
        raise self.fail(f"uses {type(node).__name__}, which is not allowed")


def _has_name(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) for n in ast.walk(node))


def _col(name: str) -> str:
    return f"df[{json.dumps(name)}]"


def to_source(expr: Expression) -> str:
    """The expression as pandas/numpy source over a frame named ``df``."""
    return _src(expr.tree, top=True)


def _src(node: ast.AST, top: bool = False) -> str:
    def wrap(s: str) -> str:
        return s if top else f"({s})"

    if isinstance(node, ast.Constant):
        v = node.value
        return json.dumps(v) if isinstance(v, str) else repr(v)
    if isinstance(node, ast.Name):
        return _col(node.id)
    if isinstance(node, ast.BinOp):
        return wrap(f"{_src(node.left)} {_BINOPS[type(node.op)]} {_src(node.right)}")
    if isinstance(node, ast.UnaryOp):
        op = {ast.USub: "-", ast.UAdd: "+", ast.Not: "~"}[type(node.op)]
        return wrap(f"{op}{_src(node.operand)}")
    if isinstance(node, ast.BoolOp):
        op = " & " if isinstance(node.op, ast.And) else " | "
        return wrap(op.join(_src(v) for v in node.values))
    if isinstance(node, ast.Compare):
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, (ast.In, ast.NotIn)):
                values = "[" + ", ".join(_src(e) for e in right.elts) + "]"
                isin = f"{_src(left)}.isin({values})"
                parts.append(f"~{isin}" if isinstance(op, ast.NotIn) else isin)
            else:
                parts.append(f"{_src(left)} {_CMPOPS[type(op)]} {_src(right)}")
            left = right
        if len(parts) == 1:
            return wrap(parts[0])
        return wrap(" & ".join(f"({p})" for p in parts))
    if isinstance(node, ast.Call):
        name = node.func.id
        args = [_src(a, top=True) for a in node.args]
        if name == "round" and len(args) == 2:
            return f"np.round({args[0]}, {args[1]})"
        return FUNCTIONS[name][1].format(*args)
    raise AssertionError(f"unchecked node {node!r}")  # parse() rejects everything else


def evaluate(expr: Expression, df: pd.DataFrame) -> Any:
    """Compute the expression over ``df`` exactly as :func:`to_source`'s code does."""
    try:
        with np.errstate(all="ignore"):
            return _eval(expr.tree, df)
    except (TypeError, ValueError, ArithmeticError, AttributeError) as exc:
        raise ExpressionError(f"The expression {expr.text!r} cannot be computed on these columns: {exc}") from None


def _eval(node: ast.AST, df: pd.DataFrame) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return df[node.id]
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left, df), _eval(node.right, df)
        op = type(node.op)
        if op is ast.Add:
            return a + b
        if op is ast.Sub:
            return a - b
        if op is ast.Mult:
            return a * b
        if op is ast.Div:
            return a / b
        if op is ast.FloorDiv:
            return a // b
        if op is ast.Mod:
            return a % b
        return a**b
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, df)
        if isinstance(node.op, ast.USub):
            return -v
        if isinstance(node.op, ast.UAdd):
            return +v
        return ~v
    if isinstance(node, ast.BoolOp):
        values = [_eval(v, df) for v in node.values]
        out = values[0]
        for v in values[1:]:
            out = (out & v) if isinstance(node.op, ast.And) else (out | v)
        return out
    if isinstance(node, ast.Compare):
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            a = _eval(left, df)
            if isinstance(op, (ast.In, ast.NotIn)):
                isin = a.isin([e.value for e in right.elts])
                parts.append(~isin if isinstance(op, ast.NotIn) else isin)
            else:
                b = _eval(right, df)
                parts.append(_compare(type(op), a, b))
            left = right
        out = parts[0]
        for p in parts[1:]:
            out = out & p
        return out
    if isinstance(node, ast.Call):
        args = [_eval(a, df) for a in node.args]
        return _call(node.func.id, args)
    raise AssertionError(f"unchecked node {node!r}")


def _compare(op: type, a: Any, b: Any) -> Any:
    if op is ast.Eq:
        return a == b
    if op is ast.NotEq:
        return a != b
    if op is ast.Lt:
        return a < b
    if op is ast.LtE:
        return a <= b
    if op is ast.Gt:
        return a > b
    return a >= b


def _call(name: str, args: list[Any]) -> Any:
    simple = {
        "abs": np.abs,
        "sqrt": np.sqrt,
        "exp": np.exp,
        "log": np.log,
        "log10": np.log10,
        "floor": np.floor,
        "ceil": np.ceil,
        "minimum": np.minimum,
        "maximum": np.maximum,
        "clip": np.clip,
        "where": np.where,
    }
    if name in simple:
        return simple[name](*args)
    if name == "round":
        return np.round(*args)
    if name in ("days", "hours"):
        return pd.to_timedelta(args[0], unit="D" if name == "days" else "h")
    return getattr(args[0].dt, "day_of_week" if name == "weekday" else name)
