"""Dev-only check: privacy_report's attacks agree with anonymeter's, and its DCR share with SDMetrics'.

anonymeter pins numpy<1.27 and SDMetrics pandas<3, so each runs in its own virtualenv
(benchmarks/peers/peerenv.py builds them on first use, a few minutes with network) and we
exchange Parquet files. Marked ``peers``: run with ``python -m pytest -m peers``. Skips,
saying why, only when a virtualenv cannot be built (e.g. no network).

Both tools attack the same training, synthetic and control rows with the same settings
(anonymeter's multivariate singling out with 3 columns, linkability with two halves of the
columns and one neighbour, inference of ``sex`` from the other columns). anonymeter draws
from an unseeded generator, so it runs three times and its pooled success rates are
compared with ours: their 95% (Wilson) intervals must overlap, and so must the risks'. The
penguins have their rows with missing values dropped, since anonymeter counts two missing
values as *different* (distance 1) where synthbench's Gower distance counts them equal.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pandas as pd
import pytest

from synthbench.data import load_penguins
from synthbench.evaluate import privacy_report
from synthbench.evaluate._types import column_types
from synthbench.generators import GaussianCopula

pytestmark = pytest.mark.peers

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks" / "peers"))
import peerenv as peer_venv  # noqa: E402

sys.path.pop(0)

N_ATTACKS = 150
REPEATS = 3
Z = 1.959963984540054


def penguin_halves() -> tuple[pd.DataFrame, pd.DataFrame]:
    df = load_penguins().dropna().sample(frac=1.0, random_state=0).reset_index(drop=True)
    # Plain dtypes both tools read alike (anonymeter's type detection predates pandas' str dtype).
    df = df.astype({"flipper_length_mm": "int64", "body_mass_g": "int64"})
    df = df.astype(dict.fromkeys(("species", "island", "sex"), object))
    half = len(df) // 2
    return df.iloc[:half].reset_index(drop=True), df.iloc[half : 2 * half].reset_index(drop=True)


def synthetic_of(kind: str, train: pd.DataFrame) -> pd.DataFrame:
    if kind == "copula":
        out = GaussianCopula().fit(train).sample(len(train), seed=0)
        return out.astype(dict.fromkeys(("species", "island", "sex"), object))
    # A generator that memorises: a bootstrap of the training rows.
    return train.sample(len(train), replace=True, random_state=1).reset_index(drop=True)


def settings(train: pd.DataFrame) -> dict:
    columns = list(train.columns)
    half = (len(columns) + 1) // 2
    types = column_types(train, train)
    return {
        "n_attacks": N_ATTACKS,
        "n_cols": 3,
        "aux_cols": [columns[:half], columns[half:]],
        "secret": "sex",
        "known": [c for c in columns if c != "sex"],
        "repeats": REPEATS,
        "metadata": {c: {"sdtype": t} for c, t in types.items()},
    }


def _python(requirements: Path, what: str) -> Path:
    try:
        return peer_venv.peer_python(requirements=requirements)
    except peer_venv.PeerUnavailable as exc:
        pytest.skip(f"{what} peer virtualenv unavailable: {exc}")


@pytest.fixture(scope="module")
def anonymeter_python():
    return _python(peer_venv.ANONYMETER, "anonymeter")


@pytest.fixture(scope="module")
def sdmetrics_python():
    return _python(peer_venv.REQUIREMENTS, "SDMetrics")


def _run(tmp_path: Path, kind: str, *flags: str) -> tuple[dict, pd.DataFrame, dict]:
    train, holdout = penguin_halves()
    synthetic = synthetic_of(kind, train)
    config = settings(train)
    for name, frame in (("train", train), ("synthetic", synthetic), ("control", holdout)):
        frame.to_parquet(tmp_path / f"{name}.parquet")
    (tmp_path / "settings.json").write_text(json.dumps(config))
    files = ("train.parquet", "synthetic.parquet", "control.parquet", "settings.json", "out.json")
    requirements = peer_venv.REQUIREMENTS if "--sdmetrics" in flags else peer_venv.ANONYMETER
    peer_venv.run_peer("anonymeter_peer.py", *(str(tmp_path / f) for f in files), *flags, requirements=requirements)
    ours = privacy_report(
        train,
        synthetic,
        holdout,
        secret=config["secret"],
        known=config["known"],
        n_attacks=N_ATTACKS,
        singling_out_columns=config["n_cols"],
        link_columns=tuple(config["aux_cols"]),
        seed=0,
    ).set_index("measure")
    return json.loads((tmp_path / "out.json").read_text()), ours, config


def _wilson(p: float, n: float) -> tuple[float, float]:
    """95% Wilson interval of a success rate (anonymeter's and ours)."""
    centre = (p * n + Z * Z / 2) / (n + Z * Z)
    half = Z / (n + Z * Z) * math.sqrt(n * p * (1 - p) + Z * Z / 4)
    return centre - half, centre + half


def _agree(p1: float, n1: float, p2: float, n2: float) -> bool:
    """Two success rates agree when their 95% intervals overlap."""
    low1, high1 = _wilson(p1, n1)
    low2, high2 = _wilson(p2, n2)
    return low1 <= high2 and low2 <= high1


PAIRS = {"singling_out": "singling_out", "linkability": "linkability", "attribute_inference": "inference"}


@pytest.mark.parametrize("kind", ["copula", "memorised"])
def test_attack_rates_and_risks_agree_with_anonymeter(kind, anonymeter_python, tmp_path):
    peer, ours, _ = _run(tmp_path, kind)
    for measure, name in PAIRS.items():
        runs = peer[name]
        n2 = sum(r["n_attacks"] for r in runs)
        row = ours.loc[measure]
        for ours_rate, key in ((row["train"], "n_success"), (row["control"], "n_control")):
            theirs = sum(r[key] for r in runs) / n2
            assert _agree(ours_rate, row["n"], theirs, n2), (kind, measure, key, ours_rate, theirs)
        # Risk intervals overlap with at least one of anonymeter's runs' intervals.
        assert any(row["risk_low"] <= r["ci"][1] and r["ci"][0] <= row["risk_high"] for r in runs), (
            kind,
            measure,
            row[["risk", "risk_low", "risk_high"]].tolist(),
            [r["ci"] for r in runs],
        )
    if kind == "memorised":  # the reference tool sees the leak too, and so do we
        assert peer["singling_out"][0]["risk"] > 0.1 and ours.loc["singling_out", "risk_low"] > 0


@pytest.mark.parametrize("kind", ["copula", "memorised"])
def test_dcr_share_agrees_with_sdmetrics_dcr_overfitting_protection(kind, sdmetrics_python, tmp_path):
    peer, ours, _ = _run(tmp_path, kind, "--sdmetrics")
    closer = peer["dcr_overfitting_protection"]["synthetic_data_percentages"]["closer_to_training"]
    row = ours.loc["dcr_share"]
    assert _agree(row["train"], row["n"], closer, row["n"]), (kind, row["train"], closer)
    if kind == "memorised":  # every synthetic row is a training row: both say so exactly
        assert row["train"] == 1.0 and closer == 1.0
