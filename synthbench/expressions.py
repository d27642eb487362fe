"""Safe expressions over columns, for derived columns and row constraints.

An expression such as ``"price * quantity"`` or ``"start < end"`` is parsed with
:mod:`ast`, checked against a whitelist and compiled into a tree of nested tuples:
a constant, ``("col", name)``, or ``(operator or function, *arguments)``. Nothing is
ever passed to ``eval``: :func:`synthbench.kernels.rules.evaluate` walks the tree over
a DataFrame, in ``sample`` and, word for word, in exported code, where the tree is
written as a literal. Column names that are not identifiers go in backticks, as in
:meth:`pandas.DataFrame.query`: ```unit price` * quantity`` (a backtick inside a
string constant is just a character).

The rules, beyond the whitelist:

* ``and``, ``or`` and ``not`` take conditions or boolean columns. On numbers they
  raise (write ``x != 0``) instead of silently acting bitwise, as pandas' ``&`` would.
* Text can be joined with ``+`` but not repeated (``'ab' * x``) nor formatted
  (``'%d' % x``), so an expression cannot build strings of unbounded size.
* The exponent of ``**`` is a number written in the expression, within [-100, 100],
  and the base reads a column (``2 ** 10`` is written ``1024``).
* At most 200 parts, nested at most 100 deep.

>>> import pandas as pd
>>> df = pd.DataFrame({"price": [2.0, 3.0], "quantity": [1, 4]})
>>> expr = parse("round(price * quantity, 1)")
>>> expr.tree
('round', ('*', ('col', 'price'), ('col', 'quantity')), 1)
>>> evaluate(expr, df).tolist()
[2.0, 12.0]
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .exceptions import ExpressionError
from .kernels import rules
from .params import short_repr

__all__ = ["Expression", "evaluate", "parse"]

MAX_LENGTH = 1_000
MAX_NODES = 200
MAX_DEPTH = 100
MAX_EXPONENT = 100
MAX_DECIMALS = 15

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
    ast.In: "in",
    ast.NotIn: "not in",
}

#: Function name -> the numbers of arguments it takes.
FUNCTIONS: dict[str, tuple[int, ...]] = {
    "abs": (1,),
    "sqrt": (1,),
    "exp": (1,),
    "log": (1,),
    "log10": (1,),
    "floor": (1,),
    "ceil": (1,),
    "round": (1, 2),
    "minimum": (2,),
    "maximum": (2,),
    "clip": (3,),
    "where": (3,),
    "days": (1,),
    "hours": (1,),
    "year": (1,),
    "month": (1,),
    "day": (1,),
    "weekday": (1,),
}


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, its tree of tuples and the columns it reads."""

    text: str
    tree: Any
    columns: tuple[str, ...]
    is_condition: bool


def parse(text: Any, *, what: str = "expression") -> Expression:
    """Parse and check ``text``; raise :class:`ExpressionError` saying what is not allowed."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(f"The {what} must be a non-empty str. Got {text!r} instead.")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"The {what} is longer than {MAX_LENGTH} characters.")
    source, names = _quote_backticks(text, what)
    try:
        node = ast.parse(source.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        msg = getattr(exc, "msg", None) or type(exc).__name__
        raise ExpressionError(f"The {what} {short_repr(text, 120)} is not a valid expression: {msg}.") from None
    checker = _Checker(text, what, names)
    try:
        tree = checker.compile(node, 0)
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops well before
        raise checker.fail(f"is nested more than {MAX_DEPTH} levels deep") from None
    is_condition = isinstance(node, (ast.Compare, ast.BoolOp)) or (
        isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)
    )
    return Expression(text, tree, tuple(dict.fromkeys(checker.columns)), is_condition)


def _quote_backticks(text: str, what: str) -> tuple[str, dict[str, str]]:
    """``text`` with each backtick-quoted name outside string constants replaced by a
    placeholder identifier, and the placeholders' names."""
    tag = "_q_"
    while tag in text:  # a placeholder no name in the text can collide with
        tag = tag + "q_"
    out: list[str] = []
    names: dict[str, str] = {}
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "'\"":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else ch
            j = i + len(quote)
            while j < len(text) and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            j = min(j + len(quote), len(text))
            out.append(text[i:j])
            i = j
        elif ch == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise ExpressionError(f"The {what} {text!r} has a backtick that is not closed.")
            if j == i + 1:
                raise ExpressionError(f"The {what} {text!r} has an empty pair of backticks.")
            key = f"{tag}{len(names)}"
            names[key] = text[i + 1 : j]
            out.append(f" {key} ")
            i = j + 1
        else:
            out.append(ch)
            i += 1
    return "".join(out), names


def _number(node: ast.AST) -> int | float | None:
    """The value of a number written in the expression (with signs), else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _number(node.operand)
        return None if inner is None else (-inner if isinstance(node.op, ast.USub) else inner)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    return None


class _Checker:
    """Checks a parsed expression against the whitelist and compiles it into tuples."""

    def __init__(self, text: str, what: str, names: dict[str, str]) -> None:
        self.text, self.what, self.names = text, what, names
        self.columns: list[str] = []
        self.count = 0

    def fail(self, why: str) -> ExpressionError:
        return ExpressionError(f"The {self.what} {short_repr(self.text, 120)} {why}.")

    def compile(self, node: ast.AST, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(f"has more than {MAX_NODES} parts")
        if depth > MAX_DEPTH:
            raise self.fail(f"is nested more than {MAX_DEPTH} levels deep")
        depth += 1
        if isinstance(node, ast.Constant):
            return self.constant(node.value)
        if isinstance(node, ast.Name):
            name = self.names.get(node.id, node.id)
            self.columns.append(name)
            return ("col", name)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            op = _BINOPS[type(node.op)]
            if op == "**":
                self.check_power(node)
            if op in ("*", "%"):
                self.check_text(op, node)
            return (op, self.compile(node.left, depth), self.compile(node.right, depth))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
            number = _number(node)
            if number is not None:
                return self.constant(number)
            op = {ast.USub: "neg", ast.UAdd: "pos", ast.Not: "not"}[type(node.op)]
            return (op, self.compile(node.operand, depth))
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            return (op, *(self.compile(v, depth) for v in node.values))
        if isinstance(node, ast.Compare):
            return self.compare(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise self.fail(f"uses {type(node).__name__}, which is not allowed")

    def constant(self, v: Any) -> Any:
        if isinstance(v, (bool, str)):
            return v
        if isinstance(v, int) and abs(v) < 2**63:
            return v
        if isinstance(v, float) and math.isfinite(v):
            return v
        raise self.fail(f"uses the constant {v!r}; only str, bool, int64 and finite floats")

    def check_power(self, node: ast.BinOp) -> None:
        # Python computes constant ** constant exactly, so 9 ** 9 ** 9 would never end;
        # an exponent computed from columns could be anything, so it must be written out.
        if not _has_name(node.left):
            raise self.fail("raises a constant to a power; write the number instead")
        exponent = _number(node.right)
        if exponent is None:
            raise self.fail("raises to a power that is not a number written in the expression")
        if abs(exponent) > MAX_EXPONENT:
            raise self.fail(f"raises to a power outside [-{MAX_EXPONENT}, {MAX_EXPONENT}]")

    def check_text(self, op: str, node: ast.BinOp) -> None:
        sides = [node.left, node.right] if op == "*" else [node.left]
        if any(isinstance(s, ast.Constant) and isinstance(s.value, str) for s in sides):
            raise self.fail("repeats or formats text with '*' or '%', which is not allowed")

    def compare(self, node: ast.Compare, depth: int) -> Any:
        parts, left = [], self.compile(node.left, depth)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if type(op) not in _CMPOPS:
                raise self.fail(f"uses the comparison {type(op).__name__}, which is not allowed")
            name = _CMPOPS[type(op)]
            if name in ("in", "not in"):
                if not isinstance(right_node, (ast.List, ast.Tuple)):
                    raise self.fail("uses 'in' with something other than a list of constants")
                values = []
                for e in right_node.elts:
                    number = _number(e)
                    if number is None and not isinstance(e, ast.Constant):
                        raise self.fail("uses 'in' with something other than a list of constants")
                    self.count += 1
                    values.append(self.constant(e.value if number is None else number))
                parts.append((name, left, values))
                right = None
            else:
                right = self.compile(right_node, depth)
                parts.append((name, left, right))
            left = right
        return parts[0] if len(parts) == 1 else ("and", *parts)

    def call(self, node: ast.Call, depth: int) -> Any:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise self.fail(f"calls a function that is not allowed (allowed: {', '.join(sorted(FUNCTIONS))})")
        name = node.func.id
        if node.keywords:
            raise self.fail("passes keyword arguments, which are not allowed")
        counts = FUNCTIONS[name]
        if len(node.args) not in counts:
            takes = " or ".join(map(str, counts))
            raise self.fail(f"calls {name}() with {len(node.args)} argument(s); it takes {takes}")
        if name == "round" and len(node.args) == 2:
            decimals = _number(node.args[1])
            if type(decimals) is not int or abs(decimals) > MAX_DECIMALS:
                bound = f"[-{MAX_DECIMALS}, {MAX_DECIMALS}]"
                raise self.fail(f"rounds to a number of decimals that is not an int in {bound}")
        return (name, *(self.compile(a, depth) for a in node.args))


def _has_name(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) for n in ast.walk(node))


def evaluate(expr: Expression, df: Any) -> Any:
    """Compute the expression over the columns of ``df`` (the kernel exported code runs)."""
    try:
        with np.errstate(all="ignore"):
            return rules.evaluate(expr.tree, df)
    except Exception as exc:  # the kernel's numpy/pandas errors, named for the user
        raise ExpressionError(
            f"The expression {expr.text!r} cannot be computed on these columns: {type(exc).__name__}: {exc}"
        ) from None
