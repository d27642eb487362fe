"""Fitted generators (GaussianCopula, GaussianMixture, CART) on real data.

Tolerances, stated once:

* marginals: the two-sample KS statistic between 5,000 synthetic rows and the real
  column is below 0.06 for every numeric column (the real tables have 178-569 rows, so
  sampling noise alone is about 0.03-0.05);
* dependence: Spearman correlations differ from the real ones by less than 0.05 on
  average and 0.2 at most (for CART 0.07 and 0.3: its leaves hold at least 20 rows by
  default, so a tree on a 178-row table has at most 8 leaves, the price of not copying);
* missing rates: within 0.01 of the real rate for the latent models (binomial noise at
  20,000 rows is about 0.002), within 0.02 for CART.
"""

from __future__ import annotations

import ast
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
    assert diff.mean() < (0.07 if cls is sb.CART else 0.05)
    assert diff.max() < (0.3 if cls is sb.CART else 0.2)


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
def test_a_condition_on_a_later_column_shifts_the_earlier_ones(cls, fitted, mixed):
    # 'sex' comes after 'body_mass_g': CART resamples candidates to honour it.
    gen = fitted[cls.__name__]
    real = mixed.groupby("sex")["body_mass_g"].mean()
    female = gen.sample(3000, seed=0, conditions={"sex": "female"})["body_mass_g"].mean()
    male = gen.sample(3000, seed=0, conditions={"sex": "male"})["body_mass_g"].mean()
    # The copula sees one linear dependence, so it recovers less of the gap than CART.
    assert male - female > (0.8 if cls is sb.CART else 0.4) * (real["male"] - real["female"])
    island = gen.sample(2000, seed=1, conditions={"island": "Torgersen", "year": 2009})
    # Only Adelie penguins live on Torgersen (a third of all Adelie penguins do).
    assert (island["species"] == "Adelie").mean() > (0.95 if cls is sb.CART else 0.6)


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
    # The frame and column kinds are read by synthbench.table, with its words.
    yield "empty", good.iloc[:0], r"is empty.*at least 2 row"
    yield "no columns", pd.DataFrame(index=range(3)), r"at least 2 row\(s\) and 1 column"
    yield "one row", good.iloc[:1], r"too small.*at least 2 row"
    yield "int names", good.set_axis([0, 1], axis=1), "str column names"
    yield "repeated names", good.set_axis(["a", "a"], axis=1), "distinct column names.*'a'"
    yield "all NaN", good.assign(c=np.nan), r"every value of columns \['c'\] is missing"
    yield "all None", good.assign(c=pd.Series([None] * 3, dtype=object)), r"every value of columns \['c'\]"
    yield "inf", good.assign(c=[1.0, np.inf, 2.0]), r"columns \['c'\] hold infinite"
    yield "complex", good.assign(c=[1j, 2j, 3j]), "'c'.*complex"
    yield "timedelta", good.assign(c=pd.to_timedelta([1, 2, 3], unit="s")), "'c' is timedelta.*not supported"
    yield "mixed objects", good.assign(c=pd.Series([1, "a", 2.5], dtype=object)), "'c'.*one type.*mix"
    yield "object dates", good.assign(c=pd.Series([pd.Timestamp(0)] * 3, dtype=object)), r"'c'.*pd.to_datetime"
    yield "object lists", good.assign(c=pd.Series([[1], [2], [3]], dtype=object)), "'c'.*single values"
    yield "mixed categories", good.assign(c=pd.Categorical(["a", 1, 2.5])), "'c' has categories.*one type"
    # Labels a spec cannot carry exactly.
    yield "object inf", good.assign(c=pd.Series([1.5, np.inf, None], dtype=object)), "'c' holds inf.*finite"
    yield "inf category", good.assign(c=pd.Categorical([1.0, -np.inf, 1.0])), "'c' has the category -inf"
    yield (
        "object int beyond 64 bits",
        good.assign(c=pd.Series([2**70, 1, 2], dtype=object)),
        "'c'.*integers that fit in 64 bits",
    )
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


def _unpacked(value):
    """A spec (or part) with every packed array (see fitted._packed) read back into a list."""
    from synthbench.kernels.fitted import unpack

    if isinstance(value, dict) and set(value) >= {"dtype", "size", "data"}:
        return unpack(value).tolist()
    if isinstance(value, dict):
        out = {k: _unpacked(v) for k, v in value.items()}
        if "missing_left" in out:  # packed as 0 and 1; the list form holds bools
            out["missing_left"] = [bool(v) for v in out["missing_left"]]
        return out
    if isinstance(value, list):
        return [_unpacked(v) for v in value]
    return value


def test_cart_broken_state_raises_spec_errors(fitted):
    spec = fitted["CART"].to_dict()
    # Lists are read as well as packed arrays: tamper with the lists, field by field.
    state = _unpacked(spec["state"])
    sb.from_dict({**spec, "state": state})
    tree = state["trees"][3]
    internal = next(i for i, f in enumerate(tree["feature"]) if f >= 0)
    leaf = tree["feature"].index(-1)

    def with_tree(**changes):
        trees = [*state["trees"]]
        trees[3] = {**tree, **changes}
        return {**state, "trees": trees}

    def replaced(name, i, value):
        return [value if k == i else v for k, v in enumerate(tree[name])]

    broken = {
        "no trees": {**state, "trees": []},
        "a tree short": {**state, "trees": state["trees"][:-1]},
        "rows": {**state, "rows": {}},
        "feature of a later column": with_tree(feature=replaced("feature", internal, 3)),
        "feature out of range": with_tree(feature=replaced("feature", internal, -2)),
        "child out of range": with_tree(left=replaced("left", internal, len(tree["left"]))),
        "child is its parent": with_tree(left=replaced("left", internal, internal)),
        "cycle": with_tree(right=replaced("right", internal, 0)),
        "child of two parents": with_tree(right=replaced("right", internal, tree["left"][internal])),
        "leaf with a child": with_tree(left=replaced("left", leaf, leaf + 1)),
        "infinite threshold": with_tree(threshold=replaced("threshold", internal, float("inf"))),
        "bool feature": with_tree(feature=replaced("feature", internal, True)),
        "int missing_left": with_tree(missing_left=replaced("missing_left", internal, 1)),
        "code out of range": with_tree(codes=replaced("codes", 0, len(state["columns"][3]["values"]))),
        "codes not ascending": with_tree(codes=[tree["codes"][1], tree["codes"][0], *tree["codes"][2:]]),
        "zero count": with_tree(counts=replaced("counts", 0, 0)),
        "other total": with_tree(counts=replaced("counts", 0, tree["counts"][0] + 1)),
        "empty leaf": with_tree(offsets=[0, *tree["offsets"][1:]][:1] + [0] * (len(tree["offsets"]) - 1)),
        "missing field": {**state, "trees": [{k: v for k, v in t.items() if k != "counts"} for t in state["trees"]]},
        "unsorted values": {
            **state,
            "columns": [
                *state["columns"][:3],
                {**state["columns"][3], "values": state["columns"][3]["values"][::-1]},
                *state["columns"][4:],
            ],
        },
        "disclosure not text": {**state, "disclosure": 3},
    }
    for case, bad in broken.items():
        with pytest.raises(SpecError, match="state"):
            sb.from_dict({**spec, "state": bad})
        assert case


def _lists_in(value):
    """Every list of scalars in a nested JSON value."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _lists_in(item)
    elif isinstance(value, list):
        if value and not any(isinstance(v, (list, dict)) for v in value):
            yield value
        for item in value:
            yield from _lists_in(item)


def _rows_found(real: pd.DataFrame, arrays: list[list]) -> int:
    """Training rows whose whole tuple of values appears in the arrays, in a row or across them."""
    import json as _json

    rows = [tuple(_json.loads(real.iloc[[i]].to_json(orient="values", date_unit="us"))[0]) for i in range(len(real))]
    found = 0
    d = real.shape[1]
    by_length: dict[int, list[list]] = {}
    for values in arrays:
        by_length.setdefault(len(values), []).append(values)
        for start in range(len(values) - d + 1):
            if tuple(values[start : start + d]) in rows:
                found += 1
    for length, group in by_length.items():
        if len(group) < d:
            continue
        for i in range(length):
            across = {v[i] for v in group}
            found += sum(all(value in across for value in row) for row in rows)
    return found


def test_a_cart_spec_and_cell_hold_no_training_row():
    import ast

    real = load_penguins().dropna().reset_index(drop=True)
    gen = sb.CART(min_samples_leaf=1).fit(real)
    spec = gen.to_dict()
    assert "rows" not in spec["state"]
    assert _rows_found(real, list(_lists_in(_unpacked(spec)))) == 0
    code = gen.to_code(10, seed=0)
    # The literal arguments of the cell's calls (the kernels' own source holds no data).
    calls = [node for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Call)]
    literals = [
        _unpacked(ast.literal_eval(arg))
        for call in calls
        if isinstance(call.func, ast.Name) and call.func.id == "cart_column"
        for arg in call.args[3:5]  # the column and its tree (then the smoothing option)
    ]
    assert len(literals) == 2 * real.shape[1]
    assert _rows_found(real, list(_lists_in(literals))) == 0
    # The same check finds the rows where they are (so it would catch the old spec).
    assert _rows_found(real, [list(row) for row in real.head(3).itertuples(index=False)]) >= 3
    assert _rows_found(real, [real[c].tolist() for c in real]) >= len(real)


def test_a_cart_spec_grows_with_the_leaves_not_the_rows():
    rng = np.random.default_rng(0)

    def table(n):
        return pd.DataFrame(
            {
                "a": rng.integers(0, 5, n),
                "b": rng.choice(["x", "y", "z"], n),
                "c": np.round(rng.integers(0, 8, n) * 0.5, 1),
            }
        )

    sizes = []
    for n in (2_000, 20_000):
        state = _unpacked(sb.CART(max_depth=4).fit(table(n)).to_dict()["state"])
        sizes.append(sum(len(v) for tree in state["trees"] for v in tree.values()))
        assert sum(len(c["values"]) for c in state["columns"]) == 5 + 3 + 8
        assert all(sum(tree["counts"]) == n for tree in state["trees"])
    assert sizes[1] <= 1.2 * sizes[0]


def test_cart_says_what_its_state_carries(fitted):
    gen = fitted["CART"]
    text = gen.disclosure()
    assert text.startswith("Leaf values are real values of each column, unlinked from rows")
    assert "min_samples_leaf" in text
    assert gen.to_dict()["state"]["disclosure"] == text
    code = gen.to_code(5, seed=0)
    assert text.splitlines()[0] in code.splitlines()[1]
    # No refit in the cell: numpy and pandas, and the standard library to unpack the arrays.
    imported = {
        alias.name for node in ast.walk(ast.parse(code)) if isinstance(node, ast.Import) for alias in node.names
    }
    assert imported == {"numpy", "pandas", "base64", "zlib"}
    assert not any(isinstance(node, ast.ImportFrom) for node in ast.walk(ast.parse(code)))
    bigger = sb.CART(min_samples_leaf=40).fit(load_penguins()).disclosure()
    assert "smallest leaf holds 40 of 344 rows" in bigger or "smallest leaf holds 4" in bigger


def test_cart_samples_from_stored_trees_without_refitting(fitted, mixed, monkeypatch):
    import sklearn.tree

    gen = sb.from_dict(json.loads(json.dumps(fitted["CART"].to_dict())))
    expected = fitted["CART"].sample(500, seed=7)

    def refuse(*args, **kwargs):
        raise AssertionError("sample must not fit a tree")

    monkeypatch.setattr(sklearn.tree.DecisionTreeClassifier, "fit", refuse)
    monkeypatch.setattr(sklearn.tree.DecisionTreeRegressor, "fit", refuse)
    pd.testing.assert_frame_equal(gen.sample(500, seed=7), expected)
    gen.sample(50, seed=1, conditions={"species": "Gentoo"})
    gen.partial(mixed, columns=["sex"], seed=0)


def test_copula_code_embeds_what_was_learned(tmp_path, fitted):
    gen = fitted["GaussianCopula"]
    code = gen.to_code(100, seed=0)
    assert "covs=[" in code and "'knots'" in code and "sklearn" not in code
    pd.testing.assert_frame_equal(run_code(code, tmp_path), gen.sample(100, seed=0))


# -- hostile data: a clear DataError, or a correct result whose export rebuilds it ----------------
def _export_matches(gen, tmp_path=None, n=30, seed=4):
    """Sample, and rebuild the same frame from the exported cell (a fresh interpreter if tmp_path)."""
    df = gen.sample(n, seed=seed)
    code = gen.to_code(n, seed=seed)
    if tmp_path is None:
        namespace: dict = {}
        exec(compile(code, "<cell>", "exec"), namespace)  # the cell our own export wrote
        rebuilt = namespace["df"]
    else:
        rebuilt = run_code(code, tmp_path)
    pd.testing.assert_frame_equal(rebuilt, df)
    pd.testing.assert_frame_equal(sb.from_dict(json.loads(json.dumps(gen.to_dict()))).sample(n, seed=seed), df)
    return df, code


HOSTILE_NAMES = ["a'b\"c", 'x"""\nimport os\n#', "é\u2028\x00", "\\", "name with spaces", "\r\n"]


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_hostile_column_names_become_literals_and_never_comments(cls, tmp_path):
    real = pd.DataFrame(
        {
            HOSTILE_NAMES[0]: [1.5, 2.5, 3.5, 4.5, 2.0, 1.0],
            HOSTILE_NAMES[1]: ['p"""q', "line\nbreak", 'p"""q', "é", "line\nbreak", "é"],
            HOSTILE_NAMES[2]: [1, 2, 3, 4, 5, 6],
            HOSTILE_NAMES[3]: [True, False, True, True, False, True],
            HOSTILE_NAMES[4]: pd.Categorical(["zebra_cat", "yak", "zebra_cat", "yak", "yak", "yak"]),
            HOSTILE_NAMES[5]: pd.to_datetime(
                ["2020-01-01", "2020-01-02", None, "2020-01-04", "2020-01-05", "2020-01-06"]
            ),
        }
    )
    gen = cls().fit(real) if cls is sb.CART else cls(max_discrete=2).fit(real)
    df, code = _export_matches(gen, tmp_path)
    assert list(df.columns) == HOSTILE_NAMES
    comments = [line for line in code.splitlines() if line.lstrip().startswith("#")]
    for text in ("name with spaces", "zebra_cat", "a'b", "import os", "line"):
        assert not any(text in line for line in comments), text


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_extreme_numbers_sample_and_export_exactly(cls):
    real = pd.DataFrame(
        {
            "huge": [1.7e308, -1.7e308, 0.0, np.nan, 5e-324, 1.0, 2.0],
            "f32": np.array([3e38, -3e38, 0, 1, 2, 3, 4], dtype=np.float32),
            "i8": np.array([-128, 127, 0, 1, 5, 6, 7], dtype=np.int8),
            "stamp": pd.to_datetime(["1677-09-22", "2262-04-10", "2000-01-01"] * 2 + ["2001-01-01"]),
        }
    )
    gen = cls().fit(real) if cls is sb.CART else cls(max_discrete=0).fit(real)
    df, _ = _export_matches(gen, n=200)  # any RuntimeWarning (overflow, invalid) fails the test
    assert df.dtypes.equals(real.dtypes)
    for col in real:
        assert real[col].min() <= df[col].min() and df[col].max() <= real[col].max(), col


@pytest.mark.parametrize("dtype", ["uint64", "UInt64", "int64"])
def test_integers_beyond_two_to_the_53(dtype):
    values = [2**64 - 1, 2**63, 2**63 + 1, 5, 7] if dtype != "int64" else [-(2**63), 2**63 - 1, 2**53 + 1, 0, 1]
    exact = np.array(values, dtype=dtype.lower())
    real = pd.DataFrame({"big": pd.array(exact, dtype=dtype), "x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    assert real["big"].tolist() == values
    # CART copies real values, so it keeps them exactly.
    df, _ = _export_matches(sb.CART(min_samples_leaf=1).fit(real), n=50)
    assert df["big"].dtype == real["big"].dtype and set(df["big"]) <= set(values)
    assert len(set(df["big"])) > 2
    # The latent models learn in float64, which cannot hold these digits: a clear error.
    for cls in (sb.GaussianCopula, sb.GaussianMixture):
        with pytest.raises(DataError, match=r"'big'.*2\*\*53"):
            cls().fit(real)


def test_time_zones_are_names_or_fixed_offsets(tmp_path):
    import datetime

    stamps = pd.Series(pd.to_datetime(["2020-01-01 10:00", "2020-02-01 11:00", "2020-03-01 12:00"]))
    for tz in ("Europe/Paris", "UTC", datetime.timezone(datetime.timedelta(hours=-5))):
        real = pd.DataFrame({"t": stamps.dt.tz_localize(tz), "x": [1.0, 2.0, 3.0]})
        for cls in GENERATORS:
            df, _ = _export_matches(cls().fit(real))
            assert df.dtypes.equals(real.dtypes)
    real = pd.DataFrame({"t": stamps.dt.tz_localize("dateutil/Europe/Paris"), "x": [1.0, 2.0, 3.0]})
    for cls in GENERATORS:
        with pytest.raises(DataError, match=r"'t'.*time zone"):
            cls().fit(real)


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_a_time_zone_path_in_a_spec_is_refused_without_looking_at_the_file(cls, tmp_path):
    real = pd.DataFrame({"t": pd.Series(pd.date_range("2020-01-01", periods=4, tz="UTC")), "x": [1.0, 2.0, 3.0, 4.0]})
    spec = cls().fit(real).to_dict()
    present = tmp_path / "zone"
    present.write_bytes(b"TZif2" + bytes(60))
    messages = []
    for path in (str(present), str(tmp_path / "absent"), "/etc/passwd", "/dev/zero"):
        for tz in (f"dateutil/{path}", path, "../../etc/passwd"):
            col = {**spec["state"]["columns"][0], "tz": tz, "dtype": f"datetime64[us, {tz}]"}
            bad = {**spec, "state": {**spec["state"], "columns": [col, *spec["state"]["columns"][1:]]}}
            with pytest.raises(SpecError, match=r"\['tz'\]") as info:
                sb.from_dict(bad)
            messages.append(str(info.value).replace(repr(tz), "<tz>"))
    assert len(set(messages)) == 1  # the same words whether or not the file exists


def test_categories_that_pandas_counts_as_one_are_refused_in_a_spec(fitted):
    spec = fitted["GaussianCopula"].to_dict()
    i, col = next((i, c) for i, c in enumerate(spec["state"]["columns"]) if c["dtype"] == "category")
    for cats in ([1, True], [1, 1.0], ["a", "a"]):
        bad_col = {**col, "categories": cats, "values": cats, "cum": [0.5, 1.0]}
        columns = [*spec["state"]["columns"]]
        columns[i] = bad_col
        with pytest.raises(SpecError, match=r"\['categories'\]"):
            sb.from_dict({**spec, "state": {**spec["state"], "columns": columns}})


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_object_labels_of_mixed_types_are_refused_in_a_spec(cls):
    real = pd.DataFrame({"o": pd.Series([1, 2, 2, 1], dtype=object), "x": [1.0, 2.0, 3.0, 4.0]})
    spec = cls().fit(real).to_dict()
    col = spec["state"]["columns"][0]
    field = "values"
    assert col["dtype"] == "object" and sorted(col[field]) == [1, 2]
    for labels in ([1, "2"], [1, 2.0], [1, True], [1.0, float("inf")]):
        bad = {**spec, "state": {**spec["state"], "columns": [{**col, field: labels}, *spec["state"]["columns"][1:]]}}
        with pytest.raises(SpecError, match=rf"\['{field}'\]"):
            sb.from_dict(bad)


# -- tampered states: refused field by field, or as good as a fitted one -------------------------
def _small_table() -> pd.DataFrame:
    idx = np.arange(24)
    return pd.DataFrame(
        {
            "f": np.round(np.sin(idx) * 10, 1),
            "i": pd.array(np.where(idx % 5 == 0, None, idx * 3), dtype="Int64"),
            "u8": (idx % 4).astype(np.uint8),
            "c": pd.Categorical(np.where(idx % 3 == 0, "a", "b"), categories=["a", "b", "z"]),
            "s": pd.Series(np.where(idx % 2 == 0, "x", "y")).astype("str"),
            "b": idx % 3 == 1,
            "ob": pd.Series([None if i % 7 == 0 else bool(i % 2) for i in idx], dtype=object),
            "oi": pd.Series([None if i % 5 == 1 else int(i % 3) for i in idx], dtype=object),
            "of": pd.Series([0.5 * (i % 3) for i in idx], dtype=object),
            "t": pd.Series(pd.Timestamp("2021-01-01") + pd.to_timedelta(idx * 13, unit="h")),
            "tz": pd.Series(pd.date_range("2021-01-01", periods=24, freq="D", tz="Europe/Paris")),
        }
    )


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*path, i))


def _tampered(state, path, op, new):
    state = json.loads(json.dumps(state))
    if not path:
        return new
    parent = state
    for key in path[:-1]:
        parent = parent[key]
    if op == "delete":
        del parent[path[-1]]
    elif op == "add" and isinstance(parent, dict):
        parent["extra"] = new
    else:
        parent[path[-1]] = new
    return state


_TAMPER_STATES = {
    "GaussianCopula": sb.GaussianCopula(n_knots=6, max_discrete=3).fit(_small_table()).to_dict(),
    "GaussianMixture": sb.GaussianMixture(n_components=2, n_knots=6, max_discrete=3).fit(_small_table()).to_dict(),
    "CART": sb.CART(min_samples_leaf=2).fit(_small_table()).to_dict(),
}


def _hostile_values():
    from hypothesis import strategies as st

    texts = st.sampled_from(
        [
            "dateutil//etc/passwd",
            "/etc/passwd",
            "Europe/Paris",
            "UTC+01:00",
            "float64",
            "float32",
            "int8",
            "uint64",
            "Int64",
            "category",
            "datetime64[us]",
            "datetime64[ns, UTC]",
            "object",
            "str",
            "bool",
            "ns",
            "s",
            "numeric",
            "integer",
            "categorical",
            "boolean",
            "datetime",
            "a",
            "x",
            'q"""\n#',
            "",
        ]
    )
    numbers = st.one_of(
        st.integers(-(2**70), 2**70),
        st.sampled_from([2**63, 2**64 - 1, -(2**63), 2**53 + 1, 0, 1, -1, 2, 15, 16, 10**6]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([0.0, 1.0, 0.5, 1e-320, 1e308, -0.0, 1 + 1e-12]),
    )
    lists = st.one_of(
        st.lists(st.floats(-3, 3), max_size=4),
        st.lists(st.integers(-3, 3), max_size=4),
        st.lists(st.sampled_from(["a", "b", True, 1, 1.0, None]), max_size=4),
    )
    return st.one_of(st.none(), st.booleans(), numbers, texts, st.text(max_size=8), lists, st.just({}))


def _check_tampered(name, data):
    from hypothesis import strategies as st

    spec = _TAMPER_STATES[name]
    paths = list(_paths(spec["state"]))
    path = data.draw(st.sampled_from(paths), label="path")
    op = data.draw(st.sampled_from(["set", "set", "set", "delete", "add"]) if path else st.just("set"), label="op")
    new = data.draw(_hostile_values(), label="value")
    state = _tampered(spec["state"], path, op, new)
    try:
        gen = sb.from_dict({**spec, "state": state})
    except SpecError as exc:
        # Refused by the field checks, not by the trial sample that backs them up.
        assert "cannot be sampled" not in str(exc) and "inconsistent" not in str(exc), str(exc)
        return
    columns = gen.columns_
    for n, seed in ((0, 0), (1, 1), (9, 2), (60, 3)):
        df = gen.sample(n, seed=seed)
        assert list(df.columns) == [c["name"] for c in columns] and len(df) == n
        assert [str(t) for t in df.dtypes] == [c["dtype"] for c in columns]
    namespace: dict = {}
    exec(compile(gen.to_code(9, seed=5), "<cell>", "exec"), namespace)  # our own export of the loaded spec
    pd.testing.assert_frame_equal(namespace["df"], gen.sample(9, seed=5))


@pytest.mark.parametrize("name", list(_TAMPER_STATES))
def test_any_single_tampering_is_refused_or_harmless(name):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
    @given(st.data())
    def check(data):
        _check_tampered(name, data)

    check()


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_memory_estimate_covers_the_frame_and_grows_with_n(cls, fitted, mixed):
    gen = fitted[cls.__name__]
    frame = gen.sample(2000, seed=0).memory_usage(index=False, deep=False).sum()
    assert gen._estimate_bytes(2000) >= frame
    assert gen._estimate_bytes(4000) > gen._estimate_bytes(2000)


def _odd_but_fine_frames():
    rng = np.random.default_rng(0)
    x = [1.0, 2.0, 3.0, 4.0]
    yield "constant bool", pd.DataFrame({"b": [True] * 4, "x": x})
    yield "one category used", pd.DataFrame({"c": pd.Categorical(["a"] * 4, categories=["a", "b"]), "x": x})
    yield "one value, rest missing", pd.DataFrame({"f": [np.nan, 3.5, np.nan, np.nan], "x": x})
    yield "300 columns", pd.DataFrame(rng.normal(size=(30, 300)), columns=[f"c{i}" for i in range(300)])
    yield (
        "ordered int categories",
        pd.DataFrame({"c": pd.Categorical([3, 1, 2, 3], categories=[3, 1, 2], ordered=True), "x": x}),
    )
    yield "bool categories", pd.DataFrame({"c": pd.Categorical([True, False, True, True]), "x": x})
    # Object columns of all ints or all floats are categories (as everywhere in synthbench).
    yield "object ints", pd.DataFrame({"o": pd.Series([2**64 - 1, 3, None, 3], dtype=object), "x": x})
    yield "object floats", pd.DataFrame({"o": pd.Series([0.1, np.nan, 2.5, 0.1], dtype=object), "x": x})
    yield (
        "seconds beyond 2262",
        pd.DataFrame(
            {
                "t": pd.Series(
                    pd.to_datetime(["2020-01-01", "3000-01-01", "1000-01-01", "2000-01-01"]).astype("datetime64[s]")
                ),
                "x": x,
            }
        ),
    )
    yield (
        "nullable bool and float",
        pd.DataFrame(
            {
                "b": pd.array([True, None, False, True], dtype="boolean"),
                "f": pd.array([1.5, None, 2.5, 3.0], dtype="Float64"),
            }
        ),
    )
    yield "empty strings", pd.DataFrame({"s": ["", "a", "", "b"], "x": x})
    yield (
        "daylight saving change",
        pd.DataFrame({"t": pd.Series(pd.date_range("2021-03-28", periods=6, freq="h", tz="Europe/Paris"))}),
    )


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
@pytest.mark.parametrize(("case", "real"), list(_odd_but_fine_frames()), ids=[c[0] for c in _odd_but_fine_frames()])
def test_odd_but_valid_frames_sample_and_export_exactly(cls, case, real):
    gen = cls().fit(real) if cls is sb.CART else cls(max_discrete=1).fit(real)
    df, _ = _export_matches(gen, n=25)
    assert df.dtypes.equals(real.dtypes)


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_dtypes_we_cannot_rebuild_are_named(cls):
    real = pd.DataFrame({"i": pd.array([1, 2, 3], dtype="int64[pyarrow]")})
    with pytest.raises(DataError, match=r"'i'.*int64\[pyarrow\]"):
        cls().fit(real)


@pytest.mark.parametrize("cls", [sb.GaussianCopula, sb.GaussianMixture], ids=["GaussianCopula", "GaussianMixture"])
def test_latent_models_say_what_their_state_carries_and_can_trim_the_extremes(cls, tmp_path):
    real = load_penguins()
    gen = cls().fit(real)
    text = gen.disclosure()
    assert "No training row is stored" in text and "training min and max" in text and "tails='trimmed'" in text
    assert gen.to_dict()["state"]["disclosure"] == text
    assert all(f"# {line}" in gen.to_code(5, seed=0) for line in text.splitlines())
    trimmed = cls(tails="trimmed").fit(real)
    assert "trimmed to their inner neighbours" in trimmed.disclosure() and "training min" not in trimmed.disclosure()
    knots = [c["knots"] for c in trimmed.to_dict()["state"]["columns"] if "knots" in c]
    mass = next(c for c in trimmed.columns_ if c["name"] == "body_mass_g")["knots"]
    assert real["body_mass_g"].min() not in mass and real["body_mass_g"].max() not in mass
    assert all(k[0] == k[1] and k[-1] == k[-2] for k in knots)
    df, _ = _export_matches(trimmed, tmp_path, n=2000)
    assert real["body_mass_g"].min() < df["body_mass_g"].min() and df["body_mass_g"].max() < real["body_mass_g"].max()
    # The text is written from the state: a spec's own 'disclosure' is checked and replaced.
    spec = gen.to_dict()
    loaded = sb.from_dict({**spec, "state": {**spec["state"], "disclosure": "nothing real here"}})
    assert loaded.disclosure() == text
    old = {k: v for k, v in spec["state"].items() if k != "disclosure"}
    assert sb.from_dict({**spec, "state": old}).disclosure() == text
    with pytest.raises(SpecError, match="disclosure"):
        sb.from_dict({**spec, "state": {**spec["state"], "disclosure": ["x"]}})


def test_cart_packed_arrays_are_exact_and_tampering_them_is_a_spec_error():
    rng = np.random.default_rng(5)
    n = 3_000
    real = pd.DataFrame(
        {
            "price": np.round(rng.lognormal(3, 1, n), 2),
            "weight": rng.normal(0, 1, n),  # full float64 digits: packed as float64
            "count": rng.integers(-(2**62), 2**62, n),  # int64 differences overflow: still exact
            "day": pd.Series(pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")),
        }
    )
    real["offset"] = np.round(rng.normal(0, 3, n), 1)
    real.loc[::10, "offset"] = -0.0  # its sign cannot be written as an integer: packed as float64
    gen = sb.CART().fit(real)
    spec = json.loads(json.dumps(gen.to_dict()))
    packed = spec["state"]["columns"][0]["values"]
    assert isinstance(packed, dict) and packed["decimals"] == 2
    assert spec["state"]["columns"][1]["values"]["dtype"] == "<f8"
    back = sb.from_dict(spec)
    for a, b in zip(back.columns_, gen.columns_, strict=True):
        assert np.array_equal(np.asarray(a["values"]), np.asarray(b["values"]))
    assert spec["state"]["columns"][4]["values"]["dtype"] == "<f8"
    zero = np.asarray(back.columns_[4]["values"])
    assert np.signbit(zero[zero == 0]).tolist() == [True]
    pd.testing.assert_frame_equal(back.sample(500, seed=2), gen.sample(500, seed=2))

    def tampered(where, **changes):
        state = json.loads(json.dumps(spec["state"]))
        if where == "values":
            state["columns"][0]["values"].update(changes)
        else:
            state["trees"][2][where].update(changes)
        return {**spec, "state": state}

    size = packed["size"]
    bad = {
        "not base64": tampered("values", data="@@@"),
        "not zlib": tampered("values", data="aGVsbG8="),
        "size too small": tampered("values", size=size - 1),
        "size too large": tampered("values", size=size + 1),
        "unknown dtype": tampered("values", dtype="<u8"),
        "bool size": tampered("values", size=True),
        "decimals too many": tampered("values", decimals=16),
        "decimals on floats": {
            **spec,
            "state": {
                **spec["state"],
                "columns": [
                    spec["state"]["columns"][0],
                    {**spec["state"]["columns"][1], "values": {**spec["state"]["columns"][1]["values"], "decimals": 1}},
                    *spec["state"]["columns"][2:],
                ],
            },
        },
        "extra field": tampered("codes", extra=1),
        "codes as floats": tampered("codes", dtype="<f8"),
        "threshold as ints": tampered("threshold", dtype="<i8"),
        "a bomb": tampered(
            "values",
            size=10,
            data=__import__("base64").b64encode(__import__("zlib").compress(b"\0" * 10**6)).decode(),
        ),
    }
    for case, spec_bad in bad.items():
        with pytest.raises(SpecError, match="state"):
            sb.from_dict(spec_bad)
        assert case


def test_cart_splits_missing_values_apart_and_its_spec_loads():
    # The tree of 'b' separates the rows where 'a' is missing: sklearn's threshold is inf there.
    n = 400
    a = np.where(np.arange(n) % 2 == 0, np.nan, np.arange(n) / 7)
    real = pd.DataFrame({"a": a, "b": np.where(np.isnan(a), 1.5, -2.5)})
    gen = sb.CART(min_samples_leaf=1).fit(real)
    back = sb.from_dict(json.loads(json.dumps(gen.to_dict())))
    df = back.sample(1000, seed=0)
    assert ((df["a"].isna()) == (df["b"] == 1.5)).all()
    pd.testing.assert_frame_equal(df, gen.sample(1000, seed=0))


def test_a_cart_spec_takes_a_few_bytes_per_value():
    # At 100,000 rows x 20 columns the spec must stay under the 10 MiB a spec file may hold.
    rng = np.random.default_rng(1)
    n = 20_000
    real = pd.DataFrame({f"x{i}": np.round(rng.normal(0, 100, n), 1 + i % 2) for i in range(4)})
    real["label"] = rng.choice(list("abcdef"), n)
    text = json.dumps(sb.CART().fit(real).to_dict())
    assert len(text) < 5 * real.size  # 10 MiB over 100,000 x 20 cells is 5.2 bytes a cell


def test_mixture_fits_on_a_seeded_subsample_of_large_data():
    rng = np.random.default_rng(0)
    n = 3_000
    real = pd.DataFrame({"a": rng.normal(0, 1, n), "b": rng.choice(["x", "y"], n)})
    real["c"] = real["a"] * 2 + rng.normal(0, 0.5, n)
    small = sb.GaussianMixture(n_components=2, max_fit_rows=500).fit(real)
    again = sb.GaussianMixture(n_components=2, max_fit_rows=500).fit(real)
    whole = sb.GaussianMixture(n_components=2).fit(real)
    assert small.to_dict() == again.to_dict()
    assert small.means_ != whole.means_
    # Marginals come from every row, whatever the cap.
    assert [c.get("knots") for c in small.columns_] == [c.get("knots") for c in whole.columns_]
    with pytest.raises(InvalidParameterError, match="max_fit_rows"):
        sb.GaussianMixture(max_fit_rows=10).fit(real)


class _Terminal:
    """A stand-in for a terminal's stderr: records what is written."""

    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_progress_is_one_erased_line_on_a_terminal_only(monkeypatch):
    from synthbench.generators.fitted._base import FitProgress

    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    progress = FitProgress("CART.fit", 19, after=0.0)
    for done in (1, 2, 19):
        progress.step(done, "trees")
    progress.close()
    assert "\rCART.fit: trees 1/19 (" in terminal.text and "trees 19/19" in terminal.text
    assert terminal.text.rsplit("\r", 2)[1].strip() == "" and terminal.text.endswith("\r")  # erased
    # Off a terminal nothing is written, by the class or by the fits that use it.
    terminal.text = ""
    monkeypatch.setattr(terminal, "isatty", lambda: False)
    quiet = FitProgress("CART.fit", 3, after=0.0)
    quiet.step(1, "trees")
    quiet.close()
    sb.CART().fit(load_penguins())
    sb.GaussianMixture(n_components=2).fit(load_penguins())
    assert terminal.text == ""


def test_cart_smoothing_keeps_types_range_and_leaf_moments_and_exports_exactly(tmp_path):
    real = load_penguins()
    plain = sb.CART().fit(real)
    smooth = sb.CART(smoothing="density").fit(real)
    a, b = plain.sample(4000, seed=3), smooth.sample(4000, seed=3)
    assert b.dtypes.equals(real.dtypes)
    for col in ["bill_length_mm", "body_mass_g"]:
        assert real[col].min() <= b[col].min() and b[col].max() <= real[col].max()
        # The same seed draws the same leaf values; smoothing moves most of them (then
        # rounds to the column's decimals) and keeps the leaves' means and spreads.
        assert a[col].dropna().isin(real[col]).all()
        assert (a[col] != b[col]).mean() > 0.5
        assert abs(b[col].mean() - a[col].mean()) < 0.05 * a[col].std()
        assert abs(b[col].std() / a[col].std() - 1) < 0.05
    assert (b["bill_length_mm"].dropna() == b["bill_length_mm"].dropna().round(1)).all()
    pd.testing.assert_frame_equal(run_code(smooth.to_code(300, seed=5), tmp_path), smooth.sample(300, seed=5))
    given = smooth.sample(200, seed=1, conditions={"sex": "female"})
    assert (given["sex"] == "female").all() and given["flipper_length_mm"].notna().any()
    masked = smooth.partial(real, columns=["species", "body_mass_g"], seed=0)
    assert masked["body_mass_g"].dtype == real["body_mass_g"].dtype


# -- identifier-like columns: generated from their shape, never copied ---------------------------
def named_table(n: int = 300) -> pd.DataFrame:
    """Penguin-like rows with a unique customer code and a person-like name column."""
    rng = np.random.default_rng(5)
    alnum = list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
    syllables = np.array(["an", "be", "ka", "lo", "mi", "ra", "su", "to", "el", "ni"])
    codes = list(dict.fromkeys("C-" + "".join(rng.choice(alnum, 6)) for _ in range(2 * n)))[:n]
    word = lambda: "".join(rng.choice(syllables, rng.integers(2, 4))).capitalize()  # noqa: E731
    names = [f"{word()} {word()}" for _ in range(n)]
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "code": pd.Series(codes, dtype=object).where(np.arange(n) % 10 != 0),
            "group": rng.choice(["a", "b", "c"], n),
            "name": names,
        }
    )


def _classes(values: pd.Series) -> set[tuple[int, str]]:
    """(position, class) pairs: upper, lower, digit, or the character itself."""
    return {
        (i, "upper" if c.isupper() else "lower" if c.islower() else "digit" if c.isdigit() else c)
        for v in values.dropna()
        for i, c in enumerate(v)
    }


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_identifier_columns_are_generated_from_their_shape(cls, tmp_path):
    real = named_table()
    gen = cls(random_state=0).fit(real)
    assert gen.identifier_columns_ == ["code", "name"]
    text = json.dumps(gen.to_dict())
    for column in ("code", "name"):
        assert not any(v in text for v in real[column].dropna()), column
    df = gen.sample(600, seed=4)
    assert list(df.columns) == list(real.columns) and df.dtypes.equals(real.dtypes)
    for column in ("code", "name"):
        made, seen = df[column].dropna(), real[column].dropna()
        assert not made.isin(seen).any()
        assert made.is_unique
        assert set(made.str.len()) <= set(seen.str.len())
        assert abs(made.str.len().mean() - seen.str.len().mean()) < 0.3
        assert _classes(made) <= _classes(seen)
    assert df["code"].dropna().str[1].eq("-").all()
    assert 0.04 < df["code"].isna().mean() < 0.17
    pd.testing.assert_frame_equal(df, gen.sample(600, seed=4))
    loaded = cls.from_dict(json.loads(text))
    pd.testing.assert_frame_equal(loaded.sample(50, seed=2), gen.sample(50, seed=2))
    pd.testing.assert_frame_equal(run_code(gen.to_code(50, seed=2), tmp_path), gen.sample(50, seed=2))
    assert "Identifier-like columns: 2, generated from their shape" in gen.disclosure()
    assert "# Identifier-like columns: 2, generated from their shape" in gen.to_code(5, seed=0)
    # conditions and partial work around them
    assert (gen.sample(5, seed=1, conditions={"group": "b"})["group"] == "b").all()
    with pytest.raises(InvalidParameterError, match="identifier-like"):
        gen.sample(5, seed=1, conditions={"name": real["name"][0]})
    masked = gen.partial(real, columns=["name", "x"], seed=0)
    assert masked["code"].equals(real["code"]) and not masked["name"].isin(real["name"]).any()


@pytest.mark.filterwarnings("ignore:The number of unique classes:UserWarning")  # CART: a class per name
@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_identifiers_copy_keeps_learning_their_values(cls):
    real = named_table()
    gen = cls(identifiers="copy").fit(real)
    assert gen.identifier_columns_ == []
    df = gen.sample(300, seed=0)
    assert df["name"].isin(real["name"]).all()
    assert "Identifier-like" not in gen.disclosure()
    with pytest.raises(InvalidParameterError, match="identifiers"):
        cls(identifiers="hash").fit(real)


def test_tables_without_identifiers_are_unchanged_and_all_identifier_tables_are_kept():
    penguins = load_penguins()
    for cls in GENERATORS:
        a, b = cls().fit(penguins), cls(identifiers="copy").fit(penguins)
        pd.testing.assert_frame_equal(a.sample(200, seed=1), b.sample(200, seed=1))
        assert a.to_code(20, seed=1) == b.to_code(20, seed=1)
        assert "identifiers" not in a.to_dict()["state"]
    only = named_table()[["code", "name"]]
    assert sb.GaussianCopula().fit(only).identifier_columns_ == []


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lengths", [-1, 3], "lengths"),
        ("lengths", [3, 2], "lengths"),
        ("lengths", [10**6], "lengths"),
        ("length_counts", [0], "length_counts"),
        ("classes", [[1] * 11], "classes"),
        ("classes", [["x"] * 10], "classes"),
        ("at", 99, "at"),
        ("unique", 1, "unique"),
        ("dtype", "category", "categories|dtype"),
        ("secret", "Alice", "fields"),
    ],
)
def test_tampered_identifier_shapes_raise_spec_errors(cls, field, value, message):
    spec = json.loads(json.dumps(cls().fit(named_table()).to_dict()))
    spec["state"]["identifiers"][0][field] = value
    with pytest.raises(SpecError, match=message):
        cls.from_dict(spec)
    spec["state"]["identifiers"] = [{"name": "x"}]
    with pytest.raises(SpecError):
        cls.from_dict(spec)
