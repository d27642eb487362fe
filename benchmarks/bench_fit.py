"""Fitted generators against SDV, side by side in one run: time and SDMetrics quality.

    python benchmarks/bench_fit.py [--ctgan-epochs 300] [--no-ctgan] [--repeats 3]
    python benchmarks/bench_fit.py scale [--rows 100000 1000000] [--generators CART] [--old-src DIR]

For each real table (the Palmer penguins shipped with synthbench and scikit-learn's
bundled wine, diabetes and breast-cancer data), each generator fits the table and
samples as many rows as it has. Times are fit + sample in seconds (best of
``--repeats`` for the copulas and for our models, one run for CTGAN). Every output,
ours and SDV's, is scored by the same SDMetrics ``QualityReport`` in the SDV peer
virtualenv (SDV pins pandas<3 and pulls torch, so it runs there; data goes through
Parquet files). The virtualenv is built once from ``peers/requirements-sdv.txt`` under
``~/.cache/synthbench-peers`` (or ``$SYNTHBENCH_PEERS_CACHE``).

``scale`` times fit, sample (as many rows as fitted) and synthbench's own
``quality_score`` on a seeded 20-column mixed table (12 numeric, 6 categorical, a flag,
a date) of 100,000 and 1,000,000 rows, with the spec's size, beside SDV's
GaussianCopula (fit + sample, in its venv; ``SYNTHBENCH_SDV_PYTHON`` may name a python
with ``sdv`` installed without torch, which the copula does not need). ``--old-src DIR``
runs another checkout's CART in the same run (e.g. ``git archive 4d3d5a8 synthbench |
tar -x -C /tmp/old``, the code before CART was fitted once). Set ``SYNTHBENCH_SRC`` to
time another checkout with the same script.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, os.environ.get("SYNTHBENCH_SRC", str(HERE.parent)))
sys.path.insert(0, str(HERE / "peers"))

from peerenv import PeerUnavailable, cache_dir  # noqa: E402

import synthbench as sb  # noqa: E402
from synthbench.data import load_penguins  # noqa: E402
from synthbench.generators.fitted._types import describe_columns  # noqa: E402

REQUIREMENTS = HERE / "peers" / "requirements-sdv.txt"
SDTYPES = {"numeric": "numerical", "integer": "numerical", "categorical": "categorical", "boolean": "boolean"}


def sdv_python() -> Path:
    """The SDV venv's python, built from requirements-sdv.txt if missing."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()[:12]
    venv = cache_dir() / f"venv-sdv-{digest}"
    python = venv / "bin" / "python"
    marker = venv / "synthbench-ready.json"
    if marker.exists() and python.exists():
        return python
    start = time.perf_counter()
    for cmd in (
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(REQUIREMENTS)],
    ):
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
        if out.returncode != 0:
            raise PeerUnavailable(f"could not build the SDV venv: {(out.stderr or out.stdout)[-1000:]}")
    marker.write_text(json.dumps({"built_in_seconds": round(time.perf_counter() - start, 1)}))
    return python


def tables() -> dict[str, pd.DataFrame]:
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine

    wine = load_wine(as_frame=True).frame
    wine["target"] = wine["target"].map({0: "cultivar_0", 1: "cultivar_1", 2: "cultivar_2"}).astype("category")
    wine["magnesium"] = wine["magnesium"].astype("int64")
    wine["proline"] = wine["proline"].astype("int64")
    diabetes = load_diabetes(as_frame=True, scaled=False).frame
    diabetes["age"] = diabetes["age"].astype("int64")
    diabetes["sex"] = diabetes["sex"].map({1.0: "1", 2.0: "2"}).astype("category")
    cancer = load_breast_cancer(as_frame=True).frame
    cancer["target"] = cancer["target"].map({0: "malignant", 1: "benign"}).astype("category")
    digits = load_digits(as_frame=True).frame.astype("int64")
    digits["target"] = digits["target"].astype(str).astype("category")
    return {
        "penguins": load_penguins(),
        "wine": wine,
        "diabetes": diabetes,
        "breast_cancer": cancer,
        "digits": digits,
    }


def ours() -> dict[str, sb.Generator]:
    return {
        "synthbench GaussianCopula": sb.GaussianCopula(),
        "synthbench GaussianMixture": sb.GaussianMixture(),
        "synthbench CART": sb.CART(),
    }


def time_ours(gen: sb.Generator, real: pd.DataFrame, repeats: int) -> tuple[float, pd.DataFrame]:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fake = gen.fit(real).sample(len(real), seed=0)
        best = min(best, time.perf_counter() - start)
    return best, fake


def mixed_table(n: int, seed: int = 0) -> pd.DataFrame:
    """A seeded n x 20 table: 12 numeric (correlated, skewed, with gaps), 6 categorical, a flag, a date."""
    import numpy as np

    rng = np.random.default_rng(seed)
    latent = rng.standard_normal((n, 4))
    out: dict[str, object] = {}
    for i in range(12):
        x = latent[:, i % 4] * (1 + i / 6) + rng.standard_normal(n) * 0.5
        if i % 3 == 1:
            x = np.exp(x / 2)  # skewed
        x = np.round(x * 100, 2 if i % 2 else 1)
        if i % 4 == 0:
            x = np.where(rng.random(n) < 0.05, np.nan, x)
        out[f"num_{i}"] = x
    sizes = (3, 5, 8, 12, 30, 200)
    for i, k in enumerate(sizes):
        codes = np.clip(np.floor((latent[:, i % 4] + 3) / 6 * k + rng.normal(0, 1, n)), 0, k - 1).astype(int)
        out[f"cat_{i}"] = pd.Categorical.from_codes(codes, [f"c{i}_{j}" for j in range(k)])
    out["flag"] = latent[:, 0] + rng.normal(0, 1, n) > 0.5
    days = np.clip(latent[:, 1] * 200 + 1000 + rng.normal(0, 50, n), 0, 2000).astype(int)
    out["date"] = pd.Series(pd.Timestamp("2020-01-01") + pd.to_timedelta(days, unit="D")).astype("datetime64[us]")
    return pd.DataFrame(out)


def timed(func, *args, **kwargs) -> tuple[str, object, float, float]:
    """``func(*args, **kwargs)``: wall-clock and CPU seconds as text, the result, and both numbers."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = func(*args, **kwargs)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return f"{wall:.2f} ({cpu:.2f})", out, wall, cpu


def _score(real: pd.DataFrame, fake: pd.DataFrame, limit: int = 100_000) -> float:
    """synthbench's quality score; above ``limit`` rows, on the first ``limit`` rows of each
    (the mixed table's rows are independent draws, so its head is a fair sample)."""
    from synthbench.evaluate import quality_score

    return quality_score(real.head(limit), fake.head(limit))["score"]


def _sdv_python() -> Path:
    """SDV's python: ``$SYNTHBENCH_SDV_PYTHON`` (e.g. a venv with sdv installed without
    torch, which its GaussianCopula does not need), else the venv built from requirements-sdv.txt."""
    override = os.environ.get("SYNTHBENCH_SDV_PYTHON")
    return Path(override) if override else sdv_python()


def _sdv_copula(real: pd.DataFrame, tmp: Path) -> tuple[float, float, pd.DataFrame]:
    """SDV's GaussianCopula fit + sample of as many rows, in its venv: wall and CPU seconds, output."""
    name = f"mixed{len(real)}"
    # SDV's label encoder fails on categories a 'category' column declares but never holds.
    real = real.astype({c: object for c in real if str(real[c].dtype) == "category"})
    real.to_parquet(tmp / f"{name}.parquet")
    columns = {c["name"]: {"sdtype": SDTYPES.get(c["kind"], "datetime")} for c in describe_columns(real, name)}
    (tmp / f"{name}.json").write_text(json.dumps({"columns": columns}))
    out = tmp / f"{name}-sdv.parquet"
    job = {
        "tables": [
            {
                "name": name,
                "real": str(tmp / f"{name}.parquet"),
                "metadata": str(tmp / f"{name}.json"),
                "n": len(real),
                "outputs": {},
                "sdv": {"GaussianCopula": str(out)},
                "score": False,
            }
        ],
        "result": str(tmp / "result.json"),
    }
    (tmp / "job.json").write_text(json.dumps(job))
    run = subprocess.run(
        [str(_sdv_python()), str(HERE / "peers" / "sdv_peer.py"), str(tmp / "job.json")],
        capture_output=True,
        text=True,
        timeout=7200,
    )
    if run.returncode != 0:
        raise SystemExit(f"sdv_peer.py failed:\n{run.stderr[-3000:]}")
    entry = json.loads(Path(job["result"]).read_text())[name]["SDV GaussianCopula"]
    return entry["seconds"], entry["cpu_seconds"], pd.read_parquet(out)


def _old_cart(src: str, rows: int) -> str:
    """The CART row of this script run on another checkout (``src``), in a child process."""
    env = {**os.environ, "SYNTHBENCH_SRC": src}
    cmd = [sys.executable, __file__, "scale", "--rows", str(rows), "--generators", "CART", "--no-sdv", "--rows-only"]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=7200)
    if run.returncode != 0:
        raise SystemExit(f"the old checkout failed:\n{run.stderr[-3000:]}")
    line = run.stdout.strip().splitlines()[-1]
    return line.replace("| CART |", f"| CART at {Path(src).name} |", 1)


def scale(argv: list[str]) -> None:
    """Fit, sample and quality of the fitted generators on large mixed tables, beside SDV's copula."""
    parser = argparse.ArgumentParser(prog="bench_fit.py scale", description=scale.__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--generators", nargs="+", default=["GaussianCopula", "GaussianMixture", "CART"])
    parser.add_argument("--sdv-rows", type=int, nargs="*", default=[100_000], help="Table sizes SDV's copula runs on.")
    parser.add_argument("--no-sdv", action="store_true")
    parser.add_argument("--old-src", help="Another checkout: its CART runs too, on the first --rows, in this run.")
    parser.add_argument("--rows-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.rows_only:
        print(f"synthbench from {sb.__file__}\n")
        print(
            "Wall-clock seconds, and in brackets this process's CPU seconds (the machine is shared).\n"
            "Quality: synthbench's quality_score (SDMetrics' QualityReport definition), on at most\n"
            "100,000 rows of each side. Spec: bytes of the JSON spec.\n"
        )
        print("| generator | rows | fit s (cpu) | sample s (cpu) | fit+sample s | quality | spec bytes |")
        print("|---|---:|---:|---:|---:|---:|---:|")
    for i, n in enumerate(args.rows):
        real = mixed_table(n)
        copula = None
        for name in args.generators:
            gen = getattr(sb, name)()
            fit, _, fit_wall, fit_cpu = timed(gen.fit, real)
            sample, fake, sample_wall, sample_cpu = timed(gen.sample, n, seed=0)
            total = f"{fit_wall + sample_wall:.2f} ({fit_cpu + sample_cpu:.2f})"
            spec = len(json.dumps(gen.to_dict()))
            print(f"| {name} | {n:,} | {fit} | {sample} | {total} | {_score(real, fake):.3f} | {spec:,} |", flush=True)
            if name == "GaussianCopula":
                copula = (fit_wall + sample_wall, fit_cpu + sample_cpu)
        if args.old_src and i == 0:
            print(_old_cart(args.old_src, n), flush=True)
        if not args.no_sdv and n in args.sdv_rows:
            with tempfile.TemporaryDirectory() as tmp:
                wall, cpu, fake = _sdv_copula(real, Path(tmp))
            print(
                f"| SDV GaussianCopula (fit+sample, its venv) | {n:,} | - | - | {wall:.2f} ({cpu:.2f}) | "
                f"{_score(real, fake):.3f} | - |",
                flush=True,
            )
            if copula:
                ratio = f"{wall / copula[0]:.1f}x ({cpu / copula[1]:.1f}x)"
                print(f"| ratio SDV / synthbench copula | {n:,} | | | {ratio} | | |", flush=True)


def main() -> None:
    if sys.argv[1:2] == ["scale"]:
        scale(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ctgan-epochs", type=int, default=300)
    parser.add_argument("--no-ctgan", action="store_true")
    parser.add_argument(
        "--ctgan-max-cells", type=int, default=20_000, help="Run CTGAN only on tables with at most this many cells."
    )
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    python = sdv_python()
    # Warm the imports, so the first timing pays no import cost.
    for gen in ours().values():
        time_ours(gen, load_penguins(), 1)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        job: dict = {"tables": [], "result": str(tmp / "result.json")}
        times: dict[tuple[str, str], float] = {}
        for name, real in tables().items():
            real.to_parquet(tmp / f"{name}.parquet")
            columns = {c["name"]: {"sdtype": SDTYPES.get(c["kind"], "datetime")} for c in describe_columns(real, name)}
            (tmp / f"{name}.json").write_text(json.dumps({"columns": columns}))
            outputs = {}
            for label, gen in ours().items():
                seconds, fake = time_ours(gen, real, args.repeats)
                path = tmp / f"{name}-{label.split()[-1]}.parquet"
                fake.to_parquet(path)
                outputs[label] = str(path)
                times[name, label] = seconds
            sdv = {"GaussianCopula": str(tmp / f"{name}-sdv-gc.parquet")}
            if not args.no_ctgan and real.size <= args.ctgan_max_cells:
                sdv["CTGAN"] = str(tmp / f"{name}-sdv-ctgan.parquet")
            job["tables"].append(
                {
                    "name": name,
                    "real": str(tmp / f"{name}.parquet"),
                    "metadata": str(tmp / f"{name}.json"),
                    "n": len(real),
                    "outputs": outputs,
                    "sdv": sdv,
                    "ctgan_epochs": args.ctgan_epochs,
                }
            )
        (tmp / "job.json").write_text(json.dumps(job))
        # SDV's copula is timed best of `repeats` too: run the peer that many times, keep each best time.
        results: dict = {}
        for attempt in range(args.repeats):
            if attempt:
                for table in job["tables"]:
                    table["sdv"].pop("CTGAN", None)
                (tmp / "job.json").write_text(json.dumps(job))
            out = subprocess.run(
                [str(python), str(HERE / "peers" / "sdv_peer.py"), str(tmp / "job.json")],
                capture_output=True,
                text=True,
                timeout=7200,
            )
            if out.returncode != 0:
                raise SystemExit(f"sdv_peer.py failed:\n{out.stderr[-3000:]}")
            run = json.loads(Path(job["result"]).read_text())
            for table, entries in run.items():
                for label, entry in entries.items():
                    kept = results.setdefault(table, {}).get(label)
                    if kept is None or ("seconds" in entry and entry["seconds"] < kept.get("seconds", 1e9)):
                        results[table][label] = entry

    print(
        "\nFit + sample (as many rows as the real table), seconds; SDMetrics QualityReport "
        "(overall, column shapes, pair trends)."
        + ("" if args.no_ctgan else f" CTGAN: {args.ctgan_epochs} epochs, CPU, tables <= {args.ctgan_max_cells} cells.")
        + "\n"
    )
    print("| table | rows x cols | generator | fit+sample s | vs SDV copula | quality | shapes | pair trends |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for table, entries in results.items():
        real_shape = tables()[table].shape
        base = entries["SDV GaussianCopula"]["seconds"]
        for label, entry in entries.items():
            seconds = entry.get("seconds", times.get((table, label)))
            ratio = f"{base / seconds:.1f}x faster" if seconds < base else f"{seconds / base:.1f}x slower"
            if label == "SDV GaussianCopula":
                ratio = "1x"
            print(
                f"| {table} | {real_shape[0]} x {real_shape[1]} | {label} | {seconds:.3f} | {ratio} | "
                f"{entry['score']:.3f} | {entry['column_shapes']:.3f} | {entry['column_pair_trends']:.3f} |"
            )


if __name__ == "__main__":
    main()
