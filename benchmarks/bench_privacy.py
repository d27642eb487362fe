"""Benchmark: privacy attacks beside anonymeter's, and what differential privacy costs.

    python benchmarks/bench_privacy.py [--attacks 150] [--skip-peers] [--dp-only] [--tradeoff]

Needs the ``[ml]`` extra (mbi) for the DP part. Two tables, printed as markdown:

1. **Attacks**, on the Palmer penguins split in halves (rows with gaps dropped, as
   anonymeter counts two missing values as different): for a Gaussian copula and a
   memorising generator (a bootstrap of the training rows), the singling-out,
   linkability and inference success rates on the training rows and the control rows
   and the risk, from ``synthbench.evaluate.privacy_report`` and from anonymeter 1.0
   (its own virtualenv, built by ``benchmarks/peers/peerenv.py``; it draws from an
   unseeded generator, so its three runs are pooled), with the time each takes (wall
   and CPU: the machine may be shared; anonymeter's time is measured inside its process,
   its first run includes numba's compilation).
2. **DP cost**: ``PrivateMST`` and ``PrivateAIM`` at epsilon 0.3, 1 and 3 beside the
   non-private Gaussian copula, on the shipped penguins and scikit-learn's bundled wine
   table (bounds declared from each data set's published documentation), each fitted on
   one half and scored against it (quality score) and on the other half (TSTR accuracy
   of a gradient-boosting classifier), with the fit time (wall and CPU). Most of a fit's
   time is JAX compiling the model estimate (AIM: one per round), and compiled programs
   are cached on disk: run with ``SYNTHBENCH_JAX_CACHE=off`` for first-fit times. A third
   table times one fit per mechanism in a fresh process with the cache off.

``--tradeoff`` prints two other tables instead (no peers, no DP):

3. **Defaults**: the copula, CART and the mixture with their default parameters (and the
   mixture's former default of 5 components, for comparison) on five real tables that
   ship or come with scikit-learn, 50/50 train/holdout over three seeds: the quality
   score against the training half beside the holdout's own score (the ceiling), the DCR
   share (synthetic rows closer to a training row than to a holdout row; 0.5 is no
   copying) with its mean 95% interval, and the share of synthetic rows identical to a
   training row, all from ``synthbench.evaluate.privacy_tradeoff.privacy_tradeoff``.
4. **CART's knob**: ``min_samples_leaf`` from 1 to 100 on the penguins and wine tables.
5. **The mixture's components** on the four labelled tables: DCR share beside the
   train-synthetic-test-real accuracy of a classifier of the label (``utility``), since
   the quality score alone does not show a mixture losing clusters.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks" / "peers"))
sys.path.insert(0, str(ROOT / "tests"))
import peerenv  # noqa: E402
from test_anonymeter_agreement import penguin_halves, settings, synthetic_of  # noqa: E402

from synthbench.data import load_penguins  # noqa: E402
from synthbench.evaluate import privacy_report  # noqa: E402
from synthbench.evaluate.privacy_tradeoff import epsilon_tradeoff  # noqa: E402

#: Wine bounds, rounded outwards from the ranges ``load_wine().DESCR`` publishes.
WINE_BOUNDS = {
    "alcohol": [11.0, 15.0],
    "malic_acid": [0.5, 6.0],
    "ash": [1.3, 3.3],
    "alcalinity_of_ash": [10.0, 30.0],
    "magnesium": [70.0, 165.0],
    "total_phenols": [0.9, 4.0],
    "flavanoids": [0.3, 5.1],
    "nonflavanoid_phenols": [0.1, 0.7],
    "proanthocyanins": [0.4, 3.6],
    "color_intensity": [1.2, 13.0],
    "hue": [0.4, 1.8],
    "od280/od315_of_diluted_wines": [1.2, 4.0],
    "proline": [270.0, 1700.0],
}


def attack_table(n_attacks: int, skip_peers: bool) -> str:
    lines = [
        "| synthetic | attack | ours: train / control, risk [95%] | anonymeter: train / control, risk [95%] "
        "| ours s (CPU) | anonymeter s (CPU) |",
        "|---|---|---|---|---|---|",
    ]
    pairs = {"singling_out": "singling_out", "linkability": "linkability", "attribute_inference": "inference"}
    for kind in ("copula", "memorised"):
        train, holdout = penguin_halves()
        synthetic = synthetic_of(kind, train)
        config = {**settings(train), "n_attacks": n_attacks}
        start, cpu = time.perf_counter(), time.process_time()
        ours = privacy_report(
            train,
            synthetic,
            holdout,
            secret=config["secret"],
            known=config["known"],
            n_attacks=n_attacks,
            singling_out_columns=config["n_cols"],
            link_columns=tuple(config["aux_cols"]),
            seed=0,
        ).set_index("measure")
        ours_s, ours_cpu = time.perf_counter() - start, time.process_time() - cpu
        peer = None
        if not skip_peers:
            with tempfile.TemporaryDirectory() as tmp:
                tmp = Path(tmp)
                for name, frame in (("train", train), ("synthetic", synthetic), ("control", holdout)):
                    frame.to_parquet(tmp / f"{name}.parquet")
                (tmp / "settings.json").write_text(json.dumps(config))
                files = ("train.parquet", "synthetic.parquet", "control.parquet", "settings.json", "out.json")
                peerenv.run_peer("anonymeter_peer.py", *(str(tmp / f) for f in files), requirements=peerenv.ANONYMETER)
                peer = json.loads((tmp / "out.json").read_text())
        for measure, name in pairs.items():
            row = ours.loc[measure]
            mine = (
                f"{row['train']:.3f} / {row['control']:.3f}, {row['risk']:.3f} "
                f"[{row['risk_low']:.3f}, {row['risk_high']:.3f}]"
            )
            theirs, their_time = "not run", ""
            if peer is not None:
                runs = peer[name]
                n = sum(r["n_attacks"] for r in runs)
                train_rate = sum(r["n_success"] for r in runs) / n
                control_rate = sum(r["n_control"] for r in runs) / n
                risks = ", ".join(f"{r['risk']:.3f} [{r['ci'][0]:.3f}, {r['ci'][1]:.3f}]" for r in runs)
                theirs = f"{train_rate:.3f} / {control_rate:.3f}, {risks}"
                seconds = [f"{r['seconds']:.2f} ({r['cpu_seconds']:.2f})" for r in runs]
                their_time = " · ".join(seconds)
            # Our report runs every attack at once: its time is shown once per generator.
            our_time = f"{ours_s:.2f} ({ours_cpu:.2f}) for all" if measure == "singling_out" else ""
            lines.append(f"| {kind} | {measure} | {mine} | {theirs} | {our_time} | {their_time} |")
    return "\n".join(lines)


def _wine() -> pd.DataFrame:
    from sklearn.datasets import load_wine

    wine = load_wine(as_frame=True).frame
    wine["target"] = wine["target"].map({0: "class_0", 1: "class_1", 2: "class_2"}).astype("str")
    return wine


def dp_table() -> str:
    from synthbench.generators.aim import PrivateAIM
    from synthbench.generators.private import PENGUIN_BOUNDS, PrivateMST

    tables = {
        "penguins": (load_penguins(), PENGUIN_BOUNDS, "sex"),
        "wine": (_wine(), WINE_BOUNDS, "target"),
    }
    lines = [
        "| table (rows) | generator | quality | TSTR accuracy (TRTR) | fit s (CPU) |",
        "|---|---|---|---|---|",
    ]
    for name, (data, bounds, target) in tables.items():
        for cls in (PrivateMST, PrivateAIM):
            # The copula's reference row once per table, after both mechanisms.
            reference = cls is PrivateAIM
            out = epsilon_tradeoff(
                data, cls(bounds=bounds), epsilons=(0.3, 1.0, 3.0), target=target, reference=reference, seed=0
            )
            for _, row in out.iterrows():
                label = "GaussianCopula (no DP)" if row["label"] == "no DP" else f"{cls.__name__}, {row['label']}"
                if row["error"]:
                    lines.append(f"| {name} ({len(data)}) | {label} | failed: {row['error'][:80]} | | |")
                    continue
                lines.append(
                    f"| {name} ({len(data)}) | {label} | {row['quality']:.3f} | {row['tstr_accuracy']:.3f} "
                    f"({row['trtr_accuracy']:.3f}) | {row['fit_seconds']:.2f} ({row['fit_cpu_seconds']:.2f}) |"
                )
    return "\n".join(lines)


_COLD_FIT = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
import synthbench as sb
from synthbench.data import load_penguins
from synthbench.evaluate.privacy_tradeoff import holdout_split
from synthbench.generators.private import PENGUIN_BOUNDS
train, _ = holdout_split(load_penguins(), seed=0)
gen = sb.get_generator(sys.argv[1])(epsilon=1.0, bounds=PENGUIN_BOUNDS)
start, cpu = time.perf_counter(), time.process_time()
gen.fit(train)
print(json.dumps([time.perf_counter() - start, time.process_time() - cpu]))
"""


def cold_fit_table() -> str:
    """Each mechanism's fit on the penguins' training half at epsilon 1, in a fresh process with
    JAX's compilation cache off: what a first fit costs (JAX's import excluded)."""
    import os
    import subprocess

    lines = ["| mechanism | first fit s (CPU), no compilation cache |", "|---|---|"]
    env = {**os.environ, "SYNTHBENCH_JAX_CACHE": "off", "PYTHONPATH": str(ROOT)}
    for name in ("PrivateMST", "PrivateAIM"):
        out = subprocess.run(
            [sys.executable, "-c", _COLD_FIT, name], capture_output=True, text=True, env=env, check=True
        )
        wall, cpu = json.loads(out.stdout.strip().splitlines()[-1])
        lines.append(f"| {name} | {wall:.2f} ({cpu:.2f}) |")
    return "\n".join(lines)


SEEDS = (0, 1, 2)


def real_tables() -> dict[str, pd.DataFrame]:
    """Five real tables available offline: the shipped penguins and four of scikit-learn's."""
    from sklearn import datasets

    def labelled(frame: pd.DataFrame) -> pd.DataFrame:
        frame["target"] = frame["target"].astype("str")
        return frame

    return {
        "penguins": load_penguins(),
        "iris": labelled(datasets.load_iris(as_frame=True).frame),
        "wine": labelled(datasets.load_wine(as_frame=True).frame),
        "diabetes": datasets.load_diabetes(as_frame=True, scaled=False).frame,
        "breast_cancer": labelled(datasets.load_breast_cancer(as_frame=True).frame),
    }


def _sweep(data: pd.DataFrame, gen: object, param: str, values: list, n_attacks: int) -> pd.DataFrame:
    from synthbench.evaluate.privacy_tradeoff import privacy_tradeoff

    runs = [privacy_tradeoff(data, gen, param, values, n_attacks=n_attacks, seed=s).assign(seed=s) for s in SEEDS]
    out = pd.concat(runs, ignore_index=True)
    out["value"] = out["value"].astype(str)
    return out.groupby(["value"], sort=False)[
        ["quality", "ceiling", "dcr_share", "dcr_low", "dcr_high", "identical_share", "fit_cpu_seconds"]
    ].mean()


def defaults_table(n_attacks: int) -> str:
    import synthbench as sb

    gens = [
        ("GaussianCopula", sb.GaussianCopula(), "identifiers", ["generate"]),
        ("CART", sb.CART(), "min_samples_leaf", [20]),
        ("GaussianMixture (before: 5)", sb.GaussianMixture(), "n_components", [5]),
        ("GaussianMixture ('auto')", sb.GaussianMixture(), "n_components", ["auto"]),
    ]
    lines = [
        "| table (rows) | generator | quality | ceiling | DCR share [95%] | identical |",
        "|---|---|---|---|---|---|",
    ]
    means = {label: [] for label, *_ in gens}
    for name, data in real_tables().items():
        for label, gen, param, values in gens:
            r = _sweep(data, gen, param, values, n_attacks).iloc[0]
            means[label].append(r)
            lines.append(
                f"| {name} ({len(data)}) | {label} | {r['quality']:.3f} | {r['ceiling']:.3f} | "
                f"{r['dcr_share']:.2f} [{r['dcr_low']:.2f}, {r['dcr_high']:.2f}] | {r['identical_share']:.3f} |"
            )
    for label, rows in means.items():
        m = pd.DataFrame(rows).mean()
        lines.append(
            f"| **mean** | {label} | {m['quality']:.3f} | {m['ceiling']:.3f} | **{m['dcr_share']:.2f}** | "
            f"{m['identical_share']:.3f} |"
        )
    return "\n".join(lines)


def cart_sweep_table(n_attacks: int) -> str:
    import synthbench as sb

    tables = real_tables()
    lines = [
        "| table | min_samples_leaf | quality (ceiling) | DCR share [95%] | identical | fit CPU s |",
        "|---|---|---|---|---|---|",
    ]
    for name in ("penguins", "wine"):
        out = _sweep(tables[name], sb.CART(), "min_samples_leaf", [1, 5, 20, 50, 100], n_attacks)
        for value, r in out.iterrows():
            lines.append(
                f"| {name} | {value} | {r['quality']:.3f} ({r['ceiling']:.3f}) | {r['dcr_share']:.2f} "
                f"[{r['dcr_low']:.2f}, {r['dcr_high']:.2f}] | {r['identical_share']:.3f} | "
                f"{r['fit_cpu_seconds']:.3f} |"
            )
    return "\n".join(lines)


def mixture_table(n_attacks: int) -> str:
    from threadpoolctl import threadpool_limits

    import synthbench as sb
    from synthbench.evaluate import utility
    from synthbench.evaluate.privacy_tradeoff import holdout_split, privacy_tradeoff

    targets = {"penguins": "species", "iris": "target", "wine": "target", "breast_cancer": "target"}
    tables = real_tables()
    values = [2, 3, 5, "auto"]
    rows = []
    with threadpool_limits(1):
        for name, target in targets.items():
            for seed in SEEDS:
                out = privacy_tradeoff(
                    tables[name], sb.GaussianMixture(), "n_components", values, n_attacks=n_attacks, seed=seed
                )
                train, holdout = holdout_split(tables[name], seed=seed)
                for value, dcr in zip(values, out["dcr_share"], strict=True):
                    gen = sb.GaussianMixture(n_components=value, random_state=seed).fit(train)
                    acc = utility(train, gen.sample(len(train), seed=seed), holdout, target=target, seed=seed)
                    acc = acc.set_index("metric").loc["accuracy"]
                    rows.append([name, str(value), dcr, acc["tstr"], acc["trtr"]])
    frame = pd.DataFrame(rows, columns=["table", "n_components", "dcr", "tstr", "trtr"])
    lines = ["| table | n_components | DCR share | TSTR accuracy (TRTR) |", "|---|---|---|---|"]
    for (name, value), r in frame.groupby(["table", "n_components"], sort=False).mean().iterrows():
        lines.append(f"| {name} | {value} | {r['dcr']:.2f} | {r['tstr']:.3f} ({r['trtr']:.3f}) |")
    for value, r in frame.groupby("n_components", sort=False)[["dcr", "tstr", "trtr"]].mean().iterrows():
        lines.append(f"| **mean** | {value} | **{r['dcr']:.2f}** | {r['tstr']:.3f} ({r['trtr']:.3f}) |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attacks", type=int, default=150)
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--dp-only", action="store_true", help="only the differential privacy tables")
    parser.add_argument("--tradeoff", action="store_true", help="only the defaults and CART's knob, 3 seeds")
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    if args.tradeoff:
        import warnings

        warnings.simplefilter("ignore")
        wall, cpu = time.perf_counter(), time.process_time()
        print(f"## Defaults on real tables (50/50 split, mean of seeds {SEEDS})\n")
        print(defaults_table(max(args.attacks, 500)))
        print(f"\n## CART's privacy knob (mean of seeds {SEEDS})\n")
        print(cart_sweep_table(max(args.attacks, 500)))
        print(f"\n## The mixture's components: copying and utility (mean of seeds {SEEDS})\n")
        print(mixture_table(max(args.attacks, 500)))
        print(f"\n{time.perf_counter() - wall:.0f} s wall, {time.process_time() - cpu:.0f} s CPU")
        return
    if not args.dp_only:
        print("## Privacy attacks: synthbench beside anonymeter (penguins halves)\n")
        print(attack_table(args.attacks, args.skip_peers))
    print("\n## What differential privacy costs (half to fit, half to test)\n")
    print(dp_table())
    print("\n## A first fit (fresh process, nothing compiled yet)\n")
    print(cold_fit_table())


if __name__ == "__main__":
    main()
