"""Benchmark: synthbench's quality report against SDMetrics' QualityReport, side by side.

    python benchmarks/bench_evaluate.py [--rows 10000] [--repeat 5]

On the same 10k-row x 20-column mixed table (floats, ints, categories, booleans,
datetimes, missing values) and a synthetic counterpart, it times:

- SDMetrics ``QualityReport.generate`` (single table, default settings), run in the peer
  virtualenv (benchmarks/peers/peerenv.py builds it on first use) and timed there, so
  process start-up and Parquet exchange are not counted; one run, as the issue asks;
- ``synthbench.evaluate.quality_report`` on the same frames (median of ``--repeat``
  runs), which also bins the chart data;
- one widget-refresh evaluation (``quality_report`` again) at 10k and 100k rows.

and prints a markdown table with the time ratio and the score difference.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent / "peers"))
import peerenv

from synthbench.evaluate import quality_report
from synthbench.evaluate._types import column_types


def mixed_table(n: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    """20 mixed columns: 8 correlated floats, 2 ints, 5 categoricals, 2 booleans, 2 datetimes, 1 with NaNs."""
    rng = np.random.default_rng(seed)
    cov = 0.6 * np.ones((8, 8)) + 0.4 * np.eye(8)
    z = rng.multivariate_normal(np.zeros(8), cov, size=n)
    df = pd.DataFrame({f"f{i}": z[:, i] * (i + 1) + shift for i in range(8)})
    df["age"] = np.clip(40 + 12 * z[:, 0] + rng.normal(0, 5, n), 18, 90).round().astype("int64")
    df["visits"] = rng.poisson(3 + shift, n)
    for j, k in enumerate((3, 5, 8, 20, 50)):
        p = rng.dirichlet(np.ones(k) * 2)
        df[f"cat{j}"] = pd.Series(np.char.add("c", rng.choice(k, n, p=p).astype(str)), dtype="str")
    df["member"] = z[:, 1] + rng.normal(0, 1, n) > 0
    df["churned"] = rng.random(n) < 0.2 + 0.05 * shift
    start = pd.Timestamp("2020-01-01")
    df["signup"] = start + pd.to_timedelta(rng.integers(0, 1500, n), unit="D")
    df["last_seen"] = df["signup"] + pd.to_timedelta(rng.integers(0, 86400 * 300, n), unit="s")
    income = np.exp(10 + 0.5 * z[:, 2])
    income[rng.random(n) < 0.1] = np.nan
    df["income"] = income
    return df


def _time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    real = mixed_table(args.rows, seed=0)
    synthetic = mixed_table(args.rows, seed=1, shift=0.1)
    assert real.shape[1] == 20
    types = column_types(real, synthetic)

    start = time.perf_counter()
    peer_python = peerenv.peer_python()
    build = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        real.to_parquet(tmp / "real.parquet")
        synthetic.to_parquet(tmp / "synthetic.parquet")
        (tmp / "meta.json").write_text(json.dumps({"columns": {c: {"sdtype": t} for c, t in types.items()}}))
        peerenv.run_peer(
            "sdmetrics_peer.py", *(str(tmp / f) for f in ("real.parquet", "synthetic.parquet", "meta.json", "out.json"))
        )
        peer = json.loads((tmp / "out.json").read_text())

    report = quality_report(real, synthetic)
    ours = _time(lambda: quality_report(real, synthetic), args.repeat)
    big_real = mixed_table(100_000, seed=0)
    big_syn = mixed_table(100_000, seed=1, shift=0.1)
    quality_report(big_real, big_syn)
    big = _time(lambda: quality_report(big_real, big_syn), max(1, args.repeat // 2))

    props = {p["Property"]: p["Score"] for p in peer["properties"]}
    print(f"peer venv: {peer_python} (ready in {build:.1f} s)\n")
    print(f"Table: {args.rows:,} rows x {real.shape[1]} columns ({', '.join(sorted(set(types.values())))})\n")
    print("| measure | SDMetrics 0.32 | synthbench | ratio / difference |")
    print("|---|---:|---:|---:|")
    print(
        f"| quality report time ({args.rows:,} rows) | {peer['seconds'] * 1000:,.0f} ms | {ours * 1000:,.1f} ms "
        f"| {peer['seconds'] / ours:,.1f}x faster |"
    )
    print(f"| overall score | {peer['score']:.6f} | {report.score:.6f} | {abs(peer['score'] - report.score):.1e} |")
    for name, mine in (
        ("Column Shapes", report.column_shapes_score),
        ("Column Pair Trends", report.column_pair_trends_score),
    ):
        print(f"| {name} | {props[name]:.6f} | {mine:.6f} | {abs(props[name] - mine):.1e} |")
    print(f"| widget refresh, {args.rows:,} rows (goal < 50 ms) | | {ours * 1000:,.1f} ms | |")
    print(f"| widget refresh, 100,000 rows (goal < 300 ms) | | {big * 1000:,.1f} ms | |")


if __name__ == "__main__":
    main()
