"""Beyond one machine's memory: block-wise generation, Parquet streaming and Dask.

Rows are made in fixed-size **blocks** of :data:`BLOCK_SIZE` (65,536) rows, and block
*k* depends only on ``(seed, k)``. Files and partitions therefore consist of whole
blocks made on their own, so the same seed gives the same rows whatever the number of
partitions or the file size, and memory stays bounded by one file (or partition).

What each generator supports:

=====================================  ==============  ===================================
generator                              streaming/Dask  the rows written
=====================================  ==============  ===================================
``Schema``                             yes             exactly ``sample(n, seed)``; and
                                                       ``sample(m)`` is the first ``m``
                                                       rows of any larger run
``GaussianCopula``,                    yes             independent rows of the fitted
``GaussianMixture``, ``CART``                          model: block *k* is
                                                       ``sample(rows_k, seed=s_k)`` with
                                                       ``s_k`` spawned from ``(seed, k)``
                                                       (:func:`block_seed`); identical for
                                                       any partitioning and file size,
                                                       equal to ``sample(n, seed)`` only
                                                       for ``n <= 65,536`` (one block)
``Classification``, ``Regression``,    no              scikit-learn's ``make_*`` draws the
``Blobs``, ``Moons``, ``Circles``                      whole problem (centroids,
                                                       coefficients, class sizes) from one
                                                       ``random_state`` for all rows
``TimeSeries``, ``FittedTimeSeries``   no              a series is one path through time
                                                       whose draws interleave the entities
``Balance``, ``Imbalance``             no              the output size comes from the data
=====================================  ==============  ===================================

For ``Schema`` this means:

* ids stay unique and sequential across blocks (a row's id comes from its position);
* constraints hold per row: broken rows are made again from the block's own streams,
  so ``on_violation="drop"`` gives the same (shorter) table however it is split;
* the constraint report of ``sample`` (``df.attrs["synthbench"]``) is not written.

Examples
--------
>>> import tempfile, pandas as pd, synthbench as sb
>>> gen = sb.Schema.example()
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = gen.to_parquet(f"{tmp}/customers", 100_000, seed=1, rows_per_file=40_000, progress=False)
...     files = sorted(p.name for p in path.iterdir())
...     df = pd.read_parquet(path)
>>> files
['part-00000.parquet', 'part-00001.parquet', 'part-00002.parquet']
>>> pd.testing.assert_frame_equal(df, gen.sample(100_000, seed=1))
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .base import Generator, check_n, check_seed
from .exceptions import InvalidParameterError
from .params import Int, Optional, check_value

__all__ = ["BLOCK_SIZE", "DEFAULT_ROWS_PER_FILE", "block_seed", "iter_blocks", "n_blocks", "to_dask", "to_parquet"]

#: Rows per block (the same as :data:`synthbench.generators.schema.BLOCK_SIZE`).
BLOCK_SIZE = 2**16

#: Rows per Parquet file unless told otherwise (16 blocks, about 1M rows).
DEFAULT_ROWS_PER_FILE = 16 * BLOCK_SIZE

_SUPPORTED = "Schema (the rows of sample(n, seed)) and the fitted GaussianCopula, GaussianMixture and CART"

_WHY_NOT = {
    "classification": "scikit-learn's make_* functions draw the whole problem (centroids, coefficients, "
    "class sizes) from one random_state for all n rows, so the rows cannot be made in independent blocks",
    "timeseries": "a series is one path through time whose random draws interleave all entities, "
    "so a block of rows cannot be made on its own",
    "balancing": "its output is a transformation of the fitted frame, whose size comes from the data",
}


def n_blocks(n: int) -> int:
    """How many blocks make ``n`` rows (at least one, so an empty table keeps its columns)."""
    return max(1, -(-n // BLOCK_SIZE))


def block_seed(seed: int, block: int) -> int:
    """The seed of block ``block`` for generators of independent rows (fitted models).

    Block 0 uses ``seed`` itself (so a run of up to one block is ``sample(n, seed)``);
    the others get a 64-bit seed spawned from ``(seed, block)``, so two blocks of a
    billion-row run practically never share a stream.

    >>> block_seed(42, 0)
    42
    >>> block_seed(42, 1) == block_seed(42, 1) != block_seed(42, 2)
    True
    """
    if block == 0:
        return seed
    return int(np.random.SeedSequence([seed, block]).generate_state(1, np.uint64)[0])


def _is_iid(gen: Generator) -> bool:
    from .generators.fitted._base import FittedGenerator

    return isinstance(gen, FittedGenerator)


def _check(gen: Generator, n: Any, seed: Any, owner: str) -> tuple[int, int]:
    name = f"{type(gen).__name__}.{owner}"
    if not (gen.block_size or _is_iid(gen)):
        why = _WHY_NOT.get(gen.family, "it does not make its rows in independent blocks")
        raise InvalidParameterError(
            f"{name} is not supported: {why}. Streaming and Dask support {_SUPPORTED}. "
            f"Use {type(gen).__name__}.sample(n) and write the frame instead."
        )
    if gen.block_size and gen.block_size != BLOCK_SIZE:  # pragma: no cover - a future generator's mistake
        raise InvalidParameterError(f"{type(gen).__name__}.block_size must be {BLOCK_SIZE}.")
    n = check_n(n, owner=name, low=gen.min_rows)
    seed = check_seed(seed, owner=name)
    gen.validate()
    gen._check_fitted()
    return n, seed


def _blocks(gen: Generator, n: int, seed: int, start: int, stop: int) -> pd.DataFrame:
    """Rows of blocks ``start <= k < stop`` of an ``n``-row run (validated generator)."""
    if gen.block_size:
        return gen._sample_blocks(n, seed, start, stop)
    frames = [gen._sample(min(BLOCK_SIZE, n - k * BLOCK_SIZE), block_seed(seed, k)) for k in range(start, stop)]
    return pd.concat(frames, ignore_index=True)


def iter_blocks(gen: Generator, n: int, *, seed: int | None = None) -> Iterator[pd.DataFrame]:
    """The blocks of an ``n``-row run, one frame at a time (memory: one block).

    >>> import synthbench as sb
    >>> gen = sb.Schema.example()
    >>> blocks = list(iter_blocks(gen, 150_000, seed=3))
    >>> [len(b) for b in blocks]
    [65536, 65536, 18928]
    >>> pd.concat(blocks, ignore_index=True).equals(gen.sample(150_000, seed=3))
    True
    """
    n, seed = _check(gen, n, seed, "iter_blocks")
    for k in range(n_blocks(n)):
        yield _blocks(gen, n, seed, k, k + 1)


# -- Parquet ------------------------------------------------------------------------------
class _Progress:
    """tqdm when installed, else a counter on stderr at most once a second."""

    def __init__(self, total: int, enabled: bool, desc: str) -> None:
        self.total, self.done, self.enabled, self.desc = total, 0, enabled, desc
        self.bar = None
        self.last = 0.0
        if enabled:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                pass
            else:
                self.bar = tqdm(total=total, unit="rows", unit_scale=True, desc=desc)

    def update(self, rows: int) -> None:
        self.done += rows
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(rows)
        elif time.monotonic() - self.last >= 1.0 or self.done >= self.total:
            self.last = time.monotonic()
            print(f"\r{self.desc}: {self.done:,}/{self.total:,} rows", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.enabled:
            print(file=sys.stderr)


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise InvalidParameterError(f"Writing Parquet needs pyarrow: pip install pyarrow ({exc}).") from None
    return pa, pq


def to_parquet(
    gen: Generator,
    path: str | os.PathLike,
    n: int,
    *,
    seed: int | None = None,
    rows_per_file: int | None = None,
    overwrite: bool = False,
    progress: bool = True,
) -> Path:
    """Stream ``n`` rows of ``gen`` to a Parquet dataset folder, atomically.

    Parameters
    ----------
    gen : Generator
        A generator that makes its rows block by block (see the module docstring).
    path : str or path-like
        The dataset folder to create; it will hold ``part-00000.parquet``, ... in row
        order (``pd.read_parquet(path)`` reads them back in order).
    n : int
        Number of rows.
    seed : int or None
        Random seed; the same seed gives the same rows for any ``rows_per_file``.
    rows_per_file : int or None
        Rows per file (the last file holds the rest); default 1,048,576. Memory stays
        bounded by about one file plus one block, whatever ``n``.
    overwrite : bool
        Replace an existing dataset at ``path`` (only once the new one is complete).
    progress : bool
        Show a progress bar (tqdm if installed, else a counter on stderr).

    Returns
    -------
    pathlib.Path
        The dataset folder.

    Notes
    -----
    The files are written to a hidden temporary folder next to ``path``, which is
    renamed to ``path`` only when complete: a failure or an interrupt leaves no partial
    dataset, and an existing dataset is either kept whole or replaced whole.
    """
    n, seed = _check(gen, n, seed, "to_parquet")
    owner = f"{type(gen).__name__}.to_parquet"
    if rows_per_file is None:
        rows_per_file = DEFAULT_ROWS_PER_FILE
    rows_per_file = int(check_value(rows_per_file, "rows_per_file", Int(1), owner))
    target = Path(path)
    if not target.parent.is_dir():
        raise InvalidParameterError(
            f"The 'path' parameter of {owner}: the folder {str(target.parent)!r} does not exist."
        )
    if target.exists() and not overwrite:
        raise InvalidParameterError(
            f"The 'path' parameter of {owner}: {str(target)!r} already exists. Pass overwrite=True to replace it."
        )
    if target.exists() and not target.is_dir():
        raise InvalidParameterError(
            f"The 'path' parameter of {owner}: {str(target)!r} is a file, not a dataset folder."
        )
    pa, pq = _pyarrow()

    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    bar = _Progress(n, progress, f"{type(gen).__name__} -> {target.name}")
    try:
        schema = None
        files = 0
        buffer: list[pd.DataFrame] = []
        buffered = 0

        def flush(frames: list[pd.DataFrame]) -> None:
            nonlocal schema, files
            df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
            # Every file gets the first file's Arrow schema, so a column that happens to
            # be all-missing in one file keeps its type.
            table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
            schema = table.schema
            pq.write_table(table, tmp / f"part-{files:05d}.parquet")
            files += 1

        for k in range(n_blocks(n)):
            block = _blocks(gen, n, seed, k, k + 1)
            buffer.append(block)
            buffered += len(block)
            while buffered >= rows_per_file and buffered > 0:
                whole = pd.concat(buffer, ignore_index=True) if len(buffer) > 1 else buffer[0]
                flush([whole.iloc[:rows_per_file]])
                rest = whole.iloc[rows_per_file:].reset_index(drop=True)
                buffer, buffered = [rest], len(rest)
            bar.update(len(block))
        if buffered or files == 0:
            flush([pd.concat(buffer, ignore_index=True)])
        _replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        bar.close()
    return target


def _replace(new: Path, target: Path) -> None:
    """Move the finished folder ``new`` to ``target``; an old dataset goes only after."""
    if not target.exists():
        os.replace(new, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    os.replace(target, old / "data")
    try:
        os.replace(new, target)
    except BaseException:
        os.replace(old / "data", target)  # put the old dataset back whole
        raise
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(old)


# -- Dask ------------------------------------------------------------------------------------
class _Partition:
    """Makes one partition (a range of whole blocks); picklable, for any Dask scheduler."""

    def __init__(self, gen: Generator, n: int, seed: int) -> None:
        self.gen, self.n, self.seed = gen, n, seed

    def __dask_tokenize__(self) -> str:
        # A deterministic name from the spec, so equal requests share Dask's task keys.
        spec = json.dumps(self.gen.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(f"{spec}|{self.n}|{self.seed}".encode()).hexdigest()

    def __call__(self, blocks: tuple[int, int]) -> pd.DataFrame:
        start, stop = blocks
        df = _blocks(self.gen, self.n, self.seed, start, stop)
        first = start * BLOCK_SIZE
        # The global row numbers as the index, so compute() equals sample(n) index and all.
        return df.set_axis(pd.RangeIndex(first, first + len(df)))


def _dask_dataframe() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError as exc:
        raise InvalidParameterError(
            f"to_dask needs Dask: pip install 'synthbench[dask]' (or 'dask[dataframe]') ({exc})."
        ) from None
    return dd


def to_dask(gen: Generator, n: int, *, seed: int | None = None, npartitions: int | None = None) -> Any:
    """``n`` rows of ``gen`` as a lazy ``dask.dataframe.DataFrame`` built with ``from_map``.

    Each partition is a range of whole blocks made on its own, so the frame is the same
    for any ``npartitions`` and any scheduler (threads, processes, a cluster); the index
    holds the global row numbers. ``npartitions`` defaults to one per 16 blocks and is
    capped at the number of blocks (``ceil(n / 65536)``).

    >>> import synthbench as sb
    >>> gen = sb.Schema.example()
    >>> ddf = gen.to_dask(200_000, seed=7, npartitions=3)  # doctest: +SKIP
    >>> ddf.compute().equals(gen.sample(200_000, seed=7))  # doctest: +SKIP
    True
    """
    n, seed = _check(gen, n, seed, "to_dask")
    owner = f"{type(gen).__name__}.to_dask"
    total = n_blocks(n)
    if npartitions is None:
        npartitions = -(-total // 16)
    check_value(npartitions, "npartitions", Optional(Int(1)), owner)
    dd = _dask_dataframe()
    parts = min(int(npartitions), total)
    bounds = [i * total // parts for i in range(parts + 1)]
    ranges = [(bounds[i], bounds[i + 1]) for i in range(parts)]
    make = _Partition(gen, n, seed)
    meta = _blocks(gen, 0, seed, 0, 1).iloc[:0]
    exact = not (gen.block_size and getattr(gen, "on_violation", None) == "drop" and getattr(gen, "constraints", ()))
    divisions = None
    if exact and n > 0:
        divisions = (*(start * BLOCK_SIZE for start, _ in ranges), n - 1)
    import dask

    # Dask would turn pandas' "str" columns into "string[pyarrow]" (NA-valued): keep the
    # generator's dtypes, so compute() equals sample(n).
    with dask.config.set({"dataframe.convert-string": False}):
        return dd.from_map(
            make,
            ranges,
            meta=meta,
            divisions=divisions,
            label=f"synthbench-{type(gen).__name__}".lower(),
            enforce_metadata=False,
        )
