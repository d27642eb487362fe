"""Parquet datasets written by threads while the next file's rows are made (synthbench.scale).

The bytes are those of writing each file's slice of ``sample(n)`` with pyarrow, and a
failure or Ctrl-C on either side (making rows, writing a file) leaves no dataset, no
temporary folder and no writer thread behind: with one writer (``threads=1``) and with
several files written side by side (``threads=3``).
"""

from __future__ import annotations

import threading

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import synthbench as sb
from synthbench import columns as c
from synthbench.scale import BLOCK_SIZE, MARKER

N = 5 * BLOCK_SIZE + 321  # three files of two blocks, the last one short
PER_FILE = 2 * BLOCK_SIZE


def table(**kwargs) -> sb.Schema:
    return sb.Schema(
        columns=[
            c.Id("id", prefix="C-", width=6),
            c.Categorical("country", categories=["DE", "FR", "US"], weights=[0.2, 0.3, 0.5]),
            c.Float("income", distribution="lognormal", by="country", params_by={"US": {"mean": 1.0}}, null_rate=0.1),
            c.Pattern("code", pattern="##-??"),
            c.Datetime("day", start="2024-01-01", end="2024-12-31", freq="D"),
        ],
        **kwargs,
    )


@pytest.fixture(autouse=True, params=[1, 3], ids=["one-writer", "three-writers"])
def threads(request):
    with sb.config_context(threads=request.param):
        yield request.param


def writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("synthbench-parquet")]


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("rows_per_file", [PER_FILE, 70_001, N + 5])
def test_files_hold_the_bytes_of_the_sample_written_file_by_file(rows_per_file, tmp_path):
    gen = table()
    path = gen.to_parquet(tmp_path / "data", N, seed=3, rows_per_file=rows_per_file, progress=False)
    frame = gen.sample(N, seed=3)
    starts = range(0, N, rows_per_file)
    assert leftovers(path) == [MARKER] + [f"part-{i:05d}.parquet" for i in range(len(starts))]
    schema = None
    for i, start in enumerate(starts):
        expected = pa.Table.from_pandas(
            frame.iloc[start : start + rows_per_file].reset_index(drop=True), schema=schema, preserve_index=False
        )
        schema = expected.schema
        pq.write_table(expected, tmp_path / "expected.parquet")
        assert (path / f"part-{i:05d}.parquet").read_bytes() == (tmp_path / "expected.parquet").read_bytes()
    pd.testing.assert_frame_equal(pd.read_parquet(path), frame)
    assert writer_threads() == []


class _FailsMaking(sb.Schema):
    """Raises while making the second file's blocks, when the first file is being written."""

    error: type[BaseException] = RuntimeError

    def _sample_blocks(self, n, seed, start, stop):
        if start <= 2 < stop:
            raise self.error("made no rows")
        return super()._sample_blocks(n, seed, start, stop)


class _InterruptedMaking(_FailsMaking):
    error = KeyboardInterrupt


@pytest.mark.parametrize("cls", [_FailsMaking, _InterruptedMaking])
def test_a_failure_or_ctrl_c_while_a_file_is_written_leaves_nothing(cls, tmp_path):
    gen = cls(columns=table().columns)
    with pytest.raises(cls.error, match="made no rows"):
        gen.to_parquet(tmp_path / "data", N, seed=1, rows_per_file=PER_FILE, progress=False)
    assert leftovers(tmp_path) == []
    assert writer_threads() == []


class _BlocksTheSecondFile(sb.Schema):
    """Puts a folder where the writer thread will write the second file: the write fails."""

    def _sample_blocks(self, n, seed, start, stop):
        if start == 2:
            (tmp,) = self.folder.glob(".data.*.tmp")
            (tmp / "part-00001.parquet").mkdir()
        return super()._sample_blocks(n, seed, start, stop)


def test_a_failed_write_is_raised_and_leaves_nothing(tmp_path):
    gen = _BlocksTheSecondFile(columns=table().columns)
    gen.folder = tmp_path
    with pytest.raises(OSError):
        gen.to_parquet(tmp_path / "data", N, seed=1, rows_per_file=PER_FILE, progress=False)
    assert leftovers(tmp_path) == []
    assert writer_threads() == []


def test_an_existing_dataset_survives_a_failed_replacement(tmp_path):
    good = table().to_parquet(tmp_path / "data", N, seed=2, rows_per_file=PER_FILE, progress=False)
    before = {p.name: p.read_bytes() for p in good.iterdir()}
    with pytest.raises(RuntimeError):
        _FailsMaking(columns=table().columns).to_parquet(
            tmp_path / "data", N, seed=1, rows_per_file=PER_FILE, overwrite=True, progress=False
        )
    assert {p.name: p.read_bytes() for p in good.iterdir()} == before
    assert leftovers(tmp_path) == ["data"]


def test_drop_constraints_fill_every_file_across_block_ranges(tmp_path):
    gen = table(constraints=["income < 3"], on_violation="drop")
    path = gen.to_parquet(tmp_path / "data", N, seed=4, rows_per_file=PER_FILE, progress=False)
    sizes = [pq.ParquetFile(p).metadata.num_rows for p in sorted(path.glob("part-*.parquet"))]
    frame = gen.sample(N, seed=4)
    assert sizes[:-1] == [PER_FILE] * (len(sizes) - 1) and sum(sizes) == len(frame) < N
    pd.testing.assert_frame_equal(pd.read_parquet(path), frame)


def test_writers_are_as_many_as_the_memory_limit_allows(tmp_path, threads):
    gen = table()
    one_writer = gen._estimate_rows_bytes(N, PER_FILE + BLOCK_SIZE)
    assert gen._estimate_rows_bytes(N, 2 * PER_FILE + BLOCK_SIZE) > one_writer
    with sb.config_context(max_bytes=one_writer):  # room for one file being written, not two
        path = gen.to_parquet(tmp_path / "data", N, seed=3, rows_per_file=PER_FILE, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(path), gen.sample(N, seed=3))
    assert writer_threads() == []
