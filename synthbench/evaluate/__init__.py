"""Evaluation of synthetic data: fidelity, privacy, utility and time series.

Pure functions over a real and a synthetic DataFrame that return tidy DataFrames, fast
enough to re-run on every widget change, and :func:`quality_report`, which gathers the
fidelity scores, their details and binned chart data in a :class:`Report`.

>>> import pandas as pd
>>> from synthbench.evaluate import quality_report
>>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": list("abab")})
>>> quality_report(real, real).score
1.0

scikit-learn is imported only inside the privacy and utility functions.
"""

from __future__ import annotations

from ._types import column_types, infer_sdtype
from .fidelity import (
    RealProfile,
    category_coverage,
    column_pair_trends,
    column_shapes,
    contingency_similarity,
    correlation_similarity,
    ks_complement,
    missing_value_similarity,
    quality_score,
    range_coverage,
    tv_complement,
)
from .privacy import (
    attribute_disclosure,
    gower_distances,
    identity_disclosure,
    membership_disclosure,
    privacy_report,
)
from .relational import RelationalReport, referential_integrity, relational_report
from .report import Report, quality_report, sample_chart_data
from .timeseries import (
    autocorrelation_profiles,
    autocorrelation_similarity,
    seasonal_profiles,
    seasonal_similarity,
)
from .utility import utility

__all__ = [
    "RealProfile",
    "RelationalReport",
    "Report",
    "attribute_disclosure",
    "autocorrelation_profiles",
    "autocorrelation_similarity",
    "category_coverage",
    "column_pair_trends",
    "column_shapes",
    "column_types",
    "contingency_similarity",
    "correlation_similarity",
    "gower_distances",
    "identity_disclosure",
    "infer_sdtype",
    "ks_complement",
    "membership_disclosure",
    "missing_value_similarity",
    "privacy_report",
    "quality_report",
    "quality_score",
    "range_coverage",
    "referential_integrity",
    "relational_report",
    "sample_chart_data",
    "seasonal_profiles",
    "seasonal_similarity",
    "tv_complement",
    "utility",
]
