"""A panel's model: the generator, the real data, the current sample and its results.

Plain Python with no widget in it (anywidget's split: the model holds state and does
the work, the view in :mod:`synthbench.widgets.panel` only renders it), so it is tested
without a browser or a kernel.

What is computed from the real data is computed once: fitted states are kept per
fitting parameters (a seed or row change never refits), and the quality report reads
the real side through one :class:`~synthbench.evaluate.RealProfile`. The score and the
chart data read at most ``score_rows`` rows of the sample (said on screen), and the
exported code is written only when asked for.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import keyword
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from ..base import Generator, check_n, check_seed
from ..exceptions import DataError, InvalidParameterError, SynthbenchError
from ..registry import get_generator

__all__ = ["FIT_CACHE", "PREVIEW_ROWS", "SCORE_ROWS", "PanelModel"]

#: Fitted states a panel keeps, by fitting parameters (toggling back does not refit).
FIT_CACHE = 4
#: Rows of the sample that the quality score and the charts read (the first ones).
SCORE_ROWS = 20_000
#: Largest preview a panel samples unless ``allow_large`` says otherwise.
PREVIEW_ROWS = 1_000_000
#: The data variable of exported code when the panel cannot tell the user's name for it.
DEFAULT_DATA_NAME = "df_real"


def check_data_name(name: Any) -> str:
    """``name`` if it can be a Python variable, else :class:`InvalidParameterError`."""
    if not (isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)):
        raise InvalidParameterError(
            f"The 'data_name' parameter of Panel must be a Python variable name. Got {name!r} instead."
        )
    return name


def as_generator(generator: Any) -> Generator:
    """A generator instance from an instance, a generator class or a registered name."""
    if isinstance(generator, Generator):
        return generator
    if isinstance(generator, type) and issubclass(generator, Generator):
        return generator.example()
    if isinstance(generator, str):
        return get_generator(generator).example()
    raise InvalidParameterError(
        f"The 'generator' parameter must be a Generator, a generator class or a registered name. "
        f"Got {type(generator).__name__} instead."
    )


class PanelModel:
    """The state and the work of one panel, without widgets.

    Parameters
    ----------
    generator : Generator, generator class or registered name
        What to drive. A class or a name starts from its ``example()``.
    data : DataFrame, optional
        The real frame: generators that learn are fitted on it, and the sample is
        compared with it. Without it the sample is described alone.
    data_name : str, optional
        The notebook variable holding ``data``, which exported code of generators that
        read the data (balancing) reads.
    n, seed : int
        Rows and seed of the preview sample (and of the exported code).
    score_rows : int
        Rows of the sample the quality score and the chart data read.
    allow_large : bool
        Allow previews of more than :data:`PREVIEW_ROWS` rows.

    Examples
    --------
    >>> import synthbench as sb
    >>> model = PanelModel(sb.Moons(noise=0.1), n=200, seed=1)
    >>> model.update()
    True
    >>> model.set(noise=-1), model.generator.noise, len(model.frame)
    (False, 0.1, 200)
    >>> model.error
    "The 'noise' parameter of Moons must be None or a finite float >= 0. Got -1 instead."
    """

    def __init__(
        self,
        generator: Any,
        data: pd.DataFrame | None = None,
        *,
        data_name: str | None = None,
        n: int = 1000,
        seed: int = 0,
        score_rows: int = SCORE_ROWS,
        allow_large: bool = False,
    ) -> None:
        self.generator = as_generator(generator)
        if data is None and self.generator.size_from_data:
            # A balancing generator fitted before: its own frame is the data.
            data = vars(self.generator).get("data_")
        if data is not None and not isinstance(data, pd.DataFrame):
            raise DataError(f"The 'data' argument must be a pandas DataFrame. Got {type(data).__name__} instead.")
        self.data = data
        #: The variable the exported code reads the data from; None when unknown.
        self.data_name = None if data_name is None else check_data_name(data_name)
        self.allow_large = bool(allow_large)
        self.n = self._check_rows(n)
        self.seed = check_seed(seed, owner="Panel", allow_none=False)
        self.score_rows = check_n(score_rows, owner="Panel", low=2)
        self.frame: pd.DataFrame | None = None
        self.report: Any = None
        #: Binned tables for the charts (``Report.chart_data``'s layout).
        self.chart_data: dict[str, Any] = {}
        self.error = ""
        self.version = 0
        self.seconds = 0.0
        self.fit_seconds = 0.0
        self._good: dict[str, Any] | None = None
        # Fitted state per fitting-parameter key, least recent first (see ``_fit``).
        self._fits: dict[str, dict[str, Any]] = {}
        self._reference: pd.DataFrame | None = None  # see compare_with
        self._profile: Any = None  # the RealProfile of ``reference``, made at the first score
        self._real_cut: tuple[tuple, Any] | None = None
        self._code: tuple[tuple, str] | None = None

    # -- inputs --------------------------------------------------------------------------
    def set_data(self, data: pd.DataFrame, *, data_name: str | None = None) -> bool:
        """Use a new real frame (e.g. one just drawn): refit, re-sample and score against it."""
        if not isinstance(data, pd.DataFrame):
            raise DataError(f"The 'data' argument must be a pandas DataFrame. Got {type(data).__name__} instead.")
        self.data = data
        self.data_name = None if data_name is None else check_data_name(data_name)
        self._profile = None
        self._real_cut = None
        self._fits.clear()
        self._code = None
        return self.update()

    def compare_with(self, reference: pd.DataFrame | None) -> None:
        """Score and chart the sample against ``reference`` instead of the data.

        For panels whose sample is one of several frames (one table of related tables):
        the data stays what the generator is fitted on. ``None`` goes back to the data.
        """
        if reference is not self._reference:
            self._reference = reference
            self._profile = None
            self._real_cut = None

    @property
    def reference(self) -> pd.DataFrame | None:
        """The real frame the sample is scored and charted against (the data by default)."""
        return self.data if self._reference is None else self._reference

    @property
    def labels(self) -> tuple[str, ...]:
        """Legend names: ("real", "synthetic"), or ("synthetic",) without a real frame."""
        return ("real", "synthetic") if self.reference is not None else ("synthetic",)

    def _check_rows(self, n: Any) -> int:
        n = check_n(n, owner="Panel", low=max(1, self.generator.min_rows))
        if n > PREVIEW_ROWS and not self.allow_large:
            raise InvalidParameterError(
                f"A preview of {n:,} rows is above the panel's limit of {PREVIEW_ROWS:,}: tick 'allow large' "
                "(or pass allow_large=True) to sample it here, or write it to a file with "
                "generator.to_parquet(path, n)."
            )
        return n

    def set_rows(self, n: Any) -> bool:
        """Set the preview's rows and re-sample; False (with :attr:`error`) if refused."""
        try:
            self.n = self._check_rows(n)
        except InvalidParameterError as exc:
            self.error = str(exc)
            return False
        return self.update()

    def set_seed(self, seed: Any) -> bool:
        """Set the seed and re-sample (never refits); False (with :attr:`error`) if refused."""
        try:
            self.seed = check_seed(seed, owner="Panel", allow_none=False)
        except InvalidParameterError as exc:
            self.error = str(exc)
            return False
        return self.update()

    def set(self, **params: Any) -> bool:
        """Set generator parameters together and re-sample.

        All of ``params`` apply as one edit. If the result is refused the previous
        parameters come back, :attr:`error` says why and False is returned.
        """
        self.generator.set_params(**params)
        return self.update()

    # -- the work ------------------------------------------------------------------------
    def _fit_key(self) -> str:
        """The fitting parameters' values as one string (rows and seed are not among them)."""
        return json.dumps(self.generator.params_to_json(), sort_keys=True, default=repr)

    def _fit(self) -> None:
        """Fit on the data, or reuse the fitted state of the same fitting parameters.

        A seed or row change never refits; a parameter change refits once, and going back
        to parameters fitted recently restores their state instead of fitting again.
        """
        gen = self.generator
        key = self._fit_key()
        state = self._fits.pop(key, None)
        if state is None:
            state = self.fitted_state(gen)
        else:
            for k, v in state.items():
                setattr(gen, k, v)
        self.keep_fit(key, state)

    def fitted_state(self, generator: Generator) -> dict[str, Any]:
        """Fit ``generator`` on the data and return what fitting set on it.

        Touches nothing of the model but :attr:`fit_seconds`, so a panel may run it in a
        background thread on a copy of the generator (:meth:`fit_job`).
        """
        names = {p.name for p in type(generator).params}
        start = time.perf_counter()
        generator.fit(self.data)
        self.fit_seconds = time.perf_counter() - start
        # Everything fit() set: the attributes that are not parameters.
        return {k: v for k, v in vars(generator).items() if k not in names}

    def keep_fit(self, key: str, state: dict[str, Any]) -> None:
        """Keep ``state`` as the fitted state of the fitting parameters ``key`` (most recent)."""
        self._fits.pop(key, None)
        self._fits[key] = state  # most recent last
        while len(self._fits) > FIT_CACHE:
            self._fits.pop(next(iter(self._fits)))

    def fit_job(self) -> tuple[str, Callable[[], dict[str, Any]]]:
        """The current fitting parameters' key and a function that fits them without the model.

        The function fits a fresh generator with a copy of the current parameters, so
        edits made meanwhile do not reach it; hand its result to :meth:`keep_fit` and the
        next :meth:`update` samples from it instead of fitting.
        """
        gen = self.generator
        fresh = type(gen)(**copy.deepcopy(gen.get_params()))
        return self._fit_key(), functools.partial(self.fitted_state, fresh)

    def needs_fit(self) -> bool:
        """Whether the next update fits (no fitted state for the current parameters)."""
        if not (self.generator.learns and self.data is not None):
            return False
        try:
            return self._fit_key() not in self._fits
        except SynthbenchError:
            return False

    def fit_and_sample(self) -> pd.DataFrame:
        """Fit if the generator learns (a kept state when there is one), then sample."""
        gen = self.generator
        if gen.learns and self.data is not None:
            self._fit()
        return gen.sample(None if gen.size_from_data else self.n, seed=self.seed)

    def update(self, sample: Callable[[], pd.DataFrame] | None = None) -> bool:
        """Fit if needed, sample and score. On a refused value: restore, set :attr:`error`, False.

        ``sample`` replaces :meth:`fit_and_sample` (a panel's hook, e.g. one table of several).
        """
        start = time.perf_counter()
        try:
            frame = (sample or self.fit_and_sample)()
        except SynthbenchError as exc:
            self.error = str(exc)
            self._restore()
            return False
        self._good = copy.deepcopy(self.generator.get_params())
        self.frame = frame
        self.error = ""
        self.score()
        self.version += 1
        self.seconds = time.perf_counter() - start
        return True

    def _restore(self) -> None:
        """Put back the parameters (and fitted state) of the last good sample."""
        if self._good is None:
            return
        self.generator.set_params(**copy.deepcopy(self._good))
        if self.generator.learns and self.data is not None:
            # The good parameters fitted before, so their state is kept (FIT_CACHE); if
            # it was dropped and refitting fails now, the generator keeps its last state.
            with contextlib.suppress(SynthbenchError):
                self._fit()

    def score(self) -> None:
        """Score the sample (its first ``score_rows`` rows) against the data, and bin it for the charts.

        Without data there is nothing to score: :attr:`chart_data` describes the sample alone.
        """
        from ..evaluate import RealProfile, quality_report, sample_chart_data

        frame, real_frame = self.frame, self.reference
        self.report = None
        self.chart_data = {}
        sample = frame.iloc[: self.score_rows] if len(frame) > self.score_rows else frame
        if real_frame is None:
            try:
                self.chart_data = sample_chart_data(sample)
            except SynthbenchError:
                self.chart_data = {}  # e.g. no column it can chart
            return
        common = [c for c in frame.columns if c in real_frame.columns]
        if not common:
            return
        try:
            if len(common) == real_frame.shape[1] == frame.shape[1]:
                if self._profile is None:
                    self._profile = RealProfile(real_frame)
                real = self._profile
            else:
                sample = sample[common]
                key = tuple(common)
                if self._real_cut is None or self._real_cut[0] != key:
                    self._real_cut = (key, RealProfile(real_frame[common]))
                real = self._real_cut[1]
            self.report = quality_report(real, sample)
        except SynthbenchError:
            return  # e.g. a column of another type than the data's: no comparison
        self.chart_data = self.report.chart_data

    @property
    def scored_rows(self) -> int:
        """Rows of the sample behind the score and the charts."""
        return 0 if self.frame is None else min(len(self.frame), self.score_rows)

    # -- export ----------------------------------------------------------------------------
    @property
    def code(self) -> str:
        """The standalone code cell that rebuilds the current sample as ``df`` (written when asked).

        Generators that read the data (balancing) read it from :attr:`data_name`; when it
        is unknown, the cell reads ``df_real`` and says so first.
        """
        key = (self.version, self.n, self.seed, self.data_name)
        if self._code is None or self._code[0] != key:
            self._code = (key, self._write_code())
        return self._code[1]

    def _write_code(self) -> str:
        gen = self.generator
        if not gen.size_from_data:
            return gen.to_code(self.n, seed=self.seed)
        if self.data_name is not None:
            return gen.to_code(None, seed=self.seed, data=self.data_name)
        return (
            f"# Define `{DEFAULT_DATA_NAME}` first: the real DataFrame this panel was given\n"
            f"# (or open the panel with data_name='...', the name of your DataFrame variable).\n"
            + gen.to_code(None, seed=self.seed, data=DEFAULT_DATA_NAME)
        )
