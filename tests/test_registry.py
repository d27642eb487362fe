"""The registry: a family is one module, and loading a spec never crashes or runs code.

The toy family below is the whole of a new family: one class, registered. It then
shows up everywhere a built-in family does (``list_generators``, ``from_dict``, the
common checks, the generic widget panel, streaming) without touching another file.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

import synthbench as sb
import tests.test_common as common
from synthbench.base import Generator
from synthbench.codegen import CodeCell, Plan
from synthbench.exceptions import InvalidParameterError, ResourceLimitError, SpecError
from synthbench.params import Int, ListOf, Param, Str, short_repr
from synthbench.registry import MAX_SPEC_DEPTH, from_json, register, unregister
from synthbench.scale import BLOCK_SIZE, to_file
from tests.helpers import bad_values


# -- the toy family: this is all a new family needs ------------------------------------------
def roll_dice(n, sides, names, seed):
    """Kernel: one column of dice rolls in [1, sides] per name."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({name: rng.integers(1, sides + 1, size=n) for name in names})


class Dice(Generator):
    """Dice rolls, one column per die (the toy family of the tests)."""

    family: ClassVar[str] = "toy"
    independent_rows: ClassVar[bool] = True
    params = (
        Param("sides", Int(2, 1_000), 6, "Faces of each die."),
        Param("dice", ListOf(Str(max_len=100), min_len=1, max_len=20, unique=True), ("red", "blue"), "Column names."),
    )

    def _plan(self, n: int, seed: int) -> Plan:
        plan = Plan()
        plan.call("df", roll_dice, n, self.sides, list(self.dice), seed, comment="one column of rolls per die")
        return plan

    def _sample(self, n: int, seed: int) -> pd.DataFrame:
        return self._plan(n, seed).run()["df"]

    def _to_code(self, n: int, seed: int, **options: Any) -> str:
        cell = CodeCell("Dice rolls").need("import numpy as np", "import pandas as pd")
        return cell.plan(self._plan(n, seed)).render()


@pytest.fixture
def dice():
    register(Dice)
    yield Dice
    unregister("Dice")


# -- the toy family everywhere ------------------------------------------------------------------
def test_a_registered_family_is_listed_loaded_and_exposed(dice):
    assert "Dice" in sb.list_generators() and sb.list_generators(family="toy") == ["Dice"]
    assert sb.get_generator("Dice") is Dice and sb.Dice is Dice
    assert "Dice" in dir(sb)
    spec = {"synthbench_spec": 1, "generator": "Dice", "params": {"sides": 20, "dice": ["a b", "a-b", "é\n'"]}}
    gen = sb.from_dict(json.loads(json.dumps(spec)))
    assert gen == Dice(sides=20, dice=("a b", "a-b", "é\n'")) and gen.to_dict() == spec


def test_an_unregistered_family_is_gone():
    assert "Dice" not in sb.list_generators()
    with pytest.raises(AttributeError):
        sb.Dice
    with pytest.raises(SpecError, match="Unknown generator 'Dice'"):
        sb.from_dict({"synthbench_spec": 1, "generator": "Dice", "params": {}})


def test_the_toy_family_passes_the_common_checks(dice, tmp_path):
    common.test_same_seed_same_frame_and_other_seed_other_frame("Dice")
    common.test_sample_leaves_global_random_state_and_generator_alone("Dice")
    common.test_exported_code_rebuilds_the_frame_in_a_fresh_interpreter("Dice", tmp_path)
    common.test_spec_round_trips_through_json("Dice")
    common.test_broken_specs_raise_spec_errors("Dice")
    common.test_unknown_parameter_is_rejected_at_construction("Dice")
    common.test_sample_of_absurd_size_is_refused_at_once("Dice")
    for p in Dice.params:
        for bad in bad_values(p.constraint):
            common.test_every_declared_parameter_rejects_bad_values_by_name("Dice", 0, p.name, bad)


def test_hostile_names_reach_the_exported_cell_only_as_literals(dice, tmp_path):
    gen = Dice(dice=('x"""\nimport os', "# c", "\\", "é"))
    code = gen.to_code(50, seed=3)
    assert "import os" not in code.replace(repr('x"""\nimport os'), "")
    pd.testing.assert_frame_equal(common.run_code(code, tmp_path), gen.sample(50, seed=3))


def test_the_toy_family_streams_because_it_says_so(dice, tmp_path):
    gen = Dice()
    assert gen.streamable()
    n = BLOCK_SIZE + 10
    path = gen.to_parquet(tmp_path / "rolls", n, seed=1, rows_per_file=50_000, progress=False)
    back = pd.read_parquet(path)
    assert len(back) == n and back.dtypes.equals(gen.sample(5, seed=0).dtypes)
    pd.testing.assert_frame_equal(back.iloc[:BLOCK_SIZE], gen.sample(BLOCK_SIZE, seed=1))
    csv = to_file(gen, tmp_path / "rolls.csv", n, seed=1, progress=False)
    pd.testing.assert_frame_equal(pd.read_csv(csv), back)
    with pytest.raises(InvalidParameterError, match=r"Streaming and Dask support .*Dice"):
        sb.Moons().to_parquet(tmp_path / "m", 10, progress=False)


def test_the_toy_family_gets_the_generic_panel_and_no_workbench_tab(dice):
    pytest.importorskip("ipywidgets")
    from sklearn.datasets import load_iris

    from synthbench.widgets import Panel, Workbench, panel, panel_class

    assert panel_class(Dice) is Panel and panel_class("Dice") is Panel
    p = panel("Dice", n=100, debounce=0)
    assert p.error == "" and set(p.controls) == {"sides", "dice"}
    p.controls["sides"].widget.value = 3
    assert p.frame["red"].max() <= 3
    assert "Dice" not in Workbench(load_iris(as_frame=True).frame, n=50, debounce=0).names


def test_a_second_class_of_the_same_name_is_refused(dice):
    register(Dice)  # the same class again is harmless

    class Other(Generator):
        family = "toy"

    Other.__name__ = "Dice"  # a class of that name from elsewhere
    with pytest.raises(InvalidParameterError, match=r"named 'Dice' is already registered.*unregister"):
        register(Other)
    assert sb.get_generator("Dice") is Dice


@pytest.mark.parametrize(
    ("thing", "message"),
    [(int, "Generator subclass"), (type("NoFamily", (Generator,), {}), "must set a 'family'")],
)
def test_register_refuses_what_is_not_a_generator(thing, message):
    with pytest.raises(InvalidParameterError, match=message):
        register(thing)
    with pytest.raises(InvalidParameterError, match="No generator is registered"):
        unregister("NoSuchThing")


def test_the_registry_finds_every_family_module_without_a_list():
    code = "import synthbench.registry as r; print(','.join(r.list_generators()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().split(",") == sb.list_generators()


# -- specs that try to break the loader ----------------------------------------------------------
def _moons(noise: str) -> str:
    return '{"synthbench_spec": 1, "generator": "Moons", "params": {"noise": ' + noise + "}}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 100_000 + "]" * 100_000, "too deeply"),
        (_moons("[" * 500 + "]" * 500), f"more than {MAX_SPEC_DEPTH} levels deep"),
        (_moons("NaN"), "NaN is not a JSON number"),
        (_moons("Infinity"), "Infinity is not a JSON number"),
        (_moons("-Infinity"), "-Infinity is not a JSON number"),
        (_moons("1" + "0" * 5_000), "more than 4,300 digits"),
        (_moons(str(2**64)), "must fit in 64 bits"),
        (_moons('"\\ud800"'), "lone surrogate"),
        ('{"synthbench_spec": 1, "generator": "Moons", "generator": "Blobs", "params": {}}', "appears twice"),
        (_moons("0.1").replace('"noise"', '"\\udfff"'), "lone surrogate"),
        (b'{"synthbench_spec": 1, "generator": "\xff"}', "not UTF-8"),
        (" " * (10 * 2**20 + 1), "at most 10,485,760"),
        (12, "JSON text"),
    ],
)
def test_hostile_json_is_a_clear_spec_error(text, message):
    with pytest.raises(SpecError, match=message) as info:
        from_json(text)
    assert len(str(info.value)) < 600
    str(info.value).encode("utf-8")  # printable and writable as it is


def test_deep_python_values_never_recurse_without_bound():
    deep: Any = 0.1
    for _ in range(200_000):
        deep = [deep]
    spec = {"synthbench_spec": 1, "generator": "Moons", "params": {"noise": deep}}
    with pytest.raises(SpecError, match="levels deep"):
        sb.from_dict(spec)
    assert short_repr(deep).startswith("[[[[") and len(short_repr(deep)) <= 80
    gen = sb.Moons(noise=deep)
    with pytest.raises(InvalidParameterError, match="'noise' parameter of Moons"):
        gen.sample(10, seed=0)


@pytest.mark.parametrize("value", [math.nan, math.inf, object(), b"bytes", 2**70])
def test_from_dict_refuses_what_json_cannot_hold(value):
    with pytest.raises(SpecError):
        sb.from_dict({"synthbench_spec": 1, "generator": "Moons", "params": {"noise": value}})


def test_text_that_is_not_unicode_is_refused_by_name_from_python_too():
    gen = sb.Moons(target="\ud800")
    with pytest.raises(InvalidParameterError, match="'target' parameter of Moons must hold valid Unicode"):
        gen.sample(10, seed=0)


def test_sample_of_any_size_fails_at_once_with_the_limit_and_the_way_past():
    gen = sb.Schema.example()
    with pytest.raises(ResourceLimitError, match=r"over the limit of 4\.0 GiB.*to_parquet.*set_config") as info:
        gen.sample(10**20, seed=0)
    assert isinstance(info.value, InvalidParameterError) and "n=100,000,000,000,000,000,000" in str(info.value)
    with sb.config_context(max_bytes=2**20):
        with pytest.raises(ResourceLimitError, match=r"1\.0 MiB"):
            gen.sample(100_000, seed=0)
        assert len(gen.sample(100, seed=0)) == 100  # the estimate scales with n
    assert len(gen.sample(100_000, seed=0)) == 100_000  # the limit is back


def test_the_limit_comes_from_the_environment_and_is_checked(tmp_path):
    code = "import synthbench as sb; print(sb.get_config()['max_bytes']); sb.Moons().sample(50_000, seed=0)"
    run = lambda value: subprocess.run(  # noqa: E731
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "SYNTHBENCH_MAX_BYTES": value}
    )
    proc = run("64K")
    assert proc.stdout.split()[0] == "65536" and "ResourceLimitError" in proc.stderr
    assert "SYNTHBENCH_MAX_BYTES environment variable must be" in run("lots").stderr
    with pytest.raises(InvalidParameterError, match="'max_bytes' parameter of set_config"):
        sb.set_config(max_bytes=0)
