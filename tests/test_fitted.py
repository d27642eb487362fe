"""Fitted generators (GaussianCopula, GaussianMixture, CART) on real data.

Tolerances, stated once:

* marginals: the two-sample KS statistic between 5,000 synthetic rows and the real
  column is below 0.06 for every numeric column (the real tables have 178-569 rows, so
  sampling noise alone is about 0.03-0.05);
* dependence: Spearman correlations differ from the real ones by less than 0.05 on
  average and 0.2 at most (0.25 for CART, whose leaf draws are coarser);
* missing rates: within 0.01 of the real rate for the latent models (binomial noise at
  20,000 rows is about 0.002), within 0.02 for CART.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy.stats import ks_2samp
from sklearn.datasets import load_breast_cancer, load_wine

import synthbench as sb
from synthbench.data import load_penguins
from synthbench.exceptions import DataError, InvalidParameterError, NotFittedError, SpecError
from tests.helpers import run_code

GENERATORS = [sb.GaussianCopula, sb.GaussianMixture, sb.CART]
IDS = [g.__name__ for g in GENERATORS]


def mixed_table() -> pd.DataFrame:
    """The penguins plus the other supported types: str, bool, object bools with gaps, dates."""
    df = load_penguins()
    n = len(df)
    idx = np.arange(n)
    df["tag"] = pd.Series(np.where(idx % 7 == 0, "rare", np.where(idx % 2 == 0, "even", "odd"))).astype("str")
    df["heavy"] = (df["body_mass_g"].fillna(0) > 4500).to_numpy()
    df["measured"] = pd.Series([None if i % 13 == 0 else bool(i % 3) for i in idx], dtype=object)
    day = pd.Timestamp("2007-11-01") + pd.to_timedelta(idx * 3 % 200, unit="D")
    df["observed"] = pd.Series(day).astype("datetime64[us]").where(idx % 17 != 0)
    df["observed_utc"] = pd.Series(day + pd.to_timedelta(idx % 24, unit="h")).dt.tz_localize("UTC")
    return df


@pytest.fixture(scope="module")
def mixed() -> pd.DataFrame:
    return mixed_table()


@pytest.fixture(scope="module")
def fitted(mixed):
    return {cls.__name__: cls().fit(mixed) for cls in GENERATORS}


# -- real data: marginals, dependence, types, gaps ---------------------------------------------
@pytest.mark.parametrize("loader", [load_wine, load_breast_cancer], ids=["wine", "breast_cancer"])
@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_marginals_and_correlations_are_recovered(cls, loader):
    real = loader(as_frame=True).data
    df = cls().fit(real).sample(5000, seed=0)
    for col in real:
        assert ks_2samp(real[col], df[col]).statistic < 0.06, col
        assert real[col].min() <= df[col].min() and df[col].max() <= real[col].max(), col
    diff = np.abs(real.corr("spearman").to_numpy() - df.corr("spearman").to_numpy())
    assert diff.mean() < 0.05
    assert diff.max() < (0.25 if cls is sb.CART else 0.2)


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_types_gaps_and_ranges_are_kept(cls, mixed, fitted):
    df = fitted[cls.__name__].sample(20_000, seed=1)
    assert list(df.columns) == list(mixed.columns)
    assert df.dtypes.equals(mixed.dtypes)
    tolerance = 0.02 if cls is sb.CART else 0.01
    for col in mixed:
        assert abs(df[col].isna().mean() - mixed[col].isna().mean()) < tolerance, col
    for col in ("bill_length_mm", "flipper_length_mm", "body_mass_g", "year", "observed", "observed_utc"):
        assert mixed[col].min() <= df[col].min() and df[col].max() <= mixed[col].max(), col
    # Floats keep their one decimal, dates stay on whole days, timestamps on whole hours.
    assert np.allclose(df["bill_length_mm"].dropna() * 10, np.round(df["bill_length_mm"].dropna() * 10))
    assert (df["observed"].dropna().dt.normalize() == df["observed"].dropna()).all()
    assert (df["observed_utc"].dt.floor("h") == df["observed_utc"]).all()
    assert set(df["measured"].dropna().map(type)) == {bool}
    # Every category survives, the rare one included, at about its real share.
    for col in ("species", "island", "sex", "tag"):
        real_share = mixed[col].value_counts(normalize=True)
        share = df[col].value_counts(normalize=True).reindex(real_share.index)
        assert (share - real_share).abs().max() < 0.03, col


def test_copula_reproduces_high_cardinality_and_rare_categories():
    rng = np.random.default_rng(0)
    cities = [f"city_{i:03d}" for i in range(300)]
    weights = 1 / np.arange(1, 301)
    real = pd.DataFrame({"city": rng.choice(cities, size=3000, p=weights / weights.sum()), "x": rng.normal(size=3000)})
    df = sb.GaussianCopula().fit(real).sample(30_000, seed=0)
    seen = set(real["city"])
    assert set(df["city"]) == seen
    tv = 0.5 * (df["city"].value_counts(normalize=True) - real["city"].value_counts(normalize=True)).abs().sum()
    assert tv < 0.03


def test_integer_columns_stay_integer_with_few_and_many_values():
    real = load_wine(as_frame=True).frame.astype({"magnesium": "int64", "proline": "int32", "target": "int64"})
    for cls in GENERATORS:
        df = cls().fit(real).sample(1000, seed=0)
        assert df.dtypes.equals(real.dtypes)
        assert set(df["target"]) <= {0, 1, 2}


# -- conditions, partial and hybrid output ------------------------------------------------------
@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_conditional_sampling_fixes_values_and_shifts_the_rest(cls, fitted, mixed):
    gen = fitted[cls.__name__]
    gentoo = gen.sample(2000, seed=0, conditions={"species": "Gentoo"})
    adelie = gen.sample(2000, seed=0, conditions={"species": "Adelie", "year": 2008})
    assert (gentoo["species"] == "Gentoo").all() and (adelie["year"] == 2008).all()
    assert gentoo.dtypes.equals(mixed.dtypes)
    # Gentoo penguins are the heavy ones: the condition carries through the dependence.
    assert gentoo["body_mass_g"].mean() > adelie["body_mass_g"].mean() + 500
    again = gen.sample(2000, seed=0, conditions={"species": "Gentoo"})
    pd.testing.assert_frame_equal(gentoo, again)


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_bad_conditions_are_named(cls, fitted):
    gen = fitted[cls.__name__]
    for bad in ({"no_such_column": 1}, {"species": "Emperor"}, {"year": "2008"}, {"heavy": 1}, [], {}):
        with pytest.raises(InvalidParameterError, match="'conditions'"):
            gen.sample(5, seed=0, conditions=bad)


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_partial_replaces_only_the_chosen_columns_consistently(cls, fitted, mixed):
    real = mixed.set_index(pd.RangeIndex(100, 100 + len(mixed)))
    out = fitted[cls.__name__].partial(real, columns=["body_mass_g", "sex"], seed=3)
    assert out.index.equals(real.index) and out.dtypes.equals(real.dtypes)
    kept = [c for c in real if c not in ("body_mass_g", "sex")]
    pd.testing.assert_frame_equal(out[kept], real[kept])
    assert (out["body_mass_g"] != real["body_mass_g"]).mean() > 0.5
    # Replaced masses follow the kept flipper lengths, as the real ones do.
    assert out["body_mass_g"].astype(float).corr(out["flipper_length_mm"].astype(float)) > 0.6
    pd.testing.assert_frame_equal(out, fitted[cls.__name__].partial(real, columns=["body_mass_g", "sex"], seed=3))
    with pytest.raises(InvalidParameterError, match="'columns'"):
        fitted[cls.__name__].partial(real, columns=["nope"], seed=0)
    with pytest.raises(DataError, match="lacks"):
        fitted[cls.__name__].partial(real.drop(columns="year"), columns=["sex"], seed=0)


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_hybrid_mixes_real_and_synthetic_rows(cls, fitted, mixed):
    gen = fitted[cls.__name__]
    out = gen.hybrid(mixed, 200, real_share=0.3, seed=4, marker="is_synthetic")
    assert len(out) == 200 and int(out["is_synthetic"].sum()) == 140
    real_rows = out[~out["is_synthetic"]].drop(columns="is_synthetic")
    key = list(mixed.columns[:6])
    assert len(real_rows.merge(mixed.dropna(subset=key)[key].drop_duplicates(), on=key)) >= 55
    assert out.drop(columns="is_synthetic").dtypes.equals(mixed.dtypes)
    pd.testing.assert_frame_equal(out, gen.hybrid(mixed, 200, real_share=0.3, seed=4, marker="is_synthetic"))
    assert list(gen.hybrid(mixed, 10, real_share=1.0, seed=0).columns) == list(mixed.columns)
    with pytest.raises(InvalidParameterError, match="'real_share'"):
        gen.hybrid(mixed, 10, real_share=1.5, seed=0)
    with pytest.raises(InvalidParameterError, match="'marker'"):
        gen.hybrid(mixed, 10, marker="species", seed=0)
    with pytest.raises(DataError, match="real rows"):
        gen.hybrid(mixed.head(5), 100, real_share=0.5, seed=0)


# -- errors, state, determinism, exported code -----------------------------------------------------
def _bad_frames():
    good = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "x"]})
    yield "empty", good.iloc[:0], "at least 2 rows"
    yield "no columns", pd.DataFrame(index=range(3)), "at least one column"
    yield "one row", good.iloc[:1], "at least 2 rows"
    yield "all NaN", good.assign(c=np.nan), "'c'.*every value is missing"
    yield "inf", good.assign(c=[1.0, np.inf, 2.0]), "'c'.*infinite"
    yield "complex", good.assign(c=[1j, 2j, 3j]), "'c'.*complex"
    yield "timedelta", good.assign(c=pd.to_timedelta([1, 2, 3], unit="s")), "'c'.*timedelta"
    yield "mixed objects", good.assign(c=pd.Series([1, "a", 2.5], dtype=object)), "'c'.*types"
    yield "not a frame", [[1, 2]], "DataFrame"


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
@pytest.mark.parametrize(("case", "frame", "message"), list(_bad_frames()), ids=[c[0] for c in _bad_frames()])
def test_data_that_cannot_be_fitted_is_named(cls, case, frame, message):
    with pytest.raises(DataError, match=message):
        cls().fit(frame)


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_unfitted_generators_say_so(cls, mixed):
    with pytest.raises(NotFittedError):
        cls().sample(5, seed=0)
    with pytest.raises(NotFittedError):
        cls().partial(mixed, columns=["sex"], seed=0)


def test_fit_is_deterministic_and_seeded(mixed):
    a = sb.GaussianCopula().fit(mixed).to_dict()
    assert json.dumps(a) == json.dumps(sb.GaussianCopula().fit(mixed).to_dict())
    b = sb.GaussianCopula(random_state=1).fit(mixed).to_dict()
    assert a["state"]["covariances"] != b["state"]["covariances"]
    m1, m2 = sb.GaussianMixture().fit(mixed).to_dict(), sb.GaussianMixture().fit(mixed).to_dict()
    assert json.dumps(m1) == json.dumps(m2)


def test_degenerate_dependence_never_raises_linalg_errors():
    x = np.linspace(0, 1, 50)
    real = pd.DataFrame({"a": x, "b": x, "c": 2 * x, "d": np.ones(50), "e": -x})
    for cls in (sb.GaussianCopula, sb.GaussianMixture):
        gen = cls(max_discrete=0).fit(real)
        df = gen.sample(500, seed=0)
        assert df["a"].corr(df["b"]) > 0.99 and df["a"].corr(df["e"]) < -0.99
        assert (df["d"] == 1).all()
        gen.sample(10, seed=0, conditions={"a": 0.5})


@pytest.mark.parametrize("cls", [sb.GaussianCopula, sb.GaussianMixture], ids=["GaussianCopula", "GaussianMixture"])
def test_broken_state_raises_spec_errors(cls, fitted):
    spec = fitted[cls.__name__].to_dict()
    state = spec["state"]
    d = len(state["columns"])
    broken = [
        "not an object",
        {**state, "columns": []},
        {**state, "columns": [{**state["columns"][0], "kind": "complex"}, *state["columns"][1:]]},
        {**state, "columns": [{**state["columns"][0], "null_rate": 2}, *state["columns"][1:]]},
        {**state, "columns": [{**state["columns"][2], "knots": [3.0, 1.0]}, *state["columns"][1:]]},
        {**state, "columns": [{**state["columns"][0], "cum": [0.2, 0.1]}, *state["columns"][1:]]},
        {**state, "weights": [0.5]},
        {**state, "covariances": [[[0.0] * d for _ in range(d)]] * len(state["weights"])},
        {**state, "means": "x"},
    ]
    for bad in broken:
        with pytest.raises(SpecError):
            sb.from_dict({**spec, "state": bad})


def test_cart_broken_state_raises_spec_errors(fitted):
    spec = fitted["CART"].to_dict()
    state = spec["state"]
    first = state["columns"][0]["name"]
    for bad in (
        {**state, "rows": {}},
        {**state, "rows": {**state["rows"], first: state["rows"][first][:3]}},
        {**state, "rows": {**state["rows"], "year": ["x"] * len(state["rows"]["year"])}},
    ):
        with pytest.raises(SpecError):
            sb.from_dict({**spec, "state": bad})


def test_cart_code_can_read_the_training_frame_from_a_variable(tmp_path, fitted, mixed):
    gen = fitted["CART"]
    code = gen.to_code(150, seed=2, data="real")
    assert "real" in code and "column_from_list" not in code
    pd.testing.assert_frame_equal(run_code(code, tmp_path, variables={"real": mixed}), gen.sample(150, seed=2))
    with pytest.raises(InvalidParameterError, match="'data'"):
        gen.to_code(10, seed=0, data="not a name")


def test_copula_code_embeds_what_was_learned(tmp_path, fitted):
    gen = fitted["GaussianCopula"]
    code = gen.to_code(100, seed=0)
    assert "covs=[" in code and "'knots'" in code and "sklearn" not in code
    pd.testing.assert_frame_equal(run_code(code, tmp_path), gen.sample(100, seed=0))
