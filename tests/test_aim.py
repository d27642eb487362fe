"""PrivateAIM: the budget adds up, the rounds are what the state says, hostile input, state checks.

Tests that fit need ``mbi`` (the ``[ml]`` extra) and are skipped without it; everything a spec
does (sample, export, load, refuse) runs everywhere. What PrivateAIM shares with PrivateMST
(bins, bounds, sampling kernels) is tested in ``tests/test_private.py``.
"""

from __future__ import annotations

import copy
import importlib.util
import itertools
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synthbench as sb
from synthbench.data import load_penguins
from synthbench.exceptions import DataError, InvalidParameterError, ResourceLimitError, SpecError
from synthbench.generators.aim import EXAMPLE_PARAMS, MAX_CANDIDATES, model_marginals
from synthbench.generators.private import PENGUIN_BOUNDS, cdp_rho

ROOT = Path(__file__).resolve().parents[1]
HAS_MBI = importlib.util.find_spec("mbi") is not None
needs_mbi = pytest.mark.skipif(not HAS_MBI, reason='needs mbi: pip install "synthbench[ml]"')
SMALL_BOUNDS = {"body_mass_g": [2500, 6500]}


def _small() -> pd.DataFrame:
    return load_penguins()[["species", "island", "body_mass_g", "sex"]]


# -- the budget --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params",
    [{}, {"epsilon": 0.3, "delta": 1e-6}, {"bounds_from_data": True}, {"rounds": 50}, {"epsilon": 10.0}],
    ids=["default", "eps0.3", "bounds-from-data", "rounds", "eps10"],
)
def test_planned_budget_adds_up_to_what_epsilon_and_delta_allow(params):
    gen = sb.PrivateAIM(**params)
    table = gen.privacy_budget()
    assert table["rho"].sum() == pytest.approx(cdp_rho(gen.epsilon, gen.delta), rel=1e-12)
    assert table["share"].sum() == pytest.approx(1.0)
    if not params:
        # Planned for 16 rounds per column: the one-way counts take 0.9 / 16 of the budget,
        # and every round after spends 10% choosing and 90% counting.
        assert table["step"].tolist() == ["one-way counts", "rounds: selection", "rounds: counts"]
        assert table["share"].iloc[0] == pytest.approx(0.9 / 16)
        assert table["rho"].iloc[2] == pytest.approx(9 * table["rho"].iloc[1])
    if params.get("bounds_from_data"):
        assert table["step"].iloc[0] == "bounds from data" and table["share"].iloc[0] == pytest.approx(0.1)


def test_fitted_budget_lists_every_round_and_adds_up():
    gen = sb.PrivateAIM.example()
    table = gen.privacy_budget()
    assert table["rho"].sum() == pytest.approx(gen.privacy_parameters()["rho"], rel=1e-9)
    assert table["step"].iloc[0] == "one-way counts"
    rounds = table.iloc[1:]
    assert len(rounds) == 2 * (len(gen.measurements_) - len(gen.columns_)) and len(rounds) >= 4
    selection, counts = rounds.iloc[::2], rounds.iloc[1::2]
    assert selection["step"].str.fullmatch(r"round \d+: selection").all()
    assert counts["step"].str.match(r"round \d+: counts of ").all()
    # Each round spends 10% choosing and 90% counting, also the last one (what was left).
    np.testing.assert_allclose(counts["rho"].to_numpy(), 9 * selection["rho"].to_numpy(), rtol=1e-9)
    # A round's noise is the previous round's, or half of it after a round that changed little;
    # only the last round (the rest of the budget) may be anything.
    sds = [m["sd"] for m in gen.measurements_[len(gen.columns_) :]]
    for a, b in itertools.pairwise(sds[:-1]):
        assert b == pytest.approx(a) or b == pytest.approx(a / 2)
    assert sds[-1] < sds[0]  # the budget was annealed: later counts are more precise


# -- hostile parameters and data: clear errors before anything is measured ---------------------------
@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("epsilon", 0),
        ("epsilon", -1.0),
        ("epsilon", float("nan")),
        ("epsilon", float("inf")),
        ("delta", 0),
        ("degree", 1),
        ("degree", 4),
        ("max_model_size", 0),
        ("max_model_size", 80),
        ("max_model_size", float("nan")),
        ("rounds", 0),
        ("max_cells", 10**12),
    ],
)
def test_bad_parameters_are_refused_by_name(param, value):
    with pytest.raises(InvalidParameterError, match=f"'{param}'"):
        sb.PrivateAIM(bounds=PENGUIN_BOUNDS, **{param: value}).fit(load_penguins())


def test_fewer_rounds_than_columns_are_refused_before_measuring():
    with pytest.raises(InvalidParameterError, match=r"'rounds'.*at least the number of columns \(8\)"):
        sb.PrivateAIM(bounds=PENGUIN_BOUNDS, rounds=5).fit(load_penguins())


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (load_penguins().iloc[:1], "too small"),
        (load_penguins().iloc[:0], "empty"),
        (load_penguins().assign(empty=np.nan), "every value of columns"),
    ],
    ids=["one row", "no rows", "NaN-only column"],
)
def test_tiny_and_empty_data_are_refused(data, match):
    with pytest.raises(DataError, match=match):
        sb.PrivateAIM(bounds=PENGUIN_BOUNDS).fit(data)


def test_undeclared_bounds_name_the_way_out():
    with pytest.raises(InvalidParameterError, match=r"'bounds'.*'body_mass_g'.*bounds_from_data=True"):
        sb.PrivateAIM().fit(_small())


def test_a_million_categories_are_refused_before_counting():
    data = pd.DataFrame({"id": [f"person {i}" for i in range(10**6)], "group": ["a", "b"] * (10**6 // 2)})
    with pytest.raises(DataError, match="max_cells"):
        sb.PrivateAIM().fit(data)


def test_a_workload_over_the_memory_limit_is_refused_before_counting():
    with sb.config_context(max_bytes=10**6), pytest.raises(ResourceLimitError, match=r"max_model_size.*set_config"):
        sb.PrivateAIM(bounds=PENGUIN_BOUNDS).fit(load_penguins())


def test_too_many_marginals_are_refused_before_counting():
    data = pd.DataFrame({f"flag {i}": [True, False] * 5 for i in range(40)})  # 9,880 triples
    assert math.comb(40, 3) > MAX_CANDIDATES
    with pytest.raises(ResourceLimitError, match=r"9,880 marginals.*degree=2"):
        sb.PrivateAIM(degree=3).fit(data)


def test_fit_without_mbi_names_the_extra_and_the_example_works():
    code = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("mbi", "jax", "jaxlib"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Block())
import json
import synthbench as sb
from synthbench.data import load_penguins
gen = sb.PrivateAIM.example()
df = gen.sample(50, seed=1)
again = sb.from_dict(json.loads(json.dumps(gen.to_dict())))
assert again.sample(50, seed=1).equals(df)
assert again.privacy_budget().equals(gen.privacy_budget())
try:
    sb.PrivateAIM(bounds_from_data=True).fit(load_penguins())
except ImportError as exc:
    print(exc)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "PrivateAIM.fit needs the mbi package" in result.stdout
    assert 'pip install "synthbench[ml]"' in result.stdout


# -- tampered states -------------------------------------------------------------------------------------
def _tampered(edit) -> dict:
    spec = copy.deepcopy(sb.PrivateAIM.example().to_dict())
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
    "overspent budget": _set(("measurements", 0, "sd"), 1e-3),
    "a round with a huge selection epsilon": _set(("measurements", -1, "epsilon"), 1e6),
    "first counts not one column": _set(("measurements", 0, "columns"), [0, 1]),
    "first counts of another column": _set(("measurements", 1, "columns"), [0]),
    "chosen one-way counts": _set(("measurements", 0, "epsilon"), 0.1),
    "round without its choice": _set(("measurements", -1, "epsilon"), None),
    "column out of range": _set(("measurements", -1, "columns"), [0, 99]),
    "column twice": _set(("measurements", -1, "columns"), [1, 1]),
    "four columns": _set(("measurements", -1, "columns"), [0, 1, 2, 3]),
    "negative noise": _set(("measurements", 2, "sd"), -5.0),
    "boolean noise": _set(("measurements", 2, "sd"), True),
    "too few measurements": lambda s: s.__setitem__("measurements", s["measurements"][:3]),
    "extra field in a measurement": _set(("measurements", 0, "note"), "x"),
    "no measurements": lambda s: s.pop("measurements"),
    "negative probability": _set(("steps", 0, "table", 0), -0.25),
    "label not a category": lambda s: s["columns"][0].__setitem__("values", ["Adelie", "Chinstrap", "Penguin"]),
}


@pytest.mark.parametrize("edit", TAMPERED.values(), ids=TAMPERED.keys())
def test_tampered_states_are_refused_at_load(edit):
    with pytest.raises(SpecError, match="state"):
        sb.from_dict(_tampered(edit))


def test_a_state_claiming_more_budget_than_its_epsilon_is_refused():
    spec = sb.PrivateAIM.example().to_dict()
    spec["params"]["epsilon"] = 0.5  # the same noise cannot be 0.5-DP
    with pytest.raises(SpecError, match="budget"):
        sb.from_dict(spec)
    spec["params"]["epsilon"] = 2.0  # more budget than spent is allowed (the guarantee still holds)
    assert sb.from_dict(spec).sample(3, seed=0).shape == (3, 8)


# -- inference on the model ------------------------------------------------------------------------------
@needs_mbi
def test_model_marginals_agree_with_mbi():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import mbi
        from mbi import estimation, marginal_oracles

    rng = np.random.default_rng(0)
    sizes = [3, 4, 2, 5]
    domain = mbi.Domain([f"c{j}" for j in range(4)], sizes)
    measurements = [
        mbi.LinearMeasurement(rng.random(math.prod(sizes[j] for j in cl)) * 10, tuple(f"c{j}" for j in cl), 1.0)
        for cl in [(0, 1), (1, 2), (2, 3), (0,)]
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = estimation.MirrorDescent().estimate(domain, measurements, iters=100)
        queries = [(0, 3), (1, 3), (0, 2), (2,), (0, 1, 3)]
        ours = model_marginals(model, queries, sizes)
        for q in queries:
            theirs = marginal_oracles.variable_elimination(model.potentials, tuple(f"c{j}" for j in q), model.total)
            np.testing.assert_allclose(ours[q], np.asarray(theirs.datavector(), dtype=float), rtol=1e-3, atol=1e-3)


# -- fitting (needs mbi) -----------------------------------------------------------------------------------
@needs_mbi
def test_same_seed_same_model_in_this_and_a_fresh_process_and_another_seed_another():
    a = sb.PrivateAIM(bounds=SMALL_BOUNDS).fit(_small()).to_dict()
    assert sb.PrivateAIM(bounds=SMALL_BOUNDS).fit(_small()).to_dict() == a
    assert sb.PrivateAIM(bounds=SMALL_BOUNDS, random_state=1).fit(_small()).to_dict() != a
    code = (
        "import json, synthbench as sb\n"
        "from synthbench.data import load_penguins\n"
        "data = load_penguins()[['species', 'island', 'body_mass_g', 'sex']]\n"
        "print(json.dumps(sb.PrivateAIM(bounds={'body_mass_g': [2500, 6500]}).fit(data).to_dict()))\n"
    )
    env = {**os.environ, "SYNTHBENCH_JAX_CACHE": "off", "PYTHONWARNINGS": "ignore"}  # compiled afresh
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == json.loads(json.dumps(a))


@needs_mbi
def test_stored_example_is_what_the_fit_makes():
    from synthbench.generators._aim_example import STATE

    state = sb.PrivateAIM(**EXAMPLE_PARAMS).fit(load_penguins())._get_state()
    assert state["columns"] == STATE["columns"]
    assert [(m["columns"], m["epsilon"]) for m in state["measurements"]] == [
        (m["columns"], m["epsilon"]) for m in STATE["measurements"]
    ]
    assert [(s["column"], s["given"]) for s in state["steps"]] == [(s["column"], s["given"]) for s in STATE["steps"]]
    for mine, stored in zip(state["steps"], STATE["steps"], strict=True):
        np.testing.assert_allclose(mine["table"], stored["table"], atol=1e-4)


def _pair_error(gen: sb.Generator, real: pd.DataFrame, synth: pd.DataFrame) -> tuple[float, float]:
    """Mean total-variation distance of all pairs' binned counts: the synthetic rows', and the
    independent model's (the product of the real columns' own counts, no privacy spent)."""
    from synthbench.generators.fitted._types import describe_columns

    columns = describe_columns(real, "test")
    sizes = [len(s["values"]) if "values" in s else len(s["edges"]) - 1 for s in gen.columns_]
    sizes = [k + s["missing"] for k, s in zip(sizes, gen.columns_, strict=True)]
    codes = {
        which: [gen._codes(frame[c["name"]], c, s) for c, s in zip(columns, gen.columns_, strict=True)]
        for which, frame in (("real", real), ("synth", synth))
    }
    errors, independent = [], []
    for a, b in itertools.combinations(range(len(sizes)), 2):
        joint = {
            k: np.bincount(v[a] * sizes[b] + v[b], minlength=sizes[a] * sizes[b]) / len(v[a]) for k, v in codes.items()
        }
        pa = np.bincount(codes["real"][a], minlength=sizes[a]) / len(real)
        pb = np.bincount(codes["real"][b], minlength=sizes[b]) / len(real)
        errors.append(0.5 * np.abs(joint["real"] - joint["synth"]).sum())
        independent.append(0.5 * np.abs(joint["real"] - np.outer(pa, pb).ravel()).sum())
    return float(np.mean(errors)), float(np.mean(independent))


@needs_mbi
def test_aim_models_pairs_as_well_as_mst_at_epsilon_1_and_better_at_3():
    """On the penguins, the pairs' counts (AIM's workload) against MST's.

    Measured: at epsilon 1, mean pair error over seeds 0-2 is 0.373 for AIM and 0.385 for MST
    (at 344 rows the noise dominates both); at epsilon 3, 0.16 for AIM, 0.22 for MST and 0.26
    for the independent model of the real columns' own counts.
    """
    real = load_penguins()

    def error(cls: type, eps: float, seed: int) -> tuple[float, float]:
        gen = cls(epsilon=eps, bounds=PENGUIN_BOUNDS, random_state=seed).fit(real)
        return _pair_error(gen, real, gen.sample(5 * len(real), seed=seed))

    aim = np.mean([error(sb.PrivateAIM, 1.0, s)[0] for s in range(3)])
    mst = np.mean([error(sb.PrivateMST, 1.0, s)[0] for s in range(3)])
    assert aim <= mst + 0.03
    aim3, independent = error(sb.PrivateAIM, 3.0, 0)
    mst3, _ = error(sb.PrivateMST, 3.0, 0)
    assert aim3 < mst3 and aim3 < independent - 0.05  # it learned how the columns go together


@needs_mbi
def test_bounds_from_data_spend_their_share_and_cover_the_data():
    data = _small()
    gen = sb.PrivateAIM(epsilon=3.0, bounds_from_data=True).fit(data)
    assert gen.learned_bounds_ == 1
    budget = gen.privacy_budget()
    assert budget["step"].iloc[0] == "bounds from data" and budget["share"].iloc[0] == pytest.approx(0.1)
    assert budget["rho"].sum() == pytest.approx(gen.privacy_parameters()["rho"], rel=1e-9)
    edges = gen.columns_[2]["edges"]
    assert data["body_mass_g"].dropna().between(edges[0], edges[-1]).mean() > 0.9


@needs_mbi
def test_two_rows_one_column_and_pairs_too_large_still_fit():
    two = _small().dropna().iloc[:2]
    assert sb.PrivateAIM(bounds=SMALL_BOUNDS).fit(two).sample(20, seed=0).shape == (20, 4)
    one = sb.PrivateAIM(bounds=SMALL_BOUNDS).fit(_small()[["body_mass_g"]])
    assert one.privacy_budget()["step"].tolist() == ["one-way counts"]
    assert one.privacy_budget()["rho"].sum() == pytest.approx(one.privacy_parameters()["rho"])
    # Every pair over max_cells: the rounds measure single columns again.
    lone = sb.PrivateAIM(bounds=SMALL_BOUNDS, max_cells=16, rounds=8).fit(_small()[["species", "body_mass_g"]])
    assert all(len(m["columns"]) == 1 for m in lone.measurements_)


@needs_mbi
def test_fit_noise_never_touches_global_random_state():
    state = np.random.get_state()  # noqa: NPY002 - reading it is the test
    sb.PrivateAIM(bounds=SMALL_BOUNDS).fit(_small())
    after = np.random.get_state()  # noqa: NPY002 - reading it is the test
    assert np.array_equal(state[1], after[1])


# -- the panel -------------------------------------------------------------------------------------------
def test_private_panel_shows_the_aim_example_and_its_rounds():
    from synthbench.widgets import panel
    from synthbench.widgets.privacy import PrivatePanel

    p = panel(sb.PrivateAIM.example(), debounce=0)
    assert isinstance(p, PrivatePanel) and p.error == ""
    assert "round 1: selection" in p.budget.value and "PrivateAIM(...)" in p.tradeoff_status.value


@needs_mbi
def test_private_panel_slider_refits_aim():
    from synthbench.widgets import panel

    p = panel(sb.PrivateAIM(bounds=SMALL_BOUNDS), _small(), debounce=0)
    assert p.error == ""
    before = p.budget.value
    p.epsilon_slider.value = 3.0
    assert p.generator.epsilon == 3.0 and p.budget.value != before
