"""The scikit-learn dataset family: parameters scikit-learn would refuse, resources, exports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synthbench as sb
from synthbench import params as P
from synthbench.exceptions import InvalidParameterError
from tests.helpers import run_code

GENERATORS = [sb.Classification, sb.Regression, sb.Blobs, sb.Moons, sb.Circles]
IDS = [g.__name__ for g in GENERATORS]


@pytest.mark.parametrize(
    ("gen", "param"),
    [
        (sb.Classification(class_sep=0), "class_sep"),
        (sb.Classification(class_sep=0.0), "class_sep"),
        (sb.Classification(n_features=3, n_informative=2, n_redundant=2), "n_features"),
        (sb.Classification(n_features=5, n_informative=2, n_redundant=0, n_repeated=4), "n_features"),
        (sb.Classification(n_classes=3, n_clusters_per_class=2, n_informative=2), "n_informative"),
        (sb.Classification(n_classes=3, n_clusters_per_class=1, weights=[0.5]), "weights"),
        (sb.Classification(n_classes=2, weights=[0.5, 0.6]), "weights"),
        (sb.Classification(n_classes=3, n_clusters_per_class=1, weights=[0.7, 0.6]), "weights"),
        (sb.Classification(n_features=2, n_informative=2, n_redundant=0, feature_names=["a"]), "feature_names"),
        (sb.Classification(n_features=2, n_informative=2, n_redundant=0, target="x1"), "target"),
        (sb.Classification(scale=0), "scale"),
        (sb.Classification(flip_y=1.5), "flip_y"),
        (sb.Regression(n_features=2, n_targets=2, feature_names=["y_0", "b"], target="y"), "target"),
        (sb.Regression(effective_rank=0), "effective_rank"),
        (sb.Regression(tail_strength=1.5), "tail_strength"),
        (sb.Regression(noise=-1.0), "noise"),
        (sb.Blobs(center_box=[1.0, 1.0]), "center_box"),
        (sb.Blobs(center_box=[2.0, -2.0]), "center_box"),
        (sb.Blobs(cluster_std=-0.5), "cluster_std"),
        (sb.Moons(noise=-0.1), "noise"),
        (sb.Circles(factor=1.0), "factor"),
        (sb.Circles(feature_names=["a", "b", "c"]), "feature_names"),
    ],
)
def test_what_scikit_learn_refuses_is_refused_first_by_name(gen, param):
    with pytest.raises(InvalidParameterError, match=f"'{param}' parameter of {type(gen).__name__}"):
        gen.sample(10, seed=0)
    with pytest.raises(InvalidParameterError):
        gen.to_code(10, seed=0)


def _values(constraint):
    """Boundary and ordinary values a declared constraint allows (small, so a test stays quick)."""
    c = constraint.inner if isinstance(constraint, P.Optional) else constraint
    out = [None] if isinstance(constraint, P.Optional) else []
    if isinstance(c, P.Int):
        out += [v for v in (c.low, c.low + 1 if c.low is not None else 3, 2, 3, 7, 30) if v is not None]
    elif isinstance(c, P.Float):
        low = c.low if c.low is not None else -5.0
        out += [low, low + 1e-9, 0.5, 1.0, 2.5]
        if c.high is not None:
            out += [c.high, c.high - 1e-9]
    elif isinstance(c, P.Bool):
        out += [True, False]
    return [v for v in out if v is None or constraint.is_satisfied_by(v)] or [None]


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_any_declared_values_give_a_frame_or_our_error_never_scikit_learns(cls):
    names = [p.name for p in cls.params if p.name not in ("feature_names", "target", "weights", "center_box")]
    choices = {p.name: st.sampled_from(_values(p.constraint)) for p in cls.params if p.name in names}

    @settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(st.fixed_dictionaries(choices), st.sampled_from([1, 2, 5, 40]))
    def check(kwargs, n):
        gen = cls(**{k: v for k, v in kwargs.items() if v is not None or k in ("noise", "effective_rank")})
        try:
            df = gen.sample(n, seed=3)
        except InvalidParameterError:
            return
        assert len(df) == n and list(df.columns) == gen._columns() + gen._targets()
        assert np.isfinite(df.to_numpy(dtype=float)).all()

    check()


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_exports_rebuild_the_frame_with_hostile_names(cls, tmp_path):
    width = 2 if cls in (sb.Moons, sb.Circles) else 3
    names = ['q"""\nimport os', "é\u2028#", "a'b\\"][:width]
    kwargs = {} if cls in (sb.Moons, sb.Circles) else {"n_features": 3}
    if cls is sb.Classification:
        kwargs.update(n_informative=2, n_redundant=1)
    if cls is sb.Regression:
        kwargs.update(n_targets=2)
    gen = cls(feature_names=names, target="t\n#x", **kwargs)
    code = gen.to_code(25, seed=7)
    comments = [line for line in code.splitlines() if line.lstrip().startswith("#")]
    assert not any("import os" in line or "a'b" in line for line in comments)
    assert "replace(" not in code
    pd.testing.assert_frame_equal(run_code(code, tmp_path), gen.sample(25, seed=7))


def test_regression_with_several_targets_names_each_one():
    df = sb.Regression(n_features=2, n_targets=3, target="y").sample(5, seed=0)
    assert list(df.columns) == ["x0", "x1", "y_0", "y_1", "y_2"]
    assert df.dtypes.eq("float64").all()


@pytest.mark.parametrize("cls", GENERATORS, ids=IDS)
def test_memory_estimate_covers_the_frame_and_grows_with_n(cls):
    gen = cls()
    width = len(gen._columns()) + len(gen._targets())
    assert gen._estimate_bytes(1000) >= 8 * 1000 * width
    assert gen._estimate_bytes(2000) > gen._estimate_bytes(1000)
    actual = gen.sample(1000, seed=0).memory_usage(index=False).sum()
    assert gen._estimate_bytes(1000) >= actual


def test_memory_estimate_counts_scikit_learns_temporaries():
    # One rotation of n_informative x n_informative per cluster, whatever n is.
    gen = sb.Classification(n_features=3000, n_informative=3000, n_redundant=0)
    assert gen._estimate_bytes(1) >= 8 * 3000**2
    # make_low_rank_matrix factorises an n x min(n, n_features) matrix.
    assert sb.Regression(n_features=5000, effective_rank=5)._estimate_bytes(5000) >= 8 * 5000**2


@pytest.mark.parametrize(
    "gen",
    [
        sb.Classification(n_features=10_000, n_informative=10_000, n_redundant=0),
        sb.Classification(n_features=10_000, n_informative=2_000, n_redundant=8_000),
        sb.Regression(n_features=10_000, effective_rank=5),
    ],
    ids=["rotations", "redundant", "low rank"],
)
def test_work_beyond_the_limit_is_refused_before_scikit_learn_runs(gen):
    import time

    start = time.perf_counter()
    # Memory enough, so the work limit is the one that refuses.
    with sb.config_context(max_bytes=2**50), pytest.raises(InvalidParameterError, match="floating-point operations"):
        gen.sample(100_000, seed=0)
    assert time.perf_counter() - start < 1.0
