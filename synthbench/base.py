"""The generator protocol that every synthbench generator follows.

>>> import synthbench as sb
>>> gen = sb.Moons(noise=0.1)
>>> df = gen.sample(5, seed=0)
>>> df.equals(gen.sample(5, seed=0))
True
>>> sb.from_dict(gen.to_dict()) == gen
True
"""

from __future__ import annotations

import contextlib
import functools
import keyword
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .exceptions import InvalidParameterError, NotFittedError, ResourceLimitError, SpecError
from .params import Component, Int, Optional, check_value, short_repr

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SPEC_FORMAT",
    "Generator",
    "check_memory",
    "check_n",
    "check_seed",
    "config_context",
    "format_bytes",
    "get_config",
    "max_bytes",
    "set_config",
]

#: Version of the JSON spec format written by :meth:`Generator.to_dict`.
SPEC_FORMAT = 1

#: Seeds are ints in [0, MAX_SEED]: what every numpy and scikit-learn entry point accepts.
MAX_SEED = 2**32 - 1


# -- resource bounds ------------------------------------------------------------------------
#: Memory one request may need (a ``sample``, an exported cell, a streamed file or block)
#: unless :func:`set_config` or the ``SYNTHBENCH_MAX_BYTES`` environment variable says
#: otherwise. A fixed number rather than a share of this machine's RAM, so a spec that
#: works on one machine works on every other.
DEFAULT_MAX_BYTES = 4 * 2**30

_ENV_MAX_BYTES = "SYNTHBENCH_MAX_BYTES"
_ENV_THREADS = "SYNTHBENCH_THREADS"
_CONFIG: dict[str, Any] = {"max_bytes": None, "threads": None}  # None: the environment variable, else the default
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40, "P": 2**50}


def _env_max_bytes() -> int | None:
    text = os.environ.get(_ENV_MAX_BYTES, "").strip()
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,20})\s*([KMGTP]?)(?:i?B)?", text, flags=re.IGNORECASE)
    if match is None or int(match[1]) == 0:
        raise InvalidParameterError(
            f"The {_ENV_MAX_BYTES} environment variable must be a positive number of bytes, "
            f"such as 8589934592 or 8G. Got {short_repr(text)} instead."
        )
    return int(match[1]) * _UNITS[match[2].upper()]


def max_bytes() -> int:
    """The memory limit in bytes: :func:`set_config`, else ``SYNTHBENCH_MAX_BYTES``, else 4 GiB."""
    configured = _CONFIG["max_bytes"]
    if configured is not None:
        return configured
    env = _env_max_bytes()
    return DEFAULT_MAX_BYTES if env is None else env


@functools.cache
def _cpus() -> int:
    """The CPUs this process may use: its affinity and, in a container (Binder, CI), its
    CPU quota, which ``os.cpu_count()`` does not see (joblib's count reads both)."""
    from joblib import cpu_count

    return max(1, int(cpu_count()))


def threads() -> int:
    """Threads that make blocks side by side: :func:`set_config`, else ``SYNTHBENCH_THREADS``,
    else the CPUs this process may use (its affinity and container quota)."""
    configured = _CONFIG["threads"]
    if configured is not None:
        return configured
    text = os.environ.get(_ENV_THREADS, "").strip()
    if not text:
        return _cpus()
    if not re.fullmatch(r"\d{1,4}", text) or int(text) == 0:
        raise InvalidParameterError(
            f"The {_ENV_THREADS} environment variable must be a whole number of threads from 1 to 9999, "
            f"such as 1 (no threads) or 8. Got {short_repr(text)} instead."
        )
    return int(text)


def get_config() -> dict[str, Any]:
    """synthbench's settings in effect.

    >>> import synthbench as sb
    >>> sb.get_config()["max_bytes"] >= 1 and sb.get_config()["threads"] >= 1
    True
    """
    return {"max_bytes": max_bytes(), "threads": threads()}


def set_config(*, max_bytes: int | None = None, threads: int | None = None) -> None:
    """Change synthbench's settings for this process (None leaves a setting as it is).

    Parameters
    ----------
    max_bytes : int, optional
        The memory one request may need: ``sample(n)``, ``to_code(n)`` (the exported cell
        would need it), one file of ``to_parquet`` or one partition of ``to_dask``. Each
        is checked against an estimate *before* anything is allocated. Defaults to the
        ``SYNTHBENCH_MAX_BYTES`` environment variable (bytes, or with a suffix such as
        ``8G``), else 4 GiB. Streaming to disk (``to_parquet``, ``synthbench generate``)
        holds one block at a time and is the way to make more rows than fit in memory.
    threads : int, optional
        How many threads make the blocks of a large ``Schema.sample`` or streamed file side
        by side (1: none). Blocks are independent, so the values are the same for any
        number. Defaults to the ``SYNTHBENCH_THREADS`` environment variable, else the CPUs
        this process may use (its CPU affinity and, in a container, its CPU quota).

    See Also
    --------
    config_context : the same for a ``with`` block.
    """
    check_value(max_bytes, "max_bytes", Optional(Int(1)), "set_config")
    check_value(threads, "threads", Optional(Int(1, 9999)), "set_config")
    if max_bytes is not None:
        _CONFIG["max_bytes"] = int(max_bytes)
    if threads is not None:
        _CONFIG["threads"] = int(threads)


@contextlib.contextmanager
def config_context(*, max_bytes: int | None = None, threads: int | None = None) -> Iterator[None]:
    """:func:`set_config` inside a ``with`` block; the previous settings come back after.

    >>> import synthbench as sb
    >>> with sb.config_context(max_bytes=2**20):
    ...     sb.get_config()["max_bytes"]
    1048576
    """
    saved = dict(_CONFIG)
    try:
        set_config(max_bytes=max_bytes, threads=threads)
        yield
    finally:
        _CONFIG.update(saved)


def format_bytes(count: float) -> str:
    """``count`` bytes for people.

    >>> format_bytes(4 * 2**30), format_bytes(1536), format_bytes(10**30)
    ('4.0 GiB', '1.5 KiB', '867,361,737,988 EiB')
    """
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if count < 1024:
            return f"{count:.0f} bytes" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:,.0f} EiB"


def check_memory(need: int, what: str, way_past: str) -> None:
    """Raise :class:`ResourceLimitError` if ``need`` bytes exceed the limit.

    ``what`` names the request ("Schema.sample(n=10,000,000)"), ``way_past`` says how to
    do it anyway; the limit's own knobs are appended.
    """
    limit = max_bytes()
    if need > limit:
        raise ResourceLimitError(
            f"{what} would need about {format_bytes(need)} of memory (estimated before allocating "
            f"anything), over the limit of {format_bytes(limit)}. {way_past}Or raise the limit with "
            f"synthbench.set_config(max_bytes=...) or the {_ENV_MAX_BYTES} environment variable."
        )


#: Rows of the trial sample that the default memory estimate measures.
_TRIAL_ROWS = 64
#: The default estimate measures only requests above this many rows: below it, memory is
#: bounded by each family's checks of its widths (columns, features, pools), and live
#: widget previews (10,000 rows by default) pay nothing for the trial.
_TRIAL_ABOVE = 10_000
#: Peak memory while sampling, as a multiple of the finished frame (temporaries, copies).
_OVERHEAD = 2


#: Most rows any request may ask for (row numbers and sequential ids stay within int64).
MAX_ROWS = 2**62


def check_n(n: Any, *, owner: str = "sample", low: int = 0, streamed: bool = False) -> int:
    """``n`` as a row count, or a clear error.

    A request held in memory is bounded by its memory estimate (which names the way past
    it); a ``streamed`` one is bounded here, at 2**62 rows, so row numbers (and the ids
    made from them) stay int64 arithmetic.
    """
    return int(check_value(n, "n", Int(low, MAX_ROWS if streamed else None), owner))


def check_seed(seed: Any, *, owner: str = "sample", allow_none: bool = True) -> int:
    """``seed`` as an int in [0, 2**32 - 1]; None draws a fresh one from the OS."""
    if seed is None and allow_none:
        # Fresh entropy from the OS, not numpy's global state.
        return int(np.random.SeedSequence().generate_state(1)[0])
    allowed = Int(0, MAX_SEED)
    return int(check_value(seed, "seed", Optional(allowed) if allow_none else allowed, owner))


class Generator(Component):
    """Base class of all generators.

    Subclasses declare ``params`` and ``family``, and implement ``_sample`` and
    ``_to_code``. Generators that learn from data set ``learns = True`` and implement
    ``_fit``, ``_get_state`` and ``_set_state``; their learned attributes end in ``_``.

    Generators that *transform the frame given to fit* (balancing, partially synthetic
    data) also set ``size_from_data = True``. For them:

    * ``fit(data)`` keeps the frame as ``data_`` (the common tests read it);
    * ``sample(n=None, seed=...)`` returns the transformed frame, whose size comes from
      the data: ``n`` must be None, or the number of rows it makes (checked);
      ``_sample`` receives ``n`` as None or that int;
    * ``to_dict()`` never embeds the data nor anything learned from it, so
      ``from_dict(spec)`` is unfitted; fitting it on the same data gives the same frames;
    * ``to_code(n=None, seed=..., data="df_real")`` reads the data from the variable
      named by ``data`` (checked to be an identifier) and passes ``data=`` on to
      ``_to_code``.
    """

    family: ClassVar[str] = ""
    learns: ClassVar[bool] = False
    #: Fewest rows ``sample`` can make (scikit-learn's ``make_*`` need at least one).
    min_rows: ClassVar[int] = 0
    #: The output is a transformation of the fitted frame (see the class docstring).
    size_from_data: ClassVar[bool] = False
    #: Rows per block for generators whose block k depends only on (seed, k) and which
    #: implement ``_sample_blocks``; 0 means "not block-wise" (see :mod:`synthbench.scale`).
    block_size: ClassVar[int] = 0
    #: Rows are independent draws of one model, so a streamed run is made block by block:
    #: block k is ``_sample(rows_k, block_seed(seed, k))`` (see :mod:`synthbench.scale`).
    independent_rows: ClassVar[bool] = False
    #: Why a generator that is not :meth:`streamable` cannot be (ends the sentence
    #: "streaming is not supported: ..."); a default is derived when empty.
    why_not_streamable: ClassVar[str] = ""
    #: The widget panel class, by name: a class of :mod:`synthbench.widgets`, or
    #: ``"package.module:Class"`` for a panel defined elsewhere. A name, so that core
    #: modules never import ipywidgets.
    panel: ClassVar[str] = "Panel"
    #: Position of the generator's tab in :class:`~synthbench.widgets.Workbench`
    #: (1, 2, ...: lower first); 0 means no tab. See :meth:`for_data`.
    workbench: ClassVar[int] = 0

    # -- protocol --------------------------------------------------------------------
    def fit(self, data: pd.DataFrame) -> Generator:
        """Learn from ``data`` and return self (only generators with ``learns = True``)."""
        if not self.learns:
            raise InvalidParameterError(f"{type(self).__name__} does not learn from data; call sample() directly.")
        self.validate()
        self._fit(data)
        return self

    def sample(self, n: int | None = None, *, seed: int | None = None) -> pd.DataFrame:
        """Draw ``n`` rows. The same ``seed`` gives an identical frame in any process.

        ``seed=None`` draws a fresh seed from the operating system. ``sample`` never
        changes the generator and never touches numpy's or Python's global random state.
        Generators with ``size_from_data`` take ``n=None`` (the size comes from the data).
        """
        name = f"{type(self).__name__}.sample"
        n = self._check_n(n, name)
        seed = check_seed(seed, owner=name)
        self.validate()
        self._check_fitted()
        self._check_memory(n, name)
        return self._check_size(n, self._sample(n, seed), name)

    def to_code(self, n: int | None = None, *, seed: int, **options: Any) -> str:
        """Standalone Python source that rebuilds ``self.sample(n, seed=seed)`` as ``df``.

        The code imports only numpy, pandas, scipy, scikit-learn, imbalanced-learn and
        pyarrow (and faker for :class:`~synthbench.columns.Text` columns), never
        synthbench: it holds synthbench's kernels themselves (see :mod:`synthbench.kernels`).
        Generators with ``size_from_data`` read the data from the variable named by the
        ``data`` option (default ``"df_real"``).
        """
        name = f"{type(self).__name__}.to_code"
        n = self._check_n(n, name)
        seed = check_seed(seed, owner=name, allow_none=False)
        if self.size_from_data:
            data = options.setdefault("data", "df_real")
            if not (isinstance(data, str) and data.isidentifier() and not keyword.iskeyword(data)):
                raise InvalidParameterError(
                    f"The 'data' parameter of {name} must be a Python variable name. Got {short_repr(data)} instead."
                )
        self.validate()
        self._check_fitted()
        # The exported cell makes the whole frame at once: the same bound as sample(n).
        self._check_memory(n, name)
        if self.size_from_data and n is not None:
            self._check_size(n, self._sample(n, seed), name)
        return self._to_code(n, seed, **options)

    def to_parquet(
        self,
        path: str | os.PathLike,
        n: int,
        *,
        seed: int | None = None,
        rows_per_file: int | None = None,
        overwrite: bool = False,
        progress: bool = True,
    ) -> Path:
        """Stream ``n`` rows to a Parquet dataset folder with bounded memory, atomically.

        See :func:`synthbench.scale.to_parquet` (which generators support it, and how).
        """
        from .scale import to_parquet

        return to_parquet(self, path, n, seed=seed, rows_per_file=rows_per_file, overwrite=overwrite, progress=progress)

    def to_dask(self, n: int, *, seed: int | None = None, npartitions: int | None = None) -> Any:
        """``n`` rows as a lazy ``dask.dataframe.DataFrame`` made block by block.

        See :func:`synthbench.scale.to_dask` (needs the ``dask`` extra).
        """
        from .scale import to_dask

        return to_dask(self, n, seed=seed, npartitions=npartitions)

    # -- streaming, widgets, resource bounds ----------------------------------------------
    @classmethod
    def streamable(cls) -> bool:
        """Whether ``to_parquet``, ``to_dask`` and CSV streaming can make this generator's
        rows block by block (``block_size`` or ``independent_rows`` is set)."""
        return bool(cls.block_size or cls.independent_rows)

    @classmethod
    def why_not(cls) -> str:
        """Why this generator cannot stream (empty if it can)."""
        if cls.streamable():
            return ""
        if cls.why_not_streamable:
            return cls.why_not_streamable
        if cls.size_from_data:
            return "its output is a transformation of the fitted frame, whose size comes from the data"
        return "it does not make its rows in independent blocks"

    @classmethod
    def for_data(cls, data: pd.DataFrame, *, target: str | None = None) -> Generator | None:
        """An unfitted generator suited to the real frame ``data`` (with class column
        ``target``, if known), or None if it does not apply. The workbench opens a tab
        for each registered generator with ``workbench > 0`` that returns one."""
        return cls()

    def _estimate_bytes(self, n: int | None) -> int:
        """Bytes that ``sample(n)`` needs at its peak, estimated without making ``n`` rows.

        The default measures a trial sample of 64 rows (``memory_usage(deep=True)``) and
        scales it to ``n`` with room for temporaries, for ``n`` above 10,000 (below, it
        returns 0: nothing to check); for ``size_from_data`` generators it scales the
        fitted frame. A family whose memory does not grow with ``n`` alone
        (pools, grids, counts, powers) or whose trial would already be large overrides
        this with an estimate from its parameters, made before anything is allocated.
        """
        if n is None or self.size_from_data:
            data = getattr(self, "data_", None)
            return 0 if data is None else _OVERHEAD * int(data.memory_usage(index=True, deep=True).sum())
        if n <= _TRIAL_ABOVE:
            return 0
        try:
            trial = self._sample(max(self.min_rows, _TRIAL_ROWS), 0)
        except Exception:
            # Some parameters only make sense for longer runs (an event at step 100): the
            # trial cannot measure them, so assume the least any row takes (one 8-byte
            # value). That still refuses absurd n at once; sample(n) reports the rest.
            return math.ceil(_OVERHEAD * 8.0 * n)
        per_row = trial.memory_usage(index=False, deep=True).sum() / max(len(trial), 1)
        per_row = max(float(per_row), 8.0 * trial.shape[1], 1.0)
        return math.ceil(_OVERHEAD * per_row * n)

    def _check_memory(self, n: int | None, owner: str) -> None:
        """Refuse ``sample(n)`` (or its exported cell) when the estimate is over the limit."""
        need = self._estimate_bytes(n)
        if not need:
            return
        cls = type(self).__name__
        if self.streamable():
            way = (
                f"Stream the rows to disk instead, one block in memory at a time: "
                f"{cls}.to_parquet(path, n) or `synthbench generate SPEC -n N -o out.parquet` (or out.csv). "
            )
        else:
            way = f"{cls} cannot stream to disk ({self.why_not()}), so ask for fewer rows. "
        rows = "n=None" if n is None else f"n={n:,}"
        check_memory(need, f"{owner}({rows})", way)

    def _check_n(self, n: Any, owner: str) -> int | None:
        if n is None and self.size_from_data:
            return None
        return check_n(n, owner=owner, low=self.min_rows)

    def _check_size(self, n: int | None, df: pd.DataFrame, owner: str) -> pd.DataFrame:
        if self.size_from_data and n is not None and n != len(df):
            raise InvalidParameterError(
                f"The 'n' parameter of {owner} must be None or the number of rows made from the "
                f"data ({len(df)}). Got {n} instead."
            )
        return df

    def to_dict(self) -> dict[str, Any]:
        """A plain JSON-able spec; :func:`synthbench.from_dict` rebuilds the generator."""
        self.validate()
        spec: dict[str, Any] = {
            "synthbench_spec": SPEC_FORMAT,
            "generator": type(self).__name__,
            "params": self.params_to_json(),
        }
        if self.learns and self.is_fitted and not self.size_from_data:
            spec["state"] = self._get_state()
        return spec

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> Generator:
        """Rebuild a generator of this class from the output of :meth:`to_dict`."""
        from .registry import check_json

        if not isinstance(spec, dict):
            raise SpecError(f"A spec must be a dict (JSON object). Got {short_repr(spec)} instead.")
        check_json(spec)  # bounded depth, JSON values only: nothing below can recurse without end
        gen = cls(**cls.params_from_json(spec.get("params", {}), "spec['params']"))
        try:
            gen.validate()
        except InvalidParameterError as exc:
            raise SpecError(f"Invalid spec for {cls.__name__}: {exc}") from None
        if "state" in spec:
            if not cls.learns:
                raise SpecError(f"{cls.__name__} learns nothing, so its spec has no 'state'.")
            if cls.size_from_data:
                raise SpecError(f"{cls.__name__} specs have no 'state': fit it on the data again.")
            gen._set_state(spec["state"])
            gen._try_state()
        return gen

    def _try_state(self) -> None:
        """Sample a few rows from a just-loaded state, so a state that validates field by
        field but cannot work as a whole fails here, as a SpecError, not later deep in numpy."""
        from .exceptions import SynthbenchError

        try:
            self.sample(max(self.min_rows, 3), seed=0)
        except SynthbenchError as exc:
            raise SpecError(f"The spec's 'state' for {type(self).__name__} cannot be sampled: {exc}") from None
        except Exception as exc:  # the state is untrusted data: name the problem, never crash in numpy
            raise SpecError(
                f"The spec's 'state' for {type(self).__name__} is inconsistent and cannot be sampled "
                f"({type(exc).__name__}: {short_repr(str(exc), 200)})."
            ) from None

    @classmethod
    def example(cls) -> Generator:
        """A small, typical instance (fitted, if it learns): used by the docs, the
        widgets' starting point and the common tests."""
        return cls()

    # -- learned state ----------------------------------------------------------------
    @property
    def is_fitted(self) -> bool:
        return not self.learns or any(k.endswith("_") and not k.startswith("_") for k in vars(self))

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet. Call fit(data) first.")

    # -- for subclasses -----------------------------------------------------------------
    def _fit(self, data: pd.DataFrame) -> None:
        raise NotImplementedError

    def _get_state(self) -> dict[str, Any]:
        raise NotImplementedError

    def _set_state(self, state: Any) -> None:
        raise NotImplementedError

    def _sample(self, n: int, seed: int) -> pd.DataFrame:
        raise NotImplementedError

    def _to_code(self, n: int, seed: int, **options: Any) -> str:
        raise NotImplementedError

    def _sample_blocks(self, n: int, seed: int, start: int, stop: int) -> pd.DataFrame:
        """Rows of blocks ``start <= k < stop`` of ``sample(n, seed)`` (when ``block_size``)."""
        raise NotImplementedError

    def _stream_rows(self, n: int) -> tuple[int, int]:
        """The rows of an ``n`` run and the rows per streamed block (see :mod:`synthbench.scale`):
        ``n`` rows in blocks of 65,536 unless a generator's ``n`` counts something else
        (a time series: ``n`` steps per entity, in blocks of whole entities)."""
        from .scale import BLOCK_SIZE

        return n, BLOCK_SIZE

    def _file_rows(self, n: int, rows: int) -> int:
        """``rows`` per streamed file, rounded to what a file may end at (whole entities of a time series)."""
        return rows

    def _estimate_rows_bytes(self, n: int, rows: int) -> int:
        """Bytes to hold ``rows`` rows of an ``n`` run at once (a streamed block, file or partition)."""
        return self._estimate_bytes(rows)
