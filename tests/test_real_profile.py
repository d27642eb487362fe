"""A RealProfile (the real side read once) gives exactly the report of the real frame itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthbench.evaluate import RealProfile, column_pair_trends, column_shapes, quality_report, quality_score
from synthbench.exceptions import DataError, InvalidParameterError


def _frames(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n, m = 300, 260
    real = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "y": rng.integers(0, 50, n),
            "c": pd.Series(rng.choice(["a", "b", "c", "d"], n), dtype="str"),
            "flag": rng.random(n) < 0.3,
            "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), unit="h"),
            "cat": pd.Categorical(rng.choice(["lo", "hi"], n)),
        }
    )
    real.loc[::7, "x"] = np.nan
    real.loc[::11, "c"] = None
    syn = pd.DataFrame(
        {
            "x": rng.normal(0.2, 1.1, m),
            "y": rng.integers(0, 60, m),
            # A category the real data never had, in another order of first appearance.
            "c": pd.Series(rng.choice(["e", "d", "c", "b"], m), dtype="str"),
            "flag": rng.random(m) < 0.5,
            # A finer datetime unit than the real side: both are counted in it.
            "when": (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**6, m), unit="s")).astype(
                "datetime64[ns]"
            ),
            "cat": pd.Categorical(rng.choice(["hi", "lo"], m)),
        }
    )
    return real.astype({"when": "datetime64[s]"}), syn


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_profile_reports_equal_the_frame_reports(seed):
    real, syn = _frames(seed)
    profile = RealProfile(real)
    plain = quality_report(real, syn, holdout=real.iloc[::2])
    for _ in range(2):  # the second time from what the profile kept
        kept = quality_report(profile, syn, holdout=real.iloc[::2])
        np.testing.assert_equal((kept.score, kept.holdout_score), (plain.score, plain.holdout_score))
        pd.testing.assert_frame_equal(kept.column_details, plain.column_details)
        pd.testing.assert_frame_equal(kept.pair_details, plain.pair_details)
        for kind in ("histograms", "categories", "correlations", "pair_scores"):
            got, want = kept.chart_data[kind], plain.chart_data[kind]
            if isinstance(want, dict):
                assert list(got) == list(want)
                for name in want:
                    pd.testing.assert_frame_equal(got[name], want[name])
            else:
                pd.testing.assert_frame_equal(got, want)
        np.testing.assert_equal(quality_score(profile, syn), quality_score(real, syn))
        pd.testing.assert_frame_equal(column_shapes(profile, syn), column_shapes(real, syn))
        pd.testing.assert_frame_equal(column_pair_trends(profile, syn), column_pair_trends(real, syn))
    # Another sample against the same profile: still the frame's own answer.
    other = syn.sample(frac=1.0, random_state=seed).reset_index(drop=True).iloc[:100]
    pd.testing.assert_frame_equal(
        quality_report(profile, other).column_details, quality_report(real, other).column_details
    )


def test_profile_keeps_the_frames_checks():
    real, syn = _frames(0)
    profile = RealProfile(real)
    with pytest.raises(DataError, match="same columns"):
        quality_report(profile, syn.drop(columns="x"))
    with pytest.raises(DataError, match="numerical in the real data but categorical"):
        quality_report(profile, syn.assign(x="text"))
    with pytest.raises(InvalidParameterError, match="column_types"):
        quality_report(profile, syn, column_types={"y": "categorical"})
    typed = RealProfile(real, column_types={"y": "categorical"})
    assert (
        quality_report(typed, syn).column_types
        == quality_report(real, syn, column_types={"y": "categorical"}).column_types
    )
    with pytest.raises(DataError):
        RealProfile(pd.DataFrame())
    assert "300 rows" in repr(profile)
