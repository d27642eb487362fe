"""Malformed specs and parameters get synthbench's errors, never a traceback from numpy or pandas.

Hypothesis mutates real specs (the registered generators' examples): it replaces a
value anywhere in the tree with arbitrary JSON, drops or adds keys, and then loads,
samples and exports. Anything but a ``SynthbenchError`` fails the test, and the exported
cell of every spec that loads and samples must rebuild the same frame.
"""

from __future__ import annotations

import copy
import json
import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synthbench as sb
from synthbench.exceptions import SynthbenchError
from tests.helpers import assert_same_frame, run_cells

# Data-bound generators (size_from_data) are loaded unfitted from a spec; fuzz the rest fully.
NAMES = [n for n in sb.list_generators() if not getattr(sb.get_generator(n), "size_from_data", False)]
SPECS = {n: sb.get_generator(n).example().to_dict() for n in sb.list_generators()}
# Large fitted states make each example slow; their params and the top of the state are fuzzed.
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["", "uniform", "normal", "category", "a < b", "x * 2", "D", "2024-01-01", "Integer"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=8,
)


def _paths(node, prefix=(), depth=0):
    """Every place in the spec tree where a value could be replaced or a key dropped."""
    yield prefix
    if depth > 6:
        return
    if isinstance(node, dict):
        for k, v in list(node.items())[:40]:
            yield from _paths(v, (*prefix, k), depth + 1)
    elif isinstance(node, list):
        for i, v in enumerate(node[:20]):
            yield from _paths(v, (*prefix, i), depth + 1)


def _mutate(spec, path, action, value):
    if not path:
        return value if action == "replace" else spec
    parent = spec
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "replace":
        parent[last] = value
    elif action == "drop" and isinstance(parent, dict):
        del parent[last]
    elif action == "add" and isinstance(parent, dict):
        parent["zz_extra"] = value
    elif action == "drop" and isinstance(parent, list):
        parent.pop(last)
    return spec


@st.composite
def broken_specs(draw):
    name = draw(st.sampled_from(sb.list_generators()))
    spec = copy.deepcopy(SPECS[name])
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(spec))
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "replace", "drop", "add"]))
        spec = _mutate(spec, path, action, draw(json_values))
    return spec


# Hypothesis warns when an example's repr is huge (a mutated fitted state); that is not a failure.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
def test_malformed_specs_only_raise_synthbench_errors_and_export_what_they_sample(tmp_path):
    """Every mutated spec that loads and samples also exports a cell that rebuilds its frame.

    Hypothesis drives the loading and sampling (and shrinks any raw exception); the cells
    of the specs that survive are then run together in one fresh interpreter with
    synthbench blocked, each compared exactly with ``sample``.
    """
    exported: list[tuple[str, str, pd.DataFrame]] = []  # (spec, code, frame)

    @settings(
        max_examples=1_200,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(spec=broken_specs(), n=st.integers(-3, 40), seed=st.one_of(st.integers(-2, 2**33), st.none()))
    def load_sample_export(spec, n, seed):
        # A spec that survives must also survive a JSON trip, as a file on disk would.
        try:
            text = json.dumps(spec, allow_nan=True)
        except (TypeError, ValueError):
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy may warn on odd but legal values; errors are what we test
            try:
                gen = sb.from_json(text)
                if getattr(gen, "size_from_data", False):
                    return
                gen.sample(n, seed=seed)
                code_seed = 0 if seed is None else seed
                code = gen.to_code(n, seed=code_seed)
                df = gen.sample(n, seed=code_seed)
            except SynthbenchError:
                return
        exported.append((text[:1500], code, df))

    load_sample_export()
    assert exported, "no mutated spec survived to be exported"
    results = run_cells([(code, {}) for _, code, _ in exported], tmp_path)
    failures = []
    for (spec, code, expected), result in zip(exported, results):
        try:
            compile(code, "<exported cell>", "exec")
            assert result["error"] is None, f"the cell failed:\n{result['error']}"
            assert result["stdout"] == "", f"the cell printed {result['stdout'][:300]!r}"
            assert result["files"] == [], f"the cell created files {result['files']}"
            assert_same_frame(result["df"], expected)
        except (AssertionError, SyntaxError, ValueError) as exc:
            failures.append(f"{spec}\n{str(exc)[:1500]}")
    assert not failures, f"{len(failures)} of {len(exported)} exports differ from sample:\n\n" + "\n\n".join(
        failures[:5]
    )


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(NAMES),
    param_index=st.integers(0, 50),
    value=json_values,
)
def test_arbitrary_parameter_values_only_raise_synthbench_errors(name, param_index, value):
    gen = sb.get_generator(name).example()
    params = type(gen).params
    p = params[param_index % len(params)]
    gen.set_params(**{p.name: value})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            gen.sample(20, seed=1)
            gen.to_dict()
        except SynthbenchError:
            pass
