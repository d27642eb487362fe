"""Time series: does the synthetic series move like the real one over time?

Two comparisons per numerical column, each a score in [0, 1] (1 = identical) and a
long-form profile for charts:

- **Autocorrelation**: the autocorrelation function at lags 1..``max_lag``
  (``sum((x_t - m)(x_{t+k} - m)) / sum((x_t - m)^2)``, computed per entity and averaged
  weighted by length; missing values count as the mean). Score:
  ``1 - mean |acf_real - acf_synthetic| / 2``.
- **Seasonal profile**: the mean deviation from the series mean at each position of a
  season (an int period counts rows; ``"hour"``, ``"dayofweek"``, ``"month"``, ... use
  the timestamps). Score: ``1 - min(1, rms(profile_real - profile_synthetic) /
  std_real)``: the share of the real series' spread that the profiles do *not* differ by.

Rows are ordered by ``time`` (a column name) when given, else by a DatetimeIndex, else
kept in order; ``entity`` names a column that splits the frame into separate series.

>>> import numpy as np, pandas as pd
>>> t = np.arange(240)
>>> real = pd.DataFrame({"y": np.sin(2 * np.pi * t / 24)})
>>> autocorrelation_similarity(real, real, max_lag=5)["score"].tolist()
[1.0]
>>> seasonal_similarity(real, real.assign(y=0.0), period=24)["score"].round(2).tolist()
[0.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import DataError, InvalidParameterError
from ..params import Int, check_value, short_repr
from ._types import check_frames, infer_sdtype

__all__ = ["autocorrelation_profiles", "autocorrelation_similarity", "seasonal_profiles", "seasonal_similarity"]

_CALENDAR = ("minute", "hour", "dayofweek", "day", "dayofyear", "month", "quarter")


def _series(frame: pd.DataFrame, column: Any, time: Any, entity: Any) -> list[tuple[np.ndarray, pd.Series | None]]:
    """The column's series (one per entity), each ordered in time, with its timestamps."""
    if time is not None:
        stamps = pd.to_datetime(frame[time]) if not pd.api.types.is_numeric_dtype(frame[time]) else frame[time]
    elif isinstance(frame.index, pd.DatetimeIndex):
        stamps = pd.Series(frame.index, index=frame.index)
    else:
        stamps = None
    values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    groups = [np.arange(len(frame))] if entity is None else list(frame.groupby(entity, sort=True).indices.values())
    out = []
    for idx in groups:
        ts = None
        if stamps is not None:
            ts = stamps.iloc[idx]
            order = np.argsort(ts.to_numpy(), kind="stable")
            idx, ts = idx[order], ts.iloc[order]
        out.append((values.iloc[idx].to_numpy(), ts))
    return out


def _acf(x: np.ndarray, max_lag: int) -> tuple[np.ndarray, int]:
    if len(x) < 2 or np.isnan(x).all():
        return np.full(max_lag, np.nan), 0
    c = np.where(np.isnan(x), 0.0, x - np.nanmean(x))
    denom = np.dot(c, c)
    if denom == 0:
        return np.full(max_lag, np.nan), 0
    return np.array(
        [np.dot(c[: len(c) - k], c[k:]) / denom if k < len(c) else np.nan for k in range(1, max_lag + 1)]
    ), len(x)


def _pooled_acf(parts: list[tuple[np.ndarray, Any]], max_lag: int) -> np.ndarray:
    acfs, weights = zip(*(_acf(x, max_lag) for x, _ in parts))
    acfs, weights = np.array(acfs), np.array(weights, dtype="float64")
    mask = ~np.isnan(acfs) & (weights[:, None] > 0)
    w = np.where(mask, weights[:, None], 0.0)
    total = w.sum(axis=0)
    with np.errstate(invalid="ignore"):
        return np.where(total > 0, (np.where(mask, acfs, 0.0) * w).sum(axis=0) / np.where(total > 0, total, 1), np.nan)


def _check(real: Any, synthetic: Any, columns: Sequence[Any] | None, time: Any, entity: Any) -> list[Any]:
    check_frames(real, synthetic)
    for name, col in (("time", time), ("entity", entity)):
        if col is not None and col not in real.columns:
            raise InvalidParameterError(
                f"The {name!r} parameter must be a column of the data. Got {short_repr(col)} instead."
            )
    if columns is None:
        columns = [
            c
            for c in real.columns
            if c not in (time, entity)
            and infer_sdtype(real[c]) == "numerical"
            and infer_sdtype(synthetic[c]) == "numerical"
        ]
    columns = list(columns)
    for c in columns:
        if c not in real.columns or infer_sdtype(real[c]) != "numerical":
            raise InvalidParameterError(
                f"The 'columns' parameter must name numerical columns of the data. Got {short_repr(c)} instead."
            )
    if not columns:
        raise DataError("There is no numerical column to compare over time.")
    return columns


def autocorrelation_profiles(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    max_lag: int = 24,
    columns: Sequence[Any] | None = None,
    time: Any = None,
    entity: Any = None,
) -> pd.DataFrame:
    """Long-form autocorrelation of each numerical column: ``column, lag, real, synthetic``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 1.0, 2.0, 1.0, 2.0]})
    >>> autocorrelation_profiles(df, df, max_lag=2)
      column  lag      real  synthetic
    0      y    1 -0.833333  -0.833333
    1      y    2  0.666667   0.666667
    """
    check_value(max_lag, "max_lag", Int(1))
    columns = _check(real, synthetic, columns, time, entity)
    frames = []
    for col in columns:
        r = _pooled_acf(_series(real, col, time, entity), max_lag)
        s = _pooled_acf(_series(synthetic, col, time, entity), max_lag)
        frames.append(pd.DataFrame({"column": col, "lag": np.arange(1, max_lag + 1), "real": r, "synthetic": s}))
    return pd.concat(frames, ignore_index=True)


def autocorrelation_similarity(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    max_lag: int = 24,
    columns: Sequence[Any] | None = None,
    time: Any = None,
    entity: Any = None,
) -> pd.DataFrame:
    """Per numerical column: ``1 - mean |acf_real - acf_synthetic| / 2`` over lags 1..max_lag.

    Returns
    -------
    DataFrame
        Columns ``column, score, mean_abs_difference`` (NaN where a series is constant
        or too short).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> walk = pd.DataFrame({"y": rng.normal(size=500).cumsum()})
    >>> noise = pd.DataFrame({"y": rng.normal(size=500)})
    >>> bool(autocorrelation_similarity(walk, noise)["score"].iloc[0] < 0.7)
    True
    """
    profiles = autocorrelation_profiles(real, synthetic, max_lag=max_lag, columns=columns, time=time, entity=entity)
    rows = []
    for col, group in profiles.groupby("column", sort=False):
        diff = (group["real"] - group["synthetic"]).abs()
        mad = float(diff.mean()) if diff.notna().any() else np.nan
        rows.append({"column": col, "score": 1 - mad / 2, "mean_abs_difference": mad})
    return pd.DataFrame(rows, columns=["column", "score", "mean_abs_difference"])


def _season_keys(parts: list[tuple[np.ndarray, Any]], period: int | str) -> list[np.ndarray]:
    keys = []
    for x, ts in parts:
        if isinstance(period, str):
            if ts is None or not pd.api.types.is_datetime64_any_dtype(ts):
                raise DataError(
                    f"A calendar period ({period!r}) needs timestamps: "
                    "pass time=<datetime column> or use a DatetimeIndex."
                )
            keys.append(getattr(ts.dt, period).to_numpy())
        else:
            keys.append(np.arange(len(x)) % period)
    return keys


def _profile(parts: list[tuple[np.ndarray, Any]], keys: list[np.ndarray]) -> tuple[pd.Series, float]:
    centred = np.concatenate([x - np.nanmean(x) if (~np.isnan(x)).any() else x for x, _ in parts])
    key = np.concatenate(keys)
    ok = ~np.isnan(centred)
    profile = pd.Series(centred[ok]).groupby(key[ok]).mean()
    return profile, float(np.std(centred[ok])) if ok.any() else np.nan


def seasonal_profiles(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    period: int | str,
    columns: Sequence[Any] | None = None,
    time: Any = None,
    entity: Any = None,
) -> pd.DataFrame:
    """Long-form seasonal profiles: ``column, season, real, synthetic`` (mean deviation from the series mean).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 3.0, 1.0, 3.0]})
    >>> seasonal_profiles(df, df, period=2)
      column  season  real  synthetic
    0      y       0  -1.0       -1.0
    1      y       1   1.0        1.0
    """
    _check_period(period)
    columns = _check(real, synthetic, columns, time, entity)
    frames = []
    for col in columns:
        rp, sp = _series(real, col, time, entity), _series(synthetic, col, time, entity)
        r, _ = _profile(rp, _season_keys(rp, period))
        s, _ = _profile(sp, _season_keys(sp, period))
        both = pd.concat({"real": r, "synthetic": s}, axis=1).sort_index()
        frames.append(
            pd.DataFrame(
                {
                    "column": col,
                    "season": both.index,
                    "real": both["real"].to_numpy(),
                    "synthetic": both["synthetic"].to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _check_period(period: Any) -> None:
    if isinstance(period, str):
        if period not in _CALENDAR:
            raise InvalidParameterError(
                f"The 'period' parameter must be an int >= 2 or one of {list(_CALENDAR)}. "
                f"Got {short_repr(period)} instead."
            )
    elif isinstance(period, bool) or not isinstance(period, int | np.integer) or period < 2:
        raise InvalidParameterError(
            f"The 'period' parameter must be an int >= 2 or one of {list(_CALENDAR)}. Got {short_repr(period)} instead."
        )


def seasonal_similarity(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    period: int | str,
    columns: Sequence[Any] | None = None,
    time: Any = None,
    entity: Any = None,
) -> pd.DataFrame:
    """Per numerical column: how closely the seasonal profiles match.

    Returns
    -------
    DataFrame
        Columns ``column, score, real_amplitude, synthetic_amplitude`` (amplitude =
        max - min of the profile).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> idx = pd.date_range("2024-01-01", periods=24 * 14, freq="h")
    >>> daily = pd.DataFrame({"load": np.sin(2 * np.pi * idx.hour / 24)}, index=idx)
    >>> seasonal_similarity(daily, daily, period="hour")["score"].tolist()
    [1.0]
    """
    _check_period(period)
    columns = _check(real, synthetic, columns, time, entity)
    rows = []
    for col in columns:
        rp, sp = _series(real, col, time, entity), _series(synthetic, col, time, entity)
        r, std_real = _profile(rp, _season_keys(rp, period))
        s, _ = _profile(sp, _season_keys(sp, period))
        diff = r.sub(s, fill_value=0.0)
        rms = float(np.sqrt(np.mean(diff.to_numpy() ** 2))) if len(diff) else np.nan
        score = 1 - min(1.0, rms / std_real) if std_real and std_real > 0 else (1.0 if rms == 0 else 0.0)
        rows.append(
            {
                "column": col,
                "score": float(score),
                "real_amplitude": float(r.max() - r.min()) if len(r) else np.nan,
                "synthetic_amplitude": float(s.max() - s.min()) if len(s) else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=["column", "score", "real_amplitude", "synthetic_amplitude"])
