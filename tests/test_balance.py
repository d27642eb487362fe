"""Balance and Imbalance on real data: class counts, dtypes, kept rows, exported code, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_iris

import synthbench as sb
from synthbench.balancing_report import class_counts, compare_classifiers, near_copy_share
from synthbench.exceptions import DataError, InvalidParameterError, NotFittedError, ResourceLimitError, SpecError
from synthbench.generators.balance import METHODS
from tests.helpers import run_code

TARGET = "diagnosis"
INTERPOLATING = [m for m in METHODS if m not in ("random_over", "random_under")]
CATEGORY_AWARE = ["smote", "smotenc", "smoten", "random_over", "random_under"]
# Methods whose output has exactly the counts imbalanced-learn's sampling_strategy asks for.
EXACT = ["smote", "smotenc", "smoten", "borderline_smote", "random_over", "random_under"]


def _cancer() -> pd.DataFrame:
    """Breast cancer, 7 features, all 357 benign rows and the first 40 malignant ones."""
    df = load_breast_cancer(as_frame=True).frame
    keep = (df["target"] == 1) | (np.cumsum(df["target"] == 0) <= 40)
    df = df[keep].reset_index(drop=True)
    out = df.iloc[:, :7].copy()
    out[TARGET] = np.where(df["target"] == 0, "malignant", "benign")
    return out


CANCER = _cancer()


def _numeric_mixed() -> pd.DataFrame:
    """Every dtype the interpolating methods take: floats, ints, booleans, datetimes."""
    df = CANCER.copy()
    df["mean radius"] = df["mean radius"].astype("float32")
    df["mean area"] = df["mean area"].round().astype("int64")
    df["big"] = df["mean perimeter"] > 90
    df["smooth"] = pd.array(df["mean smoothness"] < 0.09, dtype="boolean")
    df["count"] = pd.array((df["mean smoothness"] * 1000).round().astype("int32"), dtype="Int32")
    df["seen"] = pd.Timestamp("2024-01-01") + pd.to_timedelta((df["mean compactness"] * 1e4).round(), unit="h")
    df["seen_tz"] = df["seen"].dt.tz_localize("UTC").dt.tz_convert("Europe/Berlin")
    df["wait"] = pd.to_timedelta((df["mean concavity"] * 1e3).round(), unit="m")
    return df[[c for c in df.columns if c != TARGET] + [TARGET]]


def _categorical_mixed() -> pd.DataFrame:
    df = _numeric_mixed()
    df.insert(2, "size", pd.Categorical(np.where(df["mean area"] > 700, "large", "small"), ["small", "large", "huge"]))
    df.insert(4, "grade", np.where(df["mean texture"] > 20, "high", "low"))
    df.insert(5, "site", pd.Series(np.where(df["mean texture"] > 18, 1, 2)).map({1: "left", 2: "right"}).astype(object))
    return df


NUMERIC = _numeric_mixed()
MIXED = _categorical_mixed()


def _balance(method: str, **kw) -> sb.Balance:
    if method == "kmeans_smote":
        kw.setdefault("cluster_balance_threshold", 0.0)
    return sb.Balance(target=TARGET, method=method, **kw)


def _frame_for(method: str) -> pd.DataFrame:
    return MIXED if method in CATEGORY_AWARE else NUMERIC


# -- every method: dtypes, columns, kept rows, ranges --------------------------------------
@pytest.mark.parametrize("method", list(METHODS))
def test_each_method_keeps_columns_dtypes_and_real_rows(method):
    data = _frame_for(method)
    out = _balance(method, mark_synthetic="synthetic").fit(data).sample(seed=1)
    new = out["synthetic"].to_numpy()
    out = out.drop(columns="synthetic")
    assert list(out.columns) == list(data.columns)
    assert out.dtypes.equals(data.dtypes)
    assert isinstance(out.index, pd.RangeIndex)
    for col in ("size",):
        if col in data:
            assert out[col].cat.categories.equals(data[col].cat.categories)
    real = out[~new].reset_index(drop=True)
    if method == "random_over":  # kept rows are the frame itself, then extra copies
        pd.testing.assert_frame_equal(real, data)
    elif method != "random_under":  # real rows come first, unchanged, in their original order
        merged = real.merge(data.reset_index(), how="left", on=list(data.columns))
        assert merged["index"].notna().all() and merged["index"].is_monotonic_increasing
    assert new.sum() == (len(out) - len(real))
    assert (~new[: len(real)]).all() and new[len(real) :].all()


# SVMSMOTE extrapolates away from the majority class (out_step) by design, so it is left out.
@pytest.mark.parametrize("method", [m for m in INTERPOLATING if m != "svm_smote"])
def test_new_minority_rows_lie_within_the_minority_range(method):
    data = _frame_for(method)
    out = _balance(method, mark_synthetic="synthetic").fit(data).sample(seed=2)
    new = out[out["synthetic"] & (out[TARGET] == "malignant")]
    assert len(new) > 0
    minority = data[data[TARGET] == "malignant"]
    for col in data.columns.drop(TARGET):
        if col in ("size", "grade", "site"):
            assert set(new[col]) <= set(minority[col])
        else:
            assert new[col].min() >= minority[col].min() and new[col].max() <= minority[col].max(), col


@pytest.mark.parametrize("method", INTERPOLATING)
def test_interpolated_whole_numbers_stay_whole(method):
    data = _frame_for(method)
    out = _balance(method).fit(data).sample(seed=3)
    assert set(out["big"].unique()) <= {True, False}
    assert out["count"].notna().all() and out["seen"].dt.tz is None
    assert str(out["seen_tz"].dt.tz) == "Europe/Berlin"


# -- class counts follow sampling_strategy ------------------------------------------------
@pytest.mark.parametrize("method", EXACT)
@pytest.mark.parametrize(
    ("strategy", "want"),
    [("auto", {"benign": 357, "malignant": 357}), (0.5, {"benign": 357, "malignant": 178})],
)
def test_class_counts_match_sampling_strategy(method, strategy, want):
    if method == "random_under":
        want = {"benign": 40 if strategy == "auto" else 80, "malignant": 40}
    gen = _balance(method, sampling_strategy=strategy).fit(_frame_for(method))
    assert gen.sample(seed=0)[TARGET].value_counts().to_dict() == want


@pytest.mark.parametrize("method", list(METHODS))
def test_dict_strategy_counts(method):
    wanted = {"benign": 120} if method == "random_under" else {"malignant": 200}
    out = _balance(method, sampling_strategy=wanted).fit(_frame_for(method)).sample(seed=0)
    counts = out[TARGET].value_counts().to_dict()
    ((label, want),) = wanted.items()
    other = "malignant" if label == "benign" else "benign"
    if method in EXACT:
        assert counts == {label: want, other: 40 if method == "random_under" else 357}
    elif method in ("adasyn", "kmeans_smote", "svm_smote"):  # about that many
        assert abs(counts[label] - want) <= 0.1 * want and counts[other] == 357
    else:  # smote_tomek / smote_enn: cleaning then removes rows
        assert counts[label] <= want and counts[other] <= 357


def test_multiclass_all_and_not_majority():
    iris = load_iris(as_frame=True).frame
    iris = iris[(iris["target"] != 2) | (iris.index < 110)]
    iris = iris[(iris["target"] != 1) | (iris.index < 80)]
    out = sb.Balance(sampling_strategy="not majority").fit(iris).sample(seed=0)
    assert out["target"].value_counts().sort_index().tolist() == [50, 50, 50]
    out = sb.Balance(method="random_under", sampling_strategy="all").fit(iris).sample(seed=0)
    assert out["target"].value_counts().sort_index().tolist() == [10, 10, 10]


def test_smote_picks_smotenc_or_smoten_by_column_types():
    assert _balance("smote").fit(NUMERIC).sampler_ == "SMOTE"
    assert _balance("smote").fit(MIXED).sampler_ == "SMOTENC"
    cats = MIXED[["size", "grade", "site", TARGET]]
    assert _balance("smote").fit(cats).sampler_ == "SMOTEN"
    assert _balance("smote", categorical=["mean area"]).fit(NUMERIC).sampler_ == "SMOTENC"
    out = _balance("smote", categorical=["mean area"]).fit(NUMERIC).sample(seed=0)
    assert set(out["mean area"]) <= set(NUMERIC.loc[NUMERIC[TARGET] == "malignant", "mean area"]) | set(
        NUMERIC["mean area"]
    )


def test_random_samplers_pass_missing_values_and_any_dtype_through():
    data = MIXED.copy()
    data.loc[::7, "mean texture"] = np.nan
    data["note"] = pd.array([complex(i, 1) for i in range(len(data))], dtype=object)
    for method in ("random_over", "random_under"):
        out = _balance(method).fit(data).sample(seed=0)
        assert out.dtypes.equals(data.dtypes)
        assert out["mean texture"].isna().any()


def test_same_seed_same_frame_other_seed_other_frame_and_data_left_alone():
    data = MIXED.copy()
    gen = _balance("smote").fit(data)
    a = gen.sample(seed=4)
    pd.testing.assert_frame_equal(a, gen.sample(seed=4))
    assert not a.equals(gen.sample(seed=5))
    pd.testing.assert_frame_equal(data, MIXED)
    data.loc[0, "mean texture"] = -1.0  # editing the caller's frame later changes nothing
    pd.testing.assert_frame_equal(gen.sample(seed=4), a)


def test_input_index_is_ignored():
    shuffled_index = CANCER.set_index(pd.Index(np.arange(len(CANCER))[::-1] * 10))
    a = _balance("smote").fit(shuffled_index).sample(seed=0)
    pd.testing.assert_frame_equal(a, _balance("smote").fit(CANCER).sample(seed=0))


# -- exported code ------------------------------------------------------------------------
def test_exported_code_rebuilds_every_method_in_one_fresh_interpreter(tmp_path):
    cells, expected = [], {}
    for i, method in enumerate(METHODS):
        data = _frame_for(method)
        gen = _balance(method, mark_synthetic="new", sampling_strategy={"malignant": 150})
        if method == "random_under":
            gen.set_params(sampling_strategy={"benign": 100})
        gen.fit(data)
        name = "mixed" if data is MIXED else "numeric"
        code = gen.to_code(seed=6, data=name)
        assert "synthbench" not in code
        cells.append(code + f"\ndf.to_pickle('out_{i}.pkl')\n")
        expected[i] = gen.sample(seed=6)
    run_code("\n".join(cells) + "\ndf = pd.DataFrame()\n", tmp_path, {"mixed": MIXED, "numeric": NUMERIC})
    for i, frame in expected.items():
        pd.testing.assert_frame_equal(pd.read_pickle(tmp_path / f"out_{i}.pkl"), frame, check_exact=True)


def test_to_code_names_the_data_variable_and_checks_it():
    gen = _balance("smote").fit(CANCER)
    assert "X = encode_features(cancer, 'diagnosis'," in gen.to_code(seed=0, data="cancer")
    assert "df_real" in gen.to_code(seed=0)
    for bad in ("1x", "a-b", "class", 3):
        with pytest.raises(InvalidParameterError, match="'data'"):
            gen.to_code(seed=0, data=bad)


def test_n_must_be_none_or_the_size_made():
    gen = _balance("smote").fit(CANCER)
    size = len(gen.sample(seed=0))
    assert len(gen.sample(size, seed=0)) == size
    with pytest.raises(InvalidParameterError, match=rf"'n'.*\({size}\).*Got 10"):
        gen.sample(10, seed=0)
    with pytest.raises(InvalidParameterError, match="'n'"):
        gen.to_code(10, seed=0)


def test_spec_holds_no_data_and_refits():
    gen = _balance("smote_enn", sampling_strategy={"malignant": 100}).fit(NUMERIC)
    spec = gen.to_dict()
    assert "state" not in spec and len(str(spec)) < 500
    again = sb.from_dict(spec)
    with pytest.raises(NotFittedError):
        again.sample(seed=0)
    pd.testing.assert_frame_equal(again.fit(NUMERIC).sample(seed=0), gen.sample(seed=0))
    with pytest.raises(SpecError, match="fit it on the data again"):
        sb.from_dict({**spec, "state": {}})


# -- clear errors, never imbalanced-learn's ---------------------------------------------------
def test_k_neighbors_larger_than_the_minority_is_explained():
    small = pd.concat([CANCER[CANCER[TARGET] == "benign"], CANCER[CANCER[TARGET] == "malignant"].head(4)])
    with pytest.raises(InvalidParameterError, match=r"'k_neighbors'.*'malignant' has 4, so at most 3. Got 5"):
        _balance("smote").fit(small)
    assert len(_balance("smote", k_neighbors=3).fit(small).sample(seed=0)) == 2 * 357
    with pytest.raises(InvalidParameterError, match="'m_neighbors'"):
        _balance("borderline_smote", k_neighbors=3, m_neighbors=400).fit(small)


def test_missing_values_are_refused_naming_the_columns():
    data = NUMERIC.copy()
    data.loc[3, "mean texture"] = np.nan
    data.loc[5, "seen"] = pd.NaT
    with pytest.raises(DataError, match=r"cannot interpolate missing values: columns \['mean texture', 'seen'\]"):
        _balance("smote").fit(data)
    data.loc[3, "mean texture"] = np.inf
    data.loc[5, "seen"] = data.loc[4, "seen"]
    with pytest.raises(DataError, match=r"infinite values: columns \['mean texture'\]"):
        _balance("smote").fit(data)
    target_gap = CANCER.copy()
    target_gap.loc[0, TARGET] = np.nan
    with pytest.raises(DataError, match="target column 'diagnosis' has 1 missing"):
        _balance("random_over").fit(target_gap)


@pytest.mark.parametrize("method", ["borderline_smote", "svm_smote", "kmeans_smote", "adasyn", "smote_tomek"])
def test_categorical_columns_refused_by_numeric_methods(method):
    with pytest.raises(DataError, match=r"interpolates numbers only, but columns \['size', 'grade', 'site'\]"):
        _balance(method).fit(MIXED)


@pytest.mark.parametrize(
    ("kwargs", "data", "error", "match"),
    [
        ({"target": "nope"}, CANCER, InvalidParameterError, "'target' parameter of Balance must name a column"),
        ({"sampling_strategy": {"3": 5}}, CANCER, InvalidParameterError, "must only name classes of the data"),
        ({"sampling_strategy": {"malignant": 5}}, CANCER, InvalidParameterError, "fewer rows than a class has"),
        (
            {"method": "random_under", "sampling_strategy": {"benign": 900}},
            CANCER,
            InvalidParameterError,
            "more rows than a class has",
        ),
        ({"sampling_strategy": 0.01}, CANCER, InvalidParameterError, "'sampling_strategy'.*must fit this data"),
        ({"sampling_strategy": "majority"}, CANCER, InvalidParameterError, "'majority' for an over-sampling"),
        ({"mark_synthetic": "mean area"}, CANCER, InvalidParameterError, "'mark_synthetic'.*existing column"),
        ({"categorical": ["nope"]}, CANCER, InvalidParameterError, "'categorical'.*feature columns"),
        ({"method": "smotenc"}, CANCER, DataError, "needs both categorical and numeric"),
        ({}, CANCER.assign(z=[1j] * len(CANCER)), DataError, r"column 'z' has dtype 'complex128'.*random_over"),
        ({}, CANCER[CANCER[TARGET] == "benign"], DataError, "single class"),
        ({}, CANCER[[TARGET]], DataError, "at least one feature column"),
        ({}, CANCER.to_numpy(), DataError, "must be a pandas DataFrame. Got ndarray"),
        ({}, CANCER.head(0), DataError, r"is empty \(shape \(0, 8\)\)"),
    ],
)
def test_bad_data_and_parameters_raise_clear_errors(kwargs, data, error, match):
    with pytest.raises(error, match=match):
        sb.Balance(**{"target": TARGET, **kwargs}).fit(data).sample(seed=0)


def test_kmeans_smote_without_usable_clusters_is_explained():
    wine = sb.Balance.example().data_
    gen = sb.Balance(target="cultivar", method="kmeans_smote").fit(wine)
    with pytest.raises(DataError, match=r"KMeansSMOTE could not resample.*cluster_balance_threshold"):
        gen.sample(seed=0)
    assert len(gen.set_params(cluster_balance_threshold=0.0).sample(seed=0)) >= 3 * 71


def test_float_strategy_needs_two_classes():
    iris = load_iris(as_frame=True).frame
    with pytest.raises(InvalidParameterError, match="float with 3 classes"):
        sb.Balance(sampling_strategy=0.5).fit(iris)


# -- Imbalance --------------------------------------------------------------------------------
def test_imbalance_keeps_shares_of_rows_in_order():
    iris = load_iris(as_frame=True).frame
    gen = sb.Imbalance(ratios={"0": 0.5, "2": 0.05}).fit(iris)
    out = gen.sample(seed=0)
    assert out["target"].value_counts().sort_index().tolist() == [25, 50, 3]  # 2.5 rounds up
    assert out.dtypes.equals(iris.dtypes) and isinstance(out.index, pd.RangeIndex)
    merged = out.merge(iris.reset_index(), how="left", on=list(iris.columns))
    assert merged["index"].is_monotonic_increasing
    assert not out.equals(gen.sample(seed=1))
    with pytest.raises(InvalidParameterError, match=r"'ratios'.*classes of the data"):
        sb.Imbalance(ratios={"7": 0.5}).fit(iris)


# -- the evaluation helper ------------------------------------------------------------------
def test_balancing_report_on_a_real_held_out_test_set():
    df = load_breast_cancer(as_frame=True).frame.iloc[:, [0, 1, 4, 7, -1]]
    test = df.iloc[::3]
    train = df.drop(test.index)
    train = train[(train["target"] == 1) | (train.index % 12 == 1)]
    gen = sb.Balance(mark_synthetic="synthetic").fit(train)
    balanced = gen.sample(seed=0)
    counts = class_counts(train, balanced, "target")
    assert counts.to_dict("list") == {"class": [0, 1], "before": [19, 243], "after": [243, 243], "added": [224, 0]}
    scores = compare_classifiers(train, balanced, test, "target")
    assert scores["training"].tolist() == ["original", "balanced"]
    assert scores["rows"].tolist() == [len(train), len(balanced)]
    assert scores.loc[1, "minority_recall"] > scores.loc[0, "minority_recall"]
    assert ((scores.iloc[:, 2:] >= 0) & (scores.iloc[:, 2:] <= 1)).all().all()
    synthetic = balanced[balanced["synthetic"]]
    share = near_copy_share(train, synthetic, target="target")
    assert 0 < share < 0.5
    assert near_copy_share(train, synthetic, target="target", threshold=1.0) > share
    assert near_copy_share(train, synthetic, target="target", threshold=0) == 0.0
    assert near_copy_share(train, train.head(5), target="target", threshold=0) == 1.0
    with pytest.raises(InvalidParameterError, match="'threshold'"):
        near_copy_share(train, synthetic, threshold=-1)


def test_near_copy_share_with_categories():
    real = MIXED[["mean texture", "size", "grade"]]
    shifted = real.head(20).assign(grade=np.where(real["grade"].head(20) == "high", "low", "high"))
    assert near_copy_share(real, real.head(20), threshold=0) == 1.0
    assert near_copy_share(real, shifted, threshold=0.5) == 0.0


# -- hostile inputs: each a clear error (or the right result), never a library traceback -----
_SMALL = pd.DataFrame(
    {
        "a": np.random.default_rng(0).normal(size=60),
        "b": np.random.default_rng(1).integers(0, 9, 60),
        "y": np.r_[np.zeros(45, int), np.ones(15, int)],
    }
)


@pytest.mark.parametrize("method", ["smote", "random_over", "random_under"])
@pytest.mark.parametrize("want", [{"1": 10**9}, {"0": 10**9, "1": 10**9}])
def test_counts_that_scale_rows_are_checked_before_allocating(method, want):
    if method == "random_under":  # asks for at most what a class has: nothing to allocate
        with pytest.raises(InvalidParameterError, match="more rows than a class has"):
            sb.Balance(target="y", method=method, sampling_strategy=want).fit(_SMALL)
        return
    with pytest.raises(ResourceLimitError, match=r"'sampling_strategy'.*[12],000,000,0\d\d rows.*over the limit of"):
        sb.Balance(target="y", method=method, sampling_strategy=want).fit(_SMALL)


def test_memory_estimate_is_offered_to_the_protocol():
    gen = sb.Balance(target="y").fit(_SMALL)
    assert 0 < gen._estimate_bytes(None) < 10**6


@pytest.mark.parametrize("method", ["smote", "smoten", "smotenc"])
@pytest.mark.parametrize(
    ("values", "match"),
    [
        ([[i] for i in range(60)], "must hold single values, not list values"),
        ([{"k": i} for i in range(60)], "must hold single values, not dict values"),
        ([i if i % 2 else str(i) for i in range(60)], r"of one type .*they mix \['int', 'str'\]"),
        ([True if i % 2 else 1 for i in range(60)], r"they mix \['bool', 'int'\]"),
        ([1 if i % 2 else 1.5 for i in range(60)], "of one type"),
        ([pd.Timestamp(i) for i in range(60)], r"not \['Timestamp'\]; convert the column first \(pd.to_datetime"),
        (pd.Categorical([1 if i % 2 else "1" for i in range(60)]), "has categories that must hold values of one type"),
        (pd.period_range("2020", periods=60, freq="D"), r"dtype 'period\[D\]'.*random_over"),
        (np.full(60, 1j), r"dtype 'complex128'"),
    ],
)
def test_unreadable_feature_columns_are_refused_by_name(method, values, match):
    data = _SMALL.assign(c=pd.Series(values, dtype=object) if isinstance(values, list) else values)
    with pytest.raises(DataError, match=rf"column 'c' .*{match}"):
        sb.Balance(target="y", method=method).fit(data)


@pytest.mark.parametrize("method", ["random_over", "random_under"])
def test_row_pickers_copy_any_column_as_it_is(method):
    data = _SMALL.assign(c=pd.Series([[i] for i in range(60)], dtype=object), d=[{"k": i} for i in range(60)])
    out = sb.Balance(target="y", method=method).fit(data).sample(seed=0)
    assert all(isinstance(v, list) for v in out["c"]) and out.dtypes.equals(data.dtypes)


@pytest.mark.parametrize("cls", [sb.Balance, sb.Imbalance])
@pytest.mark.parametrize(
    ("target", "match"),
    [
        ([[v] for v in _SMALL["y"]], "column 'y' is an object column and must hold single values"),
        ([v if v else "0" for v in _SMALL["y"]], r"column 'y' .*they mix \['int', 'str'\]"),
        ([True if v else 0 for v in _SMALL["y"]], r"column 'y' .*they mix \['bool', 'int'\]"),
        (np.where(np.arange(60) == 3, np.nan, _SMALL["y"]), "target column 'y' has 1 missing value"),
    ],
)
def test_unreadable_targets_are_refused(cls, target, match):
    data = _SMALL.assign(y=pd.Series(target, dtype=object) if isinstance(target, list) else target)
    kwargs = {"ratios": {"1": 0.5}} if cls is sb.Imbalance else {"method": "random_over"}
    with pytest.raises(DataError, match=match):
        cls(target="y", **kwargs).fit(data)


@pytest.mark.parametrize("cls", [sb.Balance, sb.Imbalance])
@pytest.mark.parametrize(
    ("columns", "match"),
    [
        ({"a": 0}, r"non-empty str column names.*Got column name 0 \(int\)"),
        ({"a": ""}, r"non-empty str column names.*Got column name ''"),
        ({"a": ("a", 1)}, r"str column names.*\(tuple\)"),
        ({"b": "a"}, r"distinct column names. Got repeated column\(s\) \['a'\]"),
    ],
)
def test_column_names_follow_the_table_rules(cls, columns, match):
    kwargs = {"ratios": {"1": 0.5}} if cls is sb.Imbalance else {}
    with pytest.raises(DataError, match=match):
        cls(target="y", **kwargs).fit(_SMALL.rename(columns=columns))


def test_single_class_all_missing_and_infinite_columns():
    with pytest.raises(DataError, match=r"single class \('0'\)"):
        sb.Balance(target="y").fit(_SMALL.assign(y=0))
    with pytest.raises(DataError, match=r"cannot interpolate missing values: columns \['c'\]"):
        sb.Balance(target="y").fit(_SMALL.assign(c=np.nan))
    with pytest.raises(DataError, match=r"infinite values: columns \['a'\]"):
        sb.Balance(target="y").fit(_SMALL.assign(a=np.r_[np.inf, _SMALL["a"][1:]]))
    with pytest.raises(InvalidParameterError, match=r"'k_neighbors'.*class '1' has 15, so at most 14. Got 20"):
        sb.Balance(target="y", k_neighbors=20).fit(_SMALL)


@pytest.mark.parametrize("dtype", ["uint64", "int64"])
def test_integers_float64_cannot_hold_are_refused_not_wrapped(dtype):
    top = np.iinfo(dtype).max
    data = _SMALL.assign(u=np.array([top - i for i in range(60)], dtype=dtype))
    with pytest.raises(DataError, match=r"only up to 2\*\*53; columns \['u'\]"):
        sb.Balance(target="y").fit(data)
    out = sb.Balance(target="y", categorical=["u"]).fit(data).sample(seed=0)
    assert set(out["u"]) <= set(data["u"])


def test_extrapolated_whole_numbers_stay_within_the_column_range():
    data = _SMALL.assign(flag=_SMALL["b"] > 4, small=(_SMALL["b"] * 14).astype("int8"))
    for seed in range(5):
        out = sb.Balance(target="y", method="svm_smote").fit(data).sample(seed=seed)
        assert out["small"].between(data["small"].min(), data["small"].max()).all()
        assert out["flag"].dtype == bool


def test_hostile_names_reach_the_export_only_as_literals(tmp_path):
    names = {"a": 'x"""\nimport os #', "b": "é\\\x00\u2028"}
    data = _SMALL.rename(columns=names)
    gen = sb.Balance(target="y", mark_synthetic="new'#").fit(data)
    code = gen.to_code(seed=0, data="frame")
    comments = [line for line in code.splitlines() if line.lstrip().startswith("#")]
    assert not any("import os" in line or "new'" in line for line in comments)
    pd.testing.assert_frame_equal(run_code(code, tmp_path, {"frame": data}), gen.sample(seed=0))


def test_export_imports_only_numpy_pandas_and_imblearn():
    for gen in (
        sb.Balance.example(),
        sb.Imbalance.example(),
        sb.Balance(target=TARGET, method="smote_enn").fit(NUMERIC),
    ):
        code = gen.to_code(seed=0)
        imports = {
            line.split()[1].split(".")[0] for line in code.splitlines() if line.strip().startswith(("import ", "from "))
        }
        assert imports <= {"numpy", "pandas", "imblearn"}, imports


def test_svm_smote_refuses_a_frame_its_svm_would_take_minutes_on():
    from synthbench.generators.balance import SVM_MAX_ROWS

    n = SVM_MAX_ROWS + 1
    big = pd.DataFrame({"a": np.arange(n, dtype=float), "y": (np.arange(n) % 10 == 0).astype(int)})
    with pytest.raises(DataError, match=r"svm_smote.*30,001 rows, more than the limit of 30,000.*borderline_smote"):
        sb.Balance(target="y", method="svm_smote").fit(big)
    assert sb.Balance(target="y", method="borderline_smote").fit(big).sampler_ == "BorderlineSMOTE"


def test_kmeans_smote_bounds_rows_times_clusters():
    n = 40_000
    big = pd.DataFrame({"a": np.arange(n, dtype=float), "y": (np.arange(n) % 10 == 0).astype(int)})
    with pytest.raises(InvalidParameterError, match=r"'n_clusters'.*within 200,000,000.*so at most 5,000. Got 10000"):
        sb.Balance(target="y", method="kmeans_smote", n_clusters=10_000).fit(big)
