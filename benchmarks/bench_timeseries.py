"""Time-series speed: synthbench.TimeSeries against hand-written per-entity loops.

1,000 entities x 1,000 hourly steps with every component (trend with per-entity
variation, daily and weekly seasonality, AR(1), random walk, random level shifts,
Student-t noise), random spikes and dips with labels, and missing stretches, as a
long-format DataFrame (1M rows). The same model is written by hand the way a tutorial
would, one entity at a time, in two versions:

* **loop, AR in Python**: numpy over time for each entity, the AR recursion as a
  ``for t in range(n)`` loop (the textbook form), a DataFrame per entity, ``pd.concat``;
* **loop, AR with lfilter**: the same, with :func:`scipy.signal.lfilter` for the AR
  recursion (the fastest per-entity code we could write).

All three run in this one process, each the best of ``--repeat`` runs (the Python AR
loop once). A last row times only the random draws the model needs, the floor under
every method: a per-entity loop pays them too, so the speed-up is bounded by how much
of the loop's time is per-entity overhead. Run::

    python benchmarks/bench_timeseries.py [--entities 1000] [--steps 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.signal import lfilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import synthbench as sb
from synthbench.timeseries import (
    AR,
    Anomaly,
    LevelShift,
    Missing,
    Noise,
    RandomWalk,
    Seasonality,
    Trend,
)

PHI = 0.8


def synthbench_model(entities: int) -> sb.TimeSeries:
    return sb.TimeSeries(
        start="2024-01-01",
        freq="h",
        entities=entities,
        channels=["load"],
        components=[
            Trend(level=100.0, slope=0.01, vary=0.1),
            Seasonality(period=24, amplitude=10.0),
            Seasonality(period=168, amplitude=5.0),
            AR(phi=[PHI], scale=2.0),
            RandomWalk(scale=0.2),
            LevelShift(rate=0.002, scale=5.0),
            Noise(kind="t", scale=1.0, df=4.0),
        ],
        anomalies=[
            Anomaly(kind="spike", count=2, magnitude=20.0),
            Anomaly(kind="dip", count=1, length=3, magnitude=15.0),
        ],
        missing=[Missing(count=1, length=5)],
    )


def hand_loop(entities: int, steps: int, seed: int, *, python_ar: bool) -> pd.DataFrame:
    """The same model written entity by entity, as a tutorial would."""
    frames = []
    timestamps = pd.date_range("2024-01-01", periods=steps, freq="h")
    t = np.arange(steps, dtype=float)
    for entity in range(entities):
        rng = np.random.default_rng([seed, entity])
        y = np.exp(0.1 * rng.standard_normal()) * (100.0 + 0.01 * t)  # this entity's trend
        y = y + 10.0 * np.sin(2 * np.pi * t / 24) + 5.0 * np.sin(2 * np.pi * t / 168)
        shocks = 2.0 * rng.standard_normal(steps + 100)
        if python_ar:
            ar = np.zeros(steps + 100)
            for i in range(1, steps + 100):
                ar[i] = PHI * ar[i - 1] + shocks[i]
        else:
            ar = lfilter([1.0], [1.0, -PHI], shocks)
        y = y + ar[100:]
        y = y + np.cumsum(0.2 * rng.standard_normal(steps))
        jumps = np.where(rng.random(steps) < 0.002, 5.0 * rng.standard_normal(steps), 0.0)
        y = y + np.cumsum(jumps)
        y = y + rng.standard_t(4.0, size=steps)
        label = np.zeros(steps, dtype=bool)
        for start in rng.integers(0, steps, size=2):
            y[start] += 20.0
            label[start] = True
        start = rng.integers(0, steps - 2)
        y[start : start + 3] -= 15.0
        label[start : start + 3] = True
        gap = rng.integers(0, steps - 4)
        y[gap : gap + 5] = np.nan
        frames.append(pd.DataFrame({"entity": entity, "timestamp": timestamps, "load": y, "is_anomaly": label}))
    return pd.concat(frames, ignore_index=True)


def draws_only(entities: int, steps: int, seed: int) -> None:
    """Just the random variates the model needs: a floor under every method's time."""
    rng = np.random.default_rng(seed)
    rng.standard_normal((steps + 100, entities))  # AR shocks (plus burn-in)
    rng.standard_normal((steps, entities))  # random-walk steps
    rng.random((steps, entities))  # level-shift hits
    rng.standard_normal((steps, entities))  # t noise: normal part
    rng.chisquare(4.0, (steps, entities))  # t noise: chi-square part


def best_time(func, repeat: int) -> tuple[float, pd.DataFrame]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
    return best, out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_000)
    parser.add_argument("--steps", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    e, n = args.entities, args.steps
    gen = synthbench_model(e)

    runs = {
        "synthbench `TimeSeries.sample`": lambda: gen.sample(n, seed=0),
        "loop per entity, AR with lfilter": lambda: hand_loop(e, n, 0, python_ar=False),
        "loop per entity, AR in Python": lambda: hand_loop(e, n, 0, python_ar=True),
    }
    results = {}
    for name, func in runs.items():
        seconds, df = best_time(func, args.repeat if "Python" not in name else 1)
        assert len(df) == e * n and df.columns.tolist() == ["entity", "timestamp", "load", "is_anomaly"], name
        results[name] = seconds

    ours = results["synthbench `TimeSeries.sample`"]
    floor, _ = best_time(lambda: draws_only(e, n, 0), args.repeat)
    print(f"\n{e:,} entities x {n:,} steps = {e * n:,} rows, all components, anomalies and gaps\n")
    print("| method | seconds | rows/s | synthbench speed-up |")
    print("|---|---:|---:|---:|")
    for name, seconds in results.items():
        print(f"| {name} | {seconds:.3f} | {e * n / seconds:,.0f} | {seconds / ours:.1f}x |")
    print(f"| (random draws alone, a floor for every method) | {floor:.3f} | | |")
    print(f"\nDrawing the random numbers alone takes {floor / ours:.0%} of synthbench's time.")


if __name__ == "__main__":
    main()
