"""Run anonymeter's three evaluators on Parquet files (runs in the anonymeter peer venv).

    python anonymeter_peer.py TRAIN.parquet SYNTHETIC.parquet CONTROL.parquet SETTINGS.json OUT.json

SETTINGS holds ``n_attacks``, ``n_cols`` (singling out), ``aux_cols`` (two lists, for
linkability), ``secret`` and ``known`` (inference), and ``repeats``. Each evaluator is run
``repeats`` times (anonymeter draws from an unseeded generator) and OUT.json gets, per
attack and run, the success counts on the training rows, the control rows and the baseline,
the risk with its interval, and the seconds it took.

Also, with ``--sdmetrics`` (in the SDMetrics venv instead), SDMetrics'
``DCROverfittingProtection`` on the same files (``metadata`` in SETTINGS).
"""

import json
import sys
import time
import warnings

import pandas as pd

warnings.simplefilter("ignore")


def _anonymeter(train, synthetic, control, settings):
    import logging

    logging.disable(logging.WARNING)  # "could generate only N queries": reported as counts instead
    from anonymeter.evaluators import InferenceEvaluator, LinkabilityEvaluator, SinglingOutEvaluator

    n = settings["n_attacks"]
    out = {}
    makers = {
        "singling_out": lambda: SinglingOutEvaluator(
            ori=train, syn=synthetic, control=control, n_attacks=n, n_cols=settings["n_cols"]
        ).evaluate(mode="multivariate"),
        "linkability": lambda: LinkabilityEvaluator(
            ori=train,
            syn=synthetic,
            control=control,
            n_attacks=n,
            aux_cols=tuple(settings["aux_cols"]),
            n_neighbors=1,
        ).evaluate(n_jobs=1),
        "inference": lambda: InferenceEvaluator(
            ori=train,
            syn=synthetic,
            control=control,
            aux_cols=settings["known"],
            secret=settings["secret"],
            n_attacks=n,
        ).evaluate(n_jobs=1),
    }
    for name, make in makers.items():
        runs = []
        for _ in range(settings["repeats"]):
            start, cpu = time.perf_counter(), time.process_time()
            evaluator = make()
            seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
            results = evaluator.results()
            risk = evaluator.risk()
            runs.append(
                {
                    "n_attacks": n,
                    "n_success": float(results.n_success),
                    "n_control": float(results.n_control),
                    "n_baseline": float(results.n_baseline),
                    "attack_rate": list(results.attack_rate),
                    "control_rate": list(results.control_rate),
                    "risk": risk.value,
                    "ci": list(risk.ci),
                    "seconds": seconds,
                    "cpu_seconds": cpu_seconds,
                }
            )
        out[name] = runs
    return out


def _sdmetrics(train, synthetic, control, settings):
    from sdmetrics.single_table import DCROverfittingProtection

    start = time.perf_counter()
    result = DCROverfittingProtection.compute_breakdown(
        train, synthetic, control, {"columns": settings["metadata"]}, None
    )
    result["seconds"] = time.perf_counter() - start
    return {"dcr_overfitting_protection": result}


def main(train_path, synthetic_path, control_path, settings_path, out_path, *flags):
    train = pd.read_parquet(train_path)
    synthetic = pd.read_parquet(synthetic_path)
    control = pd.read_parquet(control_path)
    with open(settings_path) as fh:
        settings = json.load(fh)
    run = _sdmetrics if "--sdmetrics" in flags else _anonymeter
    with open(out_path, "w") as fh:
        json.dump(run(train, synthetic, control, settings), fh)


if __name__ == "__main__":
    main(*sys.argv[1:])
