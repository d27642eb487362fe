"""Privacy, utility and time-series evaluation on constructed cases over small real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes

from synthbench.data import load_penguins
from synthbench.evaluate import (
    attribute_disclosure,
    autocorrelation_profiles,
    autocorrelation_similarity,
    gower_distances,
    identity_disclosure,
    membership_disclosure,
    privacy_report,
    seasonal_profiles,
    seasonal_similarity,
    utility,
)
from synthbench.exceptions import DataError, InvalidParameterError
from synthbench.generators import GaussianCopula


@pytest.fixture(scope="module")
def thirds():
    """Breast-cancer rows shuffled into training, holdout and an independent third."""
    df = load_breast_cancer(as_frame=True).frame.iloc[:, [0, 1, 2, 4, 7, 20, 21, 27, 30]]
    df = df.assign(diagnosis=df.pop("target").map({0: "malignant", 1: "benign"}).astype("str"))
    df = df.sample(frac=1.0, random_state=0).reset_index(drop=True)
    return df.iloc[:189], df.iloc[189:378].reset_index(drop=True), df.iloc[378:567].reset_index(drop=True)


def test_gower_distance_is_documented_formula():
    ref = pd.DataFrame({"x": [0.0, 10.0, np.nan], "c": ["a", "b", None]})
    other = pd.DataFrame({"x": [5.0, np.nan], "c": ["a", None]})
    d = gower_distances(ref, other)
    # x scaled by the real range 10; c: mismatch 1; missing: its own category / mid-range + 0.5
    assert d[0, 0] == pytest.approx((0.5 + 0) / 2)
    assert d[1, 0] == pytest.approx((0.5 + 1) / 2)
    assert d[2, 1] == pytest.approx(0.0)
    assert d[0, 1] == pytest.approx(((0.5 + 0.5) + 1) / 2)


def test_copied_rows_score_worst_on_identity(thirds):
    real, holdout, independent = thirds
    copied = identity_disclosure(real, real, holdout).set_index("measure")
    fresh = identity_disclosure(real, independent, holdout).set_index("measure")
    assert copied.loc["exact_copies", "synthetic"] == 1.0
    assert copied.loc["dcr_median", "synthetic"] == 0.0
    assert copied.loc["dcr_protection", "synthetic"] == 0.0
    assert fresh.loc["exact_copies", "synthetic"] == 0.0
    # An independent sample sits as far from the training rows as the holdout does.
    base = fresh.loc["dcr_median", "baseline"]
    assert fresh.loc["dcr_median", "synthetic"] == pytest.approx(base, rel=0.25)
    assert fresh.loc["closer_to_real_share", "synthetic"] == pytest.approx(0.5, abs=0.1)
    assert fresh.loc["dcr_protection", "synthetic"] > 0.75
    no_holdout = identity_disclosure(real, independent)
    assert no_holdout["baseline"].iloc[:4].isna().all()


def test_copied_rows_score_worst_on_membership(thirds):
    real, holdout, independent = thirds
    copied = membership_disclosure(real, real, holdout).set_index("measure")["synthetic"]
    fresh = membership_disclosure(real, independent, holdout).set_index("measure")["synthetic"]
    assert copied["auc"] == 1.0 and copied["advantage"] == 1.0
    assert fresh["auc"] == pytest.approx(0.5, abs=0.1)
    with pytest.raises(DataError, match="holdout"):
        membership_disclosure(real, real, None)


def test_copied_rows_score_worst_on_attribute(thirds):
    real, holdout, independent = thirds
    qis = ["mean radius", "mean texture"]
    copied = attribute_disclosure(real, real, holdout, sensitive="worst concave points", quasi_identifiers=qis)
    fresh = attribute_disclosure(real, independent, holdout, sensitive="worst concave points", quasi_identifiers=qis)
    copied, fresh = copied.set_index("measure"), fresh.set_index("measure")
    assert copied.loc["correct_share", "synthetic"] == 1.0
    assert copied.loc["risk", "synthetic"] == 1.0
    assert fresh.loc["risk", "synthetic"] < 0.15
    categorical = attribute_disclosure(real, independent, sensitive="diagnosis", k=5).set_index("measure")
    # Without a holdout the baseline is the naive guess, which tumour measurements beat easily.
    assert categorical.loc["correct_share", "baseline"] == categorical.loc["naive_share", "synthetic"]
    assert categorical.loc["correct_share", "synthetic"] > categorical.loc["naive_share", "synthetic"]
    with pytest.raises(InvalidParameterError, match="sensitive"):
        attribute_disclosure(real, real, sensitive="nope")
    with pytest.raises(InvalidParameterError, match="'k'"):
        attribute_disclosure(real, real, sensitive="diagnosis", k=0)


def test_utility_tstr_against_trtr(thirds):
    real, holdout, _ = thirds
    same = utility(real, real, holdout, target="diagnosis", model="linear").set_index("metric")
    assert same.loc["accuracy", "ratio"] == 1.0
    assert set(same.index) == {"accuracy", "balanced_accuracy", "f1_macro", "roc_auc"}
    rng = np.random.default_rng(0)
    broken = real.assign(diagnosis=rng.permutation(real["diagnosis"].to_numpy()))  # label no longer learnable
    worse = utility(real, broken, holdout, target="diagnosis", model="linear").set_index("metric")
    assert worse.loc["roc_auc", "tstr"] < same.loc["roc_auc", "tstr"] - 0.2
    diabetes = load_diabetes(as_frame=True).frame
    reg = utility(diabetes, diabetes, target="target", model="linear", seed=1)
    assert reg["metric"].tolist() == ["r2", "mae", "rmse"]
    with pytest.raises(InvalidParameterError, match="'task'"):
        utility(real, real, target="diagnosis", task="clustering")
    with pytest.raises(InvalidParameterError, match="'target'"):
        utility(real, real, target="nope")
    with pytest.raises(DataError, match="synthetic data"):
        utility(real, real.assign(diagnosis="benign"), holdout, target="diagnosis", model="linear")


def _ar1(n: int, phi: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    eps = rng.normal(size=n)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + eps[t]
    return x


def test_autocorrelation_similarity_tells_ar_from_noise():
    real = pd.DataFrame({"y": _ar1(600, 0.8, 0)})
    like = pd.DataFrame({"y": _ar1(600, 0.8, 1)})
    noise = pd.DataFrame({"y": np.random.default_rng(2).normal(size=600)})
    s_like = autocorrelation_similarity(real, like, max_lag=10)["score"].iloc[0]
    s_noise = autocorrelation_similarity(real, noise, max_lag=10)["score"].iloc[0]
    assert s_like > 0.9 > s_noise
    prof = autocorrelation_profiles(real, noise, max_lag=3)
    assert prof["lag"].tolist() == [1, 2, 3]
    assert prof["real"].iloc[0] == pytest.approx(0.8, abs=0.1)


def test_series_per_entity_are_ordered_by_time():
    t = np.arange(200)
    a = pd.DataFrame({"shop": "a", "day": t, "sales": np.sin(2 * np.pi * t / 7)})
    b = pd.DataFrame({"shop": "b", "day": t, "sales": np.sin(2 * np.pi * t / 7) + 5})
    real = pd.concat([a, b]).sample(frac=1.0, random_state=0)  # rows shuffled: order comes from `day`
    out = seasonal_similarity(real, real, period=7, time="day", entity="shop")
    assert out["score"].iloc[0] == 1.0
    assert out["real_amplitude"].iloc[0] == pytest.approx(2 * np.sin(2 * np.pi * 2 / 7), abs=1e-9)
    acf = autocorrelation_profiles(real, real, max_lag=7, time="day", entity="shop")
    assert acf["real"].iloc[6] == pytest.approx(1.0, abs=0.05)  # a weekly cycle repeats at lag 7


def test_seasonal_similarity_with_calendar_periods():
    idx = pd.date_range("2024-01-01", periods=24 * 28, freq="h")
    rng = np.random.default_rng(0)
    daily = pd.DataFrame({"load": np.sin(2 * np.pi * idx.hour / 24) + rng.normal(0, 0.2, len(idx))}, index=idx)
    flat = pd.DataFrame({"load": rng.normal(0, 0.75, len(idx))}, index=idx)
    same = seasonal_similarity(daily, daily.iloc[::-1], period="hour")["score"].iloc[0]
    missing = seasonal_similarity(daily, flat, period="hour")["score"].iloc[0]
    assert same == pytest.approx(1.0) and missing < 0.2
    assert len(seasonal_profiles(daily, flat, period="hour")) == 24
    with pytest.raises(DataError, match="timestamps"):
        seasonal_similarity(daily.reset_index(drop=True), flat.reset_index(drop=True), period="hour")
    with pytest.raises(InvalidParameterError, match="'period'"):
        seasonal_similarity(daily, flat, period=1)


def test_a_record_embedding_beyond_the_memory_limit_is_refused_before_allocating():
    n = 40_000
    frame = pd.DataFrame({"code": pd.Series(np.arange(n).astype(str), dtype=object), "x": np.zeros(n)})
    with pytest.raises(DataError, match=r"needs about .* GiB .*limit of 1 GiB.*\['code'\]"):
        identity_disclosure(frame, frame, column_types={"code": "categorical"})


def test_gower_terms_stay_within_one_even_far_outside_or_on_a_constant_real_column():
    real = pd.DataFrame({"x": [0.0, 1.0, 2.0], "k": [5.0, 5.0, 5.0], "t": pd.to_datetime(["2024-01-01"] * 3)})
    far = pd.DataFrame({"x": [1e9], "k": [5.5], "t": pd.to_datetime(["2030-01-01"])})
    distances = gower_distances(real, far)
    # x beyond the real range counts as its top end; k and t differ from a constant: 1 each
    assert distances[:, 0].tolist() == [pytest.approx(1.0), pytest.approx(2.5 / 3), pytest.approx(2 / 3)]
    same = pd.DataFrame({"x": [2.0], "k": [5.0], "t": pd.to_datetime(["2024-01-01"])})
    assert gower_distances(real, same)[:, 0].tolist() == [pytest.approx(1 / 3), pytest.approx(1 / 6), 0.0]


# -- holdout-referenced privacy report --------------------------------------------------------
@pytest.fixture(scope="module")
def penguin_thirds():
    """The shipped penguins shuffled into training, holdout and an independent third."""
    df = load_penguins().sample(frac=1.0, random_state=0).reset_index(drop=True)
    return (
        df.iloc[:115].reset_index(drop=True),
        df.iloc[115:230].reset_index(drop=True),
        df.iloc[230:].reset_index(drop=True),
    )


@pytest.fixture(scope="module")
def penguin_halves():
    df = load_penguins().sample(frac=1.0, random_state=0).reset_index(drop=True)
    return df.iloc[:172].reset_index(drop=True), df.iloc[172:].reset_index(drop=True)


def test_privacy_report_flags_a_memorising_generator_against_its_control(penguin_halves):
    train, holdout = penguin_halves
    memorised = train.sample(len(train), replace=True, random_state=1).reset_index(drop=True)
    out = privacy_report(train, memorised, holdout, secret="sex", seed=0).set_index("measure")
    measures = [
        "identical_match",
        "dcr_share",
        "nndr_below_half",
        "membership",
        "singling_out",
        "linkability",
        "attribute_inference",
    ]
    assert list(out.index) == measures
    assert out.loc["dcr_share", "train"] > 0.9 and out.loc["dcr_share", "control"] == 0.5
    assert out.loc["identical_match", "train"] == 1.0 and out.loc["identical_match", "control"] == 0.0
    for measure in measures:
        row = out.loc[measure]
        assert row["risk"] > 0 and row["risk_low"] > 0, measure  # interval excludes 0
        assert row["ci_low"] <= row["train"] <= row["ci_high"]
        assert row["risk_low"] <= row["risk"] <= row["risk_high"]
    # Advantage of the membership attack: well above guessing.
    assert out.loc["membership", "train"] - out.loc["membership", "control"] > 0.3


def test_privacy_report_on_a_copula_fitted_on_the_train_half_shows_no_clear_risk(penguin_halves):
    train, holdout = penguin_halves
    synthetic = GaussianCopula().fit(train).sample(len(train), seed=0)
    out = privacy_report(train, synthetic, holdout, secret="sex", seed=0).set_index("measure")
    assert 0.35 <= out.loc["dcr_share", "train"] <= 0.65
    assert out.loc["identical_match", "train"] == 0.0
    assert (out["risk_low"] == 0).all(), out  # every risk interval includes 0
    assert (out["risk"] < 0.3).all(), out


def test_privacy_report_on_an_independent_real_sample_gives_a_dcr_share_near_half(penguin_thirds):
    train, holdout, independent = penguin_thirds
    out = privacy_report(train, independent, holdout, secret="species", seed=0).set_index("measure")
    assert 0.4 <= out.loc["dcr_share", "train"] <= 0.6
    assert out.loc["dcr_share", "ci_low"] < 0.5 < out.loc["dcr_share", "ci_high"]
    assert (out["risk_low"] == 0).all(), out


def test_privacy_report_is_deterministic_for_a_seed_and_its_intervals_are_wilson(penguin_halves):
    train, holdout = penguin_halves
    synthetic = GaussianCopula().fit(train).sample(300, seed=1)
    a = privacy_report(train, synthetic, holdout, secret="body_mass_g", known=["species", "sex"], n_attacks=50, seed=3)
    b = privacy_report(train, synthetic, holdout, secret="body_mass_g", known=["species", "sex"], n_attacks=50, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert (a["n"] == 50).all()
    row = a.set_index("measure").loc["dcr_share"]
    k, n, z = row["train"] * 50, 50, 1.959963984540054
    centre, half = (k + z * z / 2) / (n + z * z), z / (n + z * z) * np.sqrt(k * (n - k) / n + z * z / 4)
    assert row["ci_low"] == pytest.approx(max(0, centre - half)) and row["ci_high"] == pytest.approx(
        min(1, centre + half)
    )
    # Without a secret, the attribute attack is left out.
    assert "attribute_inference" not in set(privacy_report(train, synthetic, holdout, n_attacks=50)["measure"])


def test_privacy_report_refuses_bad_frames_and_parameters(penguin_halves):
    train, holdout = penguin_halves
    with pytest.raises(DataError, match="same columns"):
        privacy_report(train, train.drop(columns="year"), holdout)
    with pytest.raises(DataError, match="same columns"):
        privacy_report(train, train, holdout.rename(columns={"year": "yr"}))
    with pytest.raises(DataError, match="holdout"):
        privacy_report(train, train, holdout.iloc[:0])
    with pytest.raises(DataError, match="holdout"):
        privacy_report(train, train, None)
    with pytest.raises(DataError, match="at least 2"):
        privacy_report(train, train, holdout.iloc[:1])
    with pytest.raises(DataError, match=r"'secret'.*'salary'"):
        privacy_report(train, train, holdout, secret="salary")
    with pytest.raises(DataError, match="'secret'"):
        privacy_report(train, train, holdout, secret=["sex"])
    with pytest.raises(InvalidParameterError, match="'known'"):
        privacy_report(train, train, holdout, secret="sex", known=["sex", "island"])
    for bad in [["nope"], [], "island", 3, [["island"]]]:
        with pytest.raises(InvalidParameterError, match="'known'"):
            privacy_report(train, train, holdout, secret="sex", known=bad)
    with pytest.raises(InvalidParameterError, match="'known'"):
        privacy_report(train, train, holdout, known=["island"])
    for bad in [0, -1, 2.5, True, "10"]:
        with pytest.raises(InvalidParameterError, match="n_attacks"):
            privacy_report(train, train, holdout, n_attacks=bad)
    with pytest.raises(InvalidParameterError, match="tolerance"):
        privacy_report(train, train, holdout, secret="body_mass_g", tolerance=2)
    with pytest.raises(InvalidParameterError, match="seed"):
        privacy_report(train, train, holdout, seed="x")


def test_singling_out_counts_predicates_that_isolate_one_row():
    """Hand-made frames: every synthetic row is unique on one column, so predicates single
    out training rows that share those values and never the holdout's, which has none."""
    train = pd.DataFrame({"a": ["x", "y", "z", "w"] * 5, "b": np.arange(20.0), "c": ["p", "q"] * 10})
    synthetic = train.copy()
    holdout = pd.DataFrame({"a": ["v"] * 20, "b": np.full(20, 100.0), "c": ["r"] * 20})
    out = privacy_report(train, synthetic, holdout, n_attacks=40, singling_out_columns=2, seed=0)
    row = out.set_index("measure").loc["singling_out"]
    assert row["train"] > 0.2 and row["control"] == 0.0 and row["risk_low"] > 0


def test_risk_uses_wilson_centres_like_anonymeter(penguin_halves):
    """anonymeter's residual risk: (centre(train) - centre(control)) / (1 - centre(control)),
    centre(k) = (k + z**2/2) / (n + z**2)."""
    train, holdout = penguin_halves
    synthetic = GaussianCopula().fit(train).sample(300, seed=1)
    out = privacy_report(train, synthetic, holdout, secret="species", n_attacks=100, seed=0).set_index("measure")
    z2 = 1.959963984540054**2
    for measure in ("membership", "singling_out", "linkability", "attribute_inference"):
        row = out.loc[measure]
        n = row["n"]
        a = (row["train"] * n + z2 / 2) / (n + z2)
        c = (row["control"] * n + z2 / 2) / (n + z2)
        assert row["risk"] == pytest.approx(min(1, max(0, (a - c) / (1 - c))), abs=1e-12), measure


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"link_columns": (["species"], ["species"])}, "'link_columns'"),
        ({"link_columns": (["species"],)}, "'link_columns'"),
        ({"link_columns": (["species"], ["no_such"])}, "'link_columns'"),
        ({"link_columns": "species"}, "'link_columns'"),
        ({"singling_out_columns": 0}, "'singling_out_columns'"),
        ({"n_attacks": 10**9}, "'n_attacks'"),
    ],
)
def test_privacy_report_refuses_bad_attack_settings(penguin_halves, kwargs, param):
    train, holdout = penguin_halves
    with pytest.raises(InvalidParameterError, match=param):
        privacy_report(train, train, holdout, **kwargs)
