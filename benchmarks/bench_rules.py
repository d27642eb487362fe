"""Rule-based generation speed: synthbench's Schema vs Faker, Mimesis and hand-written numpy.

The same 8-column customer/invoice table each way: a sequential id, a weighted
category, an integer age, a lognormal amount with 5% missing, a date, an invoice
pattern ("INV-####-??"), a derived total, and a boolean. Everything runs in one
process, one after the other, so the ratios compare like with like.

Faker and Mimesis build rows in a Python loop; timing them on a million rows would
take minutes, so they run on a smaller slice and their rate (rows/s) is compared.

    python benchmarks/bench_rules.py            # 1,000,000 rows
    python benchmarks/bench_rules.py --rows 200000 --repeats 3
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from collections import OrderedDict

import numpy as np
import pandas as pd

import synthbench as sb
from synthbench import columns as c

COUNTRIES = ["DE", "FR", "UK", "US"]
WEIGHTS = [0.2, 0.1, 0.2, 0.5]


def synthbench_schema() -> sb.Schema:
    return sb.Schema(
        columns=[
            c.Id("id"),
            c.Categorical("country", categories=COUNTRIES, weights=WEIGHTS),
            c.Integer("age", params={"low": 18, "high": 80}),
            c.Float("amount", distribution="lognormal", params={"mean": 4, "sigma": 1}, decimals=2, null_rate=0.05),
            c.Datetime("day", start="2020-01-01", end="2024-12-31", freq="D"),
            c.Pattern("invoice", pattern="INV-####-??"),
            c.Derived("total", expr="amount * 1.19"),
            c.Boolean("paid", p=0.9),
        ]
    )


def handwritten_numpy(n: int, seed: int) -> pd.DataFrame:
    """What a careful person writes by hand with numpy/pandas for the same table."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"id": np.arange(1, n + 1)})
    df["country"] = pd.Categorical.from_codes(rng.choice(4, size=n, p=WEIGHTS), categories=COUNTRIES)
    df["age"] = rng.integers(18, 80, size=n, endpoint=True)
    amount = np.round(rng.lognormal(4, 1, size=n), 2)
    amount[rng.random(n) < 0.05] = np.nan
    df["amount"] = amount
    grid = pd.date_range("2020-01-01", "2024-12-31", freq="D")
    df["day"] = grid[rng.integers(0, len(grid), size=n)]
    codes = np.tile(np.array([ord(ch) for ch in "INV-0000-AA"], dtype=np.uint32), (n, 1))
    codes[:, 4:8] = rng.integers(48, 58, size=(n, 4), dtype=np.uint32)
    codes[:, 9:11] = rng.integers(65, 91, size=(n, 2), dtype=np.uint32)
    df["invoice"] = codes.view("U11").ravel()
    df["total"] = df["amount"] * 1.19
    df["paid"] = rng.random(n) < 0.9
    return df


def faker_rows(n: int, seed: int) -> pd.DataFrame:
    """The common Faker recipe: a Python loop building one dict per row."""
    from faker import Faker

    fake = Faker()
    fake.seed_instance(seed)
    rows = []
    for i in range(n):
        amount = (
            None
            if fake.pyfloat(min_value=0, max_value=1) < 0.05
            else round(fake.pyfloat(min_value=1, max_value=500), 2)
        )
        rows.append(
            {
                "id": i + 1,
                "country": fake.random_element(OrderedDict(zip(COUNTRIES, WEIGHTS))),
                "age": fake.random_int(18, 80),
                "amount": amount,
                "day": fake.date_between_dates(pd.Timestamp("2020-01-01"), pd.Timestamp("2024-12-31")),
                "invoice": fake.bothify("INV-####-??", letters="ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                "total": None if amount is None else amount * 1.19,
                "paid": fake.pybool(90),
            }
        )
    return pd.DataFrame(rows)


def mimesis_rows(n: int, seed: int) -> pd.DataFrame:
    """Mimesis' fast path: its Schema/Fieldset builds rows from field callables."""
    from mimesis import Field, Schema
    from mimesis.locales import Locale

    field = Field(Locale.EN, seed=seed)
    schema = Schema(
        schema=lambda: {
            "id": field("increment"),
            "country": field("choice", items=COUNTRIES),
            "age": field("integer_number", start=18, end=80),
            "amount": field("float_number", start=1, end=500, precision=2),
            "day": field("date", start=2020, end=2024),
            "invoice": field("random.generate_string_by_mask", mask="INV-####-@@", char="@", digit="#"),
            "total": 0.0,
            "paid": field("boolean"),
        },
        iterations=n,
    )
    df = pd.DataFrame(schema.create())
    df["total"] = df["amount"] * 1.19
    return df


def timed(fn, *args, repeats: int) -> tuple[float, pd.DataFrame]:
    best, out = float("inf"), None
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, out


def peak_memory(fn, *args) -> int:
    gc.collect()
    tracemalloc.start()
    fn(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--loop-rows", type=int, default=20_000, help="rows for the Faker/Mimesis loops")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    n, seed = args.rows, 0
    gen = synthbench_schema()
    gen.sample(1_000, seed=seed)  # warm caches and imports for everyone alike
    handwritten_numpy(1_000, seed)

    results = []
    t, df = timed(lambda: gen.sample(n, seed=seed), repeats=args.repeats)
    results.append(("synthbench Schema.sample", n, t))
    out_bytes = int(df.memory_usage(deep=True).sum())
    t, _ = timed(handwritten_numpy, n, seed, repeats=args.repeats)
    results.append(("hand-written numpy/pandas", n, t))
    t, _ = timed(mimesis_rows, args.loop_rows, seed, repeats=1)
    results.append(("Mimesis Schema (row loop)", args.loop_rows, t))
    t, _ = timed(faker_rows, args.loop_rows, seed, repeats=1)
    results.append(("Faker (row loop)", args.loop_rows, t))

    ours = results[0][1] / results[0][2]
    print(f"\n{n:,} rows x {df.shape[1]} columns; Faker/Mimesis timed on {args.loop_rows:,} rows.")
    print(f"Best of {args.repeats} runs for synthbench and hand-written code.\n")
    print("| method | rows timed | seconds | rows/s | synthbench speed-up |")
    print("|---|---:|---:|---:|---:|")
    for name, rows, secs in results:
        rate = rows / secs
        ratio = f"{ours / rate:,.2f}x"
        print(f"| {name} | {rows:,} | {secs:.3f} | {rate:,.0f} | {ratio} |")

    peak = peak_memory(lambda: gen.sample(n, seed=seed))
    hand_peak = peak_memory(handwritten_numpy, n, seed)
    print(
        f"\nPeak memory while sampling: synthbench {peak / 2**20:,.0f} MiB "
        f"({peak / out_bytes:.2f}x the {out_bytes / 2**20:,.0f} MiB output frame); "
        f"hand-written {hand_peak / 2**20:,.0f} MiB ({hand_peak / out_bytes:.2f}x)."
    )


if __name__ == "__main__":
    main()
