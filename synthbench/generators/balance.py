"""Class balancing: oversample or undersample an imbalanced DataFrame with imbalanced-learn.

These generators transform the user's own frame (``size_from_data``): ``fit(df)``
keeps it, ``sample(seed=...)`` returns the resampled frame, and ``to_code`` writes
the same steps over a variable holding that frame. Both run one plan of calls to the
kernels of :mod:`synthbench.kernels.balance` (encode the features, run the
imbalanced-learn sampler, rebuild the frame), so the exported cell cannot differ.

DataFrame in, DataFrame out:

* **The frame** is read by :mod:`synthbench.table`: distinct, non-empty str column
  names; the target column holds labels of one type (no lists, no ``1`` next to
  ``"1"``), without missing values, and at least two classes.
* **Columns** keep their order, names and dtypes. The target column becomes integer
  codes for imbalanced-learn (``pd.factorize(..., sort=True)``) and its labels come back.
* **Rows**: the rows kept from the data come first, exactly as they were and in their
  original order; new rows (interpolated, or extra copies for ``random_over``) follow.
  The index is a fresh ``RangeIndex``, as in imbalanced-learn's own DataFrame output.
  ``mark_synthetic="name"`` adds a bool column that is True on the new rows.
* **Interpolating methods** (all but ``random_over``/``random_under``) see one float
  matrix: floats as they are; ints, booleans (0/1) and datetimes/timedeltas (int64
  counts of their unit) are interpolated, then rounded back within the column's range
  (so a new boolean takes the value of its nearer parent). Categorical columns
  (category, string, or object columns of str/int/float values, or named in
  ``categorical``) become integer codes: SMOTENC and SMOTEN pick their values from
  neighbours; the other interpolating methods refuse them. Columns synthbench cannot
  read (lists, dicts, mixed types, complex, periods), missing or infinite values and
  ints beyond 2**53 are refused, naming the columns.
* **random_over / random_under** only pick rows: every dtype, and missing values, pass
  through untouched.
* **Size**: the rows a ``sampling_strategy`` asks for are counted before anything is
  allocated; a result estimated over the memory limit (``synthbench.set_config(max_bytes=...)``)
  is refused, and so is
  ``svm_smote`` on more than :data:`SVM_MAX_ROWS` rows (its time grows with their square)
  and ``kmeans_smote`` with rows x ``n_clusters`` above :data:`KMEANS_MAX_WORK`.

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

import json
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..base import Generator, check_memory
from ..codegen import CodeCell, Plan, Ref
from ..exceptions import DataError
from ..kernels import balance as K
from ..params import AnyOf, Float, Int, ListOf, MapOf, Optional, Options, Param, Str, short_repr
from ..registry import register
from ..table import check_frame, column_kind, column_kinds, refuse_infinite, refuse_missing

__all__ = ["KMEANS_MAX_WORK", "METHODS", "SVM_MAX_ROWS", "Balance", "Imbalance"]

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
#: Most rows svm_smote takes (its SVM's time grows with the square of the rows).
SVM_MAX_ROWS = 30_000
#: Most rows x clusters kmeans_smote takes (k-means' time grows with both).
KMEANS_MAX_WORK = 200_000_000
_PICKS_ROWS = ("random_over", "random_under")
_CATEGORY_AWARE = ("smote", "smotenc", "smoten")
_STRATEGIES = ("auto", "minority", "majority", "not minority", "not majority", "all")
_NAME = Str(pattern=r"[^\n\r]+", max_len=200, what="a non-empty single-line str")
_WHOLE = ("integer", "boolean", "datetime", "timedelta")
_CLOCK = ("datetime", "timedelta")
_COPY_ROWS = ", or use method='random_over'/'random_under', which copy rows as they are"


class _ClassMap(MapOf):
    """A dict keyed by class label; JSON keys are strings, so labels are matched as str."""

    def describe(self) -> str:
        return f"a dict from class label (as a str, e.g. '1') to {self.value.describe()}"


def _copy_on_write() -> bool:
    return int(pd.__version__.split(".")[0]) >= 3 or pd.options.mode.copy_on_write is True


@dataclass
class _Setup:
    """What one resampling needs, worked out from the data and the parameters (no data copied)."""

    y: np.ndarray
    classes: pd.Index
    sampler: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    kinds: dict[Any, str] = field(default_factory=dict)
    categorical: list = field(default_factory=list)
    picks_rows: bool = False
    rows_out: int = 0
    bytes_out: int = 0


def _read_target(gen: Generator, data: Any, target: Any) -> tuple[np.ndarray, pd.Index]:
    """Check the frame and its target column; the class codes and sorted labels."""
    what = f"The data of {type(gen).__name__}.fit"
    check_frame(data, what)
    if target not in data.columns:
        raise gen.invalid("target", f"must name a column of the data ({short_repr(list(data.columns))})", target)
    if data.shape[1] < 2:
        raise DataError(f"{what} needs at least one feature column besides {target!r}.")
    column_kind(data[target], what)
    missing = int(data[target].isna().sum())
    if missing:
        raise DataError(
            f"The target column {target!r} has {missing} missing value(s); drop those rows first "
            f"(df.dropna(subset=[{target!r}]))."
        )
    y = K.class_codes(data, target)
    classes = pd.Index(pd.factorize(data[target], sort=True)[1])
    labels = _labels(classes)
    if len(set(labels)) < len(labels):
        raise DataError(f"The target column {target!r} has distinct labels that read the same as text: {labels}.")
    return y, classes


def _labels(classes: pd.Index) -> list[str]:
    return [str(c) for c in classes]


def _class_counts(y: np.ndarray, n_classes: int) -> np.ndarray:
    return np.bincount(y, minlength=n_classes)


def _beyond_float(series: pd.Series) -> bool:
    """Whether an integer column holds values float64 cannot represent exactly (|x| > 2**53)."""
    values = series.to_numpy()
    limit = 2**53
    if values.dtype.kind == "u":
        return bool((values > np.uint64(limit)).any())
    return bool(((values > limit) | (values < -limit)).any())


def _count_words(counts: Any) -> str:
    return ", ".join(str(int(c)) for c in counts)


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
    except for svm_smote, which also extrapolates away from the majority class (new
    ints, booleans and datetimes are kept within the column's range). Interpolation is
    in float64, so int columns must hold values within +-2**53 (or be named in
    ``categorical``); kept rows are never touched.
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

    A sampling strategy that would make a frame larger than the memory limit
    (:class:`~synthbench.exceptions.ResourceLimitError`) is refused before anything is allocated.
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
        setup = self._setup(data)
        # Under copy-on-write a shallow copy is already safe from the caller's later edits.
        self.data_ = data.copy(deep=not _copy_on_write())
        self.classes_ = list(setup.classes)
        self.sampler_ = setup.sampler
        # Reading the frame checks all of it; sample() reuses that while the parameters are unchanged.
        self._fitted_setup = (self._params_key(), setup)

    def _params_key(self) -> str:
        return json.dumps(self.params_to_json(), sort_keys=True)

    def _current_setup(self) -> _Setup:
        key, setup = getattr(self, "_fitted_setup", (None, None))
        return setup if key == self._params_key() else self._setup(self.data_)

    def _estimate_bytes(self, n: int | None) -> int:
        """Peak memory of one ``sample`` (estimated from the class counts it makes)."""
        return self._current_setup().bytes_out if self.is_fitted else 0

    def _sample(self, n: int | None, seed: int) -> pd.DataFrame:
        setup = self._current_setup()
        plan = self._plan(setup, seed, Ref("df_real"))
        try:
            return plan.run(df_real=self.data_)["df"]
        except (ValueError, RuntimeError) as exc:
            # Known causes are checked before; this explains whatever imbalanced-learn still refuses.
            raise DataError(
                f"{self.label}(method={self.method!r}): imbalanced-learn's {setup.sampler} "
                f"could not resample this data: {exc}"
            ) from None

    def _to_code(self, n: int | None, seed: int, *, data: str = "df_real") -> str:
        setup = self._current_setup()
        cell = CodeCell(
            f"{type(self).__name__}: {setup.sampler} over `{data}`, seed {seed}. Rebuilds the balanced frame as `df`."
        )
        cell.need("import numpy as np", "import pandas as pd")
        return cell.plan(self._plan(setup, seed, Ref(data))).render()

    # -- the plan: kernel calls with literal arguments -------------------------------------
    def _plan(self, setup: _Setup, seed: int, data: Ref) -> Plan:
        plan = Plan()
        counts = _count_words(_class_counts(setup.y, len(setup.classes)))
        y = plan.call(
            "y",
            K.class_codes,
            data,
            self.target,
            comment=f"The {len(setup.classes)} classes (rows per class: {counts}) as integer codes.",
        )
        if setup.picks_rows:
            rows = plan.call(
                "rows",
                K.pick_rows,
                y,
                setup.sampler,
                setup.params,
                seed=seed,
                sort=self.method == "random_under",
                comment=f"{setup.sampler} only picks rows: every dtype and missing value is kept.",
            )
            plan.call("df", K.take_rows, data, rows, mark=self.mark_synthetic)
            return plan
        clock = [c for c, k in setup.kinds.items() if k in _CLOCK]
        whole = [c for c, k in setup.kinds.items() if k in _WHOLE]
        X = plan.call(
            "X",
            K.encode_features,
            data,
            self.target,
            clock=clock,
            categorical=setup.categorical,
            comment=f"The {len(setup.kinds)} features as one float matrix.",
        )
        resampled = plan.call(
            "resampled",
            K.resample,
            X,
            y,
            setup.sampler,
            setup.params,
            seed=seed,
            comment=f"{setup.sampler} makes the new rows.",
        )
        plan.call(
            "df",
            K.rebuild,
            data,
            resampled,
            self.target,
            whole=whole,
            clock=clock,
            categorical=setup.categorical,
            mark=self.mark_synthetic,
            comment="The kept real rows as they are, then the new rows in the real dtypes.",
        )
        return plan

    # -- reading the data and the parameters ----------------------------------------------
    def _setup(self, data: pd.DataFrame) -> _Setup:
        y, classes = _read_target(self, data, self.target)
        if self.mark_synthetic is not None and self.mark_synthetic in data.columns:
            raise self.invalid("mark_synthetic", "must not name an existing column", self.mark_synthetic)
        features = [c for c in data.columns if c != self.target]
        unknown = [c for c in self.categorical or () if c not in features]
        if unknown:
            raise self.invalid("categorical", f"must name feature columns; {unknown} are not", list(self.categorical))
        if len(classes) < 2:
            raise DataError(
                f"The target column {self.target!r} has a single class ({short_repr(_labels(classes)[0])}); "
                "balancing needs at least two."
            )
        setup = _Setup(y=y, classes=classes)
        if self.method in _PICKS_ROWS:
            setup.picks_rows = True
            kind = "under-sampling" if self.method == "random_under" else "over-sampling"
            strategy, want = self._strategy(setup, kind)
            setup.sampler, setup.params = METHODS[self.method], {"sampling_strategy": strategy}
            self._check_result_memory(setup, data, want, kind, width=0)
            return setup
        setup.kinds = self._kinds(data, features)
        setup.categorical = [c for c in features if setup.kinds[c] == "category"]
        what = f"{self.label}(method={self.method!r}) cannot interpolate missing values"
        refuse_missing(data, features, what, hint=f"; fill or drop them first (df.dropna(), SimpleImputer){_COPY_ROWS}")
        refuse_infinite(data, setup.kinds, f"{self.label} cannot interpolate infinite values")
        self._check_exact(data, setup.kinds)
        strategy, want = self._strategy(setup, "over-sampling")
        self._check_neighbours(setup, want)
        self._check_result_memory(setup, data, want, "over-sampling", width=len(features))
        setup.sampler, setup.params = self._sampler(setup, features, strategy)
        return setup

    def _kinds(self, data: pd.DataFrame, features: list) -> dict[Any, str]:
        # Every column must be readable, even one SMOTEN or `categorical` treats as a category.
        what = f"{self.label}(method={self.method!r})"
        kinds = column_kinds(data, what, columns=features, hint=_COPY_ROWS)
        forced = set(self.categorical or ())
        if self.method == "smoten":
            return dict.fromkeys(features, "category")
        kinds = {c: "category" if c in forced or k == "categorical" else k for c, k in kinds.items()}
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

    def _check_exact(self, data: pd.DataFrame, kinds: dict[Any, str]) -> None:
        """Refuse ints that float64 cannot hold exactly (they would come back wrong, even wrapped)."""
        big = [c for c, k in kinds.items() if k == "integer" and _beyond_float(data[c])]
        if big:
            raise DataError(
                f"{self.label}(method={self.method!r}) interpolates in float64, which holds integers exactly "
                f"only up to 2**53; columns {short_repr(big)} hold larger ones. Treat them as categories "
                f"(categorical={short_repr(big)}), convert them to float, or drop them first{_COPY_ROWS}."
            )

    def _strategy(self, setup: _Setup, kind: str) -> tuple[Any, dict]:
        """``sampling_strategy`` with labels turned into codes, and imbalanced-learn's reading of it
        (class code -> rows to add when oversampling, rows to keep when undersampling)."""
        from imblearn.utils import check_sampling_strategy

        s = self.sampling_strategy
        counts = _class_counts(setup.y, len(setup.classes))
        labels = _labels(setup.classes)
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
            resolved = check_sampling_strategy(s, setup.y, kind)
        except ValueError as exc:
            raise self.invalid("sampling_strategy", f"must fit this data ({exc})", self.sampling_strategy) from None
        return s, {int(k): int(v) for k, v in resolved.items()}

    def _check_result_memory(self, setup: _Setup, data: pd.DataFrame, want: dict, kind: str, width: int) -> None:
        """Refuse, before anything is allocated, a result over the memory limit (base.check_memory)."""
        counts = _class_counts(setup.y, len(setup.classes))
        if kind == "under-sampling":
            rows = sum(want.get(c, int(n)) for c, n in enumerate(counts))
        else:
            rows = int(counts.sum()) + sum(want.values())
        row_bytes = int(data.memory_usage(index=False, deep=False).sum()) / max(len(data), 1)
        # The float matrix in and out, the new rows' frame, and the concatenated result.
        setup.rows_out = rows
        setup.bytes_out = int(rows * (row_bytes * 2 + 8 * width * 3))
        check_memory(
            setup.bytes_out,
            f"The 'sampling_strategy' parameter of {type(self).__name__} ({rows:,} rows)",
            "Ask for fewer rows, or balance a sample of the data. ",
        )

    def _check_neighbours(self, setup: _Setup, grow: dict) -> None:
        counts = _class_counts(setup.y, len(setup.classes))
        for code, extra in grow.items():
            have = int(counts[code])
            if extra > 0 and have <= self.k_neighbors:
                raise self.invalid(
                    "k_neighbors",
                    f"must be smaller than the rows of every class it oversamples: class "
                    f"{str(setup.classes[code])!r} has {have}, so at most {have - 1}",
                    self.k_neighbors,
                )
        if self.method in ("borderline_smote", "svm_smote") and len(setup.y) <= self.m_neighbors:
            raise self.invalid(
                "m_neighbors", f"must be smaller than the number of rows ({len(setup.y)})", self.m_neighbors
            )
        if self.method == "svm_smote" and len(setup.y) > SVM_MAX_ROWS:
            raise DataError(
                f"{self.label}(method='svm_smote') fits a support vector machine to every row, which takes time "
                f"growing with the square of the rows (about 25 s for 20,000); this data has {len(setup.y):,} rows, "
                f"more than the limit of {SVM_MAX_ROWS:,}. Use method='borderline_smote' (the same idea with "
                "neighbours instead of an SVM) or balance a sample of the data."
            )
        if self.method == "kmeans_smote" and len(setup.y) * self.n_clusters > KMEANS_MAX_WORK:
            raise self.invalid(
                "n_clusters",
                f"must keep rows x clusters within {KMEANS_MAX_WORK:,} (k-means time grows with both); "
                f"this data has {len(setup.y):,} rows, so at most {KMEANS_MAX_WORK // len(setup.y):,}",
                self.n_clusters,
            )
        if self.method == "kmeans_smote" and len(setup.y) < self.n_clusters:
            raise self.invalid("n_clusters", f"must be at most the number of rows ({len(setup.y)})", self.n_clusters)

    def _sampler(self, setup: _Setup, features: list, strategy: Any) -> tuple[str, dict[str, Any]]:
        """The imbalanced-learn sampler's name and its arguments (all but ``random_state``)."""
        method = self.method
        if method == "smote" and setup.categorical:
            method = "smoten" if len(setup.categorical) == len(features) else "smotenc"
        k = self.k_neighbors
        common = {"sampling_strategy": strategy}
        name = METHODS[method]
        if method == "smotenc":
            cat = [features.index(c) for c in setup.categorical]
            return name, {"categorical_features": cat, **common, "k_neighbors": k}
        if method in ("smote", "smoten"):
            return name, {**common, "k_neighbors": k}
        if method in ("borderline_smote", "svm_smote"):
            return name, {**common, "k_neighbors": k, "m_neighbors": self.m_neighbors}
        if method == "kmeans_smote":
            threshold = "auto" if self.cluster_balance_threshold is None else self.cluster_balance_threshold
            kw = {**common, "k_neighbors": k, "kmeans_estimator": self.n_clusters}
            return name, {**kw, "cluster_balance_threshold": threshold}
        if method == "adasyn":
            return name, {**common, "n_neighbors": k}
        return name, {"smote": {**common, "k_neighbors": k}}


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
        _, classes, _ = self._setup(data)
        self.data_ = data.copy(deep=not _copy_on_write())
        self.classes_ = list(classes)

    def _setup(self, data: pd.DataFrame) -> tuple[np.ndarray, pd.Index, dict[int, int]]:
        y, classes = _read_target(self, data, self.target)
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

    def _estimate_bytes(self, n: int | None) -> int:
        """Peak memory of one ``sample``: at most the frame itself (rows are only dropped)."""
        return int(self.data_.memory_usage(index=False, deep=False).sum()) if self.is_fitted else 0

    def _plan(self, seed: int, data: Ref) -> Plan:
        _, classes, keep = self._setup(self.data_)
        plan = Plan()
        y = plan.call("y", K.class_codes, data, self.target, comment=f"The {len(classes)} classes as integer codes.")
        rows = plan.call(
            "rows",
            K.imbalance_rows,
            y,
            keep,
            seed=seed,
            comment="make_imbalance keeps this many rows of each class (by code), in their order.",
        )
        plan.call("df", K.take_rows, data, rows)
        return plan

    def _sample(self, n: int | None, seed: int) -> pd.DataFrame:
        return self._plan(seed, Ref("df_real")).run(df_real=self.data_)["df"]

    def _to_code(self, n: int | None, seed: int, *, data: str = "df_real") -> str:
        cell = CodeCell(f"Imbalance: make_imbalance over `{data}`, seed {seed}. Rebuilds the frame as `df`.")
        cell.need("import numpy as np", "import pandas as pd")
        return cell.plan(self._plan(seed, Ref(data))).render()
