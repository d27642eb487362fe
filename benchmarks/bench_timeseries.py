"""Time-series speed: synthbench.TimeSeries against hand-written per-entity loops, a
fleet streamed to Parquet, and Dask.

**1. Sample against a loop.** 1,000 entities x 1,000 hourly steps with every component
(trend with per-entity variation, daily and weekly seasonality, AR(1), random walk,
random level shifts, Student-t noise), random spikes and dips with labels, and missing
stretches, as a long-format DataFrame (1M rows). The same model is written by hand the
way a tutorial would, one entity at a time, in two versions:

* **loop, AR in Python**: numpy over time for each entity, the AR recursion as a
  ``for t in range(n)`` loop (the textbook form), a DataFrame per entity, ``pd.concat``;
* **loop, AR with lfilter**: the same, with :func:`scipy.signal.lfilter` for the AR
  recursion (the fastest per-entity code we could write).

All run in this one process, each the best of ``--repeat`` runs (the Python AR loop
once); wall and CPU seconds side by side, since the machine may be busy. The exported
cell (``to_code``, run with ``exec``) runs the same kernels. A last row times only the
random draws the model needs, the floor under every method.

**2. A fleet streamed to Parquet** (``--fleet 10000,30000,100000``): the same model,
8,760 hourly steps (a year) per entity, written with ``to_parquet`` in a child process;
its peak resident memory is polled with psutil. Memory should stay flat as the fleet grows.

**3. Dask** (``--dask-entities 2000``): ``to_dask`` of a year of hourly readings on a
``distributed.LocalCluster`` with 1 and 2 worker processes, reduced to per-entity means.

Run::

    python benchmarks/bench_timeseries.py [--entities 1000] [--steps 1000] [--repeat 3]
        [--fleet 10000,30000] [--dask-entities 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
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


def best_time(func, repeat: int) -> tuple[float, float, pd.DataFrame]:
    """Best wall and CPU seconds of ``repeat`` runs, and the last output."""
    best, cpu, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = func()
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return best, cpu, out


def run_exported(code: str) -> pd.DataFrame:
    namespace: dict = {}
    exec(compile(code, "<exported>", "exec"), namespace)
    return namespace["df"]


# -- 2. a fleet streamed to Parquet, in a child process -------------------------------------
_CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
from bench_timeseries import synthbench_model
gen = synthbench_model({entities})
start, cpu = time.perf_counter(), time.process_time()
gen.to_parquet({path!r}, {steps}, seed=0, progress=False)
print(json.dumps({{"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu}}))
"""


def stream_fleet(entities: int, steps: int) -> dict:
    """Stream ``entities`` x ``steps`` to Parquet in a child process; poll its peak RSS with psutil."""
    import psutil

    root, bench = str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent)
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        path = str(Path(tmp) / "fleet")
        code = _CHILD.format(root=root, bench=bench, entities=entities, steps=steps, path=path)
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        proc, peak = psutil.Process(child.pid), 0
        while child.poll() is None:
            try:
                peak = max(peak, proc.memory_info().rss)
            except psutil.NoSuchProcess:
                break
            time.sleep(0.02)
        out = child.stdout.read()
        if child.returncode:
            raise RuntimeError(f"the child failed ({child.returncode})")
        size = sum(f.stat().st_size for f in Path(path).glob("part-*.parquet"))
        files = len(list(Path(path).glob("part-*.parquet")))
    return {**json.loads(out), "peak": peak, "bytes": size, "files": files}


# -- 3. Dask on a LocalCluster -----------------------------------------------------------------
def dask_means(entities: int, steps: int, workers: int | None) -> tuple[float, pd.Series]:
    """Per-entity means of ``to_dask`` on a LocalCluster of ``workers`` processes (None: in process)."""
    gen = synthbench_model(entities)
    start = time.perf_counter()
    if workers is None:
        means = gen.sample(steps, seed=0).groupby("entity")["load"].mean()
        return time.perf_counter() - start, means
    import distributed

    with (
        distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0", host="127.0.0.1"
        ) as cluster,
        distributed.Client(cluster),
    ):
        start = time.perf_counter()
        ddf = gen.to_dask(steps, seed=0, npartitions=2 * workers * 4)
        means = ddf.groupby("entity")["load"].mean().compute().sort_index()
        return time.perf_counter() - start, means


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_000)
    parser.add_argument("--steps", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--fleet", default="", help="entity counts to stream, e.g. 10000,30000,100000")
    parser.add_argument("--fleet-steps", type=int, default=8_760)
    parser.add_argument("--dask-entities", type=int, default=0)
    args = parser.parse_args(argv)
    e, n = args.entities, args.steps
    if e > 0:  # --entities 0 skips the comparison with the loops
        against_loops(e, n, args.repeat)
    if args.fleet:
        streamed_fleets([int(x) for x in args.fleet.split(",")], args.fleet_steps)
    if args.dask_entities:
        dask_table(args.dask_entities, args.fleet_steps)


def against_loops(e: int, n: int, repeat: int) -> None:
    gen = synthbench_model(e)
    code = gen.to_code(n, seed=0)

    runs = {
        "synthbench `TimeSeries.sample`": lambda: gen.sample(n, seed=0),
        "synthbench exported cell (`exec` of `to_code`)": lambda: run_exported(code),
        "loop per entity, AR with lfilter": lambda: hand_loop(e, n, 0, python_ar=False),
        "loop per entity, AR in Python": lambda: hand_loop(e, n, 0, python_ar=True),
    }
    results = {}
    for name, func in runs.items():
        seconds, cpu, df = best_time(func, repeat if "Python" not in name else 1)
        assert len(df) == e * n and df.columns.tolist() == ["entity", "timestamp", "load", "is_anomaly"], name
        results[name] = (seconds, cpu)
    pd.testing.assert_frame_equal(run_exported(code), gen.sample(n, seed=0), check_exact=True)

    ours, ours_cpu = results["synthbench `TimeSeries.sample`"]
    floor, floor_cpu, _ = best_time(lambda: draws_only(e, n, 0), repeat)
    print(f"\n{e:,} entities x {n:,} steps = {e * n:,} rows, all components, anomalies and gaps\n")
    print("| method | wall s | CPU s | rows/s | synthbench speed-up (wall / CPU) |")
    print("|---|---:|---:|---:|---:|")
    for name, (seconds, cpu) in results.items():
        print(
            f"| {name} | {seconds:.3f} | {cpu:.3f} | {e * n / seconds:,.0f} | "
            f"{seconds / ours:.1f}x / {cpu / ours_cpu:.1f}x |"
        )
    print(f"| (random draws alone, a floor for every method) | {floor:.3f} | {floor_cpu:.3f} | | |")
    print(f"\nDrawing the random numbers alone takes {floor_cpu / ours_cpu:.0%} of synthbench's CPU time.")
    fastest = min(cpu for name, (_, cpu) in results.items() if name.startswith("loop"))
    print(
        f"10x the fastest loop would be {fastest / 10:.3f} CPU s; the same draws alone take {floor_cpu:.3f} s "
        "(a loop pays them too), so 10x needs cheaper variates, not less overhead."
    )


def streamed_fleets(counts: list[int], steps: int) -> None:
    print(f"\nA fleet streamed to Parquet: {steps:,} hourly steps per entity, same model, child process\n")
    print("| entities | rows | wall s | CPU s | rows/s (CPU) | files | Parquet size | peak RSS |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for count in counts:
        r = stream_fleet(count, steps)
        rows = count * steps
        print(
            f"| {count:,} | {rows:,} | {r['wall']:.1f} | {r['cpu']:.1f} | {rows / r['cpu']:,.0f} | "
            f"{r['files']} | {r['bytes'] / 2**30:.2f} GiB | {r['peak'] / 2**20:,.0f} MiB |"
        )


def dask_table(count: int, steps: int) -> None:
    print(f"\nDask: per-entity means of {count:,} entities x {steps:,} steps ({count * steps:,} rows)\n")
    print("| where | wall s | same means as one process |")
    print("|---|---:|---|")
    base_time, base = dask_means(count, steps, None)
    print(f"| one process, `sample` + pandas groupby | {base_time:.1f} | (reference) |")
    for workers in (1, 2):
        seconds, means = dask_means(count, steps, workers)
        same = bool(np.allclose(means.to_numpy(), base.to_numpy(), rtol=1e-12, atol=1e-9))
        print(f"| LocalCluster, {workers} worker process(es) | {seconds:.1f} | {same} |")


if __name__ == "__main__":
    main()
