"""make_classification-style data: scikit-learn's ``make_*`` functions as DataFrames.

Each generator here is a thin, declared wrapper around one scikit-learn function. It
returns a DataFrame with named feature columns and a target column. Parameters that
scikit-learn would refuse are refused up front, with our error; sampling and
``to_code`` run one kernel (:func:`synthbench.kernels.datasets.dataset_frame`) that
makes the scikit-learn call with literal arguments and names the columns.

>>> import synthbench as sb
>>> df = sb.Classification(n_features=4).sample(500, seed=42)
>>> df.shape
(500, 5)
>>> list(df.columns)
['x0', 'x1', 'x2', 'x3', 'target']
"""

from __future__ import annotations

from typing import Any, ClassVar

import pandas as pd

from ..base import Generator
from ..codegen import CodeCell, Plan
from ..kernels.datasets import dataset_frame
from ..params import Bool, Float, Int, ListOf, Optional, Param, Str
from ..registry import register

__all__ = ["Blobs", "Circles", "Classification", "Moons", "Regression"]

_NAME = Str(max_len=200, what="a non-empty str of at most 200 characters")

_FEATURE_NAMES = Param(
    "feature_names",
    Optional(ListOf(_NAME, min_len=1, unique=True)),
    None,
    "Names of the feature columns; None gives x0, x1, ...",
)
_TARGET = Param("target", _NAME, "target", "Name of the target column.")
_SHUFFLE = Param("shuffle", Bool(), True, "Shuffle the rows (and, where it applies, features).")
_NOISE = Param("noise", Optional(Float(0, None)), None, "Standard deviation of Gaussian noise.")
#: Floating-point operations a sample may take (about ten seconds on a laptop core).
MAX_FLOPS = 10**11


class _SklearnDataset(Generator):
    """Shared machinery: call ``sklearn.datasets.<maker>`` and name the columns."""

    family: ClassVar[str] = "classification"
    why_not_streamable: ClassVar[str] = (
        "scikit-learn's make_* functions draw the whole problem (centroids, coefficients, "
        "class sizes) from one random_state for all n rows, so the rows cannot be made in independent blocks"
    )
    maker: ClassVar[str] = ""
    min_rows: ClassVar[int] = 1

    def n_features_out(self) -> int:
        return int(self.n_features)

    def _columns(self) -> list[str]:
        if self.feature_names is not None:
            return list(self.feature_names)
        return [f"x{i}" for i in range(self.n_features_out())]

    def _targets(self) -> list[str]:
        return [self.target]

    def _check_params(self) -> None:
        names = self.feature_names
        if names is not None and len(names) != self.n_features_out():
            raise self.invalid("feature_names", f"must have {self.n_features_out()} names (one per feature)", names)
        if self.target in self._columns():
            raise self.invalid("target", "must differ from every feature name", self.target)

    def _maker_args(self, n: int, seed: int) -> dict[str, Any]:
        """Keyword arguments of the scikit-learn call, in the order we print them."""
        raise NotImplementedError

    def _flops(self, n: int) -> int:
        """Floating-point operations of the scikit-learn call, roughly (its largest terms)."""
        return 8 * n * (len(self._columns()) + len(self._targets()))

    def _temporary_cells(self, n: int) -> int:
        """Numbers scikit-learn holds at once beyond X and y (rotations, factorisations)."""
        return 0

    def _estimate_bytes(self, n: int) -> int:
        """Peak memory of ``sample(n)``: the frame, scikit-learn's X and its shuffled copy, and
        any larger temporaries of the scikit-learn call, 8 bytes a number."""
        width = len(self._columns()) + len(self._targets())
        return 8 * (3 * n * width + self._temporary_cells(n))

    def _plan(self, n: int, seed: int) -> Plan:
        plan = Plan()
        features, targets = self._columns(), self._targets()
        plan.call(
            "df",
            dataset_frame,
            self.maker,
            features=features,
            targets=targets,
            **self._maker_args(n, seed),
            comment=f"scikit-learn's {self.maker} as a frame: {len(features)} named feature column(s), "
            f"then {len(targets)} target column(s).",
        )
        return plan

    def _sample(self, n: int, seed: int) -> pd.DataFrame:
        flops = self._flops(n)
        if flops > MAX_FLOPS:
            raise self.invalid(
                "n",
                f"must keep the work of {self.maker} under {MAX_FLOPS:.0e} floating-point operations "
                f"(about {flops:.1e} here); lower n or the sizes that multiply it",
                n,
            )
        return self._plan(n, seed).run()["df"]

    def _to_code(self, n: int, seed: int) -> str:
        cell = CodeCell(f"{type(self).__name__}: {n} rows, seed {seed}. Regenerates the frame as `df`.")
        cell.need("import numpy as np", "import pandas as pd")
        return cell.plan(self._plan(n, seed)).render()


@register
class Classification(_SklearnDataset):
    """Classification data from :func:`sklearn.datasets.make_classification`.

    Clusters of points around the vertices of a hypercube, one or more per class, with
    informative, redundant and repeated features. ``weights`` makes the classes
    imbalanced, which is what the balancing tutorial starts from.

    Parameters
    ----------
    n_features, n_informative, n_redundant, n_repeated, n_classes, n_clusters_per_class,
    weights, flip_y, class_sep, hypercube, shift, scale, shuffle
        As in :func:`sklearn.datasets.make_classification`.
    feature_names : list of str, optional
        Feature column names; default ``x0, x1, ...``.
    target : str, default "target"
        Name of the integer class label column.

    Examples
    --------
    >>> import synthbench as sb
    >>> gen = sb.Classification(n_features=4, weights=[0.9])
    >>> df = gen.sample(500, seed=42)
    >>> df["target"].value_counts().sort_index().tolist()
    [449, 51]
    """

    maker = "make_classification"

    @classmethod
    def example(cls) -> Classification:
        """The seeds' ``make_classification(n_samples=500, n_features=4, random_state=42)``."""
        return cls(n_features=4)

    params = (
        Param("n_features", Int(1, 10_000), 20, "Total number of features."),
        Param("n_informative", Int(1, 10_000), 2, "Features that carry the class signal."),
        Param("n_redundant", Int(0, 10_000), 2, "Random linear combinations of informative features."),
        Param("n_repeated", Int(0, 10_000), 0, "Duplicated informative or redundant features."),
        Param("n_classes", Int(2, 100), 2, "Number of classes."),
        Param("n_clusters_per_class", Int(1, 100), 2, "Gaussian clusters per class."),
        Param(
            "weights",
            Optional(ListOf(Float(0, 1), min_len=1)),
            None,
            "Share of each class (the last may be left out); None means balanced.",
        ),
        Param("flip_y", Float(0, 1), 0.01, "Share of labels flipped at random (label noise)."),
        Param("class_sep", Float(0, None, closed="neither"), 1.0, "Distance between classes; larger is easier."),
        Param("hypercube", Bool(), True, "Put cluster centres on hypercube vertices."),
        Param("shift", Float(), 0.0, "Added to every feature."),
        Param("scale", Float(0, None, closed="neither"), 1.0, "Multiplies every feature."),
        _SHUFFLE,
        _FEATURE_NAMES,
        _TARGET,
    )

    def _check_params(self) -> None:
        used = self.n_informative + self.n_redundant + self.n_repeated
        if used > self.n_features:
            raise self.invalid(
                "n_features",
                f"must be >= n_informative + n_redundant + n_repeated (= {used})",
                self.n_features,
            )
        if self.n_classes * self.n_clusters_per_class > 2**self.n_informative:
            raise self.invalid(
                "n_informative",
                f"must satisfy n_classes * n_clusters_per_class <= 2 ** n_informative "
                f"(here {self.n_classes} * {self.n_clusters_per_class})",
                self.n_informative,
            )
        w = self.weights
        if w is not None:
            if len(w) not in (self.n_classes, self.n_classes - 1):
                raise self.invalid(
                    "weights",
                    f"must have n_classes ({self.n_classes}) or n_classes - 1 entries",
                    w,
                )
            total = sum(w)
            if len(w) == self.n_classes and abs(total - 1) > 1e-9:
                raise self.invalid("weights", "must sum to 1", list(w))
            if len(w) == self.n_classes - 1 and total > 1 + 1e-9:
                raise self.invalid("weights", "must sum to at most 1", list(w))
        super()._check_params()

    def _flops(self, n: int) -> int:
        informative, clusters = self.n_informative, self.n_classes * self.n_clusters_per_class
        # A random rotation per cluster (informative x informative), applied to its rows,
        # and the redundant features as combinations of the informative ones.
        rotations = clusters * informative**2 + 2 * n * informative**2
        return super()._flops(n) + rotations + 2 * n * informative * self.n_redundant

    def _temporary_cells(self, n: int) -> int:
        return self.n_informative**2 + self.n_informative * self.n_redundant

    def _maker_args(self, n: int, seed: int) -> dict[str, Any]:
        return {
            "n_samples": n,
            "n_features": self.n_features,
            "n_informative": self.n_informative,
            "n_redundant": self.n_redundant,
            "n_repeated": self.n_repeated,
            "n_classes": self.n_classes,
            "n_clusters_per_class": self.n_clusters_per_class,
            "weights": None if self.weights is None else list(self.weights),
            "flip_y": self.flip_y,
            "class_sep": self.class_sep,
            "hypercube": self.hypercube,
            "shift": self.shift,
            "scale": self.scale,
            "shuffle": self.shuffle,
            "random_state": seed,
        }


@register
class Regression(_SklearnDataset):
    """Regression data from :func:`sklearn.datasets.make_regression`.

    A random linear model of ``n_informative`` features plus Gaussian ``noise``.
    With ``n_targets > 1`` the target columns are ``<target>_0, <target>_1, ...``.

    Examples
    --------
    >>> import synthbench as sb
    >>> sb.Regression(n_features=3, noise=1.0).sample(4, seed=0).columns.tolist()
    ['x0', 'x1', 'x2', 'target']
    """

    maker = "make_regression"
    params = (
        Param("n_features", Int(1, 10_000), 100, "Total number of features."),
        Param("n_informative", Int(1, 10_000), 10, "Features with a non-zero coefficient."),
        Param("n_targets", Int(1, 100), 1, "Number of target columns."),
        Param("bias", Float(), 0.0, "Intercept of the linear model."),
        Param(
            "effective_rank",
            Optional(Int(1, 10_000)),
            None,
            "Approximate rank of the features (None: well conditioned).",
        ),
        Param("tail_strength", Float(0, 1), 0.5, "Weight of the fat tail of singular values."),
        Param("noise", Float(0, None), 0.0, "Standard deviation of the Gaussian noise."),
        _SHUFFLE,
        _FEATURE_NAMES,
        _TARGET,
    )

    def _check_params(self) -> None:
        # Like make_regression, n_informative > n_features means "all features".
        super()._check_params()
        if set(self._targets()) & set(self._columns()):
            raise self.invalid("target", "must differ from every feature name", self.target)

    def _targets(self) -> list[str]:
        if self.n_targets == 1:
            return [self.target]
        return [f"{self.target}_{i}" for i in range(self.n_targets)]

    def _maker_args(self, n: int, seed: int) -> dict[str, Any]:
        return {
            "n_samples": n,
            "n_features": self.n_features,
            "n_informative": self.n_informative,
            "n_targets": self.n_targets,
            "bias": self.bias,
            "effective_rank": self.effective_rank,
            "tail_strength": self.tail_strength,
            "noise": self.noise,
            "shuffle": self.shuffle,
            "random_state": seed,
        }

    def _flops(self, n: int) -> int:
        rank = min(n, self.n_features)
        if self.effective_rank is None:
            return super()._flops(n) + 2 * n * min(self.n_informative, self.n_features) * self.n_targets
        # make_low_rank_matrix: two QR factorisations and a product of that rank.
        return super()._flops(n) + 4 * (n + self.n_features) * rank * rank + 2 * n * self.n_features * rank

    def _temporary_cells(self, n: int) -> int:
        if self.effective_rank is None:
            return self.n_features * self.n_targets
        return 2 * (n + self.n_features) * min(n, self.n_features)


@register
class Blobs(_SklearnDataset):
    """Isotropic Gaussian blobs from :func:`sklearn.datasets.make_blobs`.

    Examples
    --------
    >>> import synthbench as sb
    >>> df = sb.Blobs(centers=4).sample(100, seed=1)
    >>> sorted(df["target"].unique().tolist())
    [0, 1, 2, 3]
    """

    maker = "make_blobs"
    params = (
        Param("n_features", Int(1, 10_000), 2, "Number of features."),
        Param("centers", Int(1, 1_000), 3, "Number of blobs (one class each)."),
        Param("cluster_std", Float(0, None), 1.0, "Standard deviation of each blob."),
        Param(
            "center_box",
            ListOf(Float(), min_len=2, max_len=2),
            (-10.0, 10.0),
            "Bounds (low, high) of the box the centres are drawn from.",
        ),
        _SHUFFLE,
        _FEATURE_NAMES,
        _TARGET,
    )

    def _temporary_cells(self, n: int) -> int:
        return self.centers * self.n_features

    def _check_params(self) -> None:
        low, high = self.center_box
        if not low < high:
            raise self.invalid("center_box", "must be (low, high) with low < high", self.center_box)
        super()._check_params()

    def _maker_args(self, n: int, seed: int) -> dict[str, Any]:
        return {
            "n_samples": n,
            "n_features": self.n_features,
            "centers": self.centers,
            "cluster_std": self.cluster_std,
            "center_box": tuple(self.center_box),
            "shuffle": self.shuffle,
            "random_state": seed,
        }


class _TwoFeature(_SklearnDataset):
    def n_features_out(self) -> int:
        return 2


@register
class Moons(_TwoFeature):
    """Two interleaving half circles from :func:`sklearn.datasets.make_moons`.

    Examples
    --------
    >>> import synthbench as sb
    >>> sb.Moons(noise=0.1).sample(3, seed=0).shape
    (3, 3)
    """

    maker = "make_moons"
    params = (_NOISE, _SHUFFLE, _FEATURE_NAMES, _TARGET)

    def _maker_args(self, n: int, seed: int) -> dict[str, Any]:
        return {"n_samples": n, "shuffle": self.shuffle, "noise": self.noise, "random_state": seed}


@register
class Circles(_TwoFeature):
    """A large circle containing a smaller one, from :func:`sklearn.datasets.make_circles`.

    Examples
    --------
    >>> import synthbench as sb
    >>> sb.Circles(factor=0.5, noise=0.05).sample(3, seed=0).shape
    (3, 3)
    """

    maker = "make_circles"
    params = (
        Param("factor", Float(0, 1, closed="left"), 0.8, "Scale of the inner circle."),
        _NOISE,
        _SHUFFLE,
        _FEATURE_NAMES,
        _TARGET,
    )

    def _maker_args(self, n: int, seed: int) -> dict[str, Any]:
        return {
            "n_samples": n,
            "shuffle": self.shuffle,
            "noise": self.noise,
            "random_state": seed,
            "factor": self.factor,
        }
