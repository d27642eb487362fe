"""Block-wise generation: streaming to Parquet and Dask scale-out (synthbench.scale)."""

from __future__ import annotations

import io
import json
import os

import pandas as pd
import pytest

import synthbench as sb
from synthbench import columns as c
from synthbench.cli import main
from synthbench.exceptions import InvalidParameterError, ResourceLimitError
from synthbench.scale import BLOCK_SIZE, MARKER, iter_blocks, n_blocks, to_file
from synthbench.timeseries import (
    AR,
    Anomaly,
    LevelShift,
    Missing,
    Noise,
    RandomWalk,
    Seasonality,
    Trend,
    example_temperatures,
)

# 7 whole blocks and a partial one: enough for 1, 3 and 7 partitions to differ.
N = 7 * BLOCK_SIZE + 1_234


def small_schema(**kwargs) -> sb.Schema:
    """A cheap table with every kind of global state: sequential ids, categories, nulls, dates."""
    return sb.Schema(
        columns=[
            c.Id("id"),
            c.Id("code", prefix="K-", width=7),
            c.Categorical("group", categories=["a", "b", "c"], weights=[0.5, 0.3, 0.2]),
            c.Integer("low", params={"low": 0, "high": 50}),
            c.Integer("high", params={"low": 0, "high": 100}, null_rate=0.1),
            c.Float("x", distribution="normal", null_rate=0.05),
            c.Datetime("day", start="2024-01-01", end="2024-12-31", freq="D"),
        ],
        **kwargs,
    )


@pytest.fixture(scope="module")
def gen() -> sb.Schema:
    return small_schema()


@pytest.fixture(scope="module")
def reference(gen) -> pd.DataFrame:
    return gen.sample(N, seed=11)


# Time series stream in blocks of whole entities: 1,000 steps make 64 entities a block,
# so 7 * 64 + 5 entities are again 7 whole blocks and a partial one.
STEPS, FLEET = 1_000, 7 * 64 + 5


def sensor_fleet(entities: int = FLEET) -> sb.TimeSeries:
    """Every random part, correlated channels, per-entity variation, fleet-wide events."""
    return sb.TimeSeries(
        freq="h",
        entities=entities,
        channels=["temp", "load"],
        correlation=0.5,
        components=[
            Trend(level=20, slope=0.001, vary=0.2),
            Seasonality(period=24, amplitude=3, vary=0.1),
            Noise(kind="t", df=4, scale=0.3),
            AR(phi=[0.7], scale=0.5),
            RandomWalk(scale=0.05),
            LevelShift(rate=0.002, scale=2.0),
            LevelShift(at=["2024-01-20"], sizes=[-5.0], rate=0.001, shared=True),
        ],
        anomalies=[Anomaly(count=2, length=3, magnitude=6.0), Anomaly(at=500, length=4, entities=[3, 100, 450])],
        missing=[Missing(count=1, length=5), Missing(count=1, length=24, shared=True)],
        decimals=3,
    )


#: The generators that stream (name -> (generator, n, a column to count by)).
STREAMED = {
    "Schema": lambda: (small_schema(), N, "group"),
    "TimeSeries": lambda: (sensor_fleet(), STEPS, "entity"),
    "FittedTimeSeries": lambda: (
        sb.FittedTimeSeries(periods=[365.25], harmonics=2, entities=FLEET).fit(example_temperatures()),
        STEPS,
        "entity",
    ),
}


@pytest.fixture(scope="module", params=list(STREAMED))
def streamed(request) -> tuple[sb.base.Generator, int, str, pd.DataFrame]:
    """A streaming generator, its ``n`` (several blocks), a column to count by, and ``sample(n, seed=11)``."""
    gen, n, key = STREAMED[request.param]()
    return gen, n, key, gen.sample(n, seed=11)


def test_concatenated_blocks_equal_one_sample(streamed):
    gen, n, _, reference = streamed
    blocks = list(iter_blocks(gen, n, seed=11))
    size = len(blocks[0])
    assert [len(b) for b in blocks] == [size] * 7 + [len(reference) - 7 * size]
    pd.testing.assert_frame_equal(pd.concat(blocks, ignore_index=True), reference)


def test_schema_ids_run_on_and_a_shorter_sample_is_the_start_of_a_longer(gen, reference):
    # Ids stay unique and sequential across blocks.
    assert reference["id"].is_monotonic_increasing and reference["id"].is_unique
    # sample(n) is the first n rows of any larger run.
    pd.testing.assert_frame_equal(gen.sample(100_000, seed=11), reference.iloc[:100_000])


def test_parquet_dataset_reads_back_as_the_sample(streamed, tmp_path):
    gen, n, _, reference = streamed
    rows = len(reference)
    path = gen.to_parquet(tmp_path / "data", n, seed=11, rows_per_file=200_000, progress=False)
    files = sorted(p.name for p in path.iterdir() if p.name != MARKER)
    assert files == [f"part-{i:05d}.parquet" for i in range(3)]
    assert json.loads((path / MARKER).read_text())["rows"] == rows
    assert [len(pd.read_parquet(path / f)) for f in files] == [200_000, 200_000, rows - 400_000]
    pd.testing.assert_frame_equal(pd.read_parquet(path), reference)
    assert [p.name for p in tmp_path.iterdir()] == ["data"]  # no temporary folder left


@pytest.mark.parametrize("rows_per_file", [1, 1_000])
def test_tiny_files_and_empty_tables(rows_per_file, tmp_path):
    gen = small_schema()
    path = gen.to_parquet(tmp_path / "tiny", 12, seed=2, rows_per_file=rows_per_file, progress=False)
    assert len(list(path.glob("part-*"))) == (12 if rows_per_file == 1 else 1)  # part-00010 reads after part-00009
    pd.testing.assert_frame_equal(pd.read_parquet(path), gen.sample(12, seed=2))
    empty = gen.to_parquet(tmp_path / "empty", 0, seed=2, progress=False)
    back = pd.read_parquet(empty)
    assert back.shape == (0, 7) and list(back.columns) == list(gen.sample(0, seed=2).columns)


def test_drop_constraints_give_the_same_rows_however_split(tmp_path):
    gen = small_schema(constraints=["low < high"], on_violation="drop")
    ref = gen.sample(3 * BLOCK_SIZE, seed=4)
    assert len(ref) < 3 * BLOCK_SIZE  # some rows were dropped
    path = gen.to_parquet(tmp_path / "d", 3 * BLOCK_SIZE, seed=4, rows_per_file=50_000, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(path), ref)


def test_progress_counter_on_stderr(streamed, tmp_path, capfd):
    gen, n, _, reference = streamed
    gen.to_parquet(tmp_path / "p", n, seed=11)
    err = capfd.readouterr().err
    rows = len(reference)
    assert f"{rows:,}/{rows:,} rows" in err or ("rows" in err and str(rows // 1000) in err)


class _FailingSchema(sb.Schema):
    """Fails while making block 2: what a full disk or a bug midway looks like."""

    def _sample_blocks(self, n, seed, start, stop):
        if start <= 2 < stop:
            raise RuntimeError("disk full")
        return super()._sample_blocks(n, seed, start, stop)


def test_failure_midway_leaves_no_dataset(tmp_path):
    bad = _FailingSchema(columns=small_schema().columns)
    with pytest.raises(RuntimeError, match="disk full"):
        bad.to_parquet(tmp_path / "data", N, seed=1, rows_per_file=BLOCK_SIZE, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_existing_dataset_is_kept_whole_or_replaced_whole(gen, tmp_path):
    target = tmp_path / "data"
    gen.to_parquet(target, 1_000, seed=1, rows_per_file=100, progress=False)
    before = pd.read_parquet(target)
    with pytest.raises(InvalidParameterError, match=r"already exists\. Pass overwrite=True"):
        gen.to_parquet(target, 500, seed=2, progress=False)
    bad = _FailingSchema(columns=gen.columns)
    with pytest.raises(RuntimeError, match="disk full"):
        bad.to_parquet(target, N, seed=2, rows_per_file=BLOCK_SIZE, overwrite=True, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(target), before)
    assert len(list(target.iterdir())) == 11  # ten files and the marker
    gen.to_parquet(target, 500, seed=2, overwrite=True, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(target), gen.sample(500, seed=2))
    assert [p.name for p in tmp_path.iterdir()] == ["data"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rows_per_file": 0}, "'rows_per_file' parameter of Schema.to_parquet must be an int >= 1. Got 0"),
        ({"rows_per_file": 2.5}, "'rows_per_file' parameter of Schema.to_parquet must be an int >= 1. Got 2.5"),
        ({"seed": -1}, "'seed' parameter of Schema.to_parquet"),
    ],
)
def test_bad_parameters_are_named(gen, tmp_path, kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        gen.to_parquet(tmp_path / "x", 10, progress=False, **kwargs)
    with pytest.raises(InvalidParameterError, match=r"'n' parameter of Schema\.to_parquet"):
        gen.to_parquet(tmp_path / "x", -5, progress=False)
    with pytest.raises(InvalidParameterError, match="does not exist"):
        gen.to_parquet(tmp_path / "no" / "x", 10, progress=False)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Classification", "draw the whole problem"),
        ("Moons", "draw the whole problem"),
        ("Balance", "size comes from the data"),
    ],
)
def test_unsupported_generators_say_which_are(name, why, tmp_path):
    gen = getattr(sb, name).example()
    for call in (lambda: gen.to_parquet(tmp_path / "x", 10, progress=False), lambda: gen.to_dask(10)):
        with pytest.raises(InvalidParameterError, match=why) as info:
            call()
        assert all(name in str(info.value) for name in ("Schema", "GaussianCopula", "TimeSeries", "FittedTimeSeries"))
    assert list(tmp_path.iterdir()) == []


def test_fitted_generators_stream_independent_blocks(tmp_path):
    gen = sb.GaussianCopula.example()
    n = 2 * BLOCK_SIZE + 10
    a = gen.to_parquet(tmp_path / "a", n, seed=3, rows_per_file=BLOCK_SIZE, progress=False)
    b = gen.to_parquet(tmp_path / "b", n, seed=3, rows_per_file=50_000, progress=False)
    df = pd.read_parquet(a)
    pd.testing.assert_frame_equal(df, pd.read_parquet(b))
    assert len(df) == n and df.dtypes.equals(gen.sample(5, seed=0).dtypes)
    # Up to one block the stream is sample(n, seed) itself.
    small = gen.to_parquet(tmp_path / "s", 1_000, seed=3, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(small), gen.sample(1_000, seed=3))
    # Blocks are different draws, not copies of the first one.
    first, second = df.iloc[:100], df.iloc[BLOCK_SIZE : BLOCK_SIZE + 100]
    assert not first.reset_index(drop=True).equals(second.reset_index(drop=True))


def test_unfitted_generator_is_refused(tmp_path):
    with pytest.raises(sb.exceptions.NotFittedError):
        sb.GaussianCopula().to_parquet(tmp_path / "x", 10, progress=False)


def test_cli_rows_per_file(tmp_path, capsys):
    spec = tmp_path / "spec.json"
    assert main(["spec", "Schema"]) == 0
    spec.write_text(capsys.readouterr().out)
    out = tmp_path / "customers.parquet"
    args = ["generate", str(spec), "-n", "5000", "-o", str(out), "--seed", "5", "--rows-per-file", "3000"]
    assert main(args) == 0
    assert "wrote 5,000 rows in 2 Parquet file(s)" in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_parquet(out), sb.Schema.example().sample(5_000, seed=5))
    assert main([*args[:-3], "6", "--rows-per-file", "2000"]) == 0  # an existing dataset is replaced whole
    assert sorted(os.listdir(out)) == [MARKER] + [f"part-{i:05d}.parquet" for i in range(3)]
    pd.testing.assert_frame_equal(pd.read_parquet(out), sb.Schema.example().sample(5_000, seed=6))
    assert main(["generate", str(spec), "-n", "10", "-o", str(tmp_path / "x.csv"), "--rows-per-file", "5"]) == 2
    assert "Parquet dataset folder" in capsys.readouterr().err
    assert main(["generate", str(spec), "-n", "10", "-o", str(tmp_path / "y"), "--rows-per-file", "0"]) == 2
    assert "'rows_per_file'" in capsys.readouterr().err


class _InterruptedSchema(sb.Schema):
    """Ctrl-C while making block 1."""

    def _sample_blocks(self, n, seed, start, stop):
        if start <= 1 < stop:
            raise KeyboardInterrupt
        return super()._sample_blocks(n, seed, start, stop)


@pytest.mark.parametrize("name", ["out.csv", "out.csv.gz", "out.parquet"])
def test_one_file_streams_exactly_the_sample(streamed, name, tmp_path):
    gen, n, _, _ = streamed
    n = 2 * BLOCK_SIZE + 7 if isinstance(gen, sb.Schema) else n
    path = to_file(gen, tmp_path / name, n, seed=5, progress=False)
    expected = gen.sample(n, seed=5)
    if name.endswith(".parquet"):
        back = pd.read_parquet(path)
        pd.testing.assert_frame_equal(back, expected)
    else:
        back = pd.read_csv(path)
        pd.testing.assert_frame_equal(back, pd.read_csv(io.StringIO(expected.to_csv(index=False))))
    if name == "out.csv":
        assert path.read_text() == expected.to_csv(index=False)  # byte for byte
    if name == "out.csv.gz":  # no time stamp in the gzip header: same seed, same bytes
        again = to_file(gen, tmp_path / "again.csv.gz", n, seed=5, progress=False)
        assert again.read_bytes() == path.read_bytes()
    assert {p.name for p in tmp_path.iterdir()} <= {name, "again.csv.gz"}  # no temporary file left


def test_one_file_of_a_generator_that_cannot_stream_is_its_sample(tmp_path):
    gen = sb.Moons(noise=0.1)
    path = to_file(gen, tmp_path / "moons.parquet", 500, seed=2, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(path), gen.sample(500, seed=2))
    with sb.config_context(max_bytes=2**20), pytest.raises(ResourceLimitError, match="Moons cannot stream"):
        to_file(gen, tmp_path / "big.csv", 10**9, seed=2, progress=False)
    assert [p.name for p in tmp_path.iterdir()] == ["moons.parquet"]


@pytest.mark.parametrize("error", [RuntimeError, KeyboardInterrupt])
def test_a_failed_or_interrupted_file_leaves_nothing_and_keeps_the_old_file(error, tmp_path):
    cls = _FailingSchema if error is RuntimeError else _InterruptedSchema
    bad = cls(columns=small_schema().columns)
    old = tmp_path / "out.csv"
    old.write_text("old\n")
    with pytest.raises(error):
        to_file(bad, old, N, seed=1, overwrite=True, progress=False)
    assert old.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["out.csv"]
    with pytest.raises(error):
        bad.to_parquet(tmp_path / "data", N, seed=1, rows_per_file=BLOCK_SIZE, progress=False)
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_files_and_folders_get_the_usual_permissions(gen, tmp_path):
    old = os.umask(0o002)
    try:
        folder = gen.to_parquet(tmp_path / "d", 10, seed=0, progress=False)
        single = to_file(gen, tmp_path / "one.csv", 10, seed=0, progress=False)
    finally:
        os.umask(old)
    assert folder.stat().st_mode & 0o777 == 0o775
    assert {p.stat().st_mode & 0o777 for p in folder.iterdir()} == {0o664}
    assert single.stat().st_mode & 0o777 == 0o664


def test_only_a_folder_synthbench_wrote_is_replaced(gen, tmp_path):
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.txt").write_text("precious")
    with pytest.raises(
        InvalidParameterError, match=r"not a dataset folder written by synthbench \(it has no _synthbench"
    ):
        gen.to_parquet(mine, 10, seed=0, overwrite=True, progress=False)
    ours = gen.to_parquet(tmp_path / "ours", 10, seed=0, progress=False)
    (ours / "notes.txt").write_text("added by hand")
    with pytest.raises(InvalidParameterError, match=r"also holds other files, such as 'notes\.txt'"):
        gen.to_parquet(ours, 10, seed=1, overwrite=True, progress=False)
    file = tmp_path / "file.parquet"
    file.write_text("x")
    (tmp_path / "link").symlink_to(mine)
    for target, why in ((file, "it is a file"), (tmp_path / "link", "it is a link")):
        with pytest.raises(InvalidParameterError, match=why):
            gen.to_parquet(target, 10, seed=0, overwrite=True, progress=False)
    assert (mine / "thesis.txt").read_text() == "precious" and (ours / "notes.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents", "file.parquet", "link", "ours"]


def test_streams_check_the_memory_they_hold(gen, tmp_path):
    # Room for one block (about 70 MiB by the Schema's estimate), not for a million rows.
    with sb.config_context(max_bytes=128 * 2**20):
        with pytest.raises(ResourceLimitError, match=r"rows_per_file=10,000,000.*lower rows_per_file"):
            gen.to_parquet(tmp_path / "x", 10**8, seed=0, rows_per_file=10**7, progress=False)
        with pytest.raises(ResourceLimitError, match="Stream the rows to disk"):
            gen.sample(10**6, seed=0)
        path = to_file(gen, tmp_path / "ok.csv", 3 * BLOCK_SIZE, seed=0, progress=False)  # one block at a time
        assert len(pd.read_csv(path)) == 3 * BLOCK_SIZE
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.csv"]


# -- Dask ------------------------------------------------------------------------------------
dd = pytest.importorskip("dask.dataframe", reason="the dask extra is not installed")


@pytest.mark.parametrize("npartitions", [1, 3, 7])
def test_dask_output_is_the_same_for_any_partitioning(streamed, npartitions):
    gen, n, _, reference = streamed
    ddf = gen.to_dask(n, seed=11, npartitions=npartitions)
    assert isinstance(ddf, dd.DataFrame) and ddf.npartitions == npartitions
    assert ddf.known_divisions
    pd.testing.assert_frame_equal(ddf.compute(), reference)


def test_dask_partitions_are_bounded_in_memory(gen):
    with sb.config_context(max_bytes=8 * 2**20), pytest.raises(ResourceLimitError, match="more partitions"):
        gen.to_dask(10**8, seed=1, npartitions=2)


def test_dask_partitions_are_capped_at_the_block_count(gen):
    ddf = gen.to_dask(100, seed=1, npartitions=50)
    assert ddf.npartitions == 1
    pd.testing.assert_frame_equal(ddf.compute(), gen.sample(100, seed=1))
    with pytest.raises(InvalidParameterError, match=r"'npartitions' parameter of Schema\.to_dask"):
        gen.to_dask(100, npartitions=0)


def test_dask_fitted_generator_is_partition_invariant():
    gen = sb.GaussianMixture.example()
    n = 2 * BLOCK_SIZE + 5
    one = gen.to_dask(n, seed=2, npartitions=1).compute()
    pd.testing.assert_frame_equal(gen.to_dask(n, seed=2, npartitions=3).compute(), one)
    assert len(one) == n


def test_dask_local_cluster_makes_the_same_frame(streamed):
    gen, n, key, reference = streamed
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            protocol="tcp",
            host="127.0.0.1",
            dashboard_address=":0",
        ) as cluster,
        distributed.Client(cluster),
    ):
        ddf = gen.to_dask(n, seed=11, npartitions=3)
        pd.testing.assert_frame_equal(ddf.compute(), reference)
        assert n_blocks(*gen._stream_rows(n)) == 8
        counts = ddf[key].value_counts().compute().sort_index()
        pd.testing.assert_series_equal(counts, reference[key].value_counts().sort_index())
