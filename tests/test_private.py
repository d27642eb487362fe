"""The differentially private generator (PrivateMST): budget, bins, hostile input, state checks.

Tests that fit need ``mbi`` (the ``[ml]`` extra) and are skipped without it; everything a
spec does (sample, export, load, refuse) runs everywhere.
"""

from __future__ import annotations

import copy
import importlib.util
import itertools
import json
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

import synthbench as sb
from synthbench.data import load_penguins
from synthbench.exceptions import DataError, InvalidParameterError, SpecError
from synthbench.generators.private import PENGUIN_BOUNDS, cdp_rho

HAS_MBI = importlib.util.find_spec("mbi") is not None
needs_mbi = pytest.mark.skipif(not HAS_MBI, reason='needs mbi: pip install "synthbench[ml]"')


def fast(**kwargs) -> sb.PrivateMST:
    return sb.PrivateMST(**{"bounds": PENGUIN_BOUNDS, "iters": 100, **kwargs})


def _blocked(code: str, *modules: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter in which importing ``modules`` fails."""
    prelude = textwrap.dedent(
        f"""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {list(modules)!r}:
                    raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        sys.meta_path.insert(0, Block())
        """
    )
    return subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], capture_output=True, text=True)


# -- privacy accounting ----------------------------------------------------------------------------
def test_cdp_rho_matches_the_reference_conversion_and_grows_with_epsilon():
    # Values of cdp2adp.cdp_rho in the MST/AIM reference code (private-pgm's mechanisms/).
    assert cdp_rho(1.0, 1e-9) == pytest.approx(0.014973057673588523, rel=1e-12)
    assert cdp_rho(0.3, 1e-9) == pytest.approx(0.0014767453611007348, rel=1e-12)
    assert cdp_rho(10.0, 1e-6) == pytest.approx(1.5392787638667285, rel=1e-12)
    rhos = [cdp_rho(e, 1e-9) for e in (0.1, 0.3, 1.0, 3.0, 10.0)]
    assert all(a < b for a, b in itertools.pairwise(rhos))
    assert cdp_rho(1.0, 1e-5) > cdp_rho(1.0, 1e-9)  # a larger delta allows more


def test_budget_split_adds_up_to_what_epsilon_and_delta_allow():
    gen = sb.PrivateMST(epsilon=2.0, delta=1e-8)
    table = gen.privacy_budget()
    assert table["step"].tolist() == ["one-way counts", "pair selection", "pair counts"]
    assert table["rho"].sum() == pytest.approx(gen.privacy_parameters()["rho"])
    assert table["share"].sum() == pytest.approx(1.0)
    learned = sb.PrivateMST(epsilon=2.0, bounds_from_data=True).privacy_budget()
    assert learned["step"].iloc[0] == "bounds from data"
    assert learned["share"].iloc[0] == pytest.approx(0.1)
    fitted = sb.PrivateMST.example().privacy_budget()
    assert fitted["mechanism"].str.contains("sd|epsilon").all()  # noise levels known once fitted


# -- hostile parameters and data: clear errors before anything is measured ---------------------------
@pytest.mark.parametrize("epsilon", [0, -1, float("nan"), float("inf"), 1e300, True, "1"])
def test_bad_epsilon_is_refused_by_name(epsilon):
    with pytest.raises(InvalidParameterError, match="'epsilon'"):
        sb.PrivateMST(epsilon=epsilon, bounds=PENGUIN_BOUNDS).fit(load_penguins())


@pytest.mark.parametrize("delta", [0, -1e-9, 1.0, float("nan")])
def test_bad_delta_is_refused_by_name(delta):
    with pytest.raises(InvalidParameterError, match="'delta'"):
        sb.PrivateMST(delta=delta, bounds=PENGUIN_BOUNDS).fit(load_penguins())


@pytest.mark.parametrize(
    "bounds",
    [
        {**PENGUIN_BOUNDS, "body_mass_g": [6500, 2500]},
        {**PENGUIN_BOUNDS, "body_mass_g": [10, 10]},
        {**PENGUIN_BOUNDS, "body_mass_g": [0.5, 10.5]},  # an integer column
        {**PENGUIN_BOUNDS, "bill_length_mm": ["a", "b"]},
        {**PENGUIN_BOUNDS, "bill_length_mm": [-1e308, 1e308]},
        {**PENGUIN_BOUNDS, "no_such_column": [0, 1]},
    ],
)
def test_bad_bounds_are_refused_by_name(bounds):
    with pytest.raises(InvalidParameterError, match="'bounds'"):
        sb.PrivateMST(bounds=bounds).fit(load_penguins())


def test_undeclared_bounds_are_an_error_that_names_the_way_out():
    bounds = {k: v for k, v in PENGUIN_BOUNDS.items() if k != "year"}
    with pytest.raises(InvalidParameterError, match=r"'bounds'.*'year'.*bounds_from_data=True"):
        sb.PrivateMST(bounds=bounds).fit(load_penguins())


def test_a_million_categories_are_refused_before_counting():
    data = pd.DataFrame({"id": [f"person {i}" for i in range(10**6)], "group": ["a", "b"] * (10**6 // 2)})
    with pytest.raises(DataError, match="max_cells"):
        sb.PrivateMST().fit(data)


def test_fit_without_mbi_names_the_extra_and_the_rest_works():
    result = _blocked(
        """
        import json
        import synthbench as sb
        from synthbench.data import load_penguins
        gen = sb.PrivateMST.example()
        df = gen.sample(50, seed=1)
        code = gen.to_code(50, seed=1)
        again = sb.from_dict(json.loads(json.dumps(gen.to_dict())))
        assert again.sample(50, seed=1).equals(df)
        assert "jax" not in sys.modules and "mbi" not in sys.modules
        try:
            sb.PrivateMST(bounds_from_data=True).fit(load_penguins())
        except ImportError as exc:
            print(exc)
        """,
        "mbi",
        "jax",
        "jaxlib",
    )
    assert result.returncode == 0, result.stderr
    assert 'pip install "synthbench[ml]"' in result.stdout


# -- tampered states -----------------------------------------------------------------------------------
def _tampered(edit) -> dict:
    spec = copy.deepcopy(sb.PrivateMST.example().to_dict())
    edit(spec["state"])
    return json.loads(json.dumps(spec))


def _set(path, value):
    def edit(state):
        node = state
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


TAMPERED = {
    "negative probability": _set(("steps", 0, "table", 0), -0.25),
    "probability above one": _set(("steps", 1, "table", 0), 7.0),
    "table too short": lambda s: s["steps"][2].__setitem__("table", s["steps"][2]["table"][:-1]),
    "table not summing to one": lambda s: s["steps"][0].__setitem__("table", [0.0] * len(s["steps"][0]["table"])),
    "given drawn later": _set(("steps", 1, "given"), [7]),
    "given itself": lambda s: s["steps"][1].__setitem__("given", [s["steps"][1]["column"]]),
    "column twice": _set(("steps", 1, "column"), 0),
    "huge given product": lambda s: s["steps"][-1].__setitem__("given", [st["column"] for st in s["steps"][:-1]]),
    "edges inverted": lambda s: s["columns"][2].__setitem__("edges", s["columns"][2]["edges"][::-1]),
    "edges infinite": lambda s: s["columns"][2]["edges"].__setitem__(-1, 1e309),
    "integer edges as floats": lambda s: s["columns"][7].__setitem__("edges", [2007.0, 2008.0, 2009.5]),
    "missing bin on int64": _set(("columns", 7, "missing"), True),
    "label not a category": lambda s: s["columns"][0].__setitem__("values", ["Adelie", "Chinstrap", "Penguin"]),
    "null_rate smuggled in": _set(("columns", 0, "null_rate"), 0.5),
    "negative rows": _set(("rows",), -1),
    "extra field": _set(("extra",), 1),
}


@pytest.mark.parametrize("edit", TAMPERED.values(), ids=TAMPERED.keys())
def test_tampered_states_are_refused_at_load(edit):
    with pytest.raises(SpecError, match="state"):
        sb.from_dict(_tampered(edit))


def test_nan_in_a_state_never_loads():
    spec = sb.PrivateMST.example().to_dict()
    spec["state"]["steps"][0]["table"][0] = float("nan")
    with pytest.raises(SpecError):
        sb.from_dict(spec)
    with pytest.raises(SpecError):
        sb.from_json(json.dumps(spec))


# -- sampling from the stored model ------------------------------------------------------------------------
def test_samples_keep_dtypes_bounds_and_labels():
    real = load_penguins()
    df = sb.PrivateMST.example().sample(2000, seed=0)
    assert df.dtypes.equals(real.dtypes)
    for name, (low, high) in PENGUIN_BOUNDS.items():
        assert df[name].dropna().between(low, high).all(), name
    assert set(df["species"].dropna()) <= set(real["species"].cat.categories)
    assert df["year"].isin([2007, 2008, 2009]).all()


def test_sampling_follows_the_tables():
    """A hand-written model of two columns: the draws follow its probabilities."""
    gen = sb.PrivateMST.example()
    species, island = copy.deepcopy(gen.columns_[:2])  # 3 labels + a missing bin each
    pairs = [0.0] * 16  # joint probabilities of (species bin, island bin)
    pairs[0 * 4 + 2] = 0.5  # Adelie -> Torgersen
    pairs[1 * 4 + 1] = 0.5  # Chinstrap -> Dream
    state = {
        "columns": [species, island],
        "steps": [
            {"column": 0, "given": [], "table": [0.5, 0.5, 0.0, 0.0]},
            {"column": 1, "given": [0], "table": pairs},
        ],
        "rows": 100.0,
        "learned_bounds": 0,
    }
    df = sb.from_dict({**gen.to_dict(), "state": state}).sample(4000, seed=3)
    assert df["species"].isin(["Adelie", "Chinstrap"]).all()
    assert abs((df["species"] == "Adelie").mean() - 0.5) < 0.05
    assert set(zip(df["species"], df["island"])) == {("Adelie", "Torgersen"), ("Chinstrap", "Dream")}


# -- fitting (needs mbi) -----------------------------------------------------------------------------------
@needs_mbi
def test_same_data_and_random_state_give_the_same_model_and_another_seed_another():
    real = load_penguins()
    a = fast().fit(real).to_dict()
    assert fast().fit(real).to_dict() == a
    assert fast(random_state=1).fit(real).to_dict() != a


@needs_mbi
def test_stored_example_is_what_the_fit_makes():
    from synthbench.generators._private_example import STATE

    gen = sb.PrivateMST(epsilon=1.0, bounds=PENGUIN_BOUNDS, iters=200).fit(load_penguins())
    state = gen._get_state()
    assert state["columns"] == STATE["columns"]
    assert [(s["column"], s["given"]) for s in state["steps"]] == [(s["column"], s["given"]) for s in STATE["steps"]]
    for mine, stored in zip(state["steps"], STATE["steps"]):
        np.testing.assert_allclose(mine["table"], stored["table"], atol=1e-4)


def _one_way_error(real: pd.DataFrame, synth: pd.DataFrame) -> float:
    """Mean total-variation distance of the label columns' frequencies."""
    errors = []
    for c in ("species", "island", "sex"):
        p = real[c].value_counts(normalize=True, dropna=False)
        q = synth[c].value_counts(normalize=True, dropna=False)
        errors.append(0.5 * p.subtract(q, fill_value=0).abs().sum())
    return float(np.mean(errors))


@needs_mbi
def test_more_budget_means_closer_counts():
    real = load_penguins()
    errors = {}
    for eps in (0.05, 50.0):
        runs = [
            _one_way_error(real, fast(epsilon=eps, random_state=s).fit(real).sample(3000, seed=s)) for s in range(3)
        ]
        errors[eps] = np.mean(runs)
    assert errors[50.0] < 0.05 < errors[0.05]


@needs_mbi
def test_strong_pairs_are_learned_at_a_generous_budget():
    real = load_penguins()
    synth = fast(epsilon=50.0).fit(real).sample(3000, seed=0)
    # Gentoo live on Biscoe only: the tree links species and island.
    gentoo = synth[synth["species"] == "Gentoo"]["island"].value_counts(normalize=True)
    assert gentoo.get("Biscoe", 0) > 0.9


@needs_mbi
def test_datetimes_booleans_missing_values_and_one_column():
    rng = np.random.default_rng(0)
    n = 400
    data = pd.DataFrame(
        {
            "when": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
            "flag": rng.random(n) < 0.3,
            "score": np.where(rng.random(n) < 0.2, np.nan, rng.normal(50, 10, n)),
            "label": pd.Series(rng.choice(["x", "y", None], n), dtype="str"),
        }
    )
    bounds = {"when": ["2024-01-01", "2025-01-01"], "score": [0, 100]}
    gen = sb.PrivateMST(epsilon=5.0, bounds=bounds, iters=100).fit(data)
    df = gen.sample(500, seed=0)
    assert df.dtypes.equals(data.dtypes)
    assert df["when"].dropna().between("2024-01-01", "2025-01-01").all()
    assert 0.05 < df["score"].isna().mean() < 0.4
    one = sb.PrivateMST(epsilon=1.0, bounds={"score": [0, 100]}, iters=50).fit(data[["score"]])
    assert one.privacy_budget()["step"].tolist() == ["one-way counts"]
    assert one.sample(10, seed=0).shape == (10, 1)


@needs_mbi
def test_bounds_from_data_spend_their_share_and_cover_the_data():
    real = load_penguins()
    gen = sb.PrivateMST(epsilon=3.0, bounds_from_data=True, iters=100).fit(real)
    assert gen.learned_bounds_ == 5
    budget = gen.privacy_budget()
    assert budget["share"].iloc[0] == pytest.approx(0.1)
    for col in gen.columns_:
        if "edges" in col:
            values = real[col["name"]].dropna()
            # Powers of two around the data: most of it inside, width within a few doublings.
            inside = values.between(col["edges"][0], col["edges"][-1]).mean()
            assert inside > 0.9, col["name"]


@needs_mbi
def test_fit_noise_never_touches_global_random_state():
    state = np.random.get_state()  # noqa: NPY002 - reading it is the test
    fast().fit(load_penguins())
    after = np.random.get_state()  # noqa: NPY002 - reading it is the test
    assert np.array_equal(state[1], after[1])


# -- panels (need ipywidgets, altair and vl-convert; fitting needs mbi) ---------------------------------------
SMALL_BOUNDS = {"body_mass_g": [2500, 6500]}


def _small() -> pd.DataFrame:
    return load_penguins()[["species", "island", "body_mass_g", "sex"]]


def test_privacy_tab_attacks_a_copy_fitted_on_half_the_data():
    from synthbench.widgets import panel

    p = panel(sb.GaussianCopula(), _small(), debounce=0)
    tabs = p.widget.children[1].children[-1]
    assert [tabs.get_title(i) for i in range(len(tabs.children))] == ["Charts", "Preview", "Export", "Privacy"]
    report = p.privacy_tab.run()
    assert report is not None and "singling_out" in set(report["measure"])
    assert "risk" in p.privacy_tab.output.value and "172 rows" in p.privacy_tab.output.value
    assert panel(sb.Moons(), debounce=0).extra_tabs() == []  # nothing learned: no Privacy tab


def test_epsilon_words_and_chart_are_plain_values():
    from synthbench.widgets.privacy import epsilon_chart, epsilon_words

    assert "2.72 times" in epsilon_words(1.0) and "1.11 times" in epsilon_words(0.1)
    table = pd.DataFrame(
        {
            "label": ["epsilon 0.1", "epsilon 1", "no DP"],
            "epsilon": [0.1, 1.0, float("nan")],
            "quality": [0.5, 0.7, 0.9],
            "tstr_accuracy": [0.4, 0.6, 0.8],
            "trtr_accuracy": [0.9, 0.9, 0.9],
            "fit_seconds": [1.0, 1.0, 0.1],
            "fit_cpu_seconds": [1.0, 1.0, 0.1],
            "error": ["", "", ""],
        }
    )
    spec = epsilon_chart(table, current=0.3).to_dict()
    assert spec["layer"][0]["encoding"]["x"]["scale"]["type"] == "log"
    assert len(spec["layer"]) == 4  # lines, no-DP rules, the current epsilon and its label


@needs_mbi
def test_private_panel_slider_refits_and_the_tradeoff_chart_is_drawn():
    from synthbench.widgets import panel
    from synthbench.widgets.privacy import PrivatePanel

    p = panel(sb.PrivateMST(bounds=SMALL_BOUNDS, iters=50), _small(), debounce=0)
    assert isinstance(p, PrivatePanel) and p.error == ""
    before = p.status.value
    p.epsilon_slider.value = 5.0
    assert p.generator.epsilon == 5.0 and p.status.value != before  # refitted and resampled
    assert "148.41 times" in p.words.value
    table = p.compute_tradeoff(epsilons=(0.3, 3.0))
    assert table["label"].tolist() == ["epsilon 0.3", "epsilon 3", "no DP"]
    assert "<svg" in p.epsilon_box.value and "data-points='3'" in p.epsilon_box.value
    assert p.compute_tradeoff(epsilons=(0.3, 3.0)) is table  # cached per data and parameters
