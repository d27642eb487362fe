"""Neural generators against SDV's TVAE and CTGAN, side by side in one run: time and quality.

    python benchmarks/bench_neural.py [--epochs 300] [--tables penguins,wine,mixed] [--rows 10000]

Needs the ``ml`` extra (JAX, optax) in the running environment. For each real table
(the Palmer penguins shipped with synthbench, scikit-learn's wine, diabetes and breast
cancer, and a seeded 10k x 20 mixed table), synthbench's ``TabularVAE`` and
``ConditionalGAN`` and SDV's ``TVAESynthesizer`` and ``CTGANSynthesizer`` fit the table
with the same epochs budget (ours may stop early on their validation score; SDV's run
every epoch) and sample as many rows as it has; synthbench's ``GaussianCopula`` is the
reference. One run each. Times are fit + sample, wall and CPU seconds (the machine is
shared, so CPU time is the steadier figure). Every output is scored by the same
SDMetrics ``QualityReport`` in the SDV peer virtualenv (see ``bench_fit.py``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_fit import SDTYPES, mixed_table, sdv_python, tables  # noqa: E402

import synthbench as sb  # noqa: E402
from synthbench.generators.fitted._types import describe_columns  # noqa: E402


def ours(epochs: int) -> dict[str, sb.Generator]:
    return {
        "synthbench GaussianCopula": sb.GaussianCopula(),
        "synthbench TabularVAE": sb.TabularVAE(epochs=epochs),
        "synthbench ConditionalGAN": sb.ConditionalGAN(epochs=epochs),
    }


def timed_fit(gen: sb.Generator, real: pd.DataFrame) -> tuple[float, float, pd.DataFrame]:
    start, cpu = time.perf_counter(), time.process_time()
    fake = gen.fit(real).sample(len(real), seed=0)
    return time.perf_counter() - start, time.process_time() - cpu, fake


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300)
    parser.add_argument("--tables", default="penguins,wine,diabetes,breast_cancer,mixed")
    parser.add_argument("--rows", type=int, default=10_000, help="Rows of the mixed table.")
    parser.add_argument("--no-ctgan", action="store_true", help="Leave SDV's CTGAN out (the slowest peer).")
    parser.add_argument(
        "--ctgan-max-cells", type=int, default=20_000, help="SDV CTGAN only on tables of at most this many cells."
    )
    args = parser.parse_args()
    python = sdv_python()
    chosen = args.tables.split(",")
    real_tables = {k: v for k, v in tables().items() if k in chosen}
    if "mixed" in chosen:
        real_tables[f"mixed_{args.rows // 1000}k"] = mixed_table(args.rows)
    # Warm the imports and JAX, so the first timing pays no import cost.
    for gen in ours(2).values():
        gen.fit(real_tables.get("penguins", mixed_table(200))).sample(10, seed=0)
    epochs_run: dict[tuple[str, str], int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        job: dict = {"tables": [], "result": str(tmp / "result.json")}
        times: dict[tuple[str, str], tuple[float, float]] = {}
        for name, real in real_tables.items():
            real.to_parquet(tmp / f"{name}.parquet")
            columns = {c["name"]: {"sdtype": SDTYPES.get(c["kind"], "datetime")} for c in describe_columns(real, name)}
            (tmp / f"{name}.json").write_text(json.dumps({"columns": columns}))
            outputs = {}
            for label, gen in ours(args.epochs).items():
                seconds, cpu, fake = timed_fit(gen, real)
                path = tmp / f"{name}-{label.split()[-1]}.parquet"
                fake.to_parquet(path)
                outputs[label] = str(path)
                times[name, label] = (seconds, cpu)
                if hasattr(gen, "history_"):
                    epochs_run[name, label] = len(gen.history_)
                print(f"{name}: {label} {seconds:.1f} s", file=sys.stderr, flush=True)
            sdv = {"TVAE": str(tmp / f"{name}-sdv-tvae.parquet")}
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
                    "ctgan_epochs": args.epochs,
                }
            )
        (tmp / "job.json").write_text(json.dumps(job))
        out = subprocess.run(
            [str(python), str(HERE / "peers" / "sdv_peer.py"), str(tmp / "job.json")],
            capture_output=True,
            text=True,
            timeout=4 * 3600,
        )
        if out.returncode != 0:
            raise SystemExit(f"sdv_peer.py failed:\n{out.stderr[-3000:]}")
        results = json.loads(Path(job["result"]).read_text())

    print(
        f"\nFit + sample (as many rows as the real table), one run, budget {args.epochs} epochs "
        "(ours stop early on a validation score: epochs run in brackets); SDMetrics QualityReport.\n"
    )
    print("| table | rows x cols | generator | wall s | CPU s | vs SDV TVAE (CPU) | quality | shapes | pair trends |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for table, entries in results.items():
        shape = real_tables[table].shape
        base = entries["SDV TVAE"]["cpu_seconds"]
        for label, entry in entries.items():
            seconds, cpu = times.get((table, label), (entry.get("seconds"), entry.get("cpu_seconds")))
            if label == "SDV TVAE":
                ratio = "1x"
            else:
                ratio = f"{base / cpu:.1f}x faster" if cpu < base else f"{cpu / base:.1f}x slower"
            run = epochs_run.get((table, label))
            name = f"{label} ({run})" if run is not None else label
            print(
                f"| {table} | {shape[0]} x {shape[1]} | {name} | {seconds:.1f} | {cpu:.1f} | {ratio} | "
                f"{entry['score']:.3f} | {entry['column_shapes']:.3f} | {entry['column_pair_trends']:.3f} |"
            )


if __name__ == "__main__":
    main()
