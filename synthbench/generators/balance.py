"""Class balancing: oversample or undersample an imbalanced DataFrame with imbalanced-learn.

These generators transform the user's own frame (``size_from_data``): ``fit(df)``
keeps it, ``sample(seed=...)`` returns the resampled frame, and ``to_code`` writes
the plain imbalanced-learn call over a variable holding that frame.

DataFrame in, DataFrame out:

* **Columns** keep their order, names and dtypes. The target column becomes integer
  codes for imbalanced-learn (``pd.factorize(..., sort=True)``) and its labels come back.
* **Rows**: the rows kept from the data come first, exactly as they were and in their
  original order; new rows (interpolated, or extra copies for ``random_over``) follow.
  The index is a fresh ``RangeIndex``, as in imbalanced-learn's own DataFrame output.
  ``mark_synthetic="name"`` adds a bool column that is True on the new rows.
* **Interpolating methods** (all but ``random_over``/``random_under``) see one float
  matrix: floats as they are; ints, booleans (0/1) and datetimes/timedeltas (int64
  counts of their unit) are interpolated, then rounded back (so a new boolean takes
  the value of its nearer parent). Categorical columns (category, string or object
  dtype, or named in ``categorical``) become integer codes: SMOTENC and SMOTEN pick
  their values from neighbours; the other interpolating methods refuse them. Missing
  or infinite values are refused, naming the columns.
* **random_over / random_under** only pick rows: every dtype, and missing values, pass
  through untouched.

>>> import synthbench as sb
>>> from sklearn.datasets import load_breast_cancer
>>> df = load_breast_cancer(as_frame=True).frame.iloc[:, [0, 1, -1]]
>>> df = df[(df["target"] == 1) | (df.index < 300)]  # fewer malignant (0) rows
>>> df["target"].value_counts().sort_index().tolist()
[146, 357]
>>> out = sb.Balance(target="target").fit(df).sample(seed=0)
>>> out["target"].value_counts().sort_index().tolist()
[357, 357]
>>> out.dtypes.equals(df.dtypes)
True
"""

from __future__ import annotations

import importlib
import json
import textwrap
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..base import Generator
from ..codegen import CodeCell, literal, wrap
from ..exceptions import DataError
from ..params import AnyOf, Float, Int, ListOf, MapOf, Optional, Options, Param, Str, short_repr
from ..registry import register

__all__ = ["METHODS", "Balance", "Imbalance"]

#: ``method`` -> the imbalanced-learn class it runs ("smote" may become SMOTENC or SMOTEN).
METHODS: dict[str, str] = {
    "smote": "SMOTE",
    "smotenc": "SMOTENC",
    "smoten": "SMOTEN",
    "borderline_smote": "BorderlineSMOTE",
    "svm_smote": "SVMSMOTE",
    "kmeans_smote": "KMeansSMOTE",
    "adasyn": "ADASYN",
    "random_over": "RandomOverSampler",
    "random_under": "RandomUnderSampler",
    "smote_tomek": "SMOTETomek",
    "smote_enn": "SMOTEENN",
}
_MODULE = {
    "RandomUnderSampler": "imblearn.under_sampling",
    "SMOTETomek": "imblearn.combine",
    "SMOTEENN": "imblearn.combine",
}
_PICKS_ROWS = ("random_over", "random_under")
_CATEGORY_AWARE = ("smote", "smotenc", "smoten")
_STRATEGIES = ("auto", "minority", "majority", "not minority", "not majority", "all")
_NAME = Str(pattern=r"[^\n\r]+", max_len=200, what="a non-empty single-line str")
_WHOLE = ("int", "bool", "datetime", "timedelta")


class _ClassMap(MapOf):
    """A dict keyed by class label; JSON keys are strings, so labels are matched as str."""

    def describe(self) -> str:
        return f"a dict from class label (as a str, e.g. '1') to {self.value.describe()}"


def _copy_on_write() -> bool:
    return int(pd.__version__.split(".")[0]) >= 3 or pd.options.mode.copy_on_write is True


def _module(sampler: str) -> str:
    return _MODULE.get(sampler, "imblearn.over_sampling")


@dataclass
class _Call:
    """An imbalanced-learn constructor call: built for real, or written as source."""

    name: str
    kwargs: dict[str, Any]

    def build(self) -> Any:
        cls = getattr(importlib.import_module(_module(self.name)), self.name)
        return cls(**{k: v.build() if isinstance(v, _Call) else v for k, v in self.kwargs.items()})

    def source(self) -> str:
        args = ", ".join(f"{k}={v.source() if isinstance(v, _Call) else literal(v)}" for k, v in self.kwargs.items())
        return f"{self.name}({args})"

    def imports(self) -> set[str]:
        out = {f"from {_module(self.name)} import {self.name}"}
        for v in self.kwargs.values():
            if isinstance(v, _Call):
                out |= v.imports()
        return out


@dataclass
class _Plan:
    """Everything one resampling needs, worked out from the data and the parameters."""

    target: Any
    y: np.ndarray
    classes: pd.Index
    kinds: dict[Any, str] = field(default_factory=dict)
    categorical: list = field(default_factory=list)
    call: _Call | None = None
    cleaner: str | None = None  # attribute of a combined sampler holding its cleaning step
    picks_rows: bool = False
    sort_rows: bool = False


def _labels(classes: pd.Index) -> list[str]:
    return [str(c) for c in classes]


def _check_frame(gen: Generator, data: Any, target: Any) -> None:
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{type(gen).__name__}.fit needs a pandas DataFrame. Got {type(data).__name__} instead.")
    if data.shape[0] == 0:
        raise DataError(f"{type(gen).__name__}.fit needs at least one row. Got an empty DataFrame.")
    if not data.columns.is_unique:
        dups = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
        raise DataError(f"{type(gen).__name__}.fit needs distinct column names; {dups} are repeated.")
    odd = [c for c in data.columns if isinstance(c, bool) or not isinstance(c, (str, int, np.integer))]
    if odd:
        raise DataError(f"{type(gen).__name__}.fit needs str or int column names. Got {short_repr(odd)}.")
    if target not in data.columns:
        raise gen.invalid("target", f"must name a column of the data ({short_repr(list(data.columns))})", target)
    if data.shape[1] < 2:
        raise DataError(f"{type(gen).__name__}.fit needs at least one feature column besides {target!r}.")
    missing = int(data[target].isna().sum())
    if missing:
        raise DataError(
            f"The target column {target!r} has {missing} missing value(s); drop those rows first "
            f"(df.dropna(subset=[{target!r}]))."
        )


def _encode_target(data: pd.DataFrame, target: Any) -> tuple[np.ndarray, pd.Index]:
    try:
        y, classes = pd.factorize(data[target], sort=True)
    except TypeError:
        raise DataError(
            f"The target column {target!r} mixes labels that cannot be sorted (e.g. str and int)."
        ) from None
    return np.asarray(y, dtype=np.int64), pd.Index(classes)


def _kind(s: pd.Series) -> str | None:
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype) or dtype is np.dtype(object):
        return "category"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(dtype):
        return "timedelta"
    return None


def _class_counts(y: np.ndarray, n_classes: int) -> np.ndarray:
    return np.bincount(y, minlength=n_classes)


@register
class Balance(Generator):
    """Balance the classes of a DataFrame with imbalanced-learn (SMOTE and friends).

    Parameters
    ----------
    target : str, default "target"
        The class label column.
    method : str, default "smote"
        ``"smote"`` (becomes ``"smotenc"`` when some features are categorical and
        ``"smoten"`` when all are), ``"smotenc"``, ``"smoten"`` (every feature treated
        as a category), ``"borderline_smote"``, ``"svm_smote"``, ``"kmeans_smote"``,
        ``"adasyn"``, ``"random_over"``, ``"random_under"``, ``"smote_tomek"``,
        ``"smote_enn"``. See :data:`METHODS` for the imbalanced-learn classes.
    sampling_strategy : str, float or dict, default "auto"
        As imbalanced-learn takes it: ``"auto"``, ``"minority"``, ``"majority"``
        (``random_under`` only), ``"not minority"``, ``"not majority"``, ``"all"``; a
        float in (0, 1] (two classes only: the minority/majority ratio wanted); or a
        dict from class label to the number of rows wanted. Dict keys are the labels
        as str (``{"1": 300}``), because JSON keys are strings.
    k_neighbors : int, default 5
        Neighbours a new row is interpolated towards (``n_neighbors`` for ADASYN).
        Every class that gets new rows needs more rows than this.
    m_neighbors : int, default 10
        ``borderline_smote``, ``svm_smote``: neighbours that decide whether a minority
        row is in danger.
    n_clusters : int, default 8
        ``kmeans_smote``: number of k-means clusters.
    cluster_balance_threshold : float, optional
        ``kmeans_smote``: share of minority rows a cluster needs to be oversampled;
        None is imbalanced-learn's "auto". Lower it if no cluster qualifies.
    categorical : list of str, optional
        Feature columns to treat as categories even if numeric (e.g. coded zip
        codes). Columns of category, string and object dtype always are.
    mark_synthetic : str, optional
        Name of a bool column to add, True on rows the sampler made.

    Notes
    -----
    Class counts follow ``sampling_strategy`` exactly for smote, smotenc, smoten,
    borderline_smote (when some rows are in danger), random_over and random_under;
    adasyn, kmeans_smote and svm_smote make about that many; smote_tomek and
    smote_enn then remove rows while cleaning. New rows lie between minority rows,
    except for svm_smote, which also extrapolates away from the majority class. Ints larger than 2**53 lose precision
    in new rows (they are interpolated as float64); kept rows are never touched.
    Like imbalanced-learn, distances use the raw values: scale the features first if
    their ranges differ widely (datetimes, as counts of their unit, are huge numbers).

    Examples
    --------
    >>> import synthbench as sb
    >>> gen = sb.Balance.example()
    >>> gen.data_["cultivar"].value_counts().sort_index().tolist()
    [59, 71, 12]
    >>> df = gen.sample(seed=0)
    >>> df["cultivar"].value_counts().sort_index().tolist()
    [71, 71, 71]
    >>> int(df["synthetic"].sum())
    71
    >>> print(gen.to_code(seed=0, data="wine").splitlines()[0])
    # Balance: SMOTE over `wine`, seed 0. Rebuilds the balanced frame as `df`.
    """

    family: ClassVar[str] = "balancing"
    learns: ClassVar[bool] = True
    size_from_data: ClassVar[bool] = True
    panel: ClassVar[str] = "BalancePanel"
    workbench: ClassVar[int] = 4
    params = (
        Param("target", _NAME, "target", "The class label column."),
        Param("method", Options(tuple(METHODS)), "smote", "The imbalanced-learn sampler."),
        Param(
            "sampling_strategy",
            AnyOf((Options(_STRATEGIES), Float(0, 1, closed="right"), _ClassMap(Int(0, 10**9), min_len=1))),
            "auto",
            "Which classes to resample and to what size.",
        ),
        Param("k_neighbors", Int(1, 1_000), 5, "Neighbours a new row is interpolated towards."),
        Param("m_neighbors", Int(1, 1_000), 10, "borderline/svm SMOTE: neighbours that flag rows in danger."),
        Param("n_clusters", Int(1, 10_000), 8, "kmeans_smote: number of clusters."),
        Param(
            "cluster_balance_threshold",
            Optional(Float(0, 1)),
            None,
            "kmeans_smote: minority share a cluster needs (None: auto).",
        ),
        Param(
            "categorical",
            Optional(ListOf(_NAME, min_len=1, unique=True)),
            None,
            "Extra feature columns to treat as categories.",
        ),
        Param("mark_synthetic", Optional(_NAME), None, "Name of a bool column marking new rows."),
    )

    @classmethod
    def for_data(cls, data: pd.DataFrame, *, target: str | None = None) -> Balance | None:
        """Balances ``data`` by ``target``; None (no workbench tab) without a class column."""
        return None if target is None else cls(target=target)

    @classmethod
    def example(cls) -> Balance:
        """Wine cultivars with class 2 cut to 12 rows, balanced with SMOTE."""
        return cls(target="cultivar", mark_synthetic="synthetic").fit(wine_frame())

    # -- validation -------------------------------------------------------------------
    def _check_params(self) -> None:
        s = self.sampling_strategy
        if s == "majority" and self.method != "random_under":
            raise self.invalid("sampling_strategy", "must not be 'majority' for an over-sampling method", s)
        if s == "minority" and self.method == "random_under":
            raise self.invalid("sampling_strategy", "must not be 'minority' for random_under", s)
        if self.mark_synthetic is not None and self.mark_synthetic == self.target:
            raise self.invalid("mark_synthetic", "must differ from 'target'", self.mark_synthetic)
        if self.categorical is not None and self.target in self.categorical:
            raise self.invalid("categorical", "must not name the target column", list(self.categorical))

    # -- protocol ----------------------------------------------------------------------
    def _fit(self, data: pd.DataFrame) -> None:
        plan = self._plan(data)
        # Under copy-on-write a shallow copy is already safe from the caller's later edits.
        self.data_ = data.copy(deep=not _copy_on_write())
        self.classes_ = list(plan.classes)
        self.sampler_ = plan.call.name
        # Planning checks the whole frame; sample() reuses it while the parameters are unchanged.
        self._fitted_plan = (self._params_key(), plan)

    def _params_key(self) -> str:
        return json.dumps(self.params_to_json(), sort_keys=True)

    def _current_plan(self) -> _Plan:
        key, plan = getattr(self, "_fitted_plan", (None, None))
        return plan if key == self._params_key() else self._plan(self.data_)

    def _sample(self, n: int | None, seed: int) -> pd.DataFrame:
        data = self.data_
        plan = self._current_plan()
        if plan.picks_rows:
            rows = self._pick_rows(plan, seed)
            out = data.iloc[rows].reset_index(drop=True)
            if self.mark_synthetic is not None:
                out[self.mark_synthetic] = np.arange(len(out)) >= len(data)
            return out
        X, values = _features(data, plan)
        sampler = _seeded(plan.call, seed).build()
        X_res, y_res = self._resample(sampler, plan, X)
        real = data
        if plan.cleaner is not None:
            source = getattr(sampler, plan.cleaner).sample_indices_
            order = np.argsort(source, kind="stable")
            source = source[order]
            X_res, y_res = X_res[order], y_res[order]
            real = data.iloc[source[source < len(X)]]
        out = _decode(real, X_res, y_res, plan, values)
        if self.mark_synthetic is not None:
            out[self.mark_synthetic] = np.arange(len(out)) >= len(real)
        return out

    def _pick_rows(self, plan: _Plan, seed: int) -> np.ndarray:
        sampler = _seeded(plan.call, seed).build()
        self._resample(sampler, plan, np.arange(len(plan.y)).reshape(-1, 1))
        rows = sampler.sample_indices_
        return np.sort(rows) if plan.sort_rows else rows

    def _resample(self, sampler: Any, plan: _Plan, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        try:
            return sampler.fit_resample(X, plan.y)
        except (ValueError, RuntimeError) as exc:
            # Known causes are checked before; this explains whatever imbalanced-learn still refuses.
            raise DataError(
                f"{self.label}(method={self.method!r}): imbalanced-learn's {type(sampler).__name__} "
                f"could not resample this data: {exc}"
            ) from None

    # -- planning -----------------------------------------------------------------------
    def _plan(self, data: pd.DataFrame) -> _Plan:
        _check_frame(self, data, self.target)
        if self.mark_synthetic is not None and self.mark_synthetic in data.columns:
            raise self.invalid("mark_synthetic", "must not name an existing column", self.mark_synthetic)
        features = [c for c in data.columns if c != self.target]
        unknown = [c for c in self.categorical or () if c not in features]
        if unknown:
            raise self.invalid("categorical", f"must name feature columns; {unknown} are not", list(self.categorical))
        y, classes = _encode_target(data, self.target)
        if len(classes) < 2:
            raise DataError(
                f"The target column {self.target!r} has a single class ({short_repr(classes[0])}); "
                "balancing needs at least two."
            )
        plan = _Plan(target=self.target, y=y, classes=classes)
        if self.method in _PICKS_ROWS:
            plan.picks_rows = True
            plan.sort_rows = self.method == "random_under"
            kind = "under-sampling" if self.method == "random_under" else "over-sampling"
            strategy, _ = self._strategy(plan, kind)
            plan.call = _Call(METHODS[self.method], {"sampling_strategy": strategy})
            return plan
        plan.kinds = self._kinds(data, features)
        plan.categorical = [c for c in features if plan.kinds[c] == "category"]
        self._check_values(data, plan.kinds)
        strategy, grow = self._strategy(plan, "over-sampling")
        self._check_neighbours(plan, grow)
        plan.call, plan.cleaner = self._call(plan, features, strategy)
        return plan

    def _kinds(self, data: pd.DataFrame, features: list) -> dict[Any, str]:
        forced = set(self.categorical or ())
        if self.method == "smoten":
            return dict.fromkeys(features, "category")
        kinds = {c: "category" if c in forced else _kind(data[c]) for c in features}
        odd = [f"{c!r} ({data[c].dtype})" for c, k in kinds.items() if k is None]
        if odd:
            raise DataError(
                f"{self.label}(method={self.method!r}) cannot interpolate columns {', '.join(odd)}: "
                "use numbers, booleans, datetimes or categories, or method='random_over'/'random_under', "
                "which copy rows as they are."
            )
        cats = [c for c, k in kinds.items() if k == "category"]
        if cats and self.method not in _CATEGORY_AWARE:
            raise DataError(
                f"{self.label}(method={self.method!r}) interpolates numbers only, but columns {cats} are "
                "categorical. Use method='smote' (SMOTENC), 'smoten', 'random_over' or 'random_under', "
                "or one-hot encode them first."
            )
        if self.method == "smotenc" and (not cats or len(cats) == len(features)):
            raise DataError(
                f"{self.label}(method='smotenc') needs both categorical and numeric features; this data has "
                f"{len(cats)} categorical of {len(features)}. Use method='smote', which picks the right one."
            )
        return kinds

    def _check_values(self, data: pd.DataFrame, kinds: dict[Any, str]) -> None:
        # Column by column: selecting all features at once would copy the whole frame.
        missing = [c for c in kinds if data[c].isna().any()]
        if missing:
            raise DataError(
                f"{self.label}(method={self.method!r}) cannot interpolate missing values; columns {missing} "
                "have some. Fill or drop them first (df.dropna(), SimpleImputer), or use "
                "method='random_over'/'random_under', which copy rows as they are."
            )
        floats = [c for c, k in kinds.items() if k == "float" and pd.api.types.is_float_dtype(data[c].dtype)]
        inf = [c for c in floats if np.isinf(data[c].to_numpy(dtype="float64")).any()]
        if inf:
            raise DataError(f"{self.label} cannot interpolate infinite values; columns {inf} have some.")

    def _strategy(self, plan: _Plan, kind: str) -> tuple[Any, dict]:
        """``sampling_strategy`` with labels turned into codes, and imbalanced-learn's reading of it
        (class code -> rows to add when oversampling, rows to keep when undersampling)."""
        from imblearn.utils import check_sampling_strategy

        s = self.sampling_strategy
        counts = _class_counts(plan.y, len(plan.classes))
        labels = _labels(plan.classes)
        if isinstance(s, (int, float)) and not isinstance(s, bool) and len(labels) != 2:
            raise self.invalid(
                "sampling_strategy",
                f"must not be a float with {len(labels)} classes (a float needs two); use a dict of counts",
                s,
            )
        if isinstance(s, dict):
            unknown = [k for k in s if k not in labels]
            if unknown:
                raise self.invalid("sampling_strategy", f"must only name classes of the data {labels}", dict(s))
            for key, want in s.items():
                have = int(counts[labels.index(key)])
                if kind == "over-sampling" and want < have:
                    raise self.invalid(
                        "sampling_strategy",
                        f"must not ask for fewer rows than a class has when oversampling "
                        f"(class {key!r} has {have}; use method='random_under' to remove rows)",
                        dict(s),
                    )
                if kind == "under-sampling" and want > have:
                    raise self.invalid(
                        "sampling_strategy",
                        f"must not ask for more rows than a class has when undersampling (class {key!r} has {have})",
                        dict(s),
                    )
            s = {labels.index(k): int(v) for k, v in s.items()}
        try:
            resolved = check_sampling_strategy(s, plan.y, kind)
        except ValueError as exc:
            raise self.invalid("sampling_strategy", f"must fit this data ({exc})", self.sampling_strategy) from None
        return s, dict(resolved)

    def _check_neighbours(self, plan: _Plan, grow: dict) -> None:
        counts = _class_counts(plan.y, len(plan.classes))
        for code, extra in grow.items():
            have = int(counts[code])
            if extra > 0 and have <= self.k_neighbors:
                raise self.invalid(
                    "k_neighbors",
                    f"must be smaller than the rows of every class it oversamples: class "
                    f"{str(plan.classes[code])!r} has {have}, so at most {have - 1}",
                    self.k_neighbors,
                )
        if self.method in ("borderline_smote", "svm_smote") and len(plan.y) <= self.m_neighbors:
            raise self.invalid(
                "m_neighbors", f"must be smaller than the number of rows ({len(plan.y)})", self.m_neighbors
            )
        if self.method == "kmeans_smote" and len(plan.y) < self.n_clusters:
            raise self.invalid("n_clusters", f"must be at most the number of rows ({len(plan.y)})", self.n_clusters)

    def _call(self, plan: _Plan, features: list, strategy: Any) -> tuple[_Call, str | None]:
        method = self.method
        if method == "smote" and plan.categorical:
            method = "smoten" if len(plan.categorical) == len(features) else "smotenc"
        k = self.k_neighbors
        common = {"sampling_strategy": strategy}
        name = METHODS[method]
        if method == "smotenc":
            cat = [features.index(c) for c in plan.categorical]
            return _Call(name, {"categorical_features": cat, **common, "k_neighbors": k}), None
        if method in ("smote", "smoten"):
            return _Call(name, {**common, "k_neighbors": k}), None
        if method in ("borderline_smote", "svm_smote"):
            return _Call(name, {**common, "k_neighbors": k, "m_neighbors": self.m_neighbors}), None
        if method == "kmeans_smote":
            threshold = "auto" if self.cluster_balance_threshold is None else self.cluster_balance_threshold
            kw = {**common, "k_neighbors": k, "kmeans_estimator": self.n_clusters}
            return _Call(name, {**kw, "cluster_balance_threshold": threshold}), None
        if method == "adasyn":
            return _Call(name, {**common, "n_neighbors": k}), None
        smote = _Call("SMOTE", {**common, "k_neighbors": k})
        key, cleaner = ("smote", "tomek_") if method == "smote_tomek" else ("smote", "enn_")
        return _Call(name, {key: smote}), cleaner

    # -- code export ---------------------------------------------------------------------
    def _to_code(self, n: int | None, seed: int, *, data: str = "df_real") -> str:
        plan = self._current_plan()
        call = _seeded(plan.call, seed)
        cell = CodeCell(
            f"{type(self).__name__}: {call.name} over `{data}`, seed {seed}. Rebuilds the balanced frame as `df`."
        )
        cell.need("import pandas as pd", *call.imports())
        t = literal(self.target)
        legend = ""
        if len(plan.classes) <= 10:
            legend = ":\n" + ", ".join(f"{code} = {str(label)!r}" for code, label in enumerate(plan.classes))
        cell.block(
            f"The classes as integer codes for imbalanced-learn (classes[code] is the label){legend}.",
            f"y, classes = pd.factorize({data}[{t}], sort=True)",
        )
        mark = self.mark_synthetic
        if plan.picks_rows:
            cell.need("import numpy as np")
            rows = "np.sort(sampler.sample_indices_)" if plan.sort_rows else "sampler.sample_indices_"
            cell.block(
                f"{call.name} only picks rows: give it the row numbers, then take those rows\n"
                "from the frame as they are (every dtype and missing value kept).",
                f"rows = np.arange(len({data})).reshape(-1, 1)",
                _assign("sampler", call),
                "sampler.fit_resample(rows, y)",
                f"df = {data}.iloc[{rows}].reset_index(drop=True)",
            )
            if mark is not None:
                cell.block(None, f"df[{literal(mark)}] = np.arange(len(df)) >= len({data})")
            return cell.render()

        cell.block(*_encode_code(plan, data))
        cell.block(None, _assign("sampler", call), "X_res, y_res = sampler.fit_resample(X, y)")
        real = data
        if plan.cleaner is not None:
            cell.need("import numpy as np")
            cleaner = f"sampler.{plan.cleaner}"
            cell.block(
                "The cleaning step drops rows of SMOTE's output; sample_indices_ says which it kept:\n"
                "below len(X) a real row, from len(X) on a new one. Put the real rows first, in order.",
                f'order = np.argsort({cleaner}.sample_indices_, kind="stable")',
                f"source = {cleaner}.sample_indices_[order]",
                "X_res, y_res = X_res[order], y_res[order]",
                "kept = source[source < len(X)]",
            )
            real = f"{data}.iloc[kept]"
        cell.block(*_decode_code(plan, data, real))
        if mark is not None:
            cell.need("import numpy as np")
            n_real = "n_real"
            cell.block(None, f"df[{literal(mark)}] = np.arange(len(df)) >= {n_real}")
        return cell.render()


def _seeded(call: _Call, seed: int) -> _Call:
    """``call`` with ``random_state=seed`` on it and on any sampler inside it."""
    kwargs = {k: _seeded(v, seed) if isinstance(v, _Call) else v for k, v in call.kwargs.items()}
    return _Call(call.name, {**kwargs, "random_state": seed})


def _assign(target: str, call: _Call) -> list[str]:
    items = [f"{k}={v.source() if isinstance(v, _Call) else literal(v)}" for k, v in call.kwargs.items()]
    return wrap(f"{target} = {call.name}(", items, ")")


# -- the DataFrame <-> matrix round trip (mirrored line by line in the exported code) --------
def _features(data: pd.DataFrame, plan: _Plan) -> tuple[np.ndarray, dict[Any, pd.Index]]:
    X = data.drop(columns=plan.target)
    for col, kind in plan.kinds.items():
        if kind in ("datetime", "timedelta"):
            X[col] = X[col].astype("int64")
    values: dict[Any, pd.Index] = {}
    for col in plan.categorical:
        X[col], values[col] = pd.factorize(X[col])
    return X.to_numpy(dtype="float64"), values


def _decode(
    real: pd.DataFrame, X_res: np.ndarray, y_res: np.ndarray, plan: _Plan, values: dict[Any, pd.Index]
) -> pd.DataFrame:
    n_real = len(real)
    columns = real.columns
    # X_res is ours alone, so the new rows may share its memory.
    new = pd.DataFrame(X_res[n_real:], columns=columns.drop(plan.target), copy=False)
    whole = _whole(plan)
    if whole:
        new[whole] = new[whole].round()
    for col in _clock(plan):
        new[col] = new[col].astype("int64")
    for col in plan.categorical:
        new[col] = values[col].take(new[col].astype("int64"))
    new[plan.target] = plan.classes.take(y_res[n_real:])
    new = new[columns].astype(real.dtypes)
    return pd.concat([real, new], ignore_index=True)


def _whole(plan: _Plan) -> list:
    return [c for c, k in plan.kinds.items() if k in _WHOLE]


def _clock(plan: _Plan) -> list:
    return [c for c, k in plan.kinds.items() if k in ("datetime", "timedelta")]


def _for_each(columns: list, body: str) -> list[str]:
    """``for col in [...]:`` over ``columns`` with a one-line body, wrapped when long."""
    return [*wrap("for col in [", [literal(c) for c in columns], "]:"), f"    {body}"]


def _encode_code(plan: _Plan, data: str) -> tuple[str, list[str]]:
    lines = [f"X = {data}.drop(columns={literal(plan.target)})"]
    clock = _clock(plan)
    if clock:
        lines += _for_each(clock, 'X[col] = X[col].astype("int64")')
    if plan.categorical:
        lines += ["values = {}", *_for_each(plan.categorical, "X[col], values[col] = pd.factorize(X[col])")]
    lines.append('X = X.to_numpy(dtype="float64")')
    notes = []
    if any(k in ("int", "bool") for k in plan.kinds.values()):
        notes.append("ints and booleans are numbers already")
    if clock:
        notes.append("datetimes become int64 counts of their unit")
    if plan.categorical:
        notes.append("categories become integer codes")
    text = "The features as one float matrix" + (f" ({', '.join(notes)})." if notes else ".")
    return "\n".join(textwrap.wrap(text, 86)), lines


def _decode_code(plan: _Plan, data: str, real: str) -> tuple[str, list[str]]:
    t = literal(plan.target)
    lines = []
    if real != data:
        lines.append(f"real_rows = {real}")
        real = "real_rows"
    lines += [
        f"n_real = len({real})",
        f"new = pd.DataFrame(X_res[n_real:], columns={data}.columns.drop({t}))",
    ]
    whole = _whole(plan)
    if whole:
        lines += [*wrap("whole = [", [literal(c) for c in whole], "]"), "new[whole] = new[whole].round()"]
    clock = _clock(plan)
    if clock:
        lines += _for_each(clock, 'new[col] = new[col].astype("int64")')
    if plan.categorical:
        lines += _for_each(plan.categorical, 'new[col] = values[col].take(new[col].astype("int64"))')
    lines += [
        f"new[{t}] = classes.take(y_res[n_real:])",
        f"new = new[{data}.columns].astype({data}.dtypes)",
        f"df = pd.concat([{real}, new], ignore_index=True)",
    ]
    comment = (
        "The kept real rows come first, then the new ones. Keep the real rows as they\n"
        "are; give the new ones the real columns' dtypes"
    )
    if whole:
        comment += " (interpolated ints, booleans\nand datetimes are rounded first)"
    if plan.categorical:
        comment += "; codes become categories again"
    return comment + ".", lines


def wine_frame() -> pd.DataFrame:
    """scikit-learn's wine data with class 2 cut to its first 12 rows (59 / 71 / 12).

    ``magnesium`` and ``proline`` are whole numbers, stored as int64; the class label
    is a string column ``cultivar``.
    """
    from sklearn.datasets import load_wine

    bunch = load_wine(as_frame=True)
    df = bunch.frame.astype({"magnesium": "int64", "proline": "int64"})
    labels = np.asarray(bunch.target_names)[bunch.target.to_numpy()]
    df = df.drop(columns="target")
    df["cultivar"] = labels
    keep = (df["cultivar"] != "class_2").to_numpy() | (np.arange(len(df)) < 130 + 12)
    return df[keep].reset_index(drop=True)


@register
class Imbalance(Generator):
    """Make a dataset imbalanced on purpose (imbalanced-learn's ``make_imbalance``).

    For teaching: start from a balanced dataset, keep only a share of some classes,
    and watch a classifier's recall on them drop.

    Parameters
    ----------
    target : str, default "target"
        The class label column.
    ratios : dict
        Class label (as a str, e.g. ``"1"``) -> share of that class's rows to keep, in
        (0, 1]. The kept count is rounded, and at least one row. Classes not named keep
        all their rows.

    Rows are only picked, never changed: every dtype (and any missing value) is kept.
    The kept rows stay in their original order; the index is a fresh ``RangeIndex``.

    Examples
    --------
    >>> import synthbench as sb
    >>> from sklearn.datasets import load_iris
    >>> iris = load_iris(as_frame=True).frame
    >>> gen = sb.Imbalance(ratios={"2": 0.1}).fit(iris)
    >>> gen.sample(seed=0)["target"].value_counts().sort_index().tolist()
    [50, 50, 5]
    """

    family: ClassVar[str] = "balancing"
    learns: ClassVar[bool] = True
    size_from_data: ClassVar[bool] = True
    panel: ClassVar[str] = "BalancePanel"
    params = (
        Param("target", _NAME, "target", "The class label column."),
        Param(
            "ratios",
            _ClassMap(Float(0, 1, closed="right"), min_len=1),
            {},
            "Class label -> share of its rows to keep.",
        ),
    )

    @classmethod
    def example(cls) -> Imbalance:
        """Iris with 20% of versicolor (class 1) and 10% of virginica (class 2) kept."""
        from sklearn.datasets import load_iris

        return cls(ratios={"1": 0.2, "2": 0.1}).fit(load_iris(as_frame=True).frame)

    def _fit(self, data: pd.DataFrame) -> None:
        _, classes, _ = self._plan(data)
        self.data_ = data.copy()
        self.classes_ = list(classes)

    def _plan(self, data: pd.DataFrame) -> tuple[np.ndarray, pd.Index, dict[int, int]]:
        _check_frame(self, data, self.target)
        y, classes = _encode_target(data, self.target)
        labels = _labels(classes)
        unknown = [k for k in self.ratios if k not in labels]
        if unknown:
            raise self.invalid("ratios", f"must only name classes of the data {labels}", dict(self.ratios))
        counts = _class_counts(y, len(classes))
        keep = {}
        for code, label in enumerate(labels):
            have = int(counts[code])
            share = self.ratios.get(label, 1.0)
            keep[code] = have if share == 1 else max(1, int(share * have + 0.5))
        return y, classes, keep

    def _sample(self, n: int | None, seed: int) -> pd.DataFrame:
        from imblearn.datasets import make_imbalance

        y, _, keep = self._plan(self.data_)
        rows, _ = make_imbalance(np.arange(len(y)).reshape(-1, 1), y, sampling_strategy=keep, random_state=seed)
        return self.data_.iloc[np.sort(rows[:, 0])].reset_index(drop=True)

    def _to_code(self, n: int | None, seed: int, *, data: str = "df_real") -> str:
        _, classes, keep = self._plan(self.data_)
        cell = CodeCell(f"Imbalance: make_imbalance over `{data}`, seed {seed}. Rebuilds the frame as `df`.")
        cell.need("import numpy as np", "import pandas as pd", "from imblearn.datasets import make_imbalance")
        legend = ", ".join(f"{code}: {str(label)!r}" for code, label in enumerate(classes))
        cell.block(
            f"The classes as integer codes ({legend}),\nand how many rows of each to keep.",
            f"y, classes = pd.factorize({data}[{literal(self.target)}], sort=True)",
            f"keep = {literal(keep)}",
        )
        cell.block(
            "make_imbalance only picks rows: give it the row numbers, then take those rows\n"
            "from the frame as they are, in their original order.",
            f"rows = np.arange(len({data})).reshape(-1, 1)",
            f"rows, _ = make_imbalance(rows, y, sampling_strategy=keep, random_state={seed})",
            f"df = {data}.iloc[np.sort(rows[:, 0])].reset_index(drop=True)",
        )
        return cell.render()
