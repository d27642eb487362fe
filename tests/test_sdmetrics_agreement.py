"""Dev-only check: our fidelity metrics and quality score agree with SDMetrics itself.

SDMetrics pins pandas<3, so it runs in its own virtualenv (benchmarks/peers/peerenv.py builds
it on first use, ~30 s with network) and we exchange Parquet files. Marked ``peers``:
run with ``python -m pytest -m peers``. Skips, saying why, only when that virtualenv
cannot be built (e.g. no network).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine

from synthbench.evaluate import RealProfile, column_pair_trends, column_shapes, quality_report
from synthbench.evaluate._types import column_types

pytestmark = pytest.mark.peers

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks" / "peers"))
import peerenv as peer_venv  # noqa: E402

sys.path.pop(0)


# -- real tables and deterministic synthetic counterparts ----------------------------------
def _iris() -> pd.DataFrame:
    data = load_iris(as_frame=True)
    df = data.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    df["species"] = pd.Series(np.asarray(data.target_names)[data.target], dtype="str")
    return df.drop(columns="target")


def _wine() -> pd.DataFrame:
    df = load_wine(as_frame=True).frame
    # A categorical column made from a numeric one, a boolean, NaNs and a datetime column.
    df["alcohol_level"] = pd.cut(df["alcohol"], [0, 12.5, 13.5, 20], labels=["low", "mid", "high"]).astype("str")
    df["rich"] = df["magnesium"] > 100
    df["harvest"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(df["proline"].round(), unit="D")
    df.loc[df.index % 7 == 0, "ash"] = np.nan
    df.loc[df.index % 11 == 0, "alcohol_level"] = None
    df.loc[df.index % 13 == 0, "harvest"] = pd.NaT
    df["target"] = df["target"].map({0: "class_0", 1: "class_1", 2: "class_2"}).astype("str")
    return df


def _diabetes() -> pd.DataFrame:
    df = load_diabetes(as_frame=True, scaled=False).frame
    df["sex"] = df["sex"].map({1.0: "female", 2.0: "male"}).astype("str")
    high = (df["bp"] > 100).astype(object)
    high[df.index % 9 == 0] = None  # a boolean column with missing values (object dtype)
    df["high_bp"] = high
    df["visit"] = pd.Timestamp("2015-03-01") + pd.to_timedelta(df["age"] * 5, unit="h")
    df.loc[df.index % 5 == 0, "bmi"] = np.nan
    return df


def _cancer() -> pd.DataFrame:
    df = load_breast_cancer(as_frame=True).frame.iloc[:, [0, 1, 4, 7, 20, 21, 27, 30]]
    df["target"] = df["target"].astype(bool)
    return df


def _synthesize(real: pd.DataFrame, seed: int) -> pd.DataFrame:
    """A noisy bootstrap of ``real``: the kind of near-but-imperfect data a generator makes."""
    rng = np.random.default_rng(seed)
    n = int(len(real) * 1.3)
    syn = real.iloc[rng.integers(0, len(real), n)].reset_index(drop=True)
    for col in syn.columns:
        s = syn[col]
        if pd.api.types.is_bool_dtype(s.dtype):
            flip = rng.random(n) < 0.15
            syn[col] = np.where(flip, ~s.to_numpy(), s.to_numpy())
        elif pd.api.types.is_numeric_dtype(s.dtype):
            noisy = s + rng.normal(0, 0.3 * s.std(), n)
            syn[col] = noisy.round(2) if pd.api.types.is_float_dtype(s.dtype) else noisy.round().astype("Int64")
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            syn[col] = s + pd.to_timedelta(rng.integers(-30, 30, n), unit="D")
        else:
            values = s.dropna().unique()
            swap = rng.random(n) < 0.2
            syn.loc[swap, col] = rng.choice(values, swap.sum())
    # Different missingness, and a category the real data never had.
    first = syn.columns[0]
    syn.loc[rng.random(n) < 0.05, first] = np.nan
    cats = [c for c in syn.columns if syn[c].dtype == "str"]
    if cats:
        syn.loc[rng.random(n) < 0.03, cats[0]] = "unseen"
    return syn


TABLES = {"iris": _iris, "wine": _wine, "diabetes": _diabetes, "breast_cancer": _cancer}


@pytest.fixture(scope="module")
def peer_python():
    try:
        return peer_venv.peer_python()
    except peer_venv.PeerUnavailable as exc:
        pytest.skip(f"SDMetrics peer virtualenv unavailable: {exc}")


def _close(a, b, tol) -> bool:
    a = float("nan") if a is None else float(a)
    b = float("nan") if b is None else float(b)
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tol


@pytest.mark.parametrize("name", list(TABLES))
def test_quality_report_agrees_with_sdmetrics(name, peer_python, tmp_path):
    real = TABLES[name]()
    synthetic = _synthesize(real, seed=len(name))
    synthetic = synthetic.astype({c: real[c].dtype for c in real.columns if real[c].dtype == "str"})
    types = column_types(real, synthetic)
    real.to_parquet(tmp_path / "real.parquet")
    synthetic.to_parquet(tmp_path / "synthetic.parquet")
    (tmp_path / "meta.json").write_text(json.dumps({"columns": {c: {"sdtype": t} for c, t in types.items()}}))
    peer_venv.run_peer(
        "sdmetrics_peer.py",
        *(str(tmp_path / f) for f in ("real.parquet", "synthetic.parquet", "meta.json", "out.json")),
        "--all-pairs",
    )
    peer = json.loads((tmp_path / "out.json").read_text())

    report = quality_report(real, synthetic)
    # The prepared reference the panels use gives this very report, so it agrees too.
    profiled = quality_report(RealProfile(real), synthetic)
    np.testing.assert_equal(profiled.score, report.score)
    pd.testing.assert_frame_equal(profiled.column_details, report.column_details)
    pd.testing.assert_frame_equal(profiled.pair_details, report.pair_details)
    assert _close(report.score, peer["score"], 1e-3), (report.score, peer["score"])
    props = {p["Property"]: p["Score"] for p in peer["properties"]}
    assert _close(report.column_shapes_score, props["Column Shapes"], 1e-6)
    assert _close(report.column_pair_trends_score, props["Column Pair Trends"], 1e-6)

    ours = column_shapes(real, synthetic).set_index("column")
    for row in peer["column_shapes"]:
        assert ours.loc[row["Column"], "metric"] == row["Metric"]
        assert _close(ours.loc[row["Column"], "score"], row["Score"], 1e-6), row
    for row in peer["single_columns"]:
        assert _close(ours.loc[row["column"], "missing_similarity"], row["MissingValueSimilarity"], 1e-6), row
        assert _close(ours.loc[row["column"], "coverage"], row["coverage"], 1e-6), row

    pairs = column_pair_trends(real, synthetic).set_index(["column_1", "column_2"])
    default = {(r["Column 1"], r["Column 2"]): r for r in peer["column_pair_trends"]}
    for row in peer["all_pairs"]:
        key = (row["Column 1"], row["Column 2"])
        mine = pairs.loc[key]
        assert mine["metric"] == row["Metric"], key
        assert _close(mine["score"], row["Score"], 1e-6), (key, mine["score"], row["Score"])
        assert _close(mine["real_correlation"], row["Real Correlation"], 1e-6), key
        assert _close(mine["synthetic_correlation"], row["Synthetic Correlation"], 1e-6), key
        assert _close(mine["real_association"], default[key]["Real Association"], 1e-6), key
        assert bool(mine["contributes"]) == bool(default[key]["Meets Threshold?"]), key
    assert len(pairs) == len(peer["all_pairs"])
