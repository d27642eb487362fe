"""Fitted generators against SDV, side by side in one run: time and SDMetrics quality.

    python benchmarks/bench_fit.py [--ctgan-epochs 300] [--no-ctgan] [--repeats 3]
    python benchmarks/bench_fit.py scale [--rows 100000] [--sample-rows 1000000] [--generators CART]

For each real table (the Palmer penguins shipped with synthbench and scikit-learn's
bundled wine, diabetes and breast-cancer data), each generator fits the table and
samples as many rows as it has. Times are fit + sample in seconds (best of
``--repeats`` for the copulas and for our models, one run for CTGAN). Every output,
ours and SDV's, is scored by the same SDMetrics ``QualityReport`` in the SDV peer
virtualenv (SDV pins pandas<3 and pulls torch, so it runs there; data goes through
Parquet files). The virtualenv is built once from ``peers/requirements-sdv.txt`` under
``~/.cache/synthbench-peers`` (or ``$SYNTHBENCH_PEERS_CACHE``).

``scale`` times fit, sample (as many rows as fitted, and ``--sample-rows``) and
synthbench's own ``quality_score`` on a seeded 20-column mixed table (12 numeric, 6
categorical, a flag, a date) of ``--rows`` rows, without the peer venv. Set
``SYNTHBENCH_SRC`` to another checkout (e.g. ``git worktree add /tmp/main main``) to time
that version of synthbench with the same script.
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


def timed(func, *args, **kwargs) -> tuple[str, object]:
    """``func(*args, **kwargs)``, and its wall-clock and CPU seconds as text."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = func(*args, **kwargs)
    return f"{time.perf_counter() - wall:.2f} ({time.process_time() - cpu:.2f})", out


def scale(argv: list[str]) -> None:
    """Fit, sample and quality of the fitted generators on a large mixed table."""
    from synthbench.evaluate import quality_score

    parser = argparse.ArgumentParser(prog="bench_fit.py scale", description=scale.__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sample-rows", type=int, default=1_000_000, help="Also time one sample of this many rows.")
    parser.add_argument("--generators", nargs="+", default=["GaussianCopula", "GaussianMixture", "CART"])
    args = parser.parse_args(argv)
    real = mixed_table(args.rows)
    print(f"synthbench from {sb.__file__}; table {real.shape[0]:,} x {real.shape[1]}\n")
    # Wall-clock seconds, and this process's CPU seconds (what it costs on a machine shared with others).
    head = f"| generator | rows | fit s (cpu) | sample {args.rows:,} s (cpu) | quality |"
    print(head + f" sample {args.sample_rows:,} s (cpu) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in args.generators:
        gen = getattr(sb, name)()
        fit, _ = timed(gen.fit, real)
        sample, fake = timed(gen.sample, args.rows, seed=0)
        quality = quality_score(real, fake)["score"]
        big = timed(gen.sample, args.sample_rows, seed=1)[0] if args.sample_rows else "-"
        print(f"| {name} | {args.rows:,} | {fit} | {sample} | {quality:.3f} | {big} |", flush=True)


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
