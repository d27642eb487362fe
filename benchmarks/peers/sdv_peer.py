"""Fit SDV synthesizers and score outputs with SDMetrics (runs in the SDV peer venv).

    python sdv_peer.py JOB.json

JOB.json: {"tables": [{"name", "real", "metadata", "n", "outputs": {label: parquet},
"sdv": {"GaussianCopula": out.parquet, "CTGAN": out.parquet, "TVAE": out.parquet},
"ctgan_epochs": int (CTGAN's and TVAE's epochs), "score": bool (default true)}],
"result": path}. For each table the script times SDV's fit + sample (written as
Parquet), then scores every output (ours and SDV's) with the same SDMetrics
``QualityReport``, and writes {table: {label: {"seconds", "score", ...}}} to ``result``.
"""

import json
import sys
import time
import warnings

import pandas as pd

warnings.simplefilter("ignore")

from sdmetrics.reports.single_table import QualityReport  # noqa: E402
from sdv.metadata import Metadata  # noqa: E402
from sdv.single_table import CTGANSynthesizer, GaussianCopulaSynthesizer, TVAESynthesizer  # noqa: E402


def _sdv_metadata(name, columns):
    return Metadata.load_from_dict({"METADATA_SPEC_VERSION": "V1", "tables": {name: {"columns": columns}}})


def _quality(real, synthetic, columns):
    report = QualityReport()
    report.generate(real, synthetic[list(real.columns)], {"columns": columns}, verbose=False)
    props = report.get_properties().set_index("Property")["Score"].to_dict()
    return {
        "score": report.get_score(),
        "column_shapes": props.get("Column Shapes"),
        "column_pair_trends": props.get("Column Pair Trends"),
    }


def main(job_path):
    with open(job_path) as fh:
        job = json.load(fh)
    results = {}
    for table in job["tables"]:
        real = pd.read_parquet(table["real"])
        with open(table["metadata"]) as fh:
            columns = json.load(fh)["columns"]
        out = results.setdefault(table["name"], {})
        epochs = table.get("ctgan_epochs", 300)
        makers = {
            "GaussianCopula": lambda md: GaussianCopulaSynthesizer(md),
            "CTGAN": lambda md: CTGANSynthesizer(md, epochs=epochs, enable_gpu=False),  # noqa: B023 - used at once
            "TVAE": lambda md: TVAESynthesizer(md, epochs=epochs, enable_gpu=False),  # noqa: B023 - used at once
        }
        for label, path in table.get("sdv", {}).items():
            synth = makers[label](_sdv_metadata(table["name"], columns))
            start, cpu = time.perf_counter(), time.process_time()
            # SDV 2 takes and returns {table name: frame}; SDV 1 takes and returns a frame.
            # CTGAN rejects the 'category' dtype and asks for object columns.
            categories = {c: object for c in real if str(real[c].dtype) == "category"}
            train = real.astype(categories) if label in ("CTGAN", "TVAE") else real
            try:
                synth.fit({table["name"]: train})
            except TypeError:
                synth.fit(train)
            fake = synth.sample(num_rows=table["n"])
            if isinstance(fake, dict):
                fake = fake[table["name"]]
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            fake.to_parquet(path)
            out[f"SDV {label}"] = {"seconds": seconds, "cpu_seconds": cpu, "path": path}
        for label, path in table.get("outputs", {}).items():
            out.setdefault(label, {"path": path})
        if not table.get("score", True):
            continue
        for entry in out.values():
            entry.update(_quality(real, pd.read_parquet(entry["path"]), columns))
    with open(job["result"], "w") as fh:
        json.dump(results, fh, indent=1)


if __name__ == "__main__":
    main(*sys.argv[1:])
