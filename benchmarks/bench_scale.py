"""Scale: streaming rows to Parquet with bounded memory, and Dask on a LocalCluster.

The table is the tutorials' customer table (``Schema.example()``: an id string, two
categories, ints, lognormal incomes with gaps, dates). Each streaming run is a fresh
child process, so its peak resident memory (``ru_maxrss``) is its own:

* **to_parquet**: ``gen.to_parquet(folder, n, rows_per_file=1,048,576)`` at ``n/10``
  and ``n`` rows: peak memory should not grow with ``n``;
* **sample + write**: the in-memory way (``gen.sample(n).to_parquet(file)``) at the
  smaller size, for the memory it needs per row;
* **the floor**: the same imports and 1,000 rows, what any run pays.

Then ``gen.to_dask(n, npartitions=...)`` on a ``dask.distributed.LocalCluster`` on
127.0.0.1 with 1 and 2 single-threaded worker processes, timing
``ddf.map_partitions(len).compute()`` (every row made, only the counts travel back).
Run::

    python benchmarks/bench_scale.py [--rows 20000000] [--dask-rows 8000000]
    python benchmarks/bench_scale.py --rows 100000000   # the issue's 100M rows
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import synthbench as sb

ROWS_PER_FILE = 2**20


def _child(mode: str, rows: int, folder: str) -> None:
    """Run one measurement in this (fresh) process and print it as JSON."""
    gen = sb.Schema.example()
    start, cpu = time.perf_counter(), time.process_time()
    if mode == "baseline":
        gen.sample(1_000, seed=0).to_parquet(Path(folder) / "data.parquet", index=False)
    elif mode == "stream":
        gen.to_parquet(Path(folder) / "data", rows, seed=0, rows_per_file=ROWS_PER_FILE, progress=False)
    else:
        gen.sample(rows, seed=0).to_parquet(Path(folder) / "data.parquet", index=False)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu  # CPU of every thread
    size = sum(p.stat().st_size for p in Path(folder).rglob("*.parquet"))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    print(json.dumps({"seconds": seconds, "cpu": cpu, "peak": peak, "bytes": size}))


def measure(mode: str, rows: int) -> dict:
    folder = tempfile.mkdtemp(prefix="bench_scale_")
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", mode, "--rows", str(rows), "--folder", folder],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def dask_throughput(rows: int, workers: int) -> float:
    from dask.distributed import Client, LocalCluster

    gen = sb.Schema.example()
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",
            silence_logs=40,
        ) as cluster,
        Client(cluster) as client,
    ):
        ddf = gen.to_dask(rows, seed=0, npartitions=4 * workers)
        client.run(lambda: sb.Schema.example().sample(10, seed=0))  # warm the workers' imports
        start = time.perf_counter()
        made = int(ddf.map_partitions(len).compute().sum())
        seconds = time.perf_counter() - start
    assert made == rows
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000_000, help="rows streamed to Parquet")
    parser.add_argument("--dask-rows", type=int, default=8_000_000, help="rows made through Dask")
    parser.add_argument("--child", choices=["baseline", "stream", "memory"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.rows, args.folder)
        return

    small = max(1, args.rows // 10)
    rows = [
        ("imports + 1,000 rows (the floor)", 1_000, measure("baseline", 1_000)),
        ("to_parquet (streaming)", small, measure("stream", small)),
        ("to_parquet (streaming)", args.rows, measure("stream", args.rows)),
        ("sample(n) + DataFrame.to_parquet", small, measure("memory", small)),
    ]
    print(f"Streaming the customer table (Schema.example(), 6 columns) to Parquet, {ROWS_PER_FILE:,} rows per file\n")
    print("| method | rows | seconds | CPU seconds | rows/s | peak RSS (MiB) | on disk (MiB) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, n, r in rows:
        print(
            f"| {name} | {n:,} | {r['seconds']:.1f} | {r['cpu']:.1f} | {n / r['seconds'] / 1e6:.2f}M | "
            f"{r['peak'] / 2**20:,.0f} | {r['bytes'] / 2**20:,.0f} |"
        )
    floor = rows[0][2]["peak"]
    grow = (rows[2][2]["peak"] - floor) / max(rows[1][2]["peak"] - floor, 1)
    per_row = (rows[3][2]["peak"] - floor) / small
    print(
        f"\nPeak memory above the floor at {args.rows:,} rows / at {small:,} rows: {grow:.2f}x for 10x the rows."
        f"\nIn memory, sample(n) + to_parquet needs ~{per_row:.0f} bytes per row above the floor: "
        f"~{per_row * args.rows / 2**30:.1f} GiB for {args.rows:,} rows."
    )

    try:
        import distributed  # noqa: F401
    except ImportError:
        print("\n(dask.distributed is not installed: pip install 'synthbench[dask]' for the Dask rows)")
        return
    print(f"\nto_dask on a LocalCluster (127.0.0.1), {args.dask_rows:,} rows, 1 thread per worker\n")
    print("| workers | partitions | seconds | rows/s | speed-up |")
    print("|---:|---:|---:|---:|---:|")
    base = None
    for workers in (1, 2):
        seconds = dask_throughput(args.dask_rows, workers)
        base = base or seconds
        rate = args.dask_rows / seconds / 1e6
        print(f"| {workers} | {4 * workers} | {seconds:.1f} | {rate:.2f}M | {base / seconds:.2f}x |")


if __name__ == "__main__":
    main()
