"""Named distributions for numeric columns, as numpy ``Generator`` methods.

Each entry declares its parameters once (names in numpy's order, constraints,
defaults); the columns validate against it and compile their kernel call from it.
The bounds keep every draw far from int64 and float64 overflow (a geometric ``p`` of
1e-300 would give int64's maximum); a draw that still overflows raises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..params import Float, Int, Param

__all__ = ["DISTRIBUTIONS", "Distribution"]


@dataclass(frozen=True)
class Distribution:
    """A numpy ``Generator`` method and its declared parameters."""

    name: str
    params: tuple[Param, ...]
    #: Draws integers already (poisson, binomial, geometric).
    integer: bool = False
    #: A rule over the whole parameter dict; returns the broken rule or None.
    rule: Callable[[Mapping[str, Any]], str | None] = field(default=lambda p: None)
    method: str = ""

    @property
    def numpy_method(self) -> str:
        return self.method or self.name

    def resolve(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """``given`` completed with defaults, in numpy's argument order."""
        return {p.name: given.get(p.name, p.default) for p in self.params}


def _low_high(p: Mapping[str, Any]) -> str | None:
    return None if p["low"] <= p["high"] else "needs low <= high"


def _triangular(p: Mapping[str, Any]) -> str | None:
    if not p["left"] <= p["mode"] <= p["right"] or p["left"] == p["right"]:
        return "needs left <= mode <= right and left < right"
    return None


_BIG = 1e12  # keeps draws far from overflow; wider ranges are almost always a typo
_POSITIVE = Float(0, _BIG, closed="right")
_NONNEG = Float(0, _BIG)

DISTRIBUTIONS: dict[str, Distribution] = {
    d.name: d
    for d in [
        Distribution(
            "uniform",
            (Param("low", Float(-_BIG, _BIG), 0.0), Param("high", Float(-_BIG, _BIG), 1.0)),
            rule=_low_high,
        ),
        Distribution(
            "normal",
            (Param("loc", Float(-_BIG, _BIG), 0.0), Param("scale", Float(0, _BIG), 1.0)),
        ),
        Distribution(
            "lognormal",
            (Param("mean", Float(-100, 100), 0.0), Param("sigma", Float(0, 20), 1.0)),
        ),
        Distribution("exponential", (Param("scale", Float(0, _BIG, closed="right"), 1.0),)),
        Distribution("laplace", (Param("loc", Float(-_BIG, _BIG), 0.0), Param("scale", _NONNEG, 1.0))),
        Distribution("poisson", (Param("lam", Float(0, 1e9), 1.0),), integer=True),
        Distribution(
            "binomial",
            (Param("n", Int(0, 10**9), 10), Param("p", Float(0, 1), 0.5)),
            integer=True,
        ),
        Distribution("geometric", (Param("p", Float(1e-12, 1), 0.5),), integer=True),
        Distribution("beta", (Param("a", _POSITIVE, 1.0), Param("b", _POSITIVE, 1.0))),
        Distribution("gamma", (Param("shape", _POSITIVE, 1.0), Param("scale", Float(0, _BIG, closed="right"), 1.0))),
        Distribution("weibull", (Param("a", _POSITIVE, 1.0),)),
        Distribution(
            "triangular",
            (
                Param("left", Float(-_BIG, _BIG), 0.0),
                Param("mode", Float(-_BIG, _BIG), 0.5),
                Param("right", Float(-_BIG, _BIG), 1.0),
            ),
            rule=_triangular,
        ),
    ]
}
