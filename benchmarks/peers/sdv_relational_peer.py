"""Fit SDV's HMASynthesizer on related tables and score outputs with SDMetrics (SDV peer venv).

    python sdv_relational_peer.py JOB.json

JOB.json: {"real": {table: parquet}, "metadata": path (SDV multi-table metadata dict),
"outputs": {label: {table: parquet}}, "hma": {table: parquet} or null, "main_table", "main_rows", "repeats": int,
"result": path}. The script times HMA's fit + sample (wall and CPU seconds, best of
``repeats``), writes its tables, then scores every output (ours and HMA's) with the same
SDMetrics multi-table ``QualityReport`` and checks referential integrity, writing
{label: {"seconds", "cpu_seconds", "score", properties..., "integrity"}} to ``result``.
"""

import json
import sys
import time
import warnings

import pandas as pd

warnings.simplefilter("ignore")

from sdmetrics.reports.multi_table import QualityReport  # noqa: E402
from sdv.metadata import Metadata  # noqa: E402
from sdv.multi_table import HMASynthesizer  # noqa: E402


def read(paths):
    return {name: pd.read_parquet(path) for name, path in paths.items()}


def integrity(dfs, metadata):
    worst = 1.0
    for rel in metadata["relationships"]:
        child = dfs[rel["child_table_name"]][rel["child_foreign_key"]]
        parent = dfs[rel["parent_table_name"]][rel["parent_primary_key"]]
        ok = child.notna() & child.isin(parent)
        worst = min(worst, float(ok.mean()) if len(child) else 1.0)
    return worst


def main(job_path):
    with open(job_path) as fh:
        job = json.load(fh)
    with open(job["metadata"]) as fh:
        meta_dict = json.load(fh)
    real = read(job["real"])
    results = {}
    outputs = {label: read(paths) for label, paths in job["outputs"].items()}
    if job.get("hma"):
        best = None
        try:
            HMASynthesizer(Metadata.load_from_dict(meta_dict)).fit(real.__class__())
        except Exception as exc:  # SDV refuses some schemas outright (more than 5 tables, depth > 2)
            if "not designed" in str(exc):
                results["SDV HMASynthesizer"] = {"refused": str(exc).splitlines()[0]}
                job["hma"] = None
        for _ in range(job.get("repeats", 1) if job.get("hma") else 0):
            wall, cpu = time.perf_counter(), time.process_time()
            synth = HMASynthesizer(Metadata.load_from_dict(meta_dict))
            synth.fit(real)
            try:  # SDV 2: rows of a main table (the others in proportion); SDV 1: a scale
                made = synth.sample(job["main_rows"], main_table_name=job["main_table"])
            except TypeError:
                made = synth.sample(scale=1.0)
            times = (time.perf_counter() - wall, time.process_time() - cpu)
            if best is None or times[0] < best[0]:
                best = times
        if best is not None:
            for name, path in job["hma"].items():
                made[name].to_parquet(path)
            outputs["SDV HMASynthesizer"] = made
            results["SDV HMASynthesizer"] = {"seconds": best[0], "cpu_seconds": best[1]}
    sd_meta = {k: v for k, v in meta_dict.items() if k != "METADATA_SPEC_VERSION"}
    for label, dfs in outputs.items():
        report = QualityReport()
        report.generate(real, {t: dfs[t][list(real[t].columns)] for t in real}, sd_meta, verbose=False)
        props = report.get_properties().set_index("Property")["Score"].to_dict()
        out = results.setdefault(label, {})
        out.update({"score": report.get_score(), **{k: float(v) for k, v in props.items()}})
        out["integrity"] = integrity(dfs, meta_dict)
        out["rows"] = {t: len(df) for t, df in dfs.items()}
    with open(job["result"], "w") as fh:
        json.dump(results, fh, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
