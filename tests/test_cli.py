"""The command line, run for real: specs in, CSV/Parquet out, clear one-line errors."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pandas as pd
import psutil
import pytest

import synthbench as sb
from synthbench.cli import main


@pytest.fixture
def spec_file(tmp_path):
    path = tmp_path / "customers.json"
    path.write_text(json.dumps(sb.Schema.example().to_dict()))
    return path


def test_console_script_lists_generators():
    out = subprocess.run([sys.executable, "-m", "synthbench", "list"], capture_output=True, text=True, check=True)
    for name in sb.list_generators():
        assert name in out.stdout


def test_spec_then_generate_parquet_round_trips(tmp_path, capsys):
    assert main(["spec", "Schema"]) == 0
    spec = tmp_path / "s.json"
    spec.write_text(capsys.readouterr().out)
    out = tmp_path / "out.parquet"
    assert main(["generate", str(spec), "-n", "500", "-o", str(out), "--seed", "3"]) == 0
    back = pd.read_parquet(out)
    expected = sb.Schema.example().sample(500, seed=3)
    assert back.shape == expected.shape
    assert list(back.columns) == list(expected.columns)
    pd.testing.assert_series_equal(back["income"], expected["income"])
    assert back["country"].astype(str).tolist() == expected["country"].astype(str).tolist()


def test_generate_csv_and_gzip(spec_file, tmp_path):
    for name in ("out.csv", "out.csv.gz"):
        out = tmp_path / name
        assert main(["generate", str(spec_file), "-n", "50", "-o", str(out)]) == 0
        back = pd.read_csv(out)
        assert len(back) == 50 and back["customer_id"].iloc[0] == "C-000001"
        assert out.stat().st_mode & 0o044  # readable by others, like any file the shell makes


def test_code_command_prints_standalone_code(spec_file, capsys):
    assert main(["code", str(spec_file), "-n", "10", "--seed", "1"]) == 0
    assert capsys.readouterr().out == sb.Schema.example().to_code(10, seed=1)


@pytest.mark.parametrize(
    ("spec_text", "args", "message"),
    [
        ("{not json", [], "not valid JSON"),
        ('{"synthbench_spec": 1, "generator": "Nope", "params": {}}', [], "Unknown generator"),
        ('{"synthbench_spec": 2, "generator": "Schema", "params": {}}', [], "format version"),
        (None, ["-n", "-4"], "'n'"),
        (None, ["-o", "out.xlsx"], ".parquet"),
        (None, ["--seed", "-1"], "'seed'"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(tmp_path, spec_file, spec_text, args, message):
    spec = spec_file
    if spec_text is not None:
        spec = tmp_path / "bad.json"
        spec.write_text(spec_text)
    argv = ["generate", str(spec), "-n", "5", "-o", str(tmp_path / "out.csv"), *args]
    argv = [a if a != "out.xlsx" else str(tmp_path / "out.xlsx") for a in argv]
    proc = subprocess.run([sys.executable, "-m", "synthbench", *argv], capture_output=True, text=True)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.csv").exists()


def test_failed_generation_leaves_no_file_and_keeps_the_old_one(tmp_path):
    spec = tmp_path / "s.json"
    gen = sb.Schema(
        columns=[sb.columns.Integer("age", params={"low": 18, "high": 80})],
        constraints=["age > 200"],
        max_attempts=2,
    )
    spec.write_text(json.dumps(gen.to_dict()))
    out = tmp_path / "out.csv"
    out.write_text("old contents\n")
    assert main(["generate", str(spec), "-n", "10", "-o", str(out)]) == 2
    assert out.read_text() == "old contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "s.json"]


# -- hostile input: each is exit 2, one line on stderr, no traceback, nothing written ---------------
def synthbench(*argv, timeout=60, **kwargs) -> subprocess.CompletedProcess:
    """The real console entry point in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "synthbench", *map(str, argv)], capture_output=True, text=True, timeout=timeout, **kwargs
    )


def assert_one_line_error(proc: subprocess.CompletedProcess, message: str, code: int = 2) -> None:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert re.search(message, proc.stderr), proc.stderr


def _moons(noise: str) -> str:
    return '{"synthbench_spec": 1, "generator": "Moons", "params": {"noise": ' + noise + "}}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[" * 200_000 + "]" * 200_000, "too deeply"),
        (_moons("[" * 900 + "]" * 900), "levels deep"),
        (_moons("NaN"), "NaN is not a JSON number"),
        (_moons("Infinity"), "Infinity is not a JSON number"),
        (_moons("1" + "0" * 5_000), "more than 4,300 digits"),
        (_moons(str(2**64)), "fit in 64 bits"),
        (_moons("1e999"), "must be finite|Infinity"),
        (_moons('"\\ud800"'), "lone surrogate"),
        ('{"synthbench_spec": 1, "generator": "Moons", "params": {}, "params": {"noise": 1}}', "appears twice"),
        (b"\xff\xfe{}", "not UTF-8"),
        (" " * (10 * 2**20 + 1), "at most 10,485,760 bytes"),
        ('{"synthbench_spec": 1, "generator": "Moons", "params": {"target": "\\udfff"}}', "lone surrogate"),
    ],
)
def test_hostile_spec_files_are_one_clear_line(tmp_path, content, message):
    spec = tmp_path / "spec.json"
    (spec.write_bytes if isinstance(content, bytes) else spec.write_text)(content)
    proc = synthbench("generate", spec, "-n", 5, "-o", tmp_path / "out.csv")
    assert_one_line_error(proc, message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.json"]


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
def test_a_spec_that_is_not_a_regular_file_is_refused_unread(tmp_path, kind):
    if kind == "device":
        spec = "/dev/zero"  # endless: reading it would never finish
    elif kind == "fifo":
        spec = tmp_path / "pipe.json"
        os.mkfifo(spec)  # opening it would block until a writer comes
    else:
        spec = tmp_path
    proc = synthbench("generate", spec, "-n", 5, "-o", tmp_path / "out.csv", timeout=30)
    assert_one_line_error(proc, "not a regular file|is a folder")
    assert not (tmp_path / "out.csv").exists()


def test_too_many_rows_for_memory_is_refused_only_where_they_must_fit(tmp_path, spec_file):
    moons = tmp_path / "moons.json"
    moons.write_text(json.dumps(sb.Moons().to_dict()))
    # Moons cannot stream: its rows are made at once, so the request is checked up front.
    proc = synthbench("generate", moons, "-n", 10**11, "-o", tmp_path / "big.csv")
    assert_one_line_error(proc, r"over the limit of 4\.0 GiB.*Moons cannot stream")
    # The exported cell would make the whole frame at once too.
    assert_one_line_error(synthbench("code", spec_file, "-n", 10**11), r"Schema\.to_code.*over the limit")
    # A streamed file holds one block at a time: a limit far below the whole frame is enough.
    env = {**os.environ, "SYNTHBENCH_MAX_BYTES": "160M"}  # one block (~80 MiB estimated), not 400k rows
    assert_one_line_error(synthbench("code", spec_file, "-n", 1_000_000, env=env), "over the limit of 160.0 MiB")
    proc = synthbench("generate", spec_file, "-n", 400_000, "-o", tmp_path / "big.csv", env=env)
    assert proc.returncode == 0, proc.stderr
    assert len(pd.read_csv(tmp_path / "big.csv")) == 400_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv", "customers.json", "moons.json"]


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("missing/out.csv", "does not exist"),
        ("out.xlsx", r"must end in \.csv, \.csv\.gz or \.parquet"),
        (".", "must end in"),
        ("/proc/out.csv", "cannot write in the folder|not writable"),
        ("customers.json/out.csv", "does not exist"),
    ],
)
def test_bad_outputs_are_one_clear_line(tmp_path, spec_file, output, message):
    before = sorted(p.name for p in tmp_path.iterdir())
    target = output if output.startswith("/") else tmp_path / output
    assert_one_line_error(synthbench("generate", spec_file, "-n", 5, "-o", target), message)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_an_existing_folder_is_never_a_file_output(tmp_path, spec_file):
    (tmp_path / "out.csv").mkdir()
    assert_one_line_error(synthbench("generate", spec_file, "-n", 5, "-o", tmp_path / "out.csv"), "is a folder")


@pytest.mark.parametrize("argv", [["-n", "abc"], ["-n", "5", "--seed", "x"], ["--no-such-flag"]])
def test_bad_arguments_are_one_line(tmp_path, spec_file, argv):
    proc = synthbench("generate", spec_file, "-o", tmp_path / "x.csv", *argv)
    assert_one_line_error(proc, "error: .*see synthbench generate --help")


def test_rows_per_file_never_replaces_a_folder_synthbench_did_not_write(tmp_path, spec_file):
    mine = tmp_path / "my_documents"
    mine.mkdir()
    (mine / "letter.txt").write_text("keep me")
    proc = synthbench("generate", spec_file, "-n", 10, "-o", mine, "--rows-per-file", 5)
    assert_one_line_error(proc, "not a dataset folder written by synthbench")
    assert [p.name for p in mine.iterdir()] == ["letter.txt"]
    ours = tmp_path / "data"
    assert synthbench("generate", spec_file, "-n", 10, "-o", ours, "--rows-per-file", 5).returncode == 0
    again = synthbench("generate", spec_file, "-n", 12, "-o", ours, "--rows-per-file", 5, "--seed", 1)
    assert again.returncode == 0, again.stderr
    assert len(pd.read_parquet(ours)) == 12
    assert sorted(p.name for p in tmp_path.iterdir()) == ["customers.json", "data", "my_documents"]


@pytest.mark.parametrize("mask", [0o022, 0o002])
def test_outputs_get_the_usual_permissions(tmp_path, spec_file, mask):
    def umask():
        os.umask(mask)

    for output, extra in (("one.csv", []), ("one.parquet", []), ("set", ["--rows-per-file", "4"])):
        proc = synthbench("generate", spec_file, "-n", 10, "-o", tmp_path / output, *extra, preexec_fn=umask)
        assert proc.returncode == 0, proc.stderr
    for path in tmp_path.rglob("*"):
        if path.name == "customers.json":
            continue
        expected = (0o777 if path.is_dir() else 0o666) & ~mask
        assert path.stat().st_mode & 0o777 == expected, path


def test_csv_and_parquet_files_stream_the_exact_sample(tmp_path, spec_file):
    n = 70_000  # more than one block
    expected = sb.Schema.example().sample(n, seed=4)
    for name in ("x.csv", "x.parquet"):
        proc = synthbench("generate", spec_file, "-n", n, "-o", tmp_path / name, "--seed", 4)
        assert proc.returncode == 0 and proc.stderr == f"wrote 70,000 rows x 6 columns to {tmp_path / name}\n"
    assert (tmp_path / "x.csv").read_text() == expected.to_csv(index=False)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "x.parquet"), expected)


def test_progress_is_shown_on_a_terminal_only(tmp_path, spec_file):
    import pty

    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "synthbench", "generate", spec_file, "-n", "100000", "-o", tmp_path / "t.csv"],
            stderr=follower,
            stdout=subprocess.DEVNULL,
            timeout=120,
        )
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert proc.returncode == 0
    assert b"100,000/100,000 rows" in shown
    piped = synthbench("generate", spec_file, "-n", 100_000, "-o", tmp_path / "p.csv")
    assert "/100,000 rows" not in piped.stderr and len(piped.stderr.splitlines()) == 1


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_run_leaves_no_temporary_file(tmp_path, spec_file, signum, code):
    for output, extra in (("big.csv", []), ("big", ["--rows-per-file", "100000"])):
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "synthbench",
                "generate",
                spec_file,
                "-n",
                str(10**9),
                "-o",
                tmp_path / output,
                *extra,
            ],
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # well into writing
        child.send_signal(signum)
        _, err = child.communicate(timeout=60)
        assert child.returncode == code, err
        assert err.strip().splitlines() == [
            f"synthbench: error: {'interrupted' if code == 130 else 'terminated'}; no output written"
        ]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["customers.json"]


# -- synthbench lab, as installed from the wheel ------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel `pip install .` builds, from a copy of the tree (no stale build/ folder)."""
    tmp = tmp_path_factory.mktemp("wheel")
    ignore = shutil.ignore_patterns(
        ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", "node_modules"
    )
    shutil.copytree(ROOT, tmp / "src", ignore=ignore)
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", ".", "-w", str(tmp / "dist"), "--no-deps", "-q"],
        cwd=tmp / "src",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-4000:]
    (path,) = (tmp / "dist").glob("synthbench-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> dict[str, str]:
    """The environment of a plain `pip install .`: the wheel's files alone, no checkout beside them."""
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "JUPYTER"))}
    env["PYTHONPATH"] = str(site)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):  # keep the user's Jupyter out
        env[name] = str(site / name.lower())
    return env


def test_the_wheel_ships_the_tutorials_and_every_module(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert len(TUTORIALS) == 10
    for notebook in TUTORIALS:
        assert f"synthbench/tutorials/{notebook}" in names
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "synthbench").rglob("*.py")}
    assert modules <= names, sorted(modules - names)  # the explicit package list misses none
    assert {"synthbench/py.typed", "synthbench/cli.py"} <= names


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api", timeout=2) as response:
            return response.status == 200 and "version" in json.load(response)
    except OSError:
        return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_lab_copies_the_tutorials_and_stopping_it_stops_its_server(tmp_path, installed, signum):
    folder = tmp_path / "my tutorials"
    folder.mkdir()
    (folder / TUTORIALS[0]).write_text("my edited copy")
    port = _free_port()
    lab = subprocess.Popen(
        [sys.executable, "-m", "synthbench", "lab", "--dir", str(folder), "--no-browser", "--port", str(port),
         "--", "--ServerApp.ip=127.0.0.1", "--ServerApp.allow_root=True"],  # CI containers run as root
        cwd=tmp_path, env=installed, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not _answers(port):
            assert lab.poll() is None, lab.communicate()[1][-4000:]
            assert time.monotonic() < deadline, "JupyterLab did not answer on /api within 120 s"
            time.sleep(0.5)
        server = psutil.Process(lab.pid).children(recursive=True)
        assert server, "JupyterLab runs as a child of synthbench lab"
        group = os.getpgid(server[0].pid)
        assert group != os.getpgid(lab.pid)  # its own group, stopped as a whole
        lab.send_signal(signum)
        _, err = lab.communicate(timeout=60)
    finally:
        if lab.poll() is None:
            lab.kill()
    assert lab.returncode == (128 + signal.SIGTERM if signum == signal.SIGTERM else 130), err
    assert "copied 9 tutorial notebook(s)" in err and "kept 1 already there" in err, err
    assert "synthbench: JupyterLab stopped" in err
    assert not _answers(port)
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "the server port is still open"
    with pytest.raises(ProcessLookupError):
        os.killpg(group, 0)
    assert not [p for p in server if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert sorted(p.name for p in folder.iterdir()) == TUTORIALS  # no temporary file left
    assert (folder / TUTORIALS[0]).read_text() == "my edited copy"  # never overwritten
    assert (folder / TUTORIALS[1]).read_bytes() == (ROOT / "notebooks" / TUTORIALS[1]).read_bytes()


def test_lab_into_an_unwritable_folder_is_one_clear_line(tmp_path, installed):
    blocker = tmp_path / "a file"
    blocker.write_text("")
    for folder in (blocker, blocker / "sub"):
        proc = subprocess.run(
            [sys.executable, "-m", "synthbench", "lab", "--dir", str(folder), "--dry-run"],
            cwd=tmp_path, env=installed, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert proc.returncode == 2, proc.stderr
        assert proc.stdout == ""
        (line,) = proc.stderr.splitlines()
        assert line.startswith(f"synthbench: error: cannot copy the tutorials to {folder}: ")
        assert line.endswith("Choose a writable folder with --dir.")


def test_lab_from_the_wheel_runs_jupyterlab_in_the_copy(tmp_path, installed):
    proc = subprocess.run(
        [sys.executable, "-m", "synthbench", "lab", "--dry-run"],
        cwd=tmp_path, env=installed, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"--ServerApp.root_dir={tmp_path / 'synthbench-tutorials'}" in proc.stdout.split()  # the default
    # JupyterLab refuses to run as root unless told; `synthbench lab` as root tells it.
    assert ("--allow-root" in proc.stdout.split()) == (os.geteuid() == 0)
    assert sorted(p.name for p in (tmp_path / "synthbench-tutorials").iterdir()) == TUTORIALS
