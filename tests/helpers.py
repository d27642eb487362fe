"""Shared test helpers: run exported code for real, and make bad parameter values."""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd

from synthbench import params as P

# Exported code must not need synthbench: the child process cannot import it.
_BLOCK_SYNTHBENCH = "import sys; sys.modules['synthbench'] = None\n"


def run_code(
    code: str, tmp_path: Path, variables: dict[str, pd.DataFrame] | None = None, result: str = "df"
) -> pd.DataFrame:
    """Run ``code`` in a fresh interpreter and return the variable ``result`` it builds
    (``df``; ``dfs``, a dict of frames, for multi-table generators)."""
    out = tmp_path / "out.pkl"
    prelude = _BLOCK_SYNTHBENCH
    for name, frame in (variables or {}).items():
        path = tmp_path / f"in_{name}.pkl"
        frame.to_pickle(path)
        prelude += f"import pandas as _pd; {name} = _pd.read_pickle({str(path)!r})\n"
    script = tmp_path / "cell.py"
    script.write_text(prelude + code + f"\nimport pandas as _pd; _pd.to_pickle({result}, {str(out)!r})\n")
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, f"exported code failed:\n{proc.stderr[-3000:]}"
    return pd.read_pickle(out)


def sample_in_subprocess(
    spec_json: str, n: int | None, seed: int, tmp_path: Path, data: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``from_json(spec).sample(n, seed)`` in a fresh interpreter, after ``fit(data)`` if given."""
    out = tmp_path / f"sub_{seed}.pkl"
    fit = ""
    if data is not None:
        path = tmp_path / f"sub_data_{seed}.pkl"
        data.to_pickle(path)
        fit = f"import pandas as pd; gen.fit(pd.read_pickle({str(path)!r}))"
    code = textwrap.dedent(
        f"""
        import synthbench as sb
        gen = sb.from_json({spec_json!r})
        {fit}
        import pandas as pd; pd.to_pickle(gen.sample({n}, seed={seed}), {str(out)!r})
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return pd.read_pickle(out)


class _Odd:
    """An object no constraint accepts."""

    def __repr__(self) -> str:
        return "<odd>"


def bad_values(c: P.Constraint) -> list:
    """Values that ``c`` must reject (each is checked to be rejected)."""
    out: list = [_Odd()]
    if isinstance(c, P.Optional):
        return [v for v in bad_values(c.inner) if v is not None]
    if isinstance(c, P.Int):
        out += ["1", 1.5, True, math.nan]
        if c.low is not None:
            out.append(c.low - 1)
        if c.high is not None:
            out.append(c.high + 1)
    elif isinstance(c, P.Float):
        out += ["1.0", math.nan, math.inf, -math.inf, True]
        if c.low is not None:
            out.append(c.low - 1)
        if c.high is not None:
            out.append(c.high + 1)
    elif isinstance(c, P.Bool):
        out += [1, "yes", None]
    elif isinstance(c, P.Str):
        out += [1, None, b"bytes"]
        if not c.allow_empty:
            out.append("")
    elif isinstance(c, P.Options):
        out += ["__no_such_option__", None]
    elif isinstance(c, P.ListOf):
        out += ["not a list", {"a": 1}, None]
        if c.min_len:
            out.append([])
        out += [[v] for v in bad_values(c.item)[:3]]
    elif isinstance(c, P.MapOf):
        out += [["a"], "x", {1: 1}]
    elif isinstance(c, P.ComponentOf):
        out += ["Integer", {"type": "Integer"}]
    elif isinstance(c, P.Scalar):
        out += [None, math.nan, [1]]
    elif isinstance(c, P.AnyOf):
        out += [None, "x", [1]]
    return [v for v in out if not c.is_satisfied_by(v)]


_RUN_CELLS = """
import contextlib, io, json, os, pickle, sys, traceback, warnings
sys.modules["synthbench"] = None  # the cells must not need synthbench
cases = pickle.load(open(sys.argv[1], "rb"))
cwd = os.getcwd()
results = []
warnings.simplefilter("ignore")
for i, (code, variables) in enumerate(cases):
    ns = {"__name__": "__main__", **variables}
    out = io.StringIO()
    error = None
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"<cell {i}>", "exec"), ns)
        # A multi-table generator's cell builds `dfs`, a dict of frames by table name.
        with open(os.path.join(sys.argv[2], f"cell_{i}.pkl"), "wb") as f:
            pickle.dump(ns["dfs"] if "dfs" in ns else ns["df"], f)
    except BaseException:
        error = traceback.format_exc()[-3000:]
    files = sorted(os.listdir(cwd))
    for name in files:
        path = os.path.join(cwd, name)
        if os.path.isfile(path):
            os.remove(path)
    results.append({"error": error, "stdout": out.getvalue(), "files": files})
json.dump(results, open(os.path.join(sys.argv[2], "results.json"), "w"))
"""


def run_cells(
    cells: list[tuple[str, dict[str, pd.DataFrame]]], tmp_path: Path, memory: int = 3 * 1024**3
) -> list[dict]:
    """Run many exported cells in ONE fresh interpreter (synthbench blocked), each in its own namespace.

    ``cells`` holds ``(code, variables)`` pairs (variables: e.g. ``{"df_real": frame}``).
    Each cell runs in an empty working folder under a memory limit; returns, per cell,
    ``{"error": traceback or None, "stdout": text, "files": names it created, "df": frame or None}``.
    """
    import json
    import pickle
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    (tmp_path / "cells.pkl").write_bytes(pickle.dumps(cells))
    (tmp_path / "run_cells.py").write_text(_RUN_CELLS, encoding="utf-8")
    cwd = tmp_path / "cells_cwd"
    cwd.mkdir(exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-I", str(tmp_path / "run_cells.py"), str(tmp_path / "cells.pkl"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=cwd,
        preexec_fn=limit,
    )
    assert proc.returncode == 0, f"the cells' interpreter failed:\n{proc.stderr[-3000:]}"
    results = json.loads((tmp_path / "results.json").read_text())
    for i, result in enumerate(results):
        path = tmp_path / f"cell_{i}.pkl"
        result["df"] = pd.read_pickle(path) if path.exists() else None
    return results


def assert_same_frame(a: pd.DataFrame | dict, b: pd.DataFrame | dict) -> None:
    """Equal frames; for multi-table output, the same tables in the same order, each equal."""
    if isinstance(a, dict) or isinstance(b, dict):
        assert isinstance(a, dict) and isinstance(b, dict) and list(a) == list(b)
        for name in a:
            assert_same_frame(a[name], b[name])
        return
    pd.testing.assert_frame_equal(a, b, check_dtype=True, check_exact=True, check_categorical=True)
