"""Balance's DataFrame handling against imbalanced-learn on numpy arrays, side by side.

Both sides run the same SMOTE (same data, k_neighbors, random_state) on 100k rows x
20 feature columns (90% / 10% classes). The numpy side starts from ready-made
float arrays and stops at ``fit_resample``; the synthbench side does everything a
user gets: checks, target codes, the float matrix, SMOTE, and the DataFrame back
with every dtype restored. Runs alternate and the median is reported.

    python benchmarks/bench_balance.py [--rows 100000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import pandas as pd
from imblearn.over_sampling import SMOTE
from sklearn.datasets import make_classification

import synthbench as sb

SEED = 0


def make_frames(rows: int) -> dict[str, pd.DataFrame]:
    X, y = make_classification(
        n_samples=rows, n_features=20, n_informative=8, weights=[0.9], flip_y=0, random_state=SEED
    )
    floats = pd.DataFrame(X, columns=[f"x{i}" for i in range(20)]).assign(target=y)
    mixed = floats.copy()
    # A typical table: some whole numbers, a flag and a timestamp among the floats.
    mixed["x0"] = (mixed["x0"] * 100).round().astype("int64")
    mixed["x1"] = (mixed["x1"] * 10).round().astype("int32")
    mixed["x2"] = mixed["x2"] > 0
    mixed["x3"] = pd.Timestamp("2024-01-01") + pd.to_timedelta((mixed["x3"] * 3600).round(), unit="s")
    return {"20 float columns": floats, "16 float, 2 int, 1 bool, 1 datetime": mixed}


def time_once(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench(frame: pd.DataFrame, repeats: int) -> tuple[float, float, int]:
    # The numpy baseline gets the float matrix for free, as if the user had it already.
    X = frame.drop(columns="target").astype(dict.fromkeys(frame.select_dtypes("datetime").columns, "int64"))
    X = X.to_numpy(dtype="float64")
    y = frame["target"].to_numpy()

    def direct() -> int:
        X_res, _ = SMOTE(k_neighbors=5, random_state=SEED).fit_resample(X, y)
        return len(X_res)

    def synthbench() -> int:
        return len(sb.Balance(target="target", method="smote").fit(frame).sample(seed=SEED))

    rows = direct()
    assert rows == synthbench(), "both sides must make the same number of rows"
    t_np, t_sb = [], []
    for _ in range(repeats):
        t_np.append(time_once(direct))
        t_sb.append(time_once(synthbench))
    return statistics.median(t_np), statistics.median(t_sb), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"SMOTE, {args.rows:,} rows x 20 feature columns (+ target), median of {args.repeats} alternating runs\n")
    head = "| frame | output rows | imblearn on numpy (s) | sb.Balance fit+sample (s) | overhead | overhead (ms) |"
    print(head)
    print("|---|---:|---:|---:|---:|---:|")
    for name, frame in make_frames(args.rows).items():
        t_np, t_sb, rows = bench(frame, args.repeats)
        ratio, extra_ms = 100 * (t_sb / t_np - 1), 1000 * (t_sb - t_np)
        print(f"| {name} | {rows:,} | {t_np:.3f} | {t_sb:.3f} | {ratio:+.1f}% | {extra_ms:+.0f} |")


if __name__ == "__main__":
    main()
