"""Beyond one machine's memory: block-wise generation, Parquet streaming and Dask.

Rows are made in fixed-size **blocks** of :data:`BLOCK_SIZE` (65,536) rows, and block
*k* depends only on ``(seed, k)``. Files and partitions therefore consist of whole
blocks made on their own, so the same seed gives the same rows whatever the number of
partitions or the file size, and memory stays bounded by one file (or partition).

A generator declares how it streams with two class attributes (nothing here names a
family):

* ``block_size = BLOCK_SIZE`` and ``_sample_blocks``: block *k* is made from
  ``(seed, k)`` alone and the blocks together are exactly ``sample(n, seed)`` (``Schema``:
  ``sample(m)`` is also the first ``m`` rows of any larger run);
* ``independent_rows = True``: the rows are independent draws of one model (the fitted
  ``GaussianCopula``, ``GaussianMixture``, ``CART``), so block *k* is
  ``sample(rows_k, seed=s_k)`` with ``s_k`` spawned from ``(seed, k)`` (:func:`block_seed`):
  identical for any partitioning and file size, equal to ``sample(n, seed)`` only for
  ``n <= 65,536`` (one block);
* neither: the generator cannot stream, and says why in ``why_not_streamable``
  (scikit-learn's ``make_*`` draw the whole problem from one ``random_state``; balancing
  output is sized by the data).

A generator whose ``n`` is not a row count, or whose blocks are not 65,536 rows, says so
with ``_stream_rows(n)`` (the rows of an ``n`` run and the rows per block): a
``TimeSeries`` makes ``n`` steps per entity in blocks of whole entities, each entity
keyed by its own streams, so blocks, files and partitions hold whole entities and are the
same however the run is split. ``_file_rows`` rounds the rows per file to such whole
units and ``_estimate_rows_bytes`` bounds the memory of a number of rows.

``Generator.streamable()`` tells which; :func:`to_file` writes the others with one
``sample(n)``, within the memory limit (:func:`synthbench.set_config`). Streams hold a
bounded number of rows (a block, a file, a partition), and that bound is checked against
the same limit before anything is written.

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
['_synthbench.json', 'part-00000.parquet', 'part-00001.parquet', 'part-00002.parquet']
>>> pd.testing.assert_frame_equal(df, gen.sample(100_000, seed=1))
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .base import Generator, check_memory, check_n, check_seed, max_bytes, threads
from .exceptions import InvalidParameterError
from .params import Int, Optional, check_value

__all__ = [
    "BLOCK_SIZE",
    "DEFAULT_ROWS_PER_FILE",
    "MARKER",
    "block_map",
    "block_seed",
    "file_format",
    "iter_blocks",
    "n_blocks",
    "to_dask",
    "to_file",
    "to_parquet",
]

#: Rows per block (the same as :data:`synthbench.generators.schema.BLOCK_SIZE`).
BLOCK_SIZE = 2**16

#: Most Parquet files written side by side by one ``to_parquet``.
_MAX_WRITERS = 4

#: Rows per Parquet file unless told otherwise (16 blocks, about 1M rows).
DEFAULT_ROWS_PER_FILE = 16 * BLOCK_SIZE

#: The file synthbench writes into every dataset folder it makes; only a folder holding
#: it (and nothing but synthbench's own files) is ever replaced.
MARKER = "_synthbench.json"
_PART = re.compile(r"part-\d{5,}\.parquet")


def n_blocks(n: int, size: int = BLOCK_SIZE) -> int:
    """How many blocks of ``size`` rows make ``n`` rows (at least one, so an empty table keeps its columns)."""
    return max(1, -(-n // size))


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


_POOLS: dict[tuple[int, int], ThreadPoolExecutor] = {}  # (process id, threads) -> its pool
_USERS: dict[tuple[int, int], int] = {}  # runs using each pool now
_POOL_LOCK = threading.Lock()
_POOL_THREAD = "synthbench-block"


def _new_lock_after_fork() -> None:
    """A forked child has only the thread that forked: a lock another thread held stays held."""
    global _POOL_LOCK
    _POOL_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_new_lock_after_fork)


def block_map(func: Callable[[Any], Any], items: Iterable[Any], *, max_threads: int | None = None) -> Iterator[Any]:
    """``map(func, items)`` on a shared pool of :func:`synthbench.get_config` ``["threads"]``
    threads, results in order; ``max_threads`` items at most at once, if given.

    For independent blocks whose work is numpy's (which draws and computes without
    holding the GIL): rules' ``make_table`` takes it as ``block_map``. At most two items
    per thread are made ahead of the one being read, so memory stays bounded however
    slowly the results are used; an error is raised when its item's result is read, and
    items not yet started are then dropped. With one thread, or when called from one of
    the pool's own threads (which could otherwise wait on itself), ``func`` runs in the
    caller's thread. Each number of threads has its own pool (a call never waits on a
    pool that another setting shut down; a pool no run uses goes when a run of another
    ends), and a forked child makes its own.
    """
    size = 1 if max_threads is not None and max_threads < 2 else threads()  # one: no setting to read
    # Fewer threads (the memory limit's room): as many items at once, made or held, on the
    # pool of the setting (no pool per count); else two per thread ahead of the one read.
    ahead = 2 * size if max_threads is None or max_threads >= size else max_threads - 1
    if min(size, ahead + 1) < 2 or threading.current_thread().name.startswith(_POOL_THREAD):
        yield from map(func, items)
        return
    with _POOL_LOCK:  # a pool made by another process (before a fork) has no threads here
        key = (os.getpid(), size)
        pool = _POOLS.get(key)
        if pool is None:
            pool = _POOLS[key] = ThreadPoolExecutor(size, thread_name_prefix=_POOL_THREAD)
        _USERS[key] = _USERS.get(key, 0) + 1
    pending: deque[Any] = deque()
    try:
        for item in items:
            pending.append(pool.submit(func, item))
            if len(pending) > ahead:
                yield _next_result(pending)
        while pending:
            yield _next_result(pending)
    finally:  # an error, an interrupt, or the caller stopped reading: nothing left running on its behalf
        for future in pending:
            future.cancel()
        futures.wait(pending)  # those already running finish; their errors (even an interrupt) are dropped
        _release(key)


def _release(key: tuple[int, int]) -> None:
    """One run of pool ``key`` is over: the pools of other counts that no run uses go
    (their threads end), so trying one count after another keeps no idle threads."""
    with _POOL_LOCK:
        _USERS[key] -= 1
        for other in list(_POOLS):
            if other != key and not _USERS.get(other):
                _USERS.pop(other, None)
                pool = _POOLS.pop(other)
                if other[0] == key[0]:  # a parent's pool (before a fork) has no threads here
                    pool.shutdown(wait=False)


def _next_result(pending: deque[Any]) -> Any:
    """The oldest item's result; the item stays pending until it is done, so that an
    interrupt (Ctrl-C) while waiting for it still waits for it on the way out."""
    pending[0].exception()  # waits; the error, if any, is raised by result()
    return pending.popleft().result()


def _supported() -> str:
    from .registry import registered

    names = [name for name, cls in registered().items() if cls.streamable()]
    return ", ".join(names) if names else "no registered generator"


def _check(gen: Generator, n: Any, seed: Any, owner: str) -> tuple[int, int]:
    name = f"{type(gen).__name__}.{owner}"
    if not gen.streamable():
        raise InvalidParameterError(
            f"{name} is not supported: {gen.why_not()}. Streaming and Dask support {_supported()}. "
            f"Use {type(gen).__name__}.sample(n) and write the frame instead."
        )
    if gen.block_size and gen.block_size != BLOCK_SIZE:  # pragma: no cover - a future generator's mistake
        raise InvalidParameterError(f"{type(gen).__name__}.block_size must be {BLOCK_SIZE}.")
    n = check_n(n, owner=name, low=gen.min_rows, streamed=True)
    seed = check_seed(seed, owner=name)
    gen.validate()
    gen._check_fitted()
    return n, seed


def _check_rows_in_memory(gen: Generator, n: int, rows: int, what: str, way_past: str) -> None:
    """The memory bound of a stream: ``rows`` rows of an ``n`` run are held at once, whatever ``n``."""
    check_memory(gen._estimate_rows_bytes(n, rows), what, way_past)


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
    owner = f"{type(gen).__name__}.iter_blocks"
    rows, size = gen._stream_rows(n)
    _check_rows_in_memory(gen, n, min(rows, size), f"{owner}: one block of {min(rows, size):,} rows", "")
    for k in range(n_blocks(rows, size)):
        yield _blocks(gen, n, seed, k, k + 1)


# -- files ----------------------------------------------------------------------------------
class _Progress:
    """tqdm when installed, else a counter on stderr at most once a second."""

    def __init__(self, total: int, enabled: bool, desc: str) -> None:
        self.total, self.done, self.enabled, self.desc = total, 0, enabled, desc
        self.bar = None
        self.last = 0.0
        self.shown = False
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
            self.shown = True
            print(f"\r{self.desc}: {self.done:,}/{self.total:,} rows", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.shown:
            print(file=sys.stderr)


def _pyarrow() -> tuple[Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise InvalidParameterError(f"Writing Parquet needs pyarrow: pip install pyarrow ({exc}).") from None
    return pa, pq


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _usual_mode(path: Path, *, folder: bool) -> None:
    """Give ``path`` the mode a plain ``open()``/``mkdir()`` would (mkstemp/mkdtemp make 0600/0700)."""
    os.chmod(path, (0o777 if folder else 0o666) & ~_umask())


def _check_folder(target: Path, owner: str) -> None:
    parent = target.parent
    if not parent.is_dir():
        raise InvalidParameterError(f"The 'path' parameter of {owner}: the folder {str(parent)!r} does not exist.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InvalidParameterError(
            f"The 'path' parameter of {owner}: the folder {str(parent)!r} is not writable (permission denied)."
        )


def _temporary(target: Path, owner: str, *, folder: bool) -> Path:
    """A hidden temporary file or folder beside ``target``, with the usual permissions."""
    try:
        if folder:
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
        else:
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            os.close(fd)
            tmp = Path(name)
    except OSError as exc:
        raise InvalidParameterError(
            f"The 'path' parameter of {owner}: cannot write in the folder {str(target.parent)!r} "
            f"({exc.strerror or exc})."
        ) from None
    _usual_mode(tmp, folder=folder)
    return tmp


def file_format(path: str | os.PathLike, owner: str = "to_file") -> tuple[str, str | None]:
    """``("csv", None)``, ``("csv", "gzip")`` or ``("parquet", None)`` from the file name.

    >>> file_format("out.csv.gz"), file_format("x.PARQUET")
    (('csv', 'gzip'), ('parquet', None))
    """
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes[-2:] == [".csv", ".gz"]:
        return "csv", "gzip"
    if suffixes and suffixes[-1] == ".csv":
        return "csv", None
    if suffixes and suffixes[-1] in (".parquet", ".pq"):
        return "parquet", None
    raise InvalidParameterError(
        f"The 'path' parameter of {owner} must end in .csv, .csv.gz or .parquet. Got {Path(path).name!r} instead."
    )


class _CsvWriter:
    def __init__(self, path: Path, compression: str | None) -> None:
        self.raw = open(path, "wb")  # noqa: SIM115 - closed in close()
        # mtime=0 and no file name in the gzip header: the same rows give the same bytes.
        self.zipped = gzip.GzipFile(fileobj=self.raw, mode="wb", mtime=0, filename="") if compression else None
        self.text = io.TextIOWrapper(self.zipped or self.raw, encoding="utf-8", newline="")
        self.header = True

    def write(self, df: pd.DataFrame) -> None:
        df.to_csv(self.text, index=False, header=self.header)
        self.header = False

    def close(self) -> None:
        self.text.flush()
        if self.zipped is not None:
            self.zipped.close()
        self.raw.close()

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.raw.close()


class _ParquetWriter:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.pa, self.pq = _pyarrow()
        self.writer = None
        self.schema = None

    def write(self, df: pd.DataFrame) -> None:
        # Every row group gets the first block's Arrow schema, so a column that happens to
        # be all-missing in one block keeps its type.
        table = self.pa.Table.from_pandas(df, schema=self.schema, preserve_index=False)
        if self.writer is None:
            self.schema = table.schema
            self.writer = self.pq.ParquetWriter(self.path, self.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.close()


def to_file(
    gen: Generator,
    path: str | os.PathLike,
    n: int,
    *,
    seed: int | None = None,
    overwrite: bool = False,
    progress: bool = True,
) -> Path:
    """Write ``n`` rows of ``gen`` to one CSV (``.csv``, ``.csv.gz``) or Parquet file, atomically.

    Generators that stream (see the module docstring) are written block by block, so
    memory stays at about one block whatever ``n``; the file holds exactly the rows of
    ``sample(n, seed)`` for ``Schema``. The others are made with ``sample(n, seed)``,
    whose memory is checked against the limit first. The data goes to a hidden
    temporary file beside ``path``, renamed over it only when complete: a failure or an
    interrupt leaves no partial file, and an existing file is kept whole or replaced whole.

    >>> import tempfile, synthbench as sb
    >>> gen = sb.Schema.example()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = to_file(gen, f"{tmp}/customers.csv", 100_000, seed=1, progress=False)
    ...     same = path.read_text() == gen.sample(100_000, seed=1).to_csv(index=False)
    >>> same
    True
    """
    return _write_file(gen, path, n, seed=seed, overwrite=overwrite, progress=progress)[0]


def _write_file(
    gen: Generator, path: str | os.PathLike, n: Any, *, seed: Any, overwrite: bool, progress: bool
) -> tuple[Path, int, int]:
    """:func:`to_file`, also returning the rows and columns written."""
    cls = type(gen).__name__
    owner = f"{cls}.to_file"
    fmt, compression = file_format(path, owner)
    target = Path(path)
    if gen.streamable():
        n, seed = _check(gen, n, seed, "to_file")
        total, size = gen._stream_rows(n)
        _check_rows_in_memory(gen, n, min(total, size), f"{owner}: one block of {min(total, size):,} rows", "")
    else:
        n = gen._check_n(n, owner)
        seed = check_seed(seed, owner=owner)
        gen.validate()
        gen._check_fitted()
        gen._check_memory(n, f"{cls}.sample")
    _check_folder(target, owner)
    if target.is_dir():
        raise InvalidParameterError(f"The 'path' parameter of {owner}: {str(target)!r} is a folder, not a file.")
    if (target.exists() or target.is_symlink()) and not overwrite:
        raise InvalidParameterError(
            f"The 'path' parameter of {owner}: {str(target)!r} already exists. Pass overwrite=True to replace it."
        )
    if fmt == "parquet":
        _pyarrow()
    tmp = _temporary(target, owner, folder=False)
    writer: _CsvWriter | _ParquetWriter | None = None
    bar = _Progress(total if gen.streamable() else n or 0, progress and gen.streamable(), f"{cls} -> {target.name}")
    rows = columns = 0
    try:
        writer = _CsvWriter(tmp, compression) if fmt == "csv" else _ParquetWriter(tmp)
        blocks = (
            (_blocks(gen, n, seed, k, k + 1) for k in range(n_blocks(total, size)))
            if gen.streamable()
            else iter([gen.sample(n, seed=seed)])
        )
        for block in blocks:
            writer.write(block)
            rows, columns = rows + len(block), block.shape[1]
            bar.update(len(block))
        writer.close()
        os.replace(tmp, target)
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    finally:
        bar.close()
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return target, rows, columns


# -- Parquet datasets --------------------------------------------------------------------------
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
        order (``pd.read_parquet(path)`` reads them back in order) and the marker file
        ``_synthbench.json`` (which Parquet readers skip).
    n : int
        Number of rows, as for ``gen.sample(n)`` (for a time series: steps per entity).
    seed : int or None
        Random seed; the same seed gives the same rows for any ``rows_per_file``.
    rows_per_file : int or None
        Rows per file (the last file holds the rest); default 1,048,576. Memory stays
        bounded by about one file plus one block, whatever ``n``; that bound is checked
        against the memory limit before anything is written. With threads to spare
        (:func:`synthbench.set_config`), up to four files are written side by side while
        the next is made, as many as fit in the memory limit. A time series' files hold
        whole entities: the rows are rounded down to whole series, at least one.
    overwrite : bool
        Replace an existing dataset at ``path`` (only once the new one is complete).
        Only a folder that synthbench wrote (it holds the marker file and nothing but
        synthbench's files) is ever replaced; any other folder is refused.
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
    dataset, and an existing dataset is either kept whole or replaced whole. Files and
    folders get the usual permissions (the umask's), like any the shell makes.
    """
    n, seed = _check(gen, n, seed, "to_parquet")
    owner = f"{type(gen).__name__}.to_parquet"
    if rows_per_file is None:
        rows_per_file = DEFAULT_ROWS_PER_FILE
    rows_per_file = gen._file_rows(n, int(check_value(rows_per_file, "rows_per_file", Int(1), owner)))
    rows, size = gen._stream_rows(n)
    held = min(rows, rows_per_file + size)
    _check_rows_in_memory(
        gen,
        n,
        held,
        f"{owner}(rows_per_file={rows_per_file:,}), which holds up to {held:,} rows at once,",
        f"Write smaller files with a lower rows_per_file (default {DEFAULT_ROWS_PER_FILE:,}). ",
    )
    # More files written side by side when there are threads for them and memory allows
    # (pyarrow's writer takes longer than making the rows, so one writer sets the pace).
    writers = 1
    while (
        writers < min(threads(), _MAX_WRITERS, n_blocks(rows, size))
        and gen._estimate_rows_bytes(n, min(rows, (writers + 1) * rows_per_file + size)) <= max_bytes()
    ):
        writers += 1
    target = Path(path)
    _check_folder(target, owner)
    if (target.exists() or target.is_symlink()) and not overwrite:
        raise InvalidParameterError(
            f"The 'path' parameter of {owner}: {str(target)!r} already exists. Pass overwrite=True to replace it."
        )
    if target.exists() or target.is_symlink():
        _check_replaceable(target, owner)
    pa, pq = _pyarrow()

    tmp = _temporary(target, owner, folder=True)
    bar = _Progress(rows, progress, f"{type(gen).__name__} -> {target.name}")
    # Files are written by threads while the next file's rows are made (pyarrow's writer
    # releases the GIL): at most `writers` files being written and one being made at a time.
    writer = ThreadPoolExecutor(max_workers=writers, thread_name_prefix="synthbench-parquet")
    try:
        schema = None
        files = 0
        writing: deque[Any] = deque()  # the files being written, oldest first
        buffer: list[pd.DataFrame] = []
        buffered = 0

        def flush(frames: list[pd.DataFrame]) -> None:
            nonlocal schema, files
            df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
            # Every file gets the first file's Arrow schema, so a column that happens to
            # be all-missing in one file keeps its type.
            table = pa.Table.from_pandas(df, schema=schema, preserve_index=False)
            schema = table.schema
            if len(writing) == writers:
                writing.popleft().result()  # the oldest file is complete (or its error is raised here)
            writing.append(writer.submit(pq.write_table, table, tmp / f"part-{files:05d}.parquet"))
            files += 1

        total = n_blocks(rows, size)
        k = 0
        while k < total:
            # As many whole blocks as fill the file being made (at least one), made at once.
            step = max(1, min((rows_per_file - buffered) // size, total - k))
            block = _blocks(gen, n, seed, k, k + step)
            k += step
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
        while writing:
            writing.popleft().result()
        marker = {"synthbench_dataset": 1, "generator": type(gen).__name__, "rows": rows, "seed": seed, "files": files}
        if rows != n:
            marker["n"] = n
        (tmp / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
        _replace(tmp, target)
    except BaseException:
        writer.shutdown(wait=True, cancel_futures=True)  # no file is being written when the folder goes
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        writer.shutdown(wait=True)
        bar.close()
    return target


def _check_replaceable(target: Path, owner: str) -> None:
    """Refuse to replace anything but a dataset folder that synthbench wrote."""
    refuse = (
        f"The 'path' parameter of {owner}: {str(target)!r} exists and is not a dataset folder written by "
        f"synthbench (%s), so it is not replaced. Choose another path, or remove it yourself."
    )
    if target.is_symlink() or not target.is_dir():
        raise InvalidParameterError(refuse % ("it is a link" if target.is_symlink() else "it is a file"))
    try:
        names = os.listdir(target)
    except OSError as exc:
        raise InvalidParameterError(refuse % f"it cannot be read: {exc.strerror or exc}") from None
    if MARKER not in names:
        raise InvalidParameterError(refuse % f"it has no {MARKER} marker file")
    others = sorted(name for name in names if name != MARKER and not _PART.fullmatch(name))
    if others:
        raise InvalidParameterError(refuse % f"it also holds other files, such as {others[0]!r}")


def _replace(new: Path, target: Path) -> None:
    """Move the finished folder ``new`` to ``target``; an old dataset goes only after."""
    if not (target.exists() or target.is_symlink()):
        os.replace(new, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    try:
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
        self.size = gen._stream_rows(n)[1]

    def __dask_tokenize__(self) -> str:
        # A deterministic name from the spec, so equal requests share Dask's task keys.
        spec = json.dumps(self.gen.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(f"{spec}|{self.n}|{self.seed}".encode()).hexdigest()

    def __call__(self, blocks: tuple[int, int]) -> pd.DataFrame:
        start, stop = blocks
        df = _blocks(self.gen, self.n, self.seed, start, stop)
        first = start * self.size
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
    capped at the number of blocks (``ceil(n / 65536)``; a time series' blocks hold whole entities).

    >>> import synthbench as sb
    >>> gen = sb.Schema.example()
    >>> ddf = gen.to_dask(200_000, seed=7, npartitions=3)  # doctest: +SKIP
    >>> ddf.compute().equals(gen.sample(200_000, seed=7))  # doctest: +SKIP
    True
    """
    n, seed = _check(gen, n, seed, "to_dask")
    owner = f"{type(gen).__name__}.to_dask"
    rows, size = gen._stream_rows(n)
    total = n_blocks(rows, size)
    if npartitions is None:
        npartitions = -(-total // 16)
    check_value(npartitions, "npartitions", Optional(Int(1)), owner)
    dd = _dask_dataframe()
    parts = min(int(npartitions), total)
    bounds = [i * total // parts for i in range(parts + 1)]
    ranges = [(bounds[i], bounds[i + 1]) for i in range(parts)]
    widest = min(rows, max(stop - start for start, stop in ranges) * size)
    # Dask is lazy, but each worker makes a whole partition at once: bound that.
    _check_rows_in_memory(
        gen,
        n,
        widest,
        f"{owner}: one partition of up to {widest:,} rows",
        "Use more partitions (a higher npartitions). ",
    )
    make = _Partition(gen, n, seed)
    # The columns and dtypes: from an empty run, or the first block of a generator that cannot make one.
    meta = _blocks(gen, 0 if gen.min_rows == 0 else n, seed, 0, 1).iloc[:0]
    exact = not (gen.block_size and getattr(gen, "on_violation", None) == "drop" and getattr(gen, "constraints", ()))
    divisions = None
    if exact and rows > 0:
        divisions = (*(start * size for start, _ in ranges), rows - 1)
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
