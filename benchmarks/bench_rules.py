"""Rule-based generation speed: synthbench's Schema vs Faker, Mimesis and hand-written numpy.

The same 8-column customer/invoice table each way, once with a sequential id and
once with a prefixed, zero-padded id ("C" + 7 digits), then: a weighted category, an
integer age, a lognormal amount with 5% missing, a date, an invoice pattern
("INV-####-??"), a derived total, and a boolean. Everything runs in one
process, interleaved round by round (best of three rounds), so the ratios compare
like with like, and CPU seconds are compared (other jobs share the machine). Three
hand-written versions: numpy ``str`` arrays handed to pandas (what most people write);
text built as bytes and wrapped by Arrow with Schema's very draws, so the same values
(the limit synthbench aims for: a perfect hand-written program of the same table); and
the same bytes-and-Arrow technique drawing uint8 integers per character instead of a
float per placeholder, which is cheaper but makes other values.

Faker and Mimesis build rows in a Python loop; timing them on a million rows would
take minutes, so they run on a smaller slice and their rate (rows/s) is compared.

    python benchmarks/bench_rules.py            # 1,000,000 rows
    python benchmarks/bench_rules.py --rows 200000 --repeats 3
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import tracemalloc
import zlib
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's synthbench

import synthbench as sb
from synthbench import columns as c

COUNTRIES = ["DE", "FR", "UK", "US"]
WEIGHTS = [0.2, 0.1, 0.2, 0.5]


def synthbench_schema(prefixed: bool = False) -> sb.Schema:
    return sb.Schema(
        columns=[
            c.Id("id", prefix="C", width=7) if prefixed else c.Id("id"),
            c.Categorical("country", categories=COUNTRIES, weights=WEIGHTS),
            c.Integer("age", params={"low": 18, "high": 80}),
            c.Float("amount", distribution="lognormal", params={"mean": 4, "sigma": 1}, decimals=2, null_rate=0.05),
            c.Datetime("day", start="2020-01-01", end="2024-12-31", freq="D"),
            c.Pattern("invoice", pattern="INV-####-??"),
            c.Derived("total", expr="amount * 1.19"),
            c.Boolean("paid", p=0.9),
        ]
    )


def _common_columns(df: pd.DataFrame, rng: np.random.Generator, n: int) -> None:
    df["country"] = pd.Categorical.from_codes(rng.choice(4, size=n, p=WEIGHTS), categories=COUNTRIES)
    df["age"] = rng.integers(18, 80, size=n, endpoint=True)
    amount = np.round(rng.lognormal(4, 1, size=n), 2)
    amount[rng.random(n) < 0.05] = np.nan
    df["amount"] = amount
    grid = pd.date_range("2020-01-01", "2024-12-31", freq="D")
    df["day"] = grid[rng.integers(0, len(grid), size=n)]


def handwritten_numpy(n: int, seed: int, prefixed: bool = False) -> pd.DataFrame:
    """What a careful person writes by hand with numpy/pandas for the same table."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n + 1)
    df = pd.DataFrame({"id": np.strings.add("C", np.strings.zfill(ids.astype(np.str_), 7)) if prefixed else ids})
    _common_columns(df, rng, n)
    codes = np.tile(np.array([ord(ch) for ch in "INV-0000-AA"], dtype=np.uint32), (n, 1))
    codes[:, 4:8] = rng.integers(48, 58, size=(n, 4), dtype=np.uint32)
    codes[:, 9:11] = rng.integers(65, 91, size=(n, 2), dtype=np.uint32)
    df["invoice"] = codes.view("U11").ravel()
    df["total"] = df["amount"] * 1.19
    df["paid"] = rng.random(n) < 0.9
    return df


def _arrow_text(rows: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Fixed-width rows of ASCII bytes as pandas' Arrow-backed text, without a copy."""
    import pyarrow as pa

    n, width = rows.shape
    offsets = pa.py_buffer(np.arange(n + 1, dtype=np.int64) * width)
    text = pa.Array.from_buffers(pa.large_string(), n, [None, offsets, pa.py_buffer(rows)])
    return pd.array(text, dtype=pd.Series([""]).dtype)


def handwritten_arrow(n: int, seed: int, prefixed: bool = False) -> pd.DataFrame:
    """The fastest hand-written code we know: text columns as bytes wrapped by Arrow."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n + 1)
    if prefixed:  # "C" and seven digits, each digit by arithmetic
        rows = np.empty((n, 8), dtype=np.uint8)
        rows[:, 0] = ord("C")
        rest = ids
        for j in range(7, 0, -1):
            rows[:, j] = rest % 10 + 48
            rest = rest // 10
        df = pd.DataFrame({"id": _arrow_text(rows)})
    else:
        df = pd.DataFrame({"id": ids})
    _common_columns(df, rng, n)
    rows = np.empty((n, 11), dtype=np.uint8)
    rows[:] = np.frombuffer(b"INV-0000-AA", dtype=np.uint8)
    rows[:, 4:8] = rng.integers(48, 58, size=(n, 4), dtype=np.uint8)
    rows[:, 9:11] = rng.integers(65, 91, size=(n, 2), dtype=np.uint8)
    df["invoice"] = _arrow_text(rows)
    df["total"] = df["amount"] * 1.19
    df["paid"] = rng.random(n) < 0.9
    return df


BLOCK = 2**16  # Schema's block: each column of block k draws from its own stream
KEYS = {name: zlib.crc32(name.encode()) for name in ("country", "age", "amount", "day", "invoice", "paid")}


def handwritten_same(n: int, seed: int, prefixed: bool = False) -> pd.DataFrame:
    """The same values as ``Schema.sample(n, seed)``, written by hand as fast as we can.

    What a perfect hand-written program of this table does: the same draws from the same
    streams (one generator per column and block of 65,536 rows, keyed by the column's
    name), written into whole-column arrays, text as bytes wrapped by Arrow.
    """
    ids = np.arange(1, n + 1)
    if prefixed:  # "C" and seven digits, four at a time from a table of "0000" to "9999"
        assert n < 10**7, "seven digits"
        table = np.arange(10_000)[:, None] // np.array([1000, 100, 10, 1]) % 10 + ord("0")
        table = table.astype(np.uint8).view(np.uint32).ravel()
        rows = np.empty((n, 8), dtype=np.uint8)
        rows[:, 0] = ord("C")
        rows[:, 4:8].view(np.uint32)[:, 0] = table[ids % 10_000]
        rows[:, 1:4] = table[ids // 10_000].view(np.uint8).reshape(n, 4)[:, 1:]
        id_column = _arrow_text(rows)
    else:
        id_column = ids
    country = np.empty(n, dtype=np.int8)
    age = np.empty(n, dtype=np.int64)
    amount = np.empty(n)
    day = np.empty(n, dtype="datetime64[us]")
    invoice = np.empty((n, 11), dtype=np.uint8)
    invoice[:] = np.frombuffer(b"INV-0000-AA", dtype=np.uint8)
    paid = np.empty(n, dtype=bool)
    start, step = np.datetime64("2020-01-01", "us"), np.timedelta64(86_400_000_000, "us")
    for k in range(max(1, -(-n // BLOCK))):
        rows = slice(k * BLOCK, min((k + 1) * BLOCK, n))
        m = rows.stop - rows.start

        def rng(name, *sub, k=k):
            return np.random.default_rng([seed, k, 0, KEYS[name], *sub])

        country[rows] = rng("country").choice(4, size=m, p=WEIGHTS)
        age[rows] = rng("age").integers(18, 80, size=m, endpoint=True)
        values = np.round(rng("amount").lognormal(4, 1, size=m), 2)
        values[rng("amount", 1).random(m) < 0.05] = np.nan
        amount[rows] = values
        day[rows] = start + rng("day").integers(0, 1827, size=m) * step
        u = rng("invoice").random((m, 6))
        invoice[rows, 4:8] = (u[:, :4] * 10).astype(np.uint8) + 48
        invoice[rows, 9:11] = (u[:, 4:] * 26).astype(np.uint8) + 65
        paid[rows] = rng("paid").random(m) < 0.9
    return pd.DataFrame(
        {
            "id": id_column,
            "country": pd.Categorical.from_codes(country, categories=COUNTRIES),
            "age": age,
            "amount": amount,
            "day": day,
            "invoice": _arrow_text(invoice),
            "total": amount * 1.19,
            "paid": paid,
        },
        copy=False,  # each column stays the array it was written to
    )


def faker_rows(n: int, seed: int, prefixed: bool = False) -> pd.DataFrame:
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
                "id": f"C{i + 1:07d}" if prefixed else i + 1,
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


def mimesis_rows(n: int, seed: int, prefixed: bool = False) -> pd.DataFrame:
    """Mimesis' fast path: its Schema/Fieldset builds rows from field callables."""
    from mimesis import Field, Schema
    from mimesis.locales import Locale

    field = Field(Locale.EN, seed=seed)
    schema = Schema(
        schema=lambda: {
            "id": f"C{field('increment'):07d}" if prefixed else field("increment"),
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


def peak_memory(fn, *args) -> int:
    gc.collect()
    tracemalloc.start()
    fn(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def run_table(prefixed: bool, n: int, loop_rows: int, rounds: int, seed: int = 0) -> None:
    """Every method once per round, interleaved, so a busy machine slows them alike."""
    gen = synthbench_schema(prefixed)
    # The limit makes exactly Schema's values (checked here), so its speed is the bar.
    pd.testing.assert_frame_equal(handwritten_same(200_001, seed, prefixed), gen.sample(200_001, seed=seed))

    def one_thread(rows):
        with sb.config_context(threads=1):
            return gen.sample(rows, seed=seed)

    threads = sb.get_config()["threads"]
    methods = [
        (f"synthbench Schema.sample ({threads} threads)", n, lambda rows: gen.sample(rows, seed=seed)),
        ("synthbench Schema.sample (one thread)", n, one_thread),
        (
            "hand-written numpy + Arrow, Schema's values (the limit)",
            n,
            lambda rows: handwritten_same(rows, seed, prefixed),
        ),
        (
            "hand-written numpy + Arrow, uint8 draws (other values)",
            n,
            lambda rows: handwritten_arrow(rows, seed, prefixed),
        ),
        ("hand-written numpy/pandas (str arrays)", n, lambda rows: handwritten_numpy(rows, seed, prefixed)),
        ("Mimesis Schema (row loop)", loop_rows, lambda rows: mimesis_rows(rows, seed, prefixed)),
        ("Faker (row loop)", loop_rows, lambda rows: faker_rows(rows, seed, prefixed)),
    ]
    for _, _, make in methods:
        make(1_000)  # warm caches and imports for everyone alike
    wall = dict.fromkeys(range(len(methods)), float("inf"))
    cpu = dict.fromkeys(range(len(methods)), float("inf"))
    for _ in range(rounds):
        for i, (_, rows, make) in enumerate(methods):
            gc.collect()
            w0, c0 = time.perf_counter(), time.process_time()
            make(rows)
            wall[i] = min(wall[i], time.perf_counter() - w0)
            cpu[i] = min(cpu[i], time.process_time() - c0)
    what = "a prefixed id ('C' + 7 digits)" if prefixed else "a sequential id"
    print(f"\n{n:,} rows x 8 columns with {what}; Faker/Mimesis timed on {loop_rows:,} rows.")
    print(f"Best of {rounds} interleaved rounds; Schema's speed-up (its {threads} threads, then one) over each.\n")
    print("| method | rows timed | wall s | CPU s | rows/s (wall) | speed-up (wall) | (CPU) | one thread (wall) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for i, (name, rows, _) in enumerate(methods):
        rate, rate_cpu = rows / wall[i], rows / cpu[i]
        print(
            f"| {name} | {rows:,} | {wall[i]:.3f} | {cpu[i]:.3f} | {rate:,.0f} | "
            f"{n / wall[0] / rate:,.2f}x | {n / cpu[0] / rate_cpu:,.2f}x | {n / wall[1] / rate:,.2f}x |"
        )
    df = gen.sample(n, seed=seed)
    out_bytes = int(df.memory_usage(deep=True).sum())
    peak = peak_memory(lambda: gen.sample(n, seed=seed))
    hand_peak = peak_memory(handwritten_same, n, seed, prefixed)
    print(
        f"\nPeak memory while sampling: synthbench {peak / 2**20:,.0f} MiB "
        f"({peak / out_bytes:.2f}x the {out_bytes / 2**20:,.0f} MiB output frame); "
        f"hand-written (the limit) {hand_peak / 2**20:,.0f} MiB ({hand_peak / out_bytes:.2f}x)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--loop-rows", type=int, default=20_000, help="rows for the Faker/Mimesis loops")
    parser.add_argument("--repeats", type=int, default=3, help="interleaved rounds; the best of each is kept")
    args = parser.parse_args()
    for prefixed in (False, True):
        run_table(prefixed, args.rows, args.loop_rows, args.repeats)


if __name__ == "__main__":
    main()
