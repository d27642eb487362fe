"""Widget latency: from a parameter change to the new preview and chart data, per family.

For each family a panel is built at 10k and 100k rows, then one parameter is toggled
between two values ``--repeat`` times. Each change runs what a slider move runs in a
notebook (minus the debounce wait and the browser): fit if the generator learns, sample,
quality report and binned chart data, the Altair chart spec pushed into the one live
JupyterChart widget, the preview table, the status line and the exported code. Side by
side, the same generator's fit+sample alone at the same size shows what the panel adds.

Goal from the issue: p50 < 100 ms at 10k rows, < 300 ms at 100k. The machine is shared,
so the CPU time of the update (this process, all threads) is given beside the wall time.
``--json`` prints the rows as JSON (to put two checkouts side by side). Run::

    python benchmarks/bench_widgets.py [--sizes 10000 100000] [--repeat 7] [--families fitted]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import synthbench as sb
from synthbench.widgets import panel


def _wine(n: int) -> pd.DataFrame:
    """A real-shaped frame of n rows: the wine data, grown by a fitted copula."""
    from sklearn.datasets import load_wine

    real = load_wine(as_frame=True).frame
    real["target"] = real["target"].map({0: "barolo", 1: "grignolino", 2: "barbera"})
    return sb.GaussianCopula().fit(real).sample(n, seed=0)


def _cases(n: int) -> list[tuple[str, sb.Generator, pd.DataFrame | None, str, tuple]]:
    wine = _wine(n)
    # Grown so that the imbalanced table (the balancing panels' data) has n rows too.
    grown = _wine(round(n * 2.1))
    imbalance = sb.Imbalance(target="target", ratios={"grignolino": 0.3, "barbera": 0.1})
    imbalanced = imbalance.fit(grown).sample(seed=0).iloc[:n]
    return [
        ("rules", sb.Schema.example(), None, "on_violation", ("resample", "drop")),
        ("classification", sb.Classification(n_features=10), None, "flip_y", (0.01, 0.05)),
        # Six values, more than a panel keeps fitted states of (FIT_CACHE): every change refits.
        ("fitted", sb.GaussianCopula(), wine, "n_knots", (100, 50, 60, 70, 80, 90)),
        # The panel's seed box: a new sample of the same fitted model (no refit needed).
        ("fitted", sb.GaussianCopula(), wine, "seed", (0, 1)),
        # CART's refit takes seconds at 100k rows (it runs in the background in a notebook);
        # a new sample of the fitted trees is what every other change costs.
        ("fitted", sb.CART(), wine, "seed", (0, 1)),
        (
            "balancing",
            sb.Balance(target="target", method="random_over"),
            imbalanced,
            "method",
            ("random_over", "random_under"),
        ),
        # SMOTE's neighbour search on every change (the 1.6 s at 100k rows).
        ("balancing", sb.Balance(target="target", method="smote"), imbalanced, "k_neighbors", (5, 4)),
        ("timeseries", sb.TimeSeries.example(), None, "decimals", (None, 2)),
    ]


def _p50(fn, repeat: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``fn(i)`` over ``repeat`` calls."""
    wall, cpu = [], []
    for i in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn(i)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--families", nargs="+", help="only these families (e.g. fitted)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    rows = []
    for n in args.sizes:
        for family, gen, data, param, values in _cases(n):
            if args.families and family not in args.families:
                continue
            p = panel(gen, data, n=n, debounce=0)
            if p.error:
                raise SystemExit(f"{family}: {p.error}")

            def change(i: int, p=p, param=param, values=values) -> None:
                if param == "seed":  # what the seed box does
                    p.seed_box.value = values[(i + 1) % len(values)]
                    assert not p.error, p.error
                else:
                    assert p.set(**{param: values[(i + 1) % len(values)]}), p.error

            update, update_cpu = _p50(change, args.repeat)

            def sample_only(i: int, gen=p.generator, data=data, n=n, param=param) -> None:
                if gen.learns and data is not None and param != "seed":  # a seed change never refits
                    gen.fit(data)
                gen.sample(None if gen.size_from_data else n, seed=0)

            alone, _ = _p50(sample_only, args.repeat)
            size = n if data is None else len(data)
            rows.append((family, type(gen).__name__, size, param, alone, update, update_cpu))
    if args.json:
        import json

        print(json.dumps(rows))
        return
    print(
        "\n| family | generator | rows | changed | fit+sample alone p50 ms | panel update p50 ms "
        "| update CPU p50 ms | panel / alone |"
    )
    print("|---|---|---:|---|---:|---:|---:|---:|")
    for family, name, n, param, alone, update, update_cpu in rows:
        print(
            f"| {family} | {name} | {n:,} | {param} | {1000 * alone:.0f} | {1000 * update:.0f} | "
            f"{1000 * update_cpu:.0f} | {update / alone:.1f}x |"
        )


if __name__ == "__main__":
    main()
