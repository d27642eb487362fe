"""Run SDMetrics' single-table QualityReport on two Parquet files (runs in the peer venv).

    python sdmetrics_peer.py REAL.parquet SYNTHETIC.parquet METADATA.json OUT.json [--all-pairs]

Writes JSON with the overall and property scores, the time ``generate`` took, and the
per-column and per-pair details. With ``--all-pairs`` a second report is generated with
both relevance thresholds at 0 and no subsampling, so every pair gets a score, and the
single-column metrics MissingValueSimilarity, RangeCoverage and CategoryCoverage are
computed for every column.
"""

import json
import sys
import time
import warnings

import pandas as pd

warnings.simplefilter("ignore")

from sdmetrics.reports.single_table import QualityReport  # noqa: E402
from sdmetrics.single_column import CategoryCoverage, MissingValueSimilarity, RangeCoverage  # noqa: E402


def _records(frame):
    return json.loads(frame.to_json(orient="records", double_precision=15))


def main(real_path, synthetic_path, metadata_path, out_path, *flags):
    real = pd.read_parquet(real_path)
    synthetic = pd.read_parquet(synthetic_path)
    with open(metadata_path) as fh:
        metadata = json.load(fh)

    report = QualityReport()
    start = time.perf_counter()
    report.generate(real, synthetic, metadata, verbose=False)
    seconds = time.perf_counter() - start
    result = {
        "seconds": seconds,
        "score": report.get_score(),
        "properties": _records(report.get_properties()),
        "column_shapes": _records(report.get_details("Column Shapes")),
        "column_pair_trends": _records(report.get_details("Column Pair Trends")),
    }
    if "--all-pairs" in flags:
        full = QualityReport()
        full.real_correlation_threshold = 0
        full.real_association_threshold = 0
        full.num_rows_subsample = None
        full.generate(real, synthetic, metadata, verbose=False)
        result["all_pairs"] = _records(full.get_details("Column Pair Trends"))
        columns = []
        for name, meta in metadata["columns"].items():
            row = {
                "column": name,
                "MissingValueSimilarity": MissingValueSimilarity.compute(real[name], synthetic[name]),
            }
            try:
                if meta["sdtype"] in ("numerical", "datetime"):
                    row["coverage"] = RangeCoverage.compute(real[name], synthetic[name])
                elif meta["sdtype"] in ("categorical", "boolean"):
                    row["coverage"] = CategoryCoverage.compute(real[name], synthetic[name])
            except Exception as exc:  # reported, compared as NaN
                row["coverage"] = None
                row["coverage_error"] = f"{type(exc).__name__}: {exc}"
            columns.append(row)
        result["single_columns"] = columns
    with open(out_path, "w") as fh:
        json.dump(result, fh, default=str)


if __name__ == "__main__":
    main(*sys.argv[1:])
