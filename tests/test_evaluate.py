"""Fidelity metrics, quality report and its chart data, on small real data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp, pearsonr
from sklearn.datasets import load_iris, load_wine

import synthbench as sb
from synthbench.evaluate import (
    Report,
    category_coverage,
    column_pair_trends,
    column_shapes,
    column_types,
    contingency_similarity,
    correlation_similarity,
    ks_complement,
    missing_value_similarity,
    quality_report,
    quality_score,
    range_coverage,
    tv_complement,
)
from synthbench.exceptions import DataError, InvalidParameterError


def _iris() -> pd.DataFrame:
    data = load_iris(as_frame=True)
    df = data.frame.drop(columns="target")
    df["species"] = pd.Series(np.asarray(data.target_names)[data.target], dtype="str")
    return df


def _noisy(df: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    out = df.sample(len(df), replace=True, random_state=seed).reset_index(drop=True)
    for c in out.select_dtypes("number"):
        out[c] = out[c] + rng.normal(0, 0.3 * out[c].std(), len(out))
    return out


def test_identical_frames_score_one():
    df = _iris()
    report = quality_report(df, df)
    assert report.score == pytest.approx(1.0)
    assert (report.column_details["score"] == 1).all()
    assert np.allclose(report.pair_details["score"], 1.0)


def test_single_metrics_match_scipy_and_hand_computation():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=300), rng.normal(0.3, 1.2, size=250)
    assert ks_complement(a, b) == pytest.approx(1 - ks_2samp(a, b).statistic, abs=1e-12)
    # TV: shares a .5/.5 vs .25/.75 -> 1 - (.25 + .25) / 2
    assert tv_complement(list("aabb"), list("abbb")) == pytest.approx(0.75)
    # A category only the synthetic data has counts fully against it.
    assert tv_complement(list("aabb"), list("aabz")) == pytest.approx(0.75, abs=1e-6)
    assert missing_value_similarity([1.0, None, 3.0, None], [1.0, 2.0, 3.0, None]) == pytest.approx(0.75)
    assert range_coverage([0, 10], [2, 8]) == pytest.approx(0.6)
    assert np.isnan(range_coverage([5, 5], [1, 2]))
    assert category_coverage(list("abcd"), list("aab")) == pytest.approx(0.5)
    x, y = rng.normal(size=100), rng.normal(size=100)
    real = pd.DataFrame({"x": x, "y": x + y})
    syn = pd.DataFrame({"x": x, "y": y})
    expected = 1 - abs(pearsonr(x, x + y).statistic - pearsonr(x, y).statistic) / 2
    assert correlation_similarity(real, syn) == pytest.approx(expected, abs=1e-12)
    cats = pd.DataFrame({"a": list("xxyy"), "b": list("pqpq")})
    assert contingency_similarity(cats, cats.assign(b=list("ppqq"))) == pytest.approx(0.5)


def test_datetime_columns_compare_across_units():
    dates = pd.Series(pd.date_range("2024-01-01", periods=50, freq="D"))
    later = dates + pd.Timedelta(days=10)
    ks_us = ks_complement(dates.astype("datetime64[us]"), later.astype("datetime64[us]"))
    ks_mixed = ks_complement(dates.astype("datetime64[s]"), later.astype("datetime64[ns]"))
    assert ks_us == pytest.approx(ks_mixed) == pytest.approx(0.8)


def test_missing_values_booleans_and_types():
    real = pd.DataFrame(
        {
            "flag": pd.Series([True, False, None, True] * 10, dtype=object),
            "n": [1.0, np.nan, 3.0, 4.0] * 10,
            "code": [f"id{i}" for i in range(40)],
            "when": pd.to_datetime(["2024-01-01", None, "2024-02-01", "2024-03-01"] * 10),
        }
    )
    types = column_types(real, real)
    assert types == {"flag": "boolean", "n": "numerical", "code": "id", "when": "datetime"}
    shapes = column_shapes(real, real)
    assert "code" not in set(shapes["column"])  # identifiers are skipped, as SDMetrics does
    assert shapes["missing_real"].tolist() == [0.25, 0.25, 0.25]
    overridden = column_shapes(real, real, column_types={"n": "categorical", "code": "categorical"})
    assert overridden.set_index("column").loc["n", "metric"] == "TVComplement"
    assert "code" in set(overridden["column"])


def test_all_missing_synthetic_column_gives_nan_not_an_error():
    real = _iris()
    syn = real.assign(**{"sepal length (cm)": np.nan})
    shapes = column_shapes(real, syn).set_index("column")
    assert np.isnan(shapes.loc["sepal length (cm)", "score"])
    assert shapes.loc["sepal length (cm)", "missing_similarity"] == 0
    pairs = column_pair_trends(real, syn)
    assert pairs.loc[pairs["column_1"] == "sepal length (cm)", "error"].notna().any()
    assert not np.isnan(quality_score(real, syn)["score"])


def test_constant_column_reports_an_error_and_is_not_counted():
    real = pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [2.0, 4, 6, 8]})
    pairs = column_pair_trends(real, real.assign(y=1.0))
    assert pairs["error"].iloc[0].startswith("a column is constant")
    assert not pairs["contributes"].iloc[0]


def test_thresholds_decide_which_pairs_count():
    df = _iris()
    syn = _noisy(df, 1)
    pairs = column_pair_trends(df, syn)
    corr = pairs[pairs["metric"] == "CorrelationSimilarity"]
    assert (corr["contributes"] == (corr["real_correlation"].abs() > 0.5)).all()
    everything = column_pair_trends(df, syn, real_correlation_threshold=0, real_association_threshold=0)
    assert everything["contributes"].all()
    assert np.allclose(everything["score"], pairs["score"])  # scores do not depend on thresholds
    scores = quality_score(df, syn)
    assert scores["column_pair_trends"] == pytest.approx(pairs.loc[pairs["contributes"], "score"].mean())
    assert scores["score"] == pytest.approx((scores["column_shapes"] + scores["column_pair_trends"]) / 2)


def test_worse_synthetic_data_scores_lower():
    df = load_wine(as_frame=True).frame
    rng = np.random.default_rng(0)
    close = _noisy(df, 0)
    shuffled = df.apply(lambda c: pd.Series(rng.permutation(c.to_numpy())))  # marginals kept, pairs broken
    shifted = close.assign(alcohol=close["alcohol"] + 3)
    s_close, s_shuffled = quality_score(df, close), quality_score(df, shuffled)
    assert s_shuffled["column_shapes"] == pytest.approx(1.0)
    assert s_shuffled["column_pair_trends"] < s_close["column_pair_trends"]
    assert quality_score(df, shifted)["column_shapes"] < s_close["column_shapes"]


def test_report_chart_data_is_binned_and_small():
    df = _iris()
    syn = _noisy(df, 2)
    report = quality_report(df, syn, bins=10, max_categories=2)
    assert isinstance(report, Report)
    hist = report.chart_data["histograms"]["petal length (cm)"]
    assert len(hist) == 10
    assert hist["real"].sum() == pytest.approx(1) and hist["synthetic"].sum() == pytest.approx(1)
    cats = report.chart_data["categories"]["species"]
    assert cats["category"].tolist()[-1] == "(other)" and len(cats) == 3
    assert cats["real"].sum() == pytest.approx(1)
    corr = report.chart_data["correlations"]
    assert len(corr) == 4 * 4  # long form of the 4 x 4 Pearson matrix
    assert len(report.chart_data["pair_scores"]) == 5 * 5
    big = pd.concat([df] * 20, ignore_index=True)
    big_report = quality_report(big, syn, bins=10)
    assert len(big_report.chart_data["histograms"]["petal length (cm)"]) == 10  # size does not grow with rows


def test_report_html_and_dict():
    when = pd.date_range("2024-01-01", periods=150, freq="D")
    df = _iris().assign(when=when)
    report = quality_report(df, _noisy(df, 3))
    page = report._repr_html_()
    assert "Quality report" in page and "species" in page and "KSComplement" in page
    assert "Report(score=" in repr(report)
    data = report.to_dict()
    json.dumps(data)
    assert data["score"] == pytest.approx(report.score)
    assert report.properties["property"].tolist() == ["Column Shapes", "Column Pair Trends"]
    left = report.chart_data["histograms"]["when"]["left"]
    assert pd.api.types.is_datetime64_any_dtype(left)
    assert len(report.worst_columns(2)) == 2


def test_top_level_exports():
    assert sb.quality_report is quality_report
    assert sb.evaluate.column_shapes is column_shapes


@pytest.mark.parametrize(
    ("real", "synthetic", "message"),
    [
        (pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [1]}), "same columns"),
        (pd.DataFrame({"a": []}), pd.DataFrame({"a": [1]}), "real data is empty"),
        (pd.DataFrame({"a": [1]}), [1, 2], "synthetic data must be a pandas DataFrame"),
        (pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": ["x", "y"]}), "'a' is numerical in the real data"),
        (pd.DataFrame({"a": [1.0, np.inf]}), pd.DataFrame({"a": [1.0, 2.0]}), "infinite"),
    ],
)
def test_bad_data_raises_data_error(real, synthetic, message):
    with pytest.raises(DataError, match=message):
        quality_report(real, synthetic)


def test_bad_parameters_are_named():
    df = _iris()
    with pytest.raises(InvalidParameterError, match="real_correlation_threshold"):
        quality_report(df, df, real_correlation_threshold=2)
    with pytest.raises(InvalidParameterError, match="bins"):
        quality_report(df, df, bins=0)
    with pytest.raises(InvalidParameterError, match=r"column_types.*'nope'"):
        quality_report(df, df, column_types={"nope": "numerical"})
    with pytest.raises(InvalidParameterError, match=r"column_types.*Got 'text' for column 'species'"):
        quality_report(df, df, column_types={"species": "text"})
    with pytest.raises(DataError, match="two columns"):
        correlation_similarity(df, df)


# -- hostile frames: every evaluation reads frames through synthbench.table -------------------
def _hostile_real() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({"x": rng.normal(size=40), "c": rng.choice(list("ab"), 40), "y": rng.integers(0, 2, 40)})


_HOSTILE = {
    "int column name": (lambda r: r.rename(columns={"x": 0}), r"str column names.*Got column name 0 \(int\)"),
    "list values": (lambda r: r.assign(c=pd.Series([[1]] * 40, dtype=object)), "not list values"),
    "dict values": (lambda r: r.assign(c=pd.Series([{"a": 1}] * 40, dtype=object)), "not dict values"),
    "mixed types": (lambda r: r.assign(c=pd.Series([1, "1"] * 20, dtype=object)), r"they mix \['int', 'str'\]"),
    "complex": (lambda r: r.assign(x=r["x"] + 1j), "dtype 'complex128'"),
    "period": (lambda r: r.assign(x=pd.period_range("2020", periods=40)), r"dtype 'period\[D\]'"),
    "infinite": (lambda r: r.assign(x=np.r_[np.inf, r["x"][1:]]), "infinite values"),
}


def _evaluations():
    from synthbench.balancing_report import compare_classifiers, near_copy_share
    from synthbench.evaluate import (
        attribute_disclosure,
        identity_disclosure,
        membership_disclosure,
        utility,
    )

    return {
        "quality_report": lambda a, b: quality_report(a, b),
        "identity_disclosure": lambda a, b: identity_disclosure(a, b, a),
        "attribute_disclosure": lambda a, b: attribute_disclosure(a, b, a, sensitive="y"),
        "membership_disclosure": lambda a, b: membership_disclosure(a, b, a),
        "utility": lambda a, b: utility(a, b, a, target="y"),
        "near_copy_share": lambda a, b: near_copy_share(a, b),
        "compare_classifiers": lambda a, b: compare_classifiers(a, b, a, "y"),
    }


@pytest.mark.parametrize("case", list(_HOSTILE))
@pytest.mark.parametrize("evaluation", list(_evaluations()))
def test_hostile_frames_raise_data_errors_in_every_evaluation(case, evaluation):
    make, match = _HOSTILE[case]
    frame = make(_hostile_real())
    with pytest.raises(DataError, match=match):
        _evaluations()[evaluation](frame, frame)


def test_autocorrelation_refuses_unreadable_frames_too():
    from synthbench.evaluate import autocorrelation_similarity

    frame = _HOSTILE["int column name"][0](_hostile_real())
    with pytest.raises(DataError, match="str column names"):
        autocorrelation_similarity(frame, frame)


# -- the holdout as a ceiling ---------------------------------------------------------------
@pytest.fixture(scope="module")
def penguin_halves() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from synthbench.data import load_penguins

    df = load_penguins()
    order = np.random.default_rng(0).permutation(len(df))
    half = len(df) // 2
    train = df.iloc[order[:half]].reset_index(drop=True)
    holdout = df.iloc[order[half:]].reset_index(drop=True)
    synthetic = sb.GaussianCopula().fit(train).sample(len(train), seed=0)
    return train, holdout, synthetic


def test_holdout_ceiling_is_scored_beside_the_synthetic_score(penguin_halves):
    train, holdout, synthetic = penguin_halves
    plain = quality_report(train, synthetic)
    report = quality_report(train, synthetic, holdout=holdout)
    # The synthetic scores do not change.
    assert report.score == plain.score
    assert report.column_shapes_score == plain.column_shapes_score
    assert report.column_pair_trends_score == plain.column_pair_trends_score
    assert plain.holdout_score is None and not plain.has_holdout
    assert "holdout" not in plain.to_dict() and "holdout" not in plain.properties
    # The ceiling is the holdout scored against the training rows with the same definitions.
    direct = quality_report(train, holdout)
    assert report.holdout_score == pytest.approx(direct.score)
    assert report.holdout_column_shapes_score == pytest.approx(direct.column_shapes_score)
    assert report.holdout_column_pair_trends_score == pytest.approx(direct.column_pair_trends_score)
    for value in (report.holdout_score, report.holdout_column_shapes_score, report.holdout_column_pair_trends_score):
        assert 0 <= value <= 1
    np.testing.assert_allclose(report.column_details["holdout_score"], direct.column_details["score"])
    np.testing.assert_allclose(report.pair_details["holdout_score"], direct.pair_details["score"])
    assert report.n_holdout == len(holdout)
    # Tidy output.
    props = report.properties
    assert list(props.columns) == ["property", "score", "holdout", "synthetic_minus_holdout"]
    np.testing.assert_allclose(props["synthetic_minus_holdout"], props["score"] - props["holdout"])
    d = report.to_dict()
    json.dumps(d)
    assert set(d["holdout"]) == set(d["synthetic_minus_holdout"]) == {"score", "column_shapes", "column_pair_trends"}
    assert d["synthetic_minus_holdout"]["score"] == pytest.approx(report.score - report.holdout_score)
    assert d["n_holdout"] == len(holdout) and "copying" in d["holdout_note"]
    # Text and HTML.
    assert f"holdout_score={report.holdout_score:.3f}" in repr(report)
    page = report._repr_html_()
    assert "Holdout" in page and "ceiling" in page and "suggests copying" in page


def test_copy_of_the_training_rows_scores_above_the_holdout(penguin_halves):
    train, holdout, _ = penguin_halves
    copied = train.sample(len(train), replace=True, random_state=1).reset_index(drop=True)
    report = quality_report(train, copied, holdout=holdout)
    # Overall: column shapes of a resample are as noisy as the holdout's, but the copied
    # rows keep the training pairs' trends, so the overall score sits above the ceiling.
    assert report.score > report.holdout_score
    assert report.column_pair_trends_score > report.holdout_column_pair_trends_score
    assert report.to_dict()["synthetic_minus_holdout"]["score"] > 0


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda h: h.drop(columns="sex"), "real and holdout data must have the same columns"),
        (lambda h: h.assign(extra=1.0), "real and holdout data must have the same columns"),
        (lambda h: h.iloc[:0], "holdout data is empty"),
        (lambda h: h.to_numpy(), "holdout data must be a pandas DataFrame"),
        (lambda h: h.assign(bill_length_mm=h["bill_length_mm"].astype(str)), "holdout"),
        (lambda h: h.rename(columns={"sex": 0}), "holdout data must have non-empty str column names"),
    ],
)
def test_bad_holdout_is_a_data_error(penguin_halves, make, match):
    train, holdout, synthetic = penguin_halves
    with pytest.raises(DataError, match=match):
        quality_report(train, synthetic, holdout=make(holdout))
