"""Red-team acceptance tests of issue 13: one group per class of attack, several instances each.

Every case runs in a fresh interpreter under a memory limit (``RLIMIT_AS``) and a
timeout, so a case that allocates without bound or hangs fails cleanly instead of
taking the machine down. A case passes when it ends in a clear error (a
``synthbench.exceptions.SynthbenchError`` subclass; for resource bounds, one that names
the limit) or in the correct result. Anything else fails: a raw numpy/pandas/sklearn
exception, ``MemoryError``, a timeout, a wrong value.

Only the public API (``sb.*``, ``sb.columns``, ``sb.timeseries``) and the CLI
(``python -m synthbench``) are used, so the tests hold whatever the internals become.
This module imports only synthbench, the standard library, numpy, pandas and pytest.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import resource
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

# The synthbench under test is the checkout pytest runs from: a run from another checkout
# (`cd /work/main && pytest /path/to/this/file`) must test that checkout's package, not the
# one beside this file that pytest's `pythonpath` setting would otherwise put first.
if (Path.cwd() / "synthbench" / "__init__.py").is_file() and "synthbench" not in sys.modules:
    sys.path.insert(0, str(Path.cwd()))

import synthbench as sb

MEMORY_LIMIT = 2 * 1024**3  # bytes of address space per child process
TIMEOUT = 60  # seconds per child process
#: The folder holding the synthbench package under test (children import this one).
SOURCE_ROOT = str(Path(sb.__file__).resolve().parent.parent)
#: What an error about a resource bound says: a limit, a maximum, the way past it.
LIMIT_WORDS = re.compile(
    r"limit|at most|maximum|exceed|too (?:many|large|big|long)|to_parquet|date range|in the range"
    r"|\d\s?[KMGT]i?B\b|bytes",
    re.IGNORECASE,
)
MARKER = "PWNED"
#: Python that, if it ever runs, leaves a trace: a file in the working folder and a line on stdout.
PAYLOAD = f"open('{MARKER}', 'w'); print('{MARKER}')"


# -- running cases in a bounded child ------------------------------------------------


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SOURCE_ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONHASHSEED"] = "0"
    # synthbench's own limit, set below the child's address-space limit (which also holds the
    # interpreter and its libraries): a request is refused by the estimate, never by the kernel.
    env["SYNTHBENCH_MAX_BYTES"] = "768M"
    env.pop("COLUMNS", None)
    return env


_WORKER = textwrap.dedent(
    """
    import contextlib, io, json, os, pathlib, sys, traceback, warnings
    import numpy as np
    import pandas as pd
    import synthbench as sb
    from synthbench.exceptions import SynthbenchError  # noqa: E402

    warnings.simplefilter("ignore")
    HOME = os.getcwd()

    def reply(**kw):
        sys.__stdout__.write("@@RESULT@@" + json.dumps(kw, default=str) + "\\n")
        sys.__stdout__.flush()

    def run_case(body, tmp):
        TMP = pathlib.Path(tmp)
        OUT = {}

        def EXPORT(gen, n, seed=0, data=None):
            # Keep sample(n, seed) and to_code(n, seed) for the parent to compare.
            df = gen.sample(n, seed=seed)
            options = {} if data is None else {"data": "df_real"}
            code = gen.to_code(n, seed=seed, **options)
            df.to_pickle(TMP / "sample.pkl")
            if data is not None:
                data.to_pickle(TMP / "data.pkl")
            (TMP / "export.py").write_text(code, encoding="utf-8")
            OUT["exported"] = True
            return df

        names = dict(sb=sb, np=np, pd=pd, json=json, os=os, SynthbenchError=SynthbenchError,
                     TMP=TMP, OUT=OUT, EXPORT=EXPORT)
        try:
            exec(compile(body, "<case>", "exec"), names)
        except SynthbenchError as exc:
            return dict(kind="error", cls=type(exc).__name__, message=str(exc))
        except BaseException:
            return dict(kind="raw", traceback=traceback.format_exc()[-3000:])
        return dict(kind="ok", out=OUT)

    def run_cell(tmp):
        # Run TMP/export.py with synthbench blocked, in an empty folder, and compare with sample.
        TMP = pathlib.Path(tmp)
        code = (TMP / "export.py").read_text(encoding="utf-8")
        try:
            compiled = compile(code, "<exported cell>", "exec")
        except (SyntaxError, ValueError) as exc:
            return dict(failure=f"the export does not compile: {exc!r}")
        cwd = TMP / "cell_cwd"
        cwd.mkdir()
        names = {"__name__": "__main__"}
        if (TMP / "data.pkl").exists():
            names["df_real"] = pd.read_pickle(TMP / "data.pkl")
        saved = {k: m for k, m in sys.modules.items() if k == "synthbench" or k.startswith("synthbench.")}
        printed = io.StringIO()
        try:
            sys.modules.update(dict.fromkeys(saved))  # `import synthbench` now fails
            os.chdir(cwd)
            with contextlib.redirect_stdout(printed):
                exec(compiled, names)
        except BaseException:
            tb = traceback.format_exc()[-2500:]
            return dict(failure="the exported cell failed:\\n" + tb + "\\n---\\n" + code[-2500:])
        finally:
            sys.modules.update(saved)
            os.chdir(HOME)
        if printed.getvalue():
            return dict(failure=f"the exported cell printed {printed.getvalue()[:300]!r}")
        if os.listdir(cwd):
            return dict(failure=f"the exported cell created files {sorted(os.listdir(cwd))}")
        try:
            pd.testing.assert_frame_equal(names["df"], pd.read_pickle(TMP / "sample.pkl"),
                                          check_dtype=True, check_exact=True, check_categorical=True)
        except AssertionError as exc:
            return dict(failure="the exported cell's frame differs from sample():\\n" + str(exc)[:1500])
        return dict(failure=None)

    for line in sys.stdin:
        request = json.loads(line)
        os.chdir(HOME)
        if request["op"] == "case":
            reply(**run_case(request["body"], request["tmp"]))
        else:
            reply(**run_cell(request["tmp"]))
    """
)


class _Worker:
    """A bounded child interpreter that runs cases one after another (no start-up cost per case).

    A case that times out, crashes the child or ends in a raw exception gets a fresh
    child for the next case.
    """

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None

    def _start(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        (root / "worker.py").write_text(_WORKER, encoding="utf-8")
        (root / "home").mkdir(exist_ok=True)
        self.stderr = open(root / "worker.stderr", "w+")  # noqa: SIM115 - lives as long as the child
        self.proc = subprocess.Popen(
            [sys.executable, str(root / "worker.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            cwd=root / "home",
            env=_env(),
            preexec_fn=_limit,
        )
        self.lines: queue.Queue = queue.Queue()
        proc, lines = self.proc, self.lines

        def read() -> None:
            for line in proc.stdout:
                if line.startswith("@@RESULT@@"):
                    lines.put(line[len("@@RESULT@@") :])
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self._close()

    def _close(self) -> None:
        assert self.proc is not None
        for stream in (self.proc.stdin, self.proc.stdout, self.stderr):
            with contextlib.suppress(OSError):
                stream.close()
        self.proc = None

    def ask(self, request: dict, root: Path, timeout: float) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self._start(root)
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            return {"kind": "timeout"}
        if line is None:
            self.proc.wait()
            self.stderr.seek(0)
            tail = self.stderr.read()[-3000:]
            code = self.proc.returncode
            self._close()
            return {"kind": "crash", "traceback": f"the child died (exit code {code}):\n{tail}"}
        result = json.loads(line)
        if result.get("kind") == "raw":
            self.stop()  # after a MemoryError or worse, start clean
        return result


_WORKER_POOL = _Worker()


@pytest.fixture(scope="module", autouse=True)
def _stop_worker():
    yield
    _WORKER_POOL.stop()


def run_case(body: str, tmp_path: Path, *, timeout: float = TIMEOUT) -> dict:
    """Run ``body`` (Python using ``sb``, ``np``, ``pd``, ``TMP``, ``OUT``, ``EXPORT``) in the bounded child.

    Returns ``{"kind": "ok", "out": OUT}`` or ``{"kind": "error", "cls": ..., "message": ...}``
    for a SynthbenchError; fails the test on any other ending (raw exception, MemoryError,
    a crash, a timeout).
    """
    tmp_path.mkdir(parents=True, exist_ok=True)
    body = textwrap.dedent(body)
    result = _WORKER_POOL.ask({"op": "case", "body": body, "tmp": str(tmp_path)}, tmp_path.parent / "_worker", timeout)
    if result["kind"] == "timeout":
        pytest.fail(f"no answer within {timeout} s (unbounded time):\n{body}")
    if result["kind"] in ("raw", "crash"):
        pytest.fail(
            f"ended in a raw exception, not a SynthbenchError or a result:\n{result['traceback']}\ncase:\n{body}"
        )
    return result


def assert_error(result: dict, *, limit: bool = False) -> None:
    assert result["kind"] == "error", f"expected a SynthbenchError, got a result: {result}"
    if limit:
        assert LIMIT_WORDS.search(result["message"]), f"the error does not name a limit: {result['message']!r}"


def assert_error_or_ok(result: dict, *, limit: bool = False) -> None:
    if result["kind"] == "error" and limit:
        assert_error(result, limit=True)


def check_export(tmp_path: Path, result: dict) -> None:
    """If the case exported, the cell compiles, runs with synthbench blocked in an empty
    folder, prints nothing, creates no file, and rebuilds exactly ``sample``."""
    if result["kind"] != "ok" or not result["out"].get("exported"):
        return
    code = (tmp_path / "export.py").read_text(encoding="utf-8")
    compile(code, "<exported cell>", "exec")  # a SyntaxError fails the test
    answer = _WORKER_POOL.ask({"op": "cell", "tmp": str(tmp_path)}, tmp_path.parent / "_worker", 120)
    assert answer.get("kind") not in ("timeout", "crash"), answer
    assert answer["failure"] is None, answer["failure"]


def cli(args: list[str], cwd: Path, *, timeout: float = TIMEOUT, umask: int | None = None):
    def pre() -> None:
        _limit()
        if umask is not None:
            os.umask(umask)

    try:
        return subprocess.run(
            [sys.executable, "-m", "synthbench", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            env=_env(),
            preexec_fn=pre,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`synthbench {' '.join(args)}` did not finish within {timeout} s")


def assert_one_line_error(proc) -> None:
    assert proc.returncode == 2, f"exit code {proc.returncode}, stderr:\n{proc.stderr[-3000:]}"
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, f"expected exactly one line on stderr, got {len(lines)}:\n{proc.stderr[-3000:]}"


def listing(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder`` (hidden ones too), with file contents."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None) for p in sorted(folder.rglob("*"))}


def write_spec(path: Path, gen: sb.Generator) -> Path:
    path.write_text(json.dumps(gen.to_dict()), encoding="utf-8")
    return path


# -- 1. code execution via exported cells ---------------------------------------------

# Expressions whose text breaks out of a `# comment` line or a string template when copied
# raw into the cell. Each is a valid expression (string constants are allowed).
INJECTING_EXPRESSIONS = [
    f'"""a\n{PAYLOAD} #"""',
    f'where(x > 0, """\n{PAYLOAD}\n#""", "b")',
    f"'''\n{PAYLOAD} #'''",
    f'"""a\r{PAYLOAD} #"""',
    f'"""a\r\n{PAYLOAD} #"""',
    f'"""a\u2028{PAYLOAD} #"""',
    f'"""a\x0c\n{PAYLOAD} #"""',
    f'"x\\" + \\"y" + """\n{PAYLOAD}\n"""',
    f'x * 1 + 0 * len_ if False else x  # """\n{PAYLOAD}',
    'where(x > 0, "\\\\", "#")',
]


@pytest.mark.parametrize("expr", INJECTING_EXPRESSIONS, ids=range(len(INJECTING_EXPRESSIONS)))
def test_derived_expression_text_never_becomes_code(expr, tmp_path):
    result = run_case(
        f"""
        c = sb.columns
        gen = sb.Schema(columns=[c.Integer("x", params={{"low": -5, "high": 5}}), c.Derived("d", expr={expr!r})])
        EXPORT(gen, 20, seed=1)
        """,
        tmp_path,
    )
    assert_error_or_ok(result)
    check_export(tmp_path, result)


INJECTING_CONSTRAINTS = [
    f'x != """a\n{PAYLOAD} #"""',
    f"x > -100 or '''\n{PAYLOAD}\n''' == 'b'",
    f'x > -100 or """\r{PAYLOAD} #""" == "b"',
    f'x > -100 or """\u2028{PAYLOAD} #""" == "b"',
    'x > -100 or "#" == "\\\\"',
]


@pytest.mark.parametrize("constraint", INJECTING_CONSTRAINTS, ids=range(len(INJECTING_CONSTRAINTS)))
def test_constraint_text_never_becomes_code(constraint, tmp_path):
    result = run_case(
        f"""
        c = sb.columns
        gen = sb.Schema(columns=[c.Integer("x", params={{"low": -5, "high": 5}})], constraints=[{constraint!r}])
        EXPORT(gen, 20, seed=1)
        """,
        tmp_path,
    )
    assert_error_or_ok(result)
    check_export(tmp_path, result)


HOSTILE_NAMES = [
    'x"""',
    "'''",
    "a#b",
    "# comment",
    "back\\slash",
    "tail\\",
    "\\n",
    "cr\rlf",
    "line\u2028sep",
    "para\u2029sep",
    "nul\x00byte",
    "größe",
    "名前",
    "\U0001d518",
    '"; import os; os.system("echo PWNED") #',
    "{x}",
    "%s",
    "df",
    "np",
    "rng",
    "n",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_hostile_column_names_export_the_same_frame(name, tmp_path):
    """Each column type named by hostile text, read back by a derived column and a constraint."""
    result = run_case(
        f"""
        c = sb.columns
        name = {name!r}
        cols = [
            c.Id(name + "_id", prefix=name, width=3),
            c.Integer(name, params={{"low": 0, "high": 9}}),
            c.Float(name + "f", params={{"low": 0.0, "high": 1.0}}, decimals=3),
            c.Categorical(name + "c", categories=[name, name + "2", "#", '\"\"\"']),
            c.Boolean(name + "b"),
            c.Datetime(name + "t", start="2020-01-01", end="2020-12-31", freq="D"),
            c.Pattern(name + "p", pattern="#?@-" + name.replace("\\\\", "")),
            c.Derived(name + "d", expr="`" + name + "` * 2 + 1"),
        ]
        gen = sb.Schema(columns=cols, constraints=["`" + name + "` >= 0"])
        EXPORT(gen, 25, seed=3)
        """,
        tmp_path,
    )
    assert_error_or_ok(result)
    if "\r" not in name and "\x00" not in name:  # control characters may be refused; the rest must work
        assert result["kind"] == "ok", result
    check_export(tmp_path, result)


@pytest.mark.parametrize("name", HOSTILE_NAMES[::3], ids=range(len(HOSTILE_NAMES[::3])))
def test_hostile_names_in_other_families_export_the_same_frame(name, tmp_path):
    result = run_case(
        f"""
        name = {name!r}
        ts = sb.TimeSeries(
            start="2024-01-01", freq="D", entities=2, channels=[name, name + "2"],
            time_column=name + "t", entity_column=name + "e", label_column=name + "l",
            anomalies=[sb.timeseries.Anomaly(count=2)],
        )
        EXPORT(ts, 30, seed=2)
        """,
        tmp_path / "ts",
    )
    assert_error_or_ok(result)
    check_export(tmp_path / "ts", result)
    result = run_case(
        f"""
        name = {name!r}
        gen = sb.Classification(n_features=3, n_informative=2, n_redundant=1,
                                feature_names=[name, name + "1", name + "2"], target=name + "y")
        EXPORT(gen, 30, seed=2)
        """,
        tmp_path / "cls",
    )
    assert_error_or_ok(result)
    check_export(tmp_path / "cls", result)


def test_cli_code_of_an_injecting_spec_is_safe(tmp_path):
    gen = sb.Schema(
        columns=[
            sb.columns.Integer("x", params={"low": 0, "high": 9}),
            sb.columns.Derived("d", expr=f'"""a\n{PAYLOAD} #"""'),
        ]
    )
    spec = write_spec(tmp_path / "spec.json", gen)
    proc = cli(["code", str(spec), "-n", "10", "--seed", "4"], tmp_path)
    if proc.returncode == 2:
        assert_one_line_error(proc)
        return
    assert proc.returncode == 0, proc.stderr
    for line in proc.stdout.splitlines():
        assert not line.lstrip().startswith("open('PWNED'"), "spec text became a line of code"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    run = subprocess.run(
        [sys.executable, "-I", "-c", "import sys; sys.modules['synthbench'] = None\n" + proc.stdout],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=TIMEOUT,
        preexec_fn=_limit,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == "" and list(cwd.iterdir()) == []


# -- 2. exports that differ from sample ------------------------------------------------

TEXT_NAME_SETS = [
    ["a b", "a-b"],
    ["a b", "a_b", "a.b", "a/b"],
    ["1a", "_1a", "a1"],
    ["x", "X", "x "],
    ["名前", "名 前", "é", "e\u0301"],
]


@pytest.mark.parametrize("names", TEXT_NAME_SETS, ids=range(len(TEXT_NAME_SETS)))
def test_text_columns_with_similar_names_keep_their_own_pools(names, tmp_path):
    providers = ["name", "city", "email", "company", "country"]
    result = run_case(
        f"""
        cols = [sb.columns.Text(name, provider=p, pool_size=20)
                for name, p in zip({names!r}, {providers!r})]
        EXPORT(sb.Schema(columns=cols), 30, seed=5)
        """,
        tmp_path,
    )
    assert result["kind"] == "ok", result
    check_export(tmp_path, result)


DATETIME_STARTS = [
    "2020-01-01\n",
    "\n2020-01-01",
    "2020-01-01\r",
    "2020-01-01 00:00:00\n# x",
    "2020-01-01\u2028",
    " 2020-01-01 ",
    "2020-01-01T00:00:00+01:00",
    "2020-01-01\x00",
]


@pytest.mark.parametrize("start", DATETIME_STARTS, ids=range(len(DATETIME_STARTS)))
@pytest.mark.parametrize("freq", [None, "h"])
def test_datetime_start_text_exports_the_same_frame(start, freq, tmp_path):
    result = run_case(
        f"""
        col = sb.columns.Datetime("t", start={start!r}, end="2020-03-01", freq={freq!r})
        EXPORT(sb.Schema(columns=[col]), 20, seed=6)
        """,
        tmp_path,
    )
    assert_error_or_ok(result)
    check_export(tmp_path, result)


@pytest.mark.parametrize("start", ["2024-01-01\n", "2024-01-01\n# x", "2024-01-01 00:00+01:00"])
def test_timeseries_start_text_exports_the_same_frame(start, tmp_path):
    result = run_case(
        f"""
        EXPORT(sb.TimeSeries(start={start!r}, freq="h"), 24, seed=6)
        """,
        tmp_path,
    )
    assert_error_or_ok(result)
    check_export(tmp_path, result)


HOSTILE_CATEGORIES = [
    ["a\nb", "a\\nb"],
    ['"""', "'''", "\\"],
    ["\x00", "\x00\x00"],
    ["\u2028", "\r", "\r\n"],
    ["#", "# x", "%(a)s", "{0}"],
    ["é", "e\u0301"],
    [1, 2.5, None] if False else [1, 2, 3],
]


@pytest.mark.parametrize("cats", HOSTILE_CATEGORIES, ids=range(len(HOSTILE_CATEGORIES)))
def test_hostile_categories_and_prefixes_export_the_same_frame(cats, tmp_path):
    result = run_case(
        f"""
        c = sb.columns
        cats = {cats!r}
        cols = [c.Categorical("c", categories=cats),
                c.Id("i", prefix=str(cats[0]), width=2),
                c.Float("f", distribution="normal", params={{"loc": 0.0, "scale": 1.0}}, by="c",
                        params_by={{str(cats[0]): {{"loc": 5.0}}}})]
        EXPORT(sb.Schema(columns=cols), 40, seed=7)
        """,
        tmp_path,
    )
    assert_error_or_ok(result)
    check_export(tmp_path, result)


# -- 3. unbounded memory or time from small inputs -------------------------------------

SIZED = [n for n in sb.list_generators() if not getattr(sb.get_generator(n), "size_from_data", False)]


@pytest.mark.parametrize("name", SIZED)
def test_huge_n_is_refused_before_allocating(name, tmp_path):
    result = run_case(
        f"""
        gen = sb.get_generator({name!r}).example()
        for n in (10**20, 10**12, 2**63 - 1):
            try:
                gen.sample(n, seed=0)
            except SynthbenchError as exc:
                OUT.setdefault("messages", []).append(str(exc))
        """,
        tmp_path,
    )
    assert result["kind"] == "ok" and len(result["out"].get("messages", [])) == 3, result
    for message in result["out"]["messages"]:
        assert LIMIT_WORDS.search(message), f"the error does not name a limit: {message!r}"


@pytest.mark.parametrize("name", SIZED)
def test_huge_n_export_is_refused_or_cheap(name, tmp_path):
    """to_code(10**12) writes code, not data: it may work, but must not allocate the rows."""
    result = run_case(f"sb.get_generator({name!r}).example().to_code({10**12}, seed=0)", tmp_path)
    assert_error_or_ok(result, limit=True)


def _interrupt_and_collect(proc: subprocess.Popen, seconds: float) -> tuple[int, str]:
    """Let ``proc`` run, watching its resident memory, then interrupt it; returns (peak RSS, stderr)."""
    peak = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            text = Path(f"/proc/{proc.pid}/status").read_text()
            peak = max(peak, int(re.search(r"VmRSS:\s+(\d+)", text).group(1)) * 1024)
        except (OSError, AttributeError):
            pass
        time.sleep(0.2)
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail("the CLI did not stop within 30 s of an interrupt")
    stderr = ""
    if proc.stderr is not None:
        stderr = proc.stderr.read()
        proc.stderr.close()
    return peak, stderr


@pytest.mark.parametrize("output", ["big.csv", "big.csv.gz", "big.parquet"])
def test_cli_huge_n_streams_with_bounded_memory_or_refuses(output, tmp_path):
    spec = write_spec(tmp_path / "spec.json", sb.get_generator("Schema").example())
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "synthbench", "generate", str(spec), "-n", "100000000000", "-o", output],
        cwd=out,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_limit,
    )
    peak, stderr = _interrupt_and_collect(proc, 12)
    assert "MemoryError" not in stderr, stderr[-2000:]
    if proc.returncode == 2:  # refused up front: one line naming the limit
        assert len(stderr.splitlines()) == 1 and LIMIT_WORDS.search(stderr), stderr
    else:  # streamed until interrupted: memory stayed small
        assert proc.returncode != 0
        assert peak < 1024**3, f"resident memory reached {peak / 2**20:.0f} MiB"
    # an interrupted run leaves neither the output nor temporary files behind
    assert [p.name for p in out.iterdir()] == []


TIMESERIES_BOMBS = [
    # the issue's small spec: many random Missing stretches, each very long
    '{"synthbench_spec": 1, "generator": "TimeSeries", "params": {"entities": 1000000, '
    '"missing": [{"type": "Missing", "count": 100000, "length": 1000000000}]}}',
    '{"synthbench_spec": 1, "generator": "TimeSeries", "params": {"entities": 1000000, '
    '"anomalies": [{"type": "Anomaly", "count": 100000, "length": 1000000000}]}}',
    '{"synthbench_spec": 1, "generator": "TimeSeries", "params": {"entities": 1000000, "channels": '
    + json.dumps([f"c{i}" for i in range(100)])
    + "}}",
    '{"synthbench_spec": 1, "generator": "TimeSeries", "params": {"missing": '
    + json.dumps([{"type": "Missing", "count": 100000, "length": 10**9}] * 50)
    + "}}",
    '{"synthbench_spec": 1, "generator": "TimeSeries", "params": {"entities": 1000000, '
    '"missing": [{"type": "Missing", "count": 100000, "length": 1}]}}',
    '{"synthbench_spec": 1, "generator": "TimeSeries", "params": {"entities": 1000000, "freq": "ns", '
    '"components": [{"type": "Noise"}, {"type": "AR"}, {"type": "RandomWalk"}]}}',
]


@pytest.mark.parametrize("spec", TIMESERIES_BOMBS, ids=range(len(TIMESERIES_BOMBS)))
def test_small_timeseries_specs_stay_bounded(spec, tmp_path):
    result = run_case(f"sb.from_json({spec!r}).sample(5, seed=0)", tmp_path)
    assert_error_or_ok(result, limit=True)


@pytest.mark.parametrize(
    ("freq", "index"),
    [
        ("ns", ["2024-01-01", "2024-01-02", "2024-01-03"]),
        ("us", ["2024-01-01", "2024-01-02", "2024-01-03"]),
        ("s", ["2000-01-01", "2010-01-01", "2020-01-01"]),
        ("ms", ["2024-01-01", "2024-02-01", "2024-03-01"]),
        ("min", ["1700-01-01", "1980-01-01", "2250-01-01"]),
    ],
)
def test_fitted_timeseries_grid_from_few_points_is_bounded(freq, index, tmp_path):
    result = run_case(
        f"""
        data = pd.DataFrame({{"timestamp": pd.to_datetime({index!r}, format="ISO8601"), "v": [1.0, 2.0, 3.0]}})
        gen = sb.FittedTimeSeries(freq={freq!r}, periods=[], ar_order=0).fit(data)
        gen.sample(10, seed=0)
        """,
        tmp_path,
    )
    assert_error_or_ok(result, limit=True)


@pytest.mark.parametrize(
    ("columns", "pool"), [(2000, 1_000_000), (200, 1_000_000), (2000, 10_000)], ids=["2000x1e6", "200x1e6", "2000x1e4"]
)
def test_many_text_columns_with_big_pools_are_bounded(columns, pool, tmp_path):
    result = run_case(
        f"""
        cols = [sb.columns.Text(f"t{{i}}", pool_size={pool}) for i in range({columns})]
        sb.Schema(columns=cols).sample(10, seed=0)
        """,
        tmp_path,
    )
    assert_error_or_ok(result, limit=True)


@pytest.mark.parametrize(
    ("start", "end", "freq"),
    [
        ("1900-01-01", "2200-01-01", "s"),
        ("1900-01-01", "2200-01-01", "ms"),
        ("1700-01-01", "2250-01-01", "us"),
        ("1970-01-01", "2200-01-01", "us"),
        ("1900-01-01", "2200-01-01", "min"),
        ("1900-01-01", "2200-01-01", None),
    ],
)
def test_fine_datetime_grids_are_bounded(start, end, freq, tmp_path):
    result = run_case(
        f"""
        col = sb.columns.Datetime("t", start={start!r}, end={end!r}, freq={freq!r})
        df = sb.Schema(columns=[col]).sample(100, seed=0)
        lo, hi = pd.Timestamp({start!r}), pd.Timestamp({end!r})
        assert df["t"].between(lo, hi).all(), df["t"]
        """,
        tmp_path,
    )
    assert_error_or_ok(result, limit=True)


BIG_EXPRESSIONS = [
    '"ab" * 1000000000',
    '"ab" * 100000 * 100000',
    "s * 400000000",
    "x * s",
    '"%1000000000d" % x',
    '"%.900000000f" % f',
    '"%0*d" % x',
    '"%-1000000000s" % s',
    "x ** -(-1000000000)",
    "2 ** -(-1000000000)",
    "x ** (x * 100000000)",
    "10 ** 10 ** 10",
    "(x + 1) ** 99999999999",
    "f ** 1000000000000",
    '"a" * (10 ** 9)',
]


@pytest.mark.parametrize("expr", BIG_EXPRESSIONS, ids=range(len(BIG_EXPRESSIONS)))
def test_expressions_that_scale_memory_or_time_are_bounded(expr, tmp_path):
    result = run_case(
        f"""
        c = sb.columns
        cols = [c.Integer("x", params={{"low": 100000000, "high": 1000000000}}),
                c.Float("f", params={{"low": 1.0, "high": 2.0}}),
                c.Categorical("s", categories=["ab", "cd"]),
                c.Derived("d", expr={expr!r})]
        gen = sb.Schema(columns=cols)
        EXPORT(gen, 20, seed=0)
        """,
        tmp_path,
    )
    assert_error_or_ok(result)
    check_export(tmp_path, result)


@pytest.mark.parametrize(
    "constraint", ['"ab" * 1000000000 != s', "x ** -(-1000000000) != 0", '"%1000000000d" % x != s']
)
def test_constraints_that_scale_memory_or_time_are_bounded(constraint, tmp_path):
    result = run_case(
        f"""
        c = sb.columns
        cols = [c.Integer("x", params={{"low": 100000000, "high": 1000000000}}),
                c.Categorical("s", categories=["ab", "cd"])]
        sb.Schema(columns=cols, constraints=[{constraint!r}]).sample(20, seed=0)
        """,
        tmp_path,
    )
    assert_error_or_ok(result)


@pytest.mark.parametrize(
    "params",
    [
        {"sampling_strategy": {"class_1": 10**9}},
        {"sampling_strategy": {"class_0": 10**12}},
        {"sampling_strategy": {"class_1": 10**9, "class_2": 10**9}, "method": "random_over"},
        {"sampling_strategy": {"class_2": 10**9}, "method": "adasyn"},
        {"sampling_strategy": {"class_1": 2**62}, "method": "random_over"},
    ],
    ids=range(5),
)
def test_balance_to_huge_counts_is_refused(params, tmp_path):
    result = run_case(
        f"""
        gen = sb.get_generator("Balance").example()
        data = gen.data_
        gen = sb.Balance(target="cultivar", **{params!r}).fit(data)
        gen.sample(seed=0)
        """,
        tmp_path,
    )
    assert_error(result, limit=True)


def _fifo(tmp_path: Path) -> Path:
    fifo = tmp_path / "spec.fifo"
    os.mkfifo(fifo)
    return fifo


def _sparse(tmp_path: Path) -> Path:
    big = tmp_path / "big.json"
    with big.open("wb") as fh:
        fh.write(b'{"synthbench_spec": 1, ')
        fh.truncate(3 * 1024**3)
    return big


def _spaces(tmp_path: Path) -> Path:
    big = tmp_path / "spaces.json"
    spec = json.dumps(sb.get_generator("Moons").example().to_dict())
    with big.open("w") as fh:
        fh.write(spec[:-1] + " " * (200 * 1024**2) + "}")
    return big


@pytest.mark.parametrize("command", ["generate", "code"])
@pytest.mark.parametrize(
    "make_spec", [lambda p: Path("/dev/zero"), lambda p: Path("/dev/urandom"), _fifo, _sparse, _spaces]
)
def test_cli_spec_from_endless_or_huge_file_is_refused(command, make_spec, tmp_path):
    spec = make_spec(tmp_path)
    args = [command, str(spec), "-n", "5"] + (["-o", "out.csv"] if command == "generate" else [])
    proc = cli(args, tmp_path, timeout=30)
    assert_one_line_error(proc)
    assert not (tmp_path / "out.csv").exists()


# -- 4. data loss: the CLI never deletes what it did not write -------------------------


def _user_folder(root: Path) -> Path:
    folder = root / "my_documents"
    (folder / "sub").mkdir(parents=True)
    (folder / "thesis.txt").write_text("years of work")
    (folder / "sub" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (folder / ".hidden").write_text("x")
    return folder


def _dotfile_only(root: Path) -> Path:
    (root / "config").mkdir()
    (root / "config" / ".keep").write_text("")
    return root / "config"


def _user_parquet_parts(root: Path) -> Path:
    (root / "parts").mkdir()
    pd.DataFrame({"a": [1]}).to_parquet(root / "parts" / "part-00000.parquet")
    return root / "parts"


def _folder_named_parquet(root: Path) -> Path:
    (root / "mine.parquet").mkdir()
    (root / "mine.parquet" / "notes.md").write_text("x")
    return root / "mine.parquet"


@pytest.mark.parametrize("prepare", [_user_folder, _dotfile_only, _user_parquet_parts, _folder_named_parquet])
def test_rows_per_file_never_replaces_a_folder_synthbench_did_not_write(prepare, tmp_path):
    spec = write_spec(tmp_path / "spec.json", sb.get_generator("Schema").example())
    work = tmp_path / "work"
    work.mkdir()
    folder = prepare(work)
    before = listing(folder)
    proc = cli(["generate", str(spec), "-n", "20", "--rows-per-file", "5", "-o", folder.name], work)
    assert_one_line_error(proc)
    assert listing(folder) == before


def test_rows_per_file_never_replaces_a_user_file(tmp_path):
    spec = write_spec(tmp_path / "spec.json", sb.get_generator("Schema").example())
    target = tmp_path / "notes"
    target.write_text("keep me")
    proc = cli(["generate", str(spec), "-n", "20", "--rows-per-file", "5", "-o", "notes"], tmp_path)
    assert_one_line_error(proc)
    assert target.read_text() == "keep me"


def test_rows_per_file_replaces_a_folder_synthbench_wrote(tmp_path):
    spec = write_spec(tmp_path / "spec.json", sb.get_generator("Schema").example())
    for n in (20, 12):
        proc = cli(["generate", str(spec), "-n", str(n), "--rows-per-file", "5", "-o", "data"], tmp_path)
        assert proc.returncode == 0, proc.stderr
    assert len(pd.read_parquet(tmp_path / "data")) == 12
    # the same folder with a user's file added is no longer only synthbench's
    (tmp_path / "data" / "mine.txt").write_text("x")
    before = listing(tmp_path / "data")
    proc = cli(["generate", str(spec), "-n", "20", "--rows-per-file", "5", "-o", "data"], tmp_path)
    if proc.returncode != 0:
        assert_one_line_error(proc)
        assert listing(tmp_path / "data") == before


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_outputs_get_permissions_from_the_umask(umask, tmp_path):
    spec = write_spec(tmp_path / "spec.json", sb.get_generator("Schema").example())
    for args in (["-o", "a.csv"], ["-o", "a.parquet"], ["-o", "a.csv.gz"], ["--rows-per-file", "5", "-o", "ds"]):
        proc = cli(["generate", str(spec), "-n", "12", *args], tmp_path, umask=umask)
        assert proc.returncode == 0, proc.stderr
    for name in ("a.csv", "a.parquet", "a.csv.gz"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~umask, name
    assert stat.S_IMODE((tmp_path / "ds").stat().st_mode) == 0o777 & ~umask
    for part in (tmp_path / "ds").iterdir():
        if part.is_file():
            assert stat.S_IMODE(part.stat().st_mode) == 0o666 & ~umask, part.name


def _failing_spec() -> sb.Generator:
    """Rows break a constraint now and then, and broken rows raise: fails part-way."""
    c = sb.columns
    return sb.Schema(
        columns=[c.Float("x", params={"low": 0.0, "high": 1.0})],
        constraints=["x < 0.99999"],
        on_violation="raise",
    )


@pytest.mark.parametrize(
    "args",
    [["-o", "out.csv"], ["-o", "out.csv.gz"], ["-o", "out.parquet"], ["--rows-per-file", "100000", "-o", "ds"]],
    ids=["csv", "csv.gz", "parquet", "dataset"],
)
def test_failures_leave_no_temporary_files_and_keep_the_old_output(args, tmp_path):
    spec = write_spec(tmp_path / "spec.json", _failing_spec())
    work = tmp_path / "work"
    work.mkdir()
    ok_spec = write_spec(tmp_path / "ok.json", sb.get_generator("Schema").example())
    proc = cli(["generate", str(ok_spec), "-n", "7", *args], work)
    assert proc.returncode == 0, proc.stderr
    before = listing(work)
    proc = cli(["generate", str(spec), "-n", "2000000", *args], work)
    assert_one_line_error(proc)
    assert listing(work) == before, "a failed run changed or left files"


def test_failures_to_write_leave_no_temporary_files(tmp_path):
    spec = write_spec(tmp_path / "spec.json", sb.get_generator("Schema").example())
    (tmp_path / "afile").write_text("x")
    before = listing(tmp_path)
    for out in ["afile/out.csv", "afile/ds", "missing/out.csv", "missing/ds", "/proc/out.csv"]:
        extra = ["--rows-per-file", "5"] if out.endswith("ds") else []
        proc = cli(["generate", str(spec), "-n", "10", *extra, "-o", out], tmp_path)
        assert_one_line_error(proc)
    assert listing(tmp_path) == before


# -- 5. CLI bad input: exit 2 and one line ---------------------------------------------


def _deep_json(depth: int) -> str:
    return '{"synthbench_spec": 1, "generator": "Schema", "params": {"columns": ' + "[" * depth + "]" * depth + "}}"


BAD_SPECS = {
    "missing": None,
    "folder": "DIR",
    "empty": "",
    "not-json": "{nope",
    "json-list": "[1, 2]",
    "json-string": '"Schema"',
    "unknown-generator": '{"synthbench_spec": 1, "generator": "Nope", "params": {}}',
    "deep-array": "[" * 200_000 + "]" * 200_000,
    "deep-spec": _deep_json(50_000),
    "deep-object": '{"a": ' * 100_000 + "1" + "}" * 100_000,
    "lone-surrogate-name": '{"synthbench_spec": 1, "generator": "Schema", "params": {"columns": '
    '[{"type": "Categorical", "name": "\\ud800", "categories": ["a", "\\udc80"]}]}}',
    "bad-utf8": b'{"generator": "\xff\xfe"}',
    "nan-weights": '{"synthbench_spec": 1, "generator": "Schema", "params": {"columns": '
    '[{"type": "Categorical", "name": "c", "categories": ["a", "b"], "weights": [NaN, Infinity]}]}}',
    "huge-int": '{"synthbench_spec": 1, "generator": "Moons", "params": {"noise": ' + "9" * 5000 + "}}",
    "bad-param": '{"synthbench_spec": 1, "generator": "Moons", "params": {"noise": -1}}',
}


@pytest.mark.parametrize("command", ["generate", "code"])
@pytest.mark.parametrize("key", list(BAD_SPECS))
def test_cli_bad_spec_is_one_line_and_exit_2(key, command, tmp_path):
    text = BAD_SPECS[key]
    spec = tmp_path / "spec.json"
    if text == "DIR":
        spec.mkdir()
    elif isinstance(text, bytes):
        spec.write_bytes(text)
    elif text is not None:
        spec.write_text(text, encoding="utf-8", errors="surrogatepass")
    args = [command, str(spec), "-n", "5"] + (["-o", "out.csv"] if command == "generate" else [])
    proc = cli(args, tmp_path)
    if key == "lone-surrogate-name" and proc.returncode == 0:
        return  # a surrogate name may also be written faithfully
    assert_one_line_error(proc)


@pytest.mark.parametrize(
    "args",
    [
        ["-n", "-1", "-o", "out.csv"],
        ["-n", "abc", "-o", "out.csv"],
        ["-n", "5", "-o", "out.txt"],
        ["-n", "5", "-o", "out"],
        ["-n", "5", "-o", "out.csv", "--seed", "-5"],
        ["-n", "5", "-o", "out.csv", "--seed", str(2**80)],
        ["-n", "5", "-o", "out.csv", "--rows-per-file", "0"],
        ["-n", "5", "-o", "out.csv", "--rows-per-file", "5"],
        ["-n", "5", "-o", ""],
        ["-n", "5", "-o", "."],
        ["-n", "5", "-o", "/"],
        ["-n", str(10**30), "-o", "out.csv"],
    ],
    ids=range(12),
)
def test_cli_bad_arguments_are_one_line_and_exit_2(args, tmp_path):
    spec = write_spec(tmp_path / "spec.json", sb.get_generator("Schema").example())
    proc = cli(["generate", str(spec), *args], tmp_path)
    assert_one_line_error(proc)


# -- 6. raw exceptions become synthbench errors ----------------------------------------


def _nested(depth: int) -> str:
    return f"x = 1\nfor _ in range({depth}):\n    x = [x]\n"


DEEP_CASES = [
    "sb.from_json('[' * 100000 + ']' * 100000)",
    f"sb.from_json({_deep_json(5000)!r})",
    "sb.from_json('{\"a\": ' * 50000 + '1' + '}' * 50000)",
    _nested(100_000) + 'sb.from_dict({"synthbench_spec": 1, "generator": "Schema", "params": {"columns": x}})',
    _nested(100_000) + 'sb.Schema(columns=[sb.columns.Categorical("c", categories=[x, "b"])]).sample(5, seed=0)',
    _nested(100_000) + "sb.Schema(columns=x).sample(5, seed=0)",
    _nested(100_000) + "sb.Moons(noise=x).sample(5, seed=0)",
    _nested(100_000) + 'sb.from_dict({"synthbench_spec": 1, "generator": "Moons", "params": {"noise": x}})',
    _nested(100_000) + 'sb.from_dict({"synthbench_spec": 1, "generator": x, "params": {}})',
    "d = {}\nfor _ in range(100000):\n    d = {'k': d}\n"
    'sb.from_dict({"synthbench_spec": 1, "generator": "TimeSeries", "params": {"components": [d]}})',
]


@pytest.mark.parametrize("body", DEEP_CASES, ids=range(len(DEEP_CASES)))
def test_deep_nesting_raises_our_error(body, tmp_path):
    assert_error(run_case(body, tmp_path))


SURROGATE_SPECS = [
    '{"synthbench_spec": 1, "generator": "Schema", "params": {"columns": '
    '[{"type": "Categorical", "name": "c", "categories": ["\\ud800", "b"]}]}}',
    '{"synthbench_spec": 1, "generator": "Schema", "params": {"columns": [{"type": "Integer", "name": "\\udc80"}]}}',
    '{"synthbench_spec": 1, "generator": "Schema", "params": {"columns": '
    '[{"type": "Id", "name": "i", "prefix": "\\ud83d"}]}}',
    '{"synthbench_spec": 1, "generator": "Schema", "params": {"columns": '
    '[{"type": "Pattern", "name": "p", "pattern": "##\\udfff"}]}}',
    '{"synthbench_spec": 1, "generator": "Moons", "params": {"target": "\\ud800"}}',
    '{"synthbench_spec": 1, "generator": "TimeSeries", "params": {"channels": ["\\ud800"]}}',
    '{"synthbench_spec": 1, "generator": "Schema", "params": {"columns": '
    '[{"type": "Integer", "name": "x"}, {"type": "Derived", "name": "d", "expr": "\\"\\ud800\\""}]}}',
    '{"synthbench_spec": 1, "generator": "\\ud800", "params": {}}',
    '{"synthbench_spec": 1, "generator": "Schema", "params": {"columns": [], "\\ud800": 1}}',
]


@pytest.mark.parametrize("spec", SURROGATE_SPECS, ids=range(len(SURROGATE_SPECS)))
def test_lone_surrogates_raise_our_error_or_work_everywhere(spec, tmp_path):
    result = run_case(
        f"""
        gen = sb.from_json({spec!r})
        EXPORT(gen, 10, seed=0)
        gen.to_parquet(TMP / "ds", 10, seed=0, progress=False)
        repr(gen); str(gen); gen.to_dict()
        """,
        tmp_path,
    )
    assert_error_or_ok(result)
    check_export(tmp_path, result)
    (tmp_path / "spec.json").write_text(spec, encoding="utf-8")
    for out in ("o.csv", "o.parquet"):
        proc = cli(["generate", str(tmp_path / "spec.json"), "-n", "5", "-o", out], tmp_path)
        if proc.returncode != 0:
            assert_one_line_error(proc)


FORMAT_EXPRESSIONS = [
    "'%(a)s' % x",
    "'%(a)s %(b)s' % s",
    "'%d' % s",
    "'%s %s' % x",
    "'%' % x",
    "'%c' % x",
    "'%z' % x",
    "'%f' % s",
    "'%s' % x",
    "s % x",
    "s % s",
    "'%*d' % x",
]


@pytest.mark.parametrize("expr", FORMAT_EXPRESSIONS, ids=range(len(FORMAT_EXPRESSIONS)))
def test_string_formatting_expressions_raise_our_error_or_work(expr, tmp_path):
    result = run_case(
        f"""
        c = sb.columns
        cols = [c.Integer("x", params={{"low": 2000000000, "high": 3000000000}}),
                c.Categorical("s", categories=["a%s", "b%d"]),
                c.Derived("d", expr={expr!r})]
        EXPORT(sb.Schema(columns=cols), 20, seed=0)
        """,
        tmp_path,
    )
    assert_error_or_ok(result)
    check_export(tmp_path, result)


MIXED_CATEGORIES = [
    [1, True],
    [1, 1.0],
    [0, False, 0.0],
    [1, "1"],
    [True, "True"],
    [1.5, "a"],
    ["a", "a"],
    [float("nan"), "a"],
    [None, "a"],
    [2**63, 1],
    [10**30, 1],
]


@pytest.mark.parametrize("cats", MIXED_CATEGORIES, ids=range(len(MIXED_CATEGORIES)))
def test_mixed_categories_raise_our_error_or_write_everywhere(cats, tmp_path):
    result = run_case(
        f"""
        cats = json.loads({json.dumps(cats)!r})
        gen = sb.Schema(columns=[sb.columns.Categorical("c", categories=cats), sb.columns.Integer("x")])
        EXPORT(gen, 30, seed=0)
        gen.to_parquet(TMP / "ds", 30, seed=0, progress=False)
        from_disk = pd.read_parquet(TMP / "ds")
        assert len(from_disk) == 30
        """,
        tmp_path,
    )
    assert_error_or_ok(result)
    check_export(tmp_path, result)
    spec_text = None
    if result["kind"] == "ok":
        spec_text = json.dumps(
            {
                "synthbench_spec": 1,
                "generator": "Schema",
                "params": {"columns": [{"type": "Categorical", "name": "c", "categories": cats}]},
            }
        )
    if spec_text is not None:
        (tmp_path / "spec.json").write_text(spec_text)
        for out in ("o.csv", "o.parquet"):
            proc = cli(["generate", str(tmp_path / "spec.json"), "-n", "30", "-o", out], tmp_path)
            if proc.returncode != 0:
                assert_one_line_error(proc)


FITTED = ["GaussianCopula", "CART", "GaussianMixture"]


@pytest.mark.parametrize("name", FITTED)
@pytest.mark.parametrize(
    "values",
    [
        "[2**63, 2**64 - 1, 5, 2**63 + 10] * 15",
        "list(range(2**63, 2**63 + 60))",
    ],
    ids=range(2),
)
def test_uint64_values_beyond_int64_raise_our_error_or_are_kept(name, values, tmp_path):
    result = run_case(
        f"""
        rng = np.random.default_rng(0)
        values = {values}
        data = pd.DataFrame({{"u": np.array(values, dtype=np.uint64), "f": rng.normal(size=len(values)),
                             "c": pd.Categorical(rng.choice(["a", "b"], size=len(values)))}})
        gen = sb.{name}().fit(data)
        df = EXPORT(gen, 200, seed=0)
        u = [int(v) for v in df["u"].dropna()]
        assert all(int(data["u"].min()) <= v <= int(data["u"].max()) for v in u), (min(u), max(u))
        """,
        tmp_path,
    )
    assert_error_or_ok(result)
    check_export(tmp_path, result)


@pytest.mark.parametrize("values", ["[2**63 + i for i in range(60)]", "[2**64 - 1 - i for i in range(60)]"])
def test_uint64_values_in_other_data_raise_our_error_or_are_kept(values, tmp_path):
    result = run_case(
        f"""
        values = np.array({values}, dtype=np.uint64)
        ts = pd.DataFrame({{"timestamp": pd.date_range("2024-01-01", periods=60, freq="D"), "v": values}})
        df = sb.FittedTimeSeries(periods=[7], ar_order=1).fit(ts).sample(30, seed=0)
        assert np.isfinite(df["v"].astype(float)).all()
        """,
        tmp_path / "ts",
    )
    assert_error_or_ok(result)
    result = run_case(
        f"""
        rng = np.random.default_rng(0)
        values = np.array({values}, dtype=np.uint64)
        data = pd.DataFrame({{"u": values, "f": rng.normal(size=60), "y": [0] * 45 + [1] * 15}})
        for method in ("smote", "random_over"):
            df = sb.Balance(target="y", method=method).fit(data).sample(seed=0)
            assert (df["y"].value_counts() == 45).all()
            u = [int(v) for v in df["u"]]
            assert all(int(values.min()) <= v <= int(values.max()) for v in u)
        """,
        tmp_path / "balance",
    )
    assert_error_or_ok(result)


AR_CASES = [
    "sb.TimeSeries(components=[sb.timeseries.AR(phi=[1e-320])]).sample(100, seed=0)",
    "sb.TimeSeries(components=[sb.timeseries.AR(phi=[5e-324, 5e-324])]).sample(100, seed=0)",
    "sb.TimeSeries(components=[sb.timeseries.AR(phi=[1e-320] * 5)]).sample(100, seed=0)",
    "sb.TimeSeries(components=[sb.timeseries.AR(phi=[0.0, 1e-310])]).sample(100, seed=0)",
    "sb.TimeSeries(components=[sb.timeseries.AR(phi=[1e-320], scale=1e-320)]).sample(100, seed=0)",
    "sb.TimeSeries(components=[sb.timeseries.AR(phi=[99.0, -99.0])]).sample(100, seed=0)",
    # fitting AR to a constant or near-constant series
    "ts = pd.DataFrame({'timestamp': pd.date_range('2024-01-01', periods=50), 'v': [5.0] * 50})\n"
    "sb.FittedTimeSeries(ar_order=3, periods=[7]).fit(ts).sample(20, seed=0)",
    "ts = pd.DataFrame({'timestamp': pd.date_range('2024-01-01', periods=50), 'v': [5.0] * 49 + [5.0 + 1e-320]})\n"
    "sb.FittedTimeSeries(ar_order=2).fit(ts).sample(20, seed=0)",
    "ts = pd.DataFrame({'timestamp': pd.date_range('2024-01-01', periods=50), 'v': [1e308, -1e308] * 25})\n"
    "sb.FittedTimeSeries(ar_order=2).fit(ts).sample(20, seed=0)",
]


@pytest.mark.parametrize("body", AR_CASES, ids=range(len(AR_CASES)))
def test_tiny_or_degenerate_ar_coefficients_raise_our_error_or_work(body, tmp_path):
    assert_error_or_ok(run_case(body + "\n", tmp_path))


SKLEARN_CASES = [
    "sb.Classification(class_sep=0)",
    "sb.Classification(class_sep=1e-320)",
    "sb.Classification(class_sep=-1)",
    "sb.Classification(scale=0)",
    "sb.Classification(weights=[1.0, 0.0])",
    "sb.Classification(weights=[0.0])",
    "sb.Classification(n_features=2, n_informative=1, n_redundant=0, n_clusters_per_class=1)",
    "sb.Blobs(cluster_std=0)",
    "sb.Blobs(center_box=[0.0, 0.0])",
    "sb.Circles(factor=0)",
    "sb.Regression(n_features=1, n_informative=1, effective_rank=1)",
    "sb.Regression(noise=1e308)",
]


@pytest.mark.parametrize("make", SKLEARN_CASES, ids=range(len(SKLEARN_CASES)))
def test_degenerate_dataset_parameters_never_reach_sklearn_raw(make, tmp_path):
    result = run_case(
        f"""
        gen = {make}
        df = EXPORT(gen, 50, seed=0)
        assert len(df) == 50
        """,
        tmp_path,
    )
    assert_error_or_ok(result)
    check_export(tmp_path, result)


ODD_COLUMNS = [
    "data['tags'] = [[1, 2]] * len(data)",
    "data['tags'] = [{'a': 1}] * len(data)",
    "data['tags'] = [{1, 2}] * len(data)",
    "data['tags'] = [b'x'] * len(data)",
    "data['tags'] = [object()] * len(data)",
    "data['tags'] = [[i] for i in range(len(data))]",
    "data['cultivar'] = [[v] for v in data['cultivar']]",
    "data['tags'] = [1, 'a'] * (len(data) // 2)",
    "data['tags'] = pd.Series([complex(1, 1)] * len(data))",
    "data['tags'] = pd.Series([pd.Timedelta(1)] * len(data))",
]


@pytest.mark.parametrize("method", ["smote", "random_over"])
@pytest.mark.parametrize("change", ODD_COLUMNS, ids=range(len(ODD_COLUMNS)))
def test_unusable_columns_in_balance_raise_our_error(change, method, tmp_path):
    result = run_case(
        f"""
        data = sb.get_generator("Balance").example().data_.copy()
        {change}
        sb.Balance(target="cultivar", method={method!r}).fit(data).sample(seed=0)
        """,
        tmp_path,
    )
    assert_error_or_ok(result)


def _tamper(name: str, edit: str) -> str:
    return f"""
        spec = sb.get_generator({name!r}).example().to_dict()
        state = spec["state"]
        cols = {{c["name"]: c for c in state.get("columns", [])}}
        {edit}
        gen = sb.from_dict(json.loads(json.dumps(spec)))
        gen.sample(3, seed=0)
        df = gen.sample(200000, seed=1)
        assert len(df) == 200000
        for col in state.get("columns", []):
            if col.get("kind") == "categorical":
                assert set(df[col["name"]].dropna()) <= set(col["categories"]), col["name"]
        """


TAMPERED = [
    ("GaussianCopula", "cols['species']['cum'] = [0.36, 0.55, 0.9999]"),
    ("GaussianCopula", "cols['species']['cum'] = [0.36, 0.2, 1.0]"),
    ("GaussianCopula", "cols['species']['cum'] = [0.36, float('nan'), 1.0]"),
    ("GaussianCopula", "cols['year']['cum'] = [0.3, 0.6, 0.99999]"),
    ("GaussianCopula", "cols['year']['values'] = [2007, 2008, 2**70]"),
    ("GaussianCopula", "cols['bill_length_mm']['knots'] = cols['bill_length_mm']['knots'][::-1]"),
    ("GaussianCopula", "cols['bill_length_mm']['probs'] = [p * 0.9999 for p in cols['bill_length_mm']['probs']]"),
    ("GaussianCopula", "cols['bill_length_mm']['knots'][-1] = float('inf')"),
    ("GaussianCopula", "cols['species']['values'] = ['Gentoo', 'Chinstrap', 'Penguin']"),
    ("GaussianCopula", "cols['species']['null_rate'] = 1e-300"),
    ("GaussianCopula", "state['covariances'][0][0][1] = 5.0"),
    ("GaussianCopula", "state['covariances'][0][1][1] = 1e-320"),
    ("GaussianMixture", "state['weights'] = [0.5, 0.5, 1e-320]"),
    ("GaussianMixture", "state['weights'] = [0.5, 0.49999, 0.0]"),
    ("GaussianMixture", "state['covariances'][2] = [[0.0] * len(row) for row in state['covariances'][2]]"),
    ("GaussianMixture", "state['means'][1][0] = 1e308"),
    ("CART", "cols['species']['labels'] = ['Adelie', 'Chinstrap']"),
    ("PrivateMST", "state['steps'][0]['table'][0] = -0.5"),
    ("PrivateMST", "state['steps'][1]['table'] = [x * 0.999 for x in state['steps'][1]['table']]"),
    ("PrivateMST", "state['steps'][-1]['given'] = [s['column'] for s in state['steps'][:-1]]"),
    ("PrivateMST", "cols['year']['edges'] = [2007, 2008, 2**70]"),
    ("PrivateMST", "cols['species']['values'] = ['Gentoo', 'Chinstrap', 'Penguin']"),
    ("PrivateMST", "cols['body_mass_g']['missing'] = False"),
    ("PrivateAIM", "state['steps'][0]['table'][0] = -0.5"),
    ("PrivateAIM", "state['steps'][-1]['given'] = [s['column'] for s in state['steps'][:-1]]"),
    ("PrivateAIM", "state['measurements'][0]['sd'] = 1e-3"),
    ("PrivateAIM", "state['measurements'][-1]['columns'] = [0, 2**40]"),
    ("PrivateAIM", "state['measurements'] = state['measurements'] * 2000"),
    ("FittedTimeSeries", "state['n_obs'] = 10**15"),
    ("FittedTimeSeries", "state['freq'] = 'ns'"),
    ("FittedTimeSeries", "state['start'] = '2262-04-11'"),
]


@pytest.mark.parametrize(("name", "edit"), TAMPERED, ids=[f"{n}-{i}" for i, (n, _) in enumerate(TAMPERED)])
def test_tampered_fitted_states_are_refused_or_sample_correctly(name, edit, tmp_path):
    assert_error_or_ok(run_case(_tamper(name, edit), tmp_path))


def test_tampered_cart_states_are_refused_or_sample_correctly(tmp_path):
    """Every number in a CART state nudged: load refuses it or large samples still work."""
    result = run_case(
        """
        from synthbench.generators.fitted._packed import unpack_checked
        spec = sb.get_generator("CART").example().to_dict()
        def plain(node):  # packed arrays as the plain lists a spec may also hold, to nudge their items
            if isinstance(node, dict) and {"dtype", "size", "data"} <= set(node):
                return unpack_checked(node, "state", 10**8).tolist()
            if isinstance(node, dict):  # missing_left is packed as 0/1 and written plain as bools
                return {k: [bool(b) for b in plain(v)] if k == "missing_left" else plain(v) for k, v in node.items()}
            if isinstance(node, list):
                return [plain(v) for v in node]
            return node
        spec["state"] = plain(spec["state"])
        sb.from_dict(spec).sample(3, seed=0)  # the plain form loads and samples as it is
        def visit(node, path):
            if isinstance(node, dict):
                for k, v in node.items():
                    yield from visit(v, path + (k,))
            elif isinstance(node, list):
                for i, v in enumerate(node[:50]):
                    yield from visit(v, path + (i,))
            elif isinstance(node, (int, float)) and not isinstance(node, bool):
                yield path
        paths = list(visit(spec["state"], ()))
        for k, path in enumerate(paths[:: max(1, len(paths) // 20)]):
            for value in (-1, 10**9, 1e-320):
                s = json.loads(json.dumps(spec))
                parent = s["state"]
                for key in path[:-1]:
                    parent = parent[key]
                parent[path[-1]] = value
                try:
                    gen = sb.from_dict(s)
                    gen.sample(3, seed=0)
                    gen.sample(20000, seed=1)
                except SynthbenchError:
                    pass
        """,
        tmp_path,
        timeout=300,
    )
    assert_error_or_ok(result)


# -- 7. silent wrong results -----------------------------------------------------------

BACKTICK_LITERALS = [
    ('where(x > 0, "`x` literal", "no")', lambda x: "`x` literal" if x > 0 else "no"),
    ('where(x > 0, "`y`", "`x`")', lambda x: "`y`" if x > 0 else "`x`"),
    ("where(x > 0, '`x` * 2', '``')", lambda x: "`x` * 2" if x > 0 else "``"),
    ('where(`x` > 0, "a`x`b", "`")', lambda x: "a`x`b" if x > 0 else "`"),
]


@pytest.mark.parametrize(("expr", "expected"), BACKTICK_LITERALS, ids=range(len(BACKTICK_LITERALS)))
def test_backticks_inside_string_constants_stay_literal_text(expr, expected, tmp_path):
    result = run_case(
        f"""
        c = sb.columns
        cols = [c.Integer("x", params={{"low": -5, "high": 5}}), c.Integer("y", params={{"low": 100, "high": 200}}),
                c.Derived("d", expr={expr!r})]
        df = EXPORT(sb.Schema(columns=cols), 40, seed=0)
        OUT["x"] = df["x"].tolist()
        OUT["d"] = df["d"].tolist()
        """,
        tmp_path,
    )
    assert result["kind"] == "ok", result
    assert result["out"]["d"] == [expected(x) for x in result["out"]["x"]]
    check_export(tmp_path, result)


@pytest.mark.parametrize("constraint", ['s != "`x`"', 's == "`x`" or x > -100', "s != '`s`'"], ids=["ne", "or", "self"])
def test_backticks_inside_string_constants_of_constraints_stay_literal(constraint, tmp_path):
    result = run_case(
        f"""
        c = sb.columns
        cols = [c.Integer("x", params={{"low": -5, "high": 5}}), c.Categorical("s", categories=["`x`", "`s`", "a"])]
        df = EXPORT(sb.Schema(columns=cols, constraints=[{constraint!r}], on_violation="drop"), 60, seed=0)
        OUT["s"] = sorted(set(df["s"]))
        """,
        tmp_path,
    )
    assert result["kind"] == "ok", result
    expected = {
        's != "`x`"': ["`s`", "a"],
        's == "`x`" or x > -100': ["`s`", "`x`", "a"],
        "s != '`s`'": ["`x`", "a"],
    }[constraint]
    assert result["out"]["s"] == expected
    check_export(tmp_path, result)


LOGICAL = [
    ("a and b", lambda a, b: bool(a) and bool(b)),
    ("a or b", lambda a, b: bool(a) or bool(b)),
    ("not a", lambda a, b: not a),
    ("not (a and b)", lambda a, b: not (a and b)),
    ("(a > 0) and b", lambda a, b: a > 0 and bool(b)),
    ("a and (b > 0)", lambda a, b: bool(a) and b > 0),
    ("not a or b", lambda a, b: (not a) or bool(b)),
]


@pytest.mark.parametrize(("expr", "truth"), LOGICAL, ids=range(len(LOGICAL)))
def test_logical_operators_on_integers_are_logical_or_refused(expr, truth, tmp_path):
    result = run_case(
        f"""
        c = sb.columns
        cols = [c.Integer("a", params={{"low": 0, "high": 6}}), c.Integer("b", params={{"low": 0, "high": 6}}),
                c.Derived("d", expr={expr!r})]
        df = EXPORT(sb.Schema(columns=cols), 80, seed=0)
        OUT["a"], OUT["b"], OUT["d"] = df["a"].tolist(), df["b"].tolist(), df["d"].tolist()
        """,
        tmp_path,
    )
    if result["kind"] == "error":
        return
    out = result["out"]
    for a, b, d in zip(out["a"], out["b"], out["d"]):
        assert d in (True, False) and bool(d) == truth(a, b), f"{expr} with a={a}, b={b} gave {d!r}"
    check_export(tmp_path, result)


@pytest.mark.parametrize("constraint", ["a and b", "not a", "a or b", "not (a or b)"])
def test_logical_constraints_on_integers_are_logical_or_refused(constraint, tmp_path):
    result = run_case(
        f"""
        c = sb.columns
        cols = [c.Integer("a", params={{"low": 0, "high": 3}}), c.Integer("b", params={{"low": 0, "high": 3}})]
        df = EXPORT(sb.Schema(columns=cols, constraints=[{constraint!r}], on_violation="drop"), 200, seed=0)
        OUT["rows"] = df[["a", "b"]].values.tolist()
        """,
        tmp_path,
    )
    if result["kind"] == "error":
        return
    truth = {
        "a and b": lambda a, b: bool(a) and bool(b),
        "not a": lambda a, b: not a,
        "a or b": lambda a, b: bool(a) or bool(b),
        "not (a or b)": lambda a, b: not (a or b),
    }[constraint]
    rows = result["out"]["rows"]
    assert rows and all(truth(a, b) for a, b in rows)
    check_export(tmp_path, result)


def _tz_case(tz: str) -> str:
    return f"""
        data = pd.DataFrame({{
            "t": pd.date_range("2024-01-01", periods=40, freq="h", tz="UTC"),
            "v": np.arange(40.0),
        }})
        spec = sb.GaussianCopula().fit(data).to_dict()
        for col in spec["state"]["columns"]:
            if col["name"] == "t":
                col["tz"] = {tz!r}
        gen = sb.from_dict(json.loads(json.dumps(spec)))
        gen.sample(10, seed=0)
        """


def test_dateutil_timezone_paths_are_refused_without_reading_them(tmp_path):
    """A FIFO blocks whoever opens it, so opening the 'time zone file' would time out."""
    fifo = tmp_path / "zone.fifo"
    os.mkfifo(fifo)
    existing = tmp_path / "zone.file"
    existing.write_bytes(b"TZif2" + b"\x00" * 100)
    messages = {}
    for key, path in {"fifo": fifo, "file": existing, "missing": tmp_path / "nope" / "zone"}.items():
        result = run_case(_tz_case(f"dateutil/{path}"), tmp_path / key, timeout=30)
        assert_error(result)
        messages[key] = re.sub(r"Got .*", "Got <path>", result["message"].replace(str(path), "<path>"), flags=re.S)
    assert messages["fifo"] == messages["file"] == messages["missing"], messages


@pytest.mark.parametrize(
    "tz",
    ["dateutil//etc/passwd", "dateutil/../../../../etc/passwd", "/etc/localtime", "../../etc/passwd", "dateutil/"],
)
def test_timezone_names_that_are_paths_are_refused(tz, tmp_path):
    result = run_case(_tz_case(tz), tmp_path)
    assert_error(result)


@pytest.mark.parametrize(
    ("distribution", "params"),
    [
        ("geometric", {"p": 1e-300}),
        ("geometric", {"p": 1e-19}),
        ("geometric", {"p": 5e-324}),
        ("poisson", {"lam": 1e30}),
        ("exponential", {"scale": 1e300}),
        ("lognormal", {"mean": 700.0, "sigma": 1.0}),
        ("normal", {"loc": 1e300, "scale": 1.0}),
        ("uniform", {"low": -(2**63), "high": 2**63}),
        ("weibull", {"a": 1e-3}),
        ("gamma", {"shape": 1e300}),
    ],
)
def test_integers_never_saturate_silently(distribution, params, tmp_path):
    result = run_case(
        f"""
        col = sb.columns.Integer("k", distribution={distribution!r}, params={params!r})
        df = sb.Schema(columns=[col]).sample(200, seed=0)
        k = df["k"].dropna()
        info = np.iinfo(np.int64)
        assert not k.isin([info.max, info.min]).any(), k.describe()
        """,
        tmp_path,
    )
    assert_error_or_ok(result)


@pytest.mark.parametrize(
    ("distribution", "params"),
    [
        ("lognormal", {"mean": 800.0, "sigma": 1.0}),
        ("exponential", {"scale": 1e308}),
        ("normal", {"loc": 1e308, "scale": 1e308}),
    ],
)
def test_floats_never_overflow_to_inf_silently(distribution, params, tmp_path):
    result = run_case(
        f"""
        col = sb.columns.Float("k", distribution={distribution!r}, params={params!r})
        df = sb.Schema(columns=[col]).sample(200, seed=0)
        assert np.isfinite(df["k"].dropna()).all()
        """,
        tmp_path,
    )
    assert_error_or_ok(result)
