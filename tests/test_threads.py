"""Blocks made side by side: synthbench.scale.block_map and the ``threads`` setting.

``Schema.sample`` makes the blocks after the first on a shared pool of threads. Blocks
share nothing, so any number of threads gives the same bytes; these tests hold it to
that, and to the pool's promises: results in order, a bounded look-ahead, errors raised
where their block is read, nothing left running after an error, no deadlock when called
from the pool's own threads, and a working pool in a forked child.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc

import joblib
import pandas as pd
import pytest

import synthbench as sb
from synthbench import columns as c
from synthbench.exceptions import InvalidParameterError
from synthbench.kernels import rules as k
from synthbench.scale import BLOCK_SIZE, block_map

ROWS = 5 * BLOCK_SIZE + 321


def busy_schema(**options) -> sb.Schema:
    """One column of each kind a block writes: ids, text, categories, nulls, dates, derived."""
    return sb.Schema(
        columns=[
            c.Id("id", start=-2 * BLOCK_SIZE, prefix="K", width=5),
            c.Categorical("group", categories=["a", "b", "c"], weights=[0.5, 0.3, 0.2], null_rate=0.1),
            c.Integer("n", params={"low": 0, "high": 9}),
            c.Float("x", distribution="normal", params={"loc": 0, "scale": 1}, by="group", params_by={"b": {"loc": 3}}),
            c.Boolean("ok", p=0.7, null_rate=0.05),
            c.Datetime("day", start="2020-01-01", end="2020-12-31", null_rate=0.2),
            c.Pattern("code", pattern="[A-F]{2}-##"),
            c.Derived("y", expr="x * 2 + n"),
        ],
        **options,
    )


@pytest.mark.parametrize(
    "options",
    [{}, {"constraints": ["x < 4"]}, {"constraints": ["x < 4"], "on_violation": "drop"}],
    ids=["plain", "resample", "drop"],
)
def test_any_number_of_threads_makes_the_same_bytes(options):
    gen = busy_schema(**options)
    with sb.config_context(threads=1):
        alone = gen.sample(ROWS, seed=11)
    for count in (2, 3, 8):
        with sb.config_context(threads=count):
            pd.testing.assert_frame_equal(gen.sample(ROWS, seed=11), alone, check_exact=True)
            assert gen.sample(ROWS, seed=11).attrs == alone.attrs  # the constraint report adds up the blocks
    if options:
        assert alone.attrs["synthbench"]["constraint_violations"]["x < 4"] > 0


def test_the_threads_setting_is_checked_and_read_from_the_environment(monkeypatch):
    for bad in (0, -1, 1.5, True, "2", 10_000):
        with pytest.raises(InvalidParameterError, match="threads"):
            sb.set_config(threads=bad)
    monkeypatch.setenv("SYNTHBENCH_THREADS", "3")
    assert sb.get_config()["threads"] == 3
    with sb.config_context(threads=1):
        assert sb.get_config()["threads"] == 1
    assert sb.get_config()["threads"] == 3
    for bad in ("0", "two", "-2", "1e3", "99999"):
        monkeypatch.setenv("SYNTHBENCH_THREADS", bad)
        with pytest.raises(InvalidParameterError, match=r"SYNTHBENCH_THREADS.*whole number"):
            sb.get_config()
    monkeypatch.delenv("SYNTHBENCH_THREADS")
    assert sb.get_config()["threads"] == joblib.cpu_count() <= len(os.sched_getaffinity(0))


def test_block_map_keeps_the_order_and_makes_few_items_ahead():
    started = []

    def slow_square(i):
        started.append(i)
        time.sleep(0.001 * (i % 3))  # finished out of order
        return i * i

    with sb.config_context(threads=3):
        assert list(block_map(slow_square, range(40))) == [i * i for i in range(40)]
        started.clear()
        results = block_map(slow_square, itertools.count())  # endless: only what is asked is made
        assert [next(results) for _ in range(5)] == [0, 1, 4, 9, 16]
        time.sleep(0.05)
        assert len(started) <= 5 + 2 * 3 + 1
        results.close()


def test_an_error_is_raised_where_its_item_is_read_and_nothing_is_left_running():
    running = threading.Event()
    done = []

    def work(i):
        if i == 4:
            raise ValueError("block 4 failed")
        running.set()
        time.sleep(0.01)
        done.append(i)
        return i

    with sb.config_context(threads=2):
        results = block_map(work, range(1_000))
        assert [next(results) for _ in range(4)] == [0, 1, 2, 3]
        with pytest.raises(ValueError, match="block 4 failed"):
            next(results)
        count = len(done)
        time.sleep(0.1)
        assert len(done) == count < 20  # items not started were dropped, none still runs


def test_block_map_inside_the_pool_runs_in_place_instead_of_waiting_on_itself():
    def inner(i):
        return sum(block_map(lambda j: j + i, range(3)))

    with sb.config_context(threads=2):
        assert list(block_map(inner, range(6))) == [3 * i + 3 for i in range(6)]


def test_one_thread_runs_in_the_callers_thread():
    names = []
    with sb.config_context(threads=1):
        list(block_map(lambda i: names.append(threading.current_thread().name), range(3)))
    assert names == [threading.current_thread().name] * 3


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_makes_its_own_pool():
    # After the parent's pool has threads, a forked child has the pool object but not its
    # threads: the child must make a pool of its own, not wait forever.
    script = textwrap.dedent(
        """
        import os, sys
        import synthbench as sb
        gen = sb.Schema.example()
        with sb.config_context(threads=2):
            parent = gen.sample(300_000, seed=1)
            pid = os.fork()
            if pid == 0:
                child = gen.sample(300_000, seed=1)
                os._exit(0 if child.equals(parent) else 3)
            _, status = os.waitpid(pid, 0)
        sys.exit(os.waitstatus_to_exitcode(status))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], timeout=120, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_changing_the_setting_while_a_sample_runs_leaves_it_running():
    go = threading.Event()

    def waits(rng, positions, _):
        """Block 3 on waits until told to go, so the run is still making blocks meanwhile."""
        if positions[0] // 100 == 3:
            go.wait(timeout=60)
        return rng.random(len(positions))

    columns = [("x", 1, waits, {}, None)]
    go.set()
    with sb.config_context(threads=1):
        expected = k.make_table(1_000, 0, columns, block_size=100)
    go.clear()
    results = []
    with sb.config_context(threads=2):
        worker = threading.Thread(
            target=lambda: results.append(k.make_table(1_000, 0, columns, block_size=100, block_map=block_map))
        )
        worker.start()
        for count in (3, 4):  # other pools while the first one is busy
            with sb.config_context(threads=count):
                pd.testing.assert_frame_equal(busy_schema().sample(ROWS, seed=2), busy_schema().sample(ROWS, seed=2))
        assert worker.is_alive()
        go.set()
        worker.join(timeout=60)
    assert len(results) == 1
    pd.testing.assert_frame_equal(results[0], expected)


def test_the_default_is_the_cpus_the_process_may_use_not_the_machines():
    # joblib's count, which reads the CPU affinity and a container's CPU quota (cgroups), and
    # honours LOKY_MAX_CPU_COUNT: a Binder pod on a 64-core host gets its share, not 64.
    script = "import synthbench as sb; print(sb.get_config()['threads'])"
    env = {**os.environ, "LOKY_MAX_CPU_COUNT": "1"}
    env.pop("SYNTHBENCH_THREADS", None)
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"


# -- red team (redteam20): hostile schemas, interrupts, errors, memory, concurrency ------------------


def test_an_interrupt_while_waiting_for_a_block_returns_only_once_that_block_is_done():
    # Ctrl-C arrives while the caller waits for block 1: the call must not return while
    # block 1 still runs on the pool on its behalf (before the fix, the block being waited
    # for had left the pending list, so nobody waited for it).
    script = textwrap.dedent(
        """
        import signal, threading, time
        import synthbench as sb
        from synthbench import scale
        from synthbench.kernels import rules as k

        started, done = threading.Event(), []

        def slow(rng, positions, _):
            if positions[0] // 100 == 1:
                started.set()
                time.sleep(0.5)
                done.append(1)
            return rng.random(len(positions))

        main = threading.main_thread().ident

        def interrupt():
            started.wait(30)
            time.sleep(0.05)
            signal.pthread_kill(main, signal.SIGINT)

        threading.Thread(target=interrupt).start()
        with sb.config_context(threads=2):
            try:
                k.make_table(300, 0, [("x", 1, slow, {}, None)], block_size=100, block_map=scale.block_map)
            except KeyboardInterrupt:
                print("interrupted", len(done))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], timeout=120, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["interrupted", "1"]


def test_an_interrupt_raised_by_a_later_block_is_not_swapped_for_another_error():
    # Block 1 fails with a ValueError, block 2 (already running) with KeyboardInterrupt:
    # the error read first is the one raised, and waiting for block 2 on the way out does
    # not raise its KeyboardInterrupt in its place.
    both_started = threading.Barrier(2, timeout=30)

    def work(i):
        if i in (1, 2):
            both_started.wait()
            if i == 1:
                raise ValueError("block 1 failed")
            raise KeyboardInterrupt
        return i

    raised = None
    with sb.config_context(threads=2):
        try:
            list(block_map(work, range(3)))
        except BaseException as exc:  # a KeyboardInterrupt here is the bug
            raised = exc
    assert isinstance(raised, ValueError) and str(raised) == "block 1 failed", repr(raised)


def test_the_memory_estimate_bounds_the_peak_whatever_the_threads():
    # Every thread holds a block's temporaries at once (with constraints: the block, its
    # frame, the rows kept and the rows made again), so 8 threads hold 8 blocks' worth;
    # the estimate that max_bytes is checked against must still bound the peak. Before,
    # it counted one block's temporaries and the peak was 1.35x the estimate.
    gen = sb.Schema(
        columns=[c.Float(f"f{i}", distribution="normal", params={"loc": 0, "scale": 1}) for i in range(20)],
        constraints=["f1 < 1.5"],
    )
    rows = 6 * BLOCK_SIZE
    with sb.config_context(threads=8):
        gen.sample(1_000, seed=0)  # the pool's threads, the imports
        tracemalloc.start()
        try:
            df = gen.sample(rows, seed=1)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak <= gen._estimate_bytes(rows)
    # and the threads make the same bytes whether the memory limit leaves room for them or not
    with sb.config_context(threads=8, max_bytes=gen._estimate_bytes(rows)):
        pd.testing.assert_frame_equal(gen.sample(rows, seed=1), df)
    with sb.config_context(threads=1):
        one = gen._estimate_bytes(rows)
    with sb.config_context(threads=8, max_bytes=one):  # room for one block's temporaries: one thread
        assert gen._estimate_bytes(rows) == one
        pd.testing.assert_frame_equal(gen.sample(rows, seed=1), df)


def normal(name: str, **options) -> c.Float:
    return c.Float(name, distribution="normal", params={"loc": 0, "scale": 1}, **options)


HOSTILE = {
    "ids across powers of ten": lambda: sb.Schema(
        columns=[
            c.Id("neg", start=-BLOCK_SIZE - 5, prefix="N", width=3),
            c.Id("huge", start=2**62 - 3 * BLOCK_SIZE, prefix="H"),
            c.Id("tens", start=10**5 - BLOCK_SIZE - 7, prefix="X"),
            c.Id("token", kind="uuid"),
            c.Id("plain", start=-3),
        ]
    ),
    "null everywhere": lambda: sb.Schema(
        columns=[
            c.Id("i", null_rate=1.0),
            c.Id("s", prefix="a", null_rate=1.0),
            c.Categorical("k", categories=["a", "b"], null_rate=1.0),
            c.Boolean("b", null_rate=1.0),
            c.Integer("n", params={"low": 0, "high": 3}, null_rate=1.0),
            normal("f", null_rate=1.0),
            c.Datetime("d", start="2020-01-01", end="2020-02-01", null_rate=1.0),
            c.Pattern("p", pattern="##", null_rate=1.0),
            c.Derived("e", expr="f + n"),
        ]
    ),
    "groups and derived chains": lambda: sb.Schema(
        columns=[
            c.Categorical("g", categories=[1, 2, 3]),
            c.Integer("v", distribution="poisson", params={"lam": 3.0}, by="g", params_by={"2": {"lam": 30.0}}),
            normal("w", by="g", params_by={"3": {"loc": 100}}, null_rate=0.3),
            c.Derived("a", expr="v * 2"),
            c.Derived("b", expr="a + w"),
            c.Derived("big", expr="b > 50 and g in [1, 3]"),
        ]
    ),
    "resampled hard": lambda: sb.Schema(
        columns=[normal("x"), normal("y"), c.Pattern("p", pattern="??-##")],
        constraints=["x > 1", "y < x"],
        max_attempts=1_000,
    ),
    "dropped": lambda: sb.Schema(
        columns=[c.Id("id", prefix="R", width=6), normal("x"), c.Categorical("k", categories=["a", "b"])],
        constraints=["x > 0.5"],
        on_violation="drop",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_schemas_make_the_same_bytes_on_any_number_of_threads(name):
    gen = HOSTILE[name]()
    for rows in (0, 1, BLOCK_SIZE - 1, BLOCK_SIZE, BLOCK_SIZE + 1, 3 * BLOCK_SIZE + 7):
        with sb.config_context(threads=1):
            alone = gen.sample(rows, seed=5)
        with sb.config_context(threads=5):
            side_by_side = gen.sample(rows, seed=5)
        pd.testing.assert_frame_equal(side_by_side, alone, check_exact=True)
        assert side_by_side.attrs == alone.attrs


def test_faker_pools_make_the_same_bytes_on_any_number_of_threads():
    pytest.importorskip("faker")
    gen = sb.Schema(
        columns=[
            c.Text("name", provider="name", pool_size=50),
            c.Text("email", provider="email", pool_size=30, null_rate=0.5),
            c.Derived("greeting", expr="'hi ' + name"),
        ]
    )
    with sb.config_context(threads=1):
        alone = gen.sample(3 * BLOCK_SIZE + 1, seed=2)
    with sb.config_context(threads=4):
        pd.testing.assert_frame_equal(gen.sample(3 * BLOCK_SIZE + 1, seed=2), alone, check_exact=True)


def test_block_ranges_streams_and_partitions_on_threads_equal_the_sample(tmp_path):
    gen = busy_schema(constraints=["x < 4"], on_violation="drop")
    with sb.config_context(threads=1):
        alone = gen.sample(ROWS, seed=8)
    with sb.config_context(threads=4):
        blocks = list(sb.scale.iter_blocks(gen, ROWS, seed=8))
        pd.testing.assert_frame_equal(pd.concat(blocks, ignore_index=True), alone, check_exact=True)
        pd.testing.assert_frame_equal(  # blocks=(k, k + 1), made alone, one at a time
            pd.concat([gen._sample_blocks(ROWS, 8, k, k + 1) for k in range(6)], ignore_index=True), alone
        )
        path = gen.to_parquet(tmp_path / "data", ROWS, seed=8, rows_per_file=BLOCK_SIZE + 5, progress=False)
        pd.testing.assert_frame_equal(pd.read_parquet(path), alone)
        if importlib.util.find_spec("dask") is not None:
            made = gen.to_dask(ROWS, seed=8, npartitions=3).compute(scheduler="threads")
            pd.testing.assert_frame_equal(made.reset_index(drop=True), alone, check_index_type=False)


def test_two_samples_at_once_on_the_shared_pool_make_the_same_bytes_as_alone():
    # One from a thread named like a panel's background fit (synthbench-fit), one from the
    # main thread: both on the same pool of 3 threads, each with the bytes it makes alone.
    first, second = busy_schema(constraints=["x < 4"]), HOSTILE["groups and derived chains"]()
    with sb.config_context(threads=1):
        expected = [first.sample(ROWS, seed=1), second.sample(ROWS, seed=2)]
    got, errors = [], []

    def fit():
        try:
            got.append(first.sample(ROWS, seed=1))
        except BaseException as exc:
            errors.append(exc)

    with sb.config_context(threads=3):
        worker = threading.Thread(target=fit, name="synthbench-fit")
        worker.start()
        mine = second.sample(ROWS, seed=2)
        worker.join(timeout=120)
    assert not errors and len(got) == 1
    pd.testing.assert_frame_equal(got[0], expected[0], check_exact=True)
    pd.testing.assert_frame_equal(mine, expected[1], check_exact=True)


def test_an_interrupt_from_a_later_block_stops_the_run_and_leaves_nothing_running():
    made = []

    def interrupted(rng, positions, _):
        if positions[0] // 100 == 3:
            raise KeyboardInterrupt
        made.append(int(positions[0]) // 100)
        return rng.random(len(positions))

    with sb.config_context(threads=3):
        with pytest.raises(KeyboardInterrupt):
            k.make_table(10_000, 0, [("x", 1, interrupted, {}, None)], block_size=100, block_map=block_map)
        count = len(made)
        time.sleep(0.1)
        assert len(made) == count < 3 + 2 * 3 + 2  # nothing left running, few blocks made ahead


def cli(*argv, threads: str) -> subprocess.CompletedProcess:
    """``synthbench`` in a fresh process with ``SYNTHBENCH_THREADS=threads``."""
    env = {**os.environ, "SYNTHBENCH_THREADS": threads}
    return subprocess.run(
        [sys.executable, "-m", "synthbench", *map(str, argv)], capture_output=True, text=True, timeout=120, env=env
    )


def one_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    return done.stderr.strip()


@pytest.mark.parametrize("value", ["abc", "0", "-2", "1e3", "99999", "2.5"])
def test_garbage_in_synthbench_threads_is_one_line_and_writes_nothing(tmp_path, value):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(sb.Schema.example().to_dict()))
    for output, more in [("out.csv", []), ("out.parquet", []), ("data", ["--rows-per-file", 70_000])]:
        line = one_line(cli("generate", spec, "-n", 200_000, "-o", tmp_path / output, *more, threads=value))
        assert "SYNTHBENCH_THREADS" in line and "whole number" in line
    # a run of one block, which makes no threads, and the exported code refuse it too
    for command in (["generate", spec, "-n", 10, "-o", tmp_path / "small.csv"], ["code", spec, "-n", 10]):
        assert "SYNTHBENCH_THREADS" in one_line(cli(*command, threads=value))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.json"]


@pytest.mark.parametrize("on_violation", ["raise", "resample"])
def test_a_later_blocks_error_is_the_same_clear_error_on_any_number_of_threads(tmp_path, on_violation):
    # Only block 2 breaks the constraint: its error comes from a pool thread, and must read
    # as it does on one thread, from Python and from the command line (exit 2, one line).
    gen = sb.Schema(
        columns=[c.Id("id"), normal("x")],
        constraints=["id < 150000"],
        on_violation=on_violation,
        max_attempts=2,
    )
    errors = []
    for count in (1, 4):
        with sb.config_context(threads=count), pytest.raises(InvalidParameterError, match="still break") as info:
            gen.sample(4 * BLOCK_SIZE, seed=1)
        errors.append(str(info.value))
    assert errors[0] == errors[1]
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(gen.to_dict()))
    lines = [
        one_line(
            cli("generate", spec, "-n", 4 * BLOCK_SIZE, "--seed", 1, "-o", tmp_path / "out.parquet", threads=count)
        )
        for count in ("1", "4")
    ]
    assert lines[0] == lines[1] == f"synthbench: error: {errors[0]}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.json"]


def test_a_wide_sample_on_eight_threads_peaks_within_three_output_frames():
    # Numbers, categories, booleans and times (all counted by tracemalloc): each thread
    # writes its block into the whole columns, so 8 threads stay within 3x the frame.
    columns = []
    for i in range(8):
        columns += [
            normal(f"f{i}", null_rate=0.1),
            c.Integer(f"i{i}", params={"low": 0, "high": 100}),
            c.Categorical(f"k{i}", categories=["a", "b", "c"]),
            c.Boolean(f"b{i}", p=0.3),
            c.Datetime(f"d{i}", start="2020-01-01", end="2021-01-01"),
        ]
    gen = sb.Schema(columns=[*columns, c.Derived("s", expr="f0 + i0")])
    rows = 6 * BLOCK_SIZE + 3
    peaks = {}
    for count in (1, 8):
        with sb.config_context(threads=count):
            gen.sample(1_000, seed=0)
            tracemalloc.start()
            try:
                df = gen.sample(rows, seed=1)
                peaks[count] = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            assert peaks[count] <= gen._estimate_bytes(rows)
    assert peaks[8] <= 3 * df.memory_usage(deep=True).sum()


def test_trying_many_thread_counts_leaves_only_the_last_pools_threads():
    # A notebook that times threads=2..9 one after another: the pools of the counts no
    # longer in use go once their runs end (before, each count kept its threads for good).
    for count in range(2, 10):
        with sb.config_context(threads=count):
            list(block_map(lambda i: time.sleep(0.005), range(3 * count)))
    deadline = time.monotonic() + 10
    while len(pool_threads()) > 9 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(pool_threads()) <= 9


def pool_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("synthbench-block")]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_forked_while_another_thread_holds_the_pools_lock_does_not_hang():
    # The pools' lock held by another thread at the fork stays held forever in the child
    # (which has only the forking thread), unless it is made anew after the fork.
    script = textwrap.dedent(
        """
        import os, signal, sys, threading
        import synthbench as sb
        from synthbench import scale
        gen = sb.Schema.example()
        held, release = threading.Event(), threading.Event()

        def hold():
            with scale._POOL_LOCK:
                held.set()
                release.wait(30)

        threading.Thread(target=hold).start()
        held.wait(30)
        with sb.config_context(threads=2):
            pid = os.fork()
            if pid == 0:
                signal.alarm(20)  # a hung child ends (SIGALRM) instead of outliving the test
                child = gen.sample(200_000, seed=1)
                os._exit(0 if len(child) == 200_000 else 3)
            release.set()
            _, status = os.waitpid(pid, 0)
        sys.exit(os.waitstatus_to_exitcode(status))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], timeout=60, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_sample_of_one_block_asks_for_no_threads():
    # Counting CPUs imports joblib (tens of ms): a preview or a small request does not pay it.
    script = (
        "import sys, synthbench as sb; sb.Schema.example().sample(65_536, seed=0); "
        "print('joblib' in sys.modules); sb.Schema.example().sample(65_537, seed=0); print('joblib' in sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k != "SYNTHBENCH_THREADS"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["False", "True"], done.stderr
