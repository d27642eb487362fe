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

import keyword
import os
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from .exceptions import InvalidParameterError, NotFittedError, SpecError
from .params import Component, Int, Optional, check_value, short_repr

__all__ = ["SPEC_FORMAT", "Generator", "check_n", "check_seed"]

#: Version of the JSON spec format written by :meth:`Generator.to_dict`.
SPEC_FORMAT = 1

#: Seeds are ints in [0, MAX_SEED]: what every numpy and scikit-learn entry point accepts.
MAX_SEED = 2**32 - 1


def check_n(n: Any, *, owner: str = "sample", low: int = 0) -> int:
    """``n`` as a row count, or a clear error."""
    return int(check_value(n, "n", Int(low), owner))


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
        return self._check_size(n, self._sample(n, seed), name)

    def to_code(self, n: int | None = None, *, seed: int, **options: Any) -> str:
        """Standalone Python source that rebuilds ``self.sample(n, seed=seed)`` as ``df``.

        The code imports only numpy, pandas, scipy, scikit-learn or imbalanced-learn
        (and faker for :class:`~synthbench.columns.Text` columns), never synthbench.
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
