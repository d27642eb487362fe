"""Helpers that write the standalone code cells returned by ``to_code``.

The code we write is meant to be read: imports first, then one commented block per
column or step, literals written the way a person would type them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

__all__ = ["CodeCell", "call", "literal"]

_IMPORT_ORDER = (
    "import numpy",
    "import pandas",
    "import scipy",
    "from scipy",
    "from sklearn",
    "from imblearn",
    "from faker",
)
_WIDTH = 88


def literal(value: Any) -> str:
    """Python source for a JSON-like value; floats round-trip exactly (``repr``)."""
    if isinstance(value, float):
        if math.isnan(value):
            return 'float("nan")'
        if math.isinf(value):
            return 'float("inf")' if value > 0 else '-float("inf")'
        return repr(value)
    if isinstance(value, str):
        # Double quotes, as a person (or black) writes them; JSON escapes are valid Python.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (bool, int)) or value is None:
        return repr(value)
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if hasattr(value, "item"):  # numpy scalar
        return literal(value.item())
    raise TypeError(f"No literal for {type(value).__name__}")


def wrap(prefix: str, items: Iterable[str], suffix: str, indent: str = "") -> list[str]:
    """``prefix item, item, ... suffix`` on one line, or one item per line if too long."""
    items = list(items)
    one = f"{indent}{prefix}{', '.join(items)}{suffix}"
    if len(one) <= _WIDTH:
        return [one]
    lines = [f"{indent}{prefix}"]
    line = indent + "    "
    for item in items:
        piece = item + ", "
        if len(line) + len(piece.rstrip()) > _WIDTH and line.strip():
            lines.append(line.rstrip())
            line = indent + "    "
        line += piece
    if line.strip():
        lines.append(line.rstrip())
    lines.append(f"{indent}{suffix.lstrip()}")
    return lines


def call(target: str, func: str, args: dict[str, Any], indent: str = "") -> list[str]:
    """``target = func(k=v, ...)`` with literal arguments, wrapped when long."""
    items = [f"{k}={literal(v)}" for k, v in args.items()]
    return wrap(f"{target} = {func}(", items, ")", indent)


class CodeCell:
    """Collects imports and commented blocks, then renders a code cell."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.imports: set[str] = set()
        self.blocks: list[list[str]] = []

    def need(self, *imports: str) -> CodeCell:
        self.imports.update(imports)
        return self

    def block(self, comment: str | None, *lines: str | list[str]) -> CodeCell:
        out = [f"# {line}" for line in comment.splitlines()] if comment else []
        for line in lines:
            out.extend(line if isinstance(line, list) else [line])
        self.blocks.append(out)
        return self

    def render(self) -> str:
        def order(line: str) -> tuple[int, str]:
            rank = next((i for i, p in enumerate(_IMPORT_ORDER) if line.startswith(p)), 99)
            return rank, line

        head = [f"# {line}" for line in self.title.splitlines()]
        imports = sorted(self.imports, key=order)
        body = ""
        for i, b in enumerate(self.blocks):
            if i:
                is_def = b[0].startswith("def ") or self.blocks[i - 1][0].startswith("def ")
                body += "\n\n\n" if is_def else "\n\n"
            body += "\n".join(b)
        return "\n".join(head + imports) + "\n\n" + body + "\n"
