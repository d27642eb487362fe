"""The time-series family: each component's statistical signature, events, index, errors, fitting."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest

import synthbench as sb
from synthbench.exceptions import DataError, InvalidParameterError, NotFittedError, SpecError
from synthbench.generators.timeseries.core import stream_key
from synthbench.timeseries import (
    AR,
    COMPONENT_TYPES,
    Anomaly,
    Fourier,
    LevelShift,
    Missing,
    Noise,
    RandomWalk,
    Seasonality,
    SeasonalProfile,
    Trend,
    example_temperatures,
)
from tests.helpers import bad_values, run_code


def values(gen: sb.TimeSeries, n: int, seed: int = 0, channel: str = "value") -> np.ndarray:
    """The channel as an (entities, steps) array."""
    df = gen.sample(n, seed=seed)
    return df[channel].to_numpy().reshape(gen.entities, n)


def autocorr(x: np.ndarray, lag: int) -> float:
    x = x - x.mean()
    return float(np.dot(x[:-lag], x[lag:]) / np.dot(x, x))


def kitchen_sink(**overrides) -> sb.TimeSeries:
    """Every component, correlated channels, several entities, anomalies and gaps."""
    params = {
        "start": "2024-03-01 00:00+01:00",
        "freq": "h",
        "entities": 4,
        "channels": ["load", "price"],
        "correlation": [[1.0, 0.5], [0.5, 1.0]],
        "components": [
            Trend(level=10, slope=0.01, changepoints=[100, "2024-03-10"], slope_changes=[-0.02, 0.005], vary=0.1),
            Seasonality(period=24, amplitude=3, phase=0.25),
            Seasonality(period=168, amplitude=1.5, vary=0.3),
            Fourier(period=84.5, coefficients=[[1, 0.5], [0.2, -0.1]]),
            SeasonalProfile(period=6, values=[0, 1, 2, 3, 2, 1]),
            Noise(kind="t", scale=0.5, df=4),
            Noise(scale=0.2),
            AR(phi=[0.6, 0.2], scale=0.5, vary=0.2),
            RandomWalk(scale=0.1, drift=0.001),
            LevelShift(at=["2024-03-05 12:00+01:00"], sizes=[2.0], rate=0.01, scale=0.5),
        ],
        "anomalies": [
            Anomaly(kind="spike", at=50, length=2, magnitude=5, entities=[1, 3]),
            Anomaly(kind="dip", count=3, length=4),
            Anomaly(kind="level_shift", at=400, length=None, magnitude=-2),
        ],
        "missing": [Missing(count=2, length=5), Missing(at=10, length=3, entities=[0])],
        "decimals": 3,
    }
    params.update(overrides)
    return sb.TimeSeries(**params)


# -- protocol on a generator that uses everything ------------------------------------


def test_kitchen_sink_code_rebuilds_the_frame(tmp_path):
    gen = kitchen_sink()
    df = gen.sample(500, seed=3)
    assert df.columns.tolist() == ["entity", "timestamp", "load", "price", "is_anomaly"]
    assert len(df) == 500 * 4
    assert str(df["timestamp"].dt.tz) == "UTC+01:00"
    code = gen.to_code(500, seed=3)
    assert "synthbench" not in code
    assert "# AR(2): phi [0.6, 0.2], innovation scale 0.5" in code and "from scipy.signal import lfilter" in code
    pd.testing.assert_frame_equal(run_code(code, tmp_path), df, check_exact=True)


def test_kitchen_sink_spec_round_trips():
    gen = kitchen_sink()
    again = sb.from_json(json.dumps(gen.to_dict()))
    assert again == gen
    pd.testing.assert_frame_equal(again.sample(450, seed=1), gen.sample(450, seed=1))


def test_seeds_example_is_a_level_plus_cumulative_noise():
    # The seeds' daily temperature: pd.date_range + 15 + cumsum(normal draws).
    gen = sb.TimeSeries.example()
    df = gen.sample(365, seed=42)
    steps = np.random.default_rng([42, stream_key("RandomWalk", 0), 0]).standard_normal(365)
    expected = pd.DataFrame(
        {"timestamp": pd.date_range("2024-01-01", periods=365, freq="D"), "temperature": 15.0 + np.cumsum(steps)}
    )
    pd.testing.assert_frame_equal(df, expected, check_exact=False, rtol=1e-12)


# -- each component's statistical signature ------------------------------------------


@pytest.mark.parametrize(
    "component",
    [
        Seasonality(period=12, amplitude=3),
        Fourier(period=12, coefficients=[[2.0, 1.0], [0.5, 0.0]]),
        SeasonalProfile(period=12, values=[0, 1, 2, 4, 6, 7, 6, 4, 2, 1, 0, -1]),
    ],
)
def test_seasonal_period_is_the_autocorrelation_peak(component):
    gen = sb.TimeSeries(components=[component, Noise(scale=1.0)])
    x = values(gen, 2_000, seed=1)[0]
    acf = {lag: autocorr(x, lag) for lag in range(2, 19)}
    assert max(acf, key=acf.get) == 12


def test_ar1_lag1_autocorrelation_matches_phi_and_starts_stationary():
    gen = sb.TimeSeries(entities=2, components=[AR(phi=[0.8], scale=1.0)])
    x = values(gen, 20_000, seed=2)
    assert [autocorr(row, 1) for row in x] == pytest.approx([0.8, 0.8], abs=0.02)
    # The burn-in puts the very first step at the stationary variance 1 / (1 - 0.8**2).
    first = values(sb.TimeSeries(entities=4_000, components=[AR(phi=[0.8])]), 2, seed=3)[:, 0]
    assert first.var() == pytest.approx(1 / (1 - 0.64), rel=0.1)


def test_ar2_coefficients_are_recovered_by_least_squares():
    gen = sb.TimeSeries(components=[AR(phi=[0.5, 0.3], scale=2.0)])
    x = values(gen, 30_000, seed=4)[0]
    lags = np.column_stack([x[1:-1], x[:-2]])
    phi, *_ = np.linalg.lstsq(lags, x[2:], rcond=None)
    assert phi == pytest.approx([0.5, 0.3], abs=0.02)
    assert np.std(x[2:] - lags @ phi) == pytest.approx(2.0, rel=0.03)


@pytest.mark.parametrize("phi", [[1.05], [1.0], [-1.0], [0.5, 0.6], [0.2, 0.2, 0.7]])
def test_explosive_or_unit_root_ar_is_rejected(phi):
    gen = sb.TimeSeries(components=[AR(phi=phi)])
    with pytest.raises(InvalidParameterError, match=r"'phi' parameter of AR must describe a stationary process"):
        gen.sample(10, seed=0)


def test_stationary_ar_with_large_coefficients_is_accepted():
    # 1 - 1.2 z + 0.5 z^2 has complex roots with |z| = sqrt(2): stationary, oscillating.
    x = values(sb.TimeSeries(components=[AR(phi=[1.2, -0.5])]), 5_000, seed=0)[0]
    assert np.isfinite(x).all() and np.abs(x).max() < 100


def test_random_walk_variance_grows_linearly_with_drift():
    gen = sb.TimeSeries(entities=3_000, components=[RandomWalk(scale=0.5, drift=0.1)])
    x = values(gen, 400, seed=5)
    assert np.diff(x, axis=1).std() == pytest.approx(0.5, rel=0.02)
    assert x[:, 399].var() / x[:, 99].var() == pytest.approx(4.0, rel=0.15)
    assert x[:, 399].mean() == pytest.approx(40.0, abs=0.5)


def test_noise_scale_and_student_t_tails():
    normal = values(sb.TimeSeries(components=[Noise(scale=2.0)]), 50_000, seed=6)[0]
    heavy = values(sb.TimeSeries(components=[Noise(kind="t", scale=1.0, df=3)]), 50_000, seed=6)[0]
    assert normal.std() == pytest.approx(2.0, rel=0.02)
    assert abs(autocorr(normal, 1)) < 0.02

    def kurtosis(x):
        return float(((x - x.mean()) ** 4).mean() / x.var() ** 2 - 3)

    assert abs(kurtosis(normal)) < 0.2 and kurtosis(heavy) > 2
    # t scale: the median absolute value of a t(3) variable is 0.765.
    assert np.median(np.abs(heavy)) == pytest.approx(0.765, rel=0.05)


def test_trend_slope_and_changepoint_are_recovered_by_a_fit():
    gen = sb.TimeSeries(
        components=[Trend(level=5, slope=0.3, changepoints=[500], slope_changes=[-0.5]), Noise(scale=1.0)]
    )
    x = values(gen, 1_000, seed=7)[0]
    t = np.arange(1_000)
    before = np.polyfit(t[:500], x[:500], 1)
    after = np.polyfit(t[500:], x[500:], 1)
    assert before == pytest.approx([0.3, 5.0], abs=0.1)
    assert after[0] == pytest.approx(-0.2, abs=0.01)


def test_level_shifts_fixed_and_random():
    fixed = sb.TimeSeries(components=[LevelShift(at=[300], sizes=[4.0]), Noise(scale=0.5)])
    x = values(fixed, 600, seed=8)[0]
    assert x[300:].mean() - x[:300].mean() == pytest.approx(4.0, abs=0.15)
    rand = sb.TimeSeries(entities=200, components=[LevelShift(rate=0.02, scale=1.0)])
    x = values(rand, 500, seed=8)
    jumps = np.diff(x, axis=1)
    assert (jumps != 0).sum() == pytest.approx(0.02 * 499 * 200, rel=0.1)
    assert jumps[jumps != 0].std() == pytest.approx(1.0, rel=0.1)


def test_channels_are_correlated_as_requested():
    two = sb.TimeSeries(channels=["a", "b"], correlation=0.7, components=[Trend(level=3), Noise(scale=2.0)])
    df = two.sample(20_000, seed=9)
    assert df["a"].corr(df["b"]) == pytest.approx(0.7, abs=0.02)
    matrix = [[1.0, 0.5, -0.3], [0.5, 1.0, 0.0], [-0.3, 0.0, 1.0]]
    three = sb.TimeSeries(entities=3, channels=["a", "b", "c"], correlation=matrix, components=[AR(phi=[0.5])])
    df = three.sample(10_000, seed=9)
    assert df[["a", "b", "c"]].corr().to_numpy() == pytest.approx(np.array(matrix), abs=0.04)
    # AR keeps its autocorrelation on every channel.
    assert autocorr(df.loc[df["entity"] == 0, "c"].to_numpy(), 1) == pytest.approx(0.5, abs=0.03)


def test_vary_gives_each_entity_its_own_scale():
    gen = sb.TimeSeries(entities=2_000, components=[Trend(level=100, vary=0.1)])
    levels = values(gen, 3, seed=10)[:, 0]
    assert np.log(levels / 100).std() == pytest.approx(0.1, rel=0.1)
    assert np.all(values(gen, 3, seed=10)[:, 2] == levels)  # one factor per entity, constant in time


# -- events ------------------------------------------------------------------------------


def test_anomaly_labels_match_the_injected_positions_exactly():
    base = {"entities": 3, "freq": "D", "components": [Seasonality(period=7), AR(phi=[0.5]), Noise(scale=0.1)]}
    anomalies = [
        Anomaly(kind="spike", at=10, magnitude=5),
        Anomaly(kind="dip", at="2024-02-01", length=3, magnitude=2, entities=[2]),
        Anomaly(kind="level_shift", at=80, length=None, magnitude=-1.5, entities=[0]),
    ]
    plain = sb.TimeSeries(**base).sample(100, seed=11)
    df = sb.TimeSeries(**base, anomalies=anomalies).sample(100, seed=11)
    label = df["is_anomaly"].to_numpy().reshape(3, 100)
    expected = np.zeros((3, 100), dtype=bool)
    expected[:, 10] = True
    expected[2, 31:34] = True  # 2024-02-01 is step 31
    expected[0, 80:] = True
    assert np.array_equal(label, expected)
    # The other streams are untouched: the values differ by the bump and only there.
    bump = (df["value"] - plain["value"]).to_numpy().reshape(3, 100)
    assert np.allclose(bump[:, 10], 5) and np.allclose(bump[2, 31:34], -2) and np.allclose(bump[0, 80:], -1.5)
    assert np.allclose(bump[~expected], 0)


def test_random_anomalies_lie_inside_and_have_the_declared_length():
    gen = sb.TimeSeries(entities=50, anomalies=[Anomaly(kind="spike", count=1, length=7, magnitude=1)])
    df = gen.sample(60, seed=12)
    label = df["is_anomaly"].to_numpy().reshape(50, 60)
    value = df["value"].to_numpy().reshape(50, 60)
    assert np.all(label.sum(axis=1) == 7)
    assert np.array_equal(value == 1, label)
    starts = label.argmax(axis=1)
    assert np.all(label[np.arange(50)[:, None], starts[:, None] + np.arange(7)])
    assert len(set(starts)) > 10  # placed at random, per entity


def test_missing_stretches_keep_the_rows():
    gen = sb.TimeSeries(
        entities=2, components=[Noise()], missing=[Missing(at=5, length=4, entities=[1]), Missing(count=2, length=3)]
    )
    df = gen.sample(100, seed=13)
    assert len(df) == 200 and df["timestamp"].notna().all()
    gaps = df["value"].isna().to_numpy().reshape(2, 100)
    assert gaps[1, 5:9].all() and not gaps[0, 5:9].all()
    assert 3 <= gaps[0].sum() <= 6 and 7 <= gaps[1].sum() <= 10


# -- streams and index -------------------------------------------------------------------


def test_editing_one_component_leaves_the_others_draws_alone():
    parts = [Trend(level=1), Noise(scale=1.0), AR(phi=[0.5]), RandomWalk(scale=0.3)]
    x = values(sb.TimeSeries(components=parts), 300, seed=14)[0]
    # A new component in front shifts every position, but keys are kind + rank, so draws stay.
    y = values(sb.TimeSeries(components=[Seasonality(period=10, amplitude=2), *parts]), 300, seed=14)[0]
    wave = 2 * np.sin(2 * np.pi * np.arange(300) / 10)
    assert np.allclose(y - x, wave)


def test_a_longer_sample_of_one_series_starts_with_the_shorter_one():
    gen = sb.TimeSeries(
        channels=["a", "b"],
        correlation=0.4,
        components=[Noise(kind="t"), AR(phi=[0.7]), RandomWalk(), LevelShift(rate=0.05)],
    )
    short = gen.sample(50, seed=15)
    long = gen.sample(200, seed=15).iloc[:50]
    pd.testing.assert_frame_equal(short, long)


def fleet(entities: int, **overrides) -> sb.TimeSeries:
    """Every random part, per-entity variation, events on some entities and on the whole fleet."""
    params = {
        "freq": "h",
        "entities": entities,
        "channels": ["temp", "load"],
        "correlation": 0.6,
        "components": [
            Trend(level=20, slope=0.01, vary=0.2),
            Seasonality(period=24, amplitude=3, vary=0.3),
            Noise(kind="t", df=4, scale=0.5),
            AR(phi=[0.6, 0.2], scale=0.5, vary=0.1),
            RandomWalk(scale=0.1),
            LevelShift(rate=0.01, scale=2.0),
            LevelShift(at=["2024-01-03"], sizes=[4.0], rate=0.02, shared=True),
        ],
        "anomalies": [
            Anomaly(count=2, length=3, magnitude=5.0),
            Anomaly(kind="dip", count=1, length=4, magnitude=3.0, entities=[e for e in (0, 3, 20, 33) if e < entities]),
        ],
        "missing": [Missing(count=1, length=6), Missing(count=1, length=12, shared=True)],
    }
    params.update(overrides)
    return sb.TimeSeries(**params)


def test_an_entity_is_the_same_however_many_entities_are_made():
    small, big = fleet(5).sample(120, seed=4), fleet(37).sample(120, seed=4)
    for entity in (0, 3, 4):
        pd.testing.assert_frame_equal(
            small[small["entity"] == entity].reset_index(drop=True),
            big[big["entity"] == entity].reset_index(drop=True),
        )
    # Entities are different draws, not copies of each other.
    one = big["temp"].to_numpy().reshape(37, 120)
    assert not np.allclose(one[3], one[20]) and not np.allclose(one[16], one[0])
    # A single series is what the generator made before entity-keyed streams.
    single = fleet(1).sample(120, seed=4)
    assert "entity" not in single.columns
    pd.testing.assert_frame_equal(single, small[small["entity"] == 0].drop(columns="entity").reset_index(drop=True))


@pytest.mark.parametrize("bounds", [[0, 37], [0, 16, 32, 37], [0, 5, 17, 18, 36, 37], [0, 1, 2, 30, 37]])
def test_blocks_of_entities_are_rows_of_the_sample(bounds):
    gen = fleet(37)
    whole = gen.sample(96, seed=8)
    parts = [gen._plan(96, 8, block=(a, b - a)).run()["df"] for a, b in itertools.pairwise(bounds)]
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), whole)


def test_fleet_wide_parts_hit_every_entity_alike():
    gen = fleet(
        20,
        components=[Trend(level=5), LevelShift(rate=0.05, scale=3.0, shared=True), Noise(scale=0.1)],
        anomalies=[Anomaly(count=2, length=3, magnitude=50.0, shared=True)],
        missing=[Missing(count=1, length=6, shared=True)],
    )
    df = gen.sample(200, seed=9)
    gaps = df["temp"].isna().to_numpy().reshape(20, 200)
    labels = df["is_anomaly"].to_numpy().reshape(20, 200)
    assert (gaps == gaps[0]).all() and gaps[0].sum() == 6
    assert (labels == labels[0]).all() and 3 <= labels[0].sum() <= 6
    # The shared jumps are one path for every entity: the entities differ by noise alone.
    values = df["load"].to_numpy().reshape(20, 200)[:, ~gaps[0] & ~labels[0]]
    level = np.median(values, axis=0)
    assert (np.abs(np.diff(level)) > 1.0).sum() >= 3
    assert np.max(np.abs(values - level)) < 1.0
    # Entity-only events fall differently on each entity.
    own = fleet(20).sample(200, seed=9)["temp"].isna().to_numpy().reshape(20, 200)
    assert not (own[:, :] == own[0]).all()


@pytest.mark.parametrize(
    ("freq", "start", "end", "first", "last"),
    [
        ("B", "2024-01-05", None, "2024-01-05", "2024-01-11"),  # Fri, Mon..Thu
        ("15min", "2024-01-01 23:30", None, "2024-01-01 23:30", "2024-01-02 00:30"),
        ("D", None, "2024-12-31", "2024-12-27", "2024-12-31"),
        ("MS", "2024-01-01", None, "2024-01-01", "2024-05-01"),
    ],
)
def test_index_is_a_real_datetime_range(freq, start, end, first, last):
    df = sb.TimeSeries(start=start, end=end, freq=freq, components=[Noise()]).sample(5, seed=0)
    stamps = pd.DatetimeIndex(df["timestamp"])
    assert stamps[0] == pd.Timestamp(first) and stamps[-1] == pd.Timestamp(last)
    assert stamps.equals(pd.date_range(first, periods=5, freq=freq))
    if freq == "B":
        assert stamps.day_of_week.max() <= 4


# -- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "n", "match"),
    [
        ({"freq": "xyz"}, 10, "'freq' parameter of TimeSeries must be a pandas frequency"),
        ({"freq": "M"}, 10, "'freq'"),
        ({"freq": "-1D"}, 10, "'freq' parameter of TimeSeries must step forward"),
        ({"start": None}, 10, "'start' parameter of TimeSeries must be set, or else 'end'"),
        ({"end": "2024-02-01"}, 10, "exactly one"),
        ({"start": "today"}, 10, "'start'.*reproducible"),
        ({"start": "2024-13-45"}, 10, "'start'"),
        ({"freq": "YS"}, 10**6, "'start' parameter of TimeSeries must leave room for 1000000 steps"),
        ({"components": [Seasonality(period=365.25)]}, 100, "'period' parameter of Seasonality must be at most"),
        ({"components": [SeasonalProfile(period=7, values=[1, 2])]}, 100, "'values' parameter of SeasonalProfile"),
        ({"components": [Trend(changepoints=[5])]}, 100, "'slope_changes' parameter of Trend"),
        ({"components": [Trend(changepoints=[500], slope_changes=[1])]}, 100, "'changepoints'.*inside the series"),
        ({"components": [LevelShift(at=[1, 2], sizes=[1])]}, 100, "'sizes' parameter of LevelShift"),
        ({"anomalies": [Anomaly(at=100)]}, 100, "'at' parameter of Anomaly must lie inside the series"),
        ({"anomalies": [Anomaly(at="2023-12-31")]}, 100, "'at' parameter of Anomaly must lie inside"),
        ({"anomalies": [Anomaly(at="2024-01-01 00:00+01:00")]}, 100, "'at'.*timezone"),
        ({"anomalies": [Anomaly(at=95, length=10)]}, 100, "'length' parameter of Anomaly must keep the stretch"),
        ({"anomalies": [Anomaly(count=2, length=200)]}, 100, "'length' parameter of Anomaly must be at most"),
        ({"anomalies": [Anomaly(length=None)]}, 100, "'length' parameter of Anomaly must be an int when 'at'"),
        ({"anomalies": [Anomaly(kind="dip", at=3, magnitude=-2)]}, 100, "'magnitude' parameter of Anomaly"),
        ({"anomalies": [Anomaly(at=3, entities=[1])]}, 100, "'entities' parameter of Anomaly must be entity"),
        ({"missing": [Missing(at=100)]}, 100, "'at' parameter of Missing"),
        ({"channels": ["a", "b"], "correlation": 1.0}, 10, "'correlation'.*positive definite"),
        ({"channels": ["a", "b", "c"], "correlation": -0.6}, 10, "'correlation'.*> -0.5"),
        ({"channels": ["a", "b"], "correlation": [[1.0, 0.5]]}, 10, "'correlation'.*2 x 2"),
        ({"channels": ["a", "b"], "correlation": [[1.0, 0.5], [0.4, 1.0]]}, 10, "'correlation'.*symmetric"),
        ({"channels": ["timestamp"]}, 10, "'channels' parameter of TimeSeries must differ"),
    ],
)
def test_bad_input_raises_a_clear_error(params, n, match):
    gen = sb.TimeSeries(**params)
    with pytest.raises(InvalidParameterError, match=match):
        gen.sample(n, seed=0)
    with pytest.raises(InvalidParameterError, match=match):
        gen.to_code(n, seed=0)


def _component_bad_cases():
    for name, cls in sorted({**COMPONENT_TYPES, "Anomaly": Anomaly, "Missing": Missing}.items()):
        for p in cls.params:
            for bad in bad_values(p.constraint):
                yield pytest.param(cls, p.name, bad, id=f"{name}.{p.name}={bad!r}"[:80])


@pytest.mark.parametrize(("cls", "param", "bad"), list(_component_bad_cases()))
def test_every_component_parameter_rejects_bad_values_by_name(cls, param, bad):
    item = cls().set_params(**{param: bad})
    where = {"Anomaly": "anomalies", "Missing": "missing"}.get(cls.__name__, "components")
    gen = sb.TimeSeries(**{where: [item]})
    with pytest.raises(InvalidParameterError, match=f"'{param}'"):
        gen.sample(20, seed=0)


# -- the fitted variant --------------------------------------------------------------------


def test_fitted_learns_trend_season_and_ar_from_a_series():
    real = example_temperatures()
    gen = sb.FittedTimeSeries(periods=[365.25], harmonics=2).fit(real)
    trend, season, noise = gen.components_
    assert trend.level == pytest.approx(11.0, abs=0.5) and trend.slope == pytest.approx(0.001, abs=0.0008)
    a, b = season.coefficients[0]
    assert np.hypot(a, b) == pytest.approx(8.5, abs=0.4)
    assert noise.phi[0] == pytest.approx(0.7, abs=0.05) and noise.scale == pytest.approx(1.8, abs=0.1)
    assert gen.freq_ == "D" and gen.n_obs_ == len(real)


def test_fitted_samples_have_the_same_profile():
    real = example_temperatures()
    gen = sb.FittedTimeSeries(periods=[365.25], harmonics=2).fit(real)
    fake = gen.sample(len(real), seed=3)
    assert fake["timestamp"].equals(real["timestamp"])
    by_month = [df.groupby(df["timestamp"].dt.month)["temperature"].mean() for df in (real, fake)]
    assert np.abs(by_month[0] - by_month[1]).max() < 2.5
    again = sb.FittedTimeSeries(periods=[365.25], harmonics=2).fit(fake)
    assert again.components_[2].phi[0] == pytest.approx(0.7, abs=0.06)


def test_fitted_handles_gaps_an_index_and_several_entities():
    real = example_temperatures().set_index("timestamp").drop(index=pd.date_range("2021-03-01", periods=20))
    with pytest.raises(DataError, match="pass freq="):
        sb.FittedTimeSeries(time_column=None).fit(real)
    gen = sb.FittedTimeSeries(time_column=None, freq="D", periods=[365.25], entities=3).fit(real)
    assert gen.n_obs_ == 1096 - 20
    df = gen.sample(30, seed=1)
    assert df.columns.tolist() == ["entity", "timestamp", "temperature"] and len(df) == 90


@pytest.mark.parametrize(
    ("data", "params", "error", "match"),
    [
        (pd.DataFrame({"x": [1.0, 2.0, 3.0]}), {}, DataError, "no time column 'timestamp'"),
        (pd.DataFrame({"timestamp": ["2024-01-01"] * 3, "x": [1.0] * 3}), {}, DataError, "must hold datetimes"),
        (example_temperatures().assign(other=1.0), {}, DataError, "Set value_column"),
        (example_temperatures(), {"value_column": "nope"}, DataError, "no value column 'nope'"),
        (example_temperatures().head(400), {"periods": [365.25]}, InvalidParameterError, "'periods'.*twice"),
        (example_temperatures().head(12), {"periods": [5], "harmonics": 2}, DataError, "at least"),
        (example_temperatures().iloc[[0, 1, 3, 4, 7]], {"freq": "2D"}, DataError, "regular '2D' grid"),
        (pd.concat([example_temperatures()] * 2), {}, DataError, "unique"),
        ([1, 2, 3], {}, DataError, "needs a pandas DataFrame"),
    ],
)
def test_fitted_rejects_unusable_data(data, params, error, match):
    with pytest.raises(error, match=match):
        sb.FittedTimeSeries(**params).fit(data)


def test_fitted_needs_fit_and_checks_its_state():
    with pytest.raises(NotFittedError):
        sb.FittedTimeSeries().sample(5, seed=0)
    spec = sb.FittedTimeSeries.example().to_dict()
    spec["state"]["components"][2]["phi"] = [1.5]
    with pytest.raises(SpecError, match="stationary"):
        sb.from_dict(spec)
    spec["state"] = {"freq": "D"}
    with pytest.raises(SpecError, match="keys"):
        sb.from_dict(spec)


def test_fitted_nonstationary_residuals_are_pulled_inside():
    # A pure random walk has a unit-root residual; the fitted AR is kept just stationary.
    walk = np.cumsum(np.random.default_rng(0).standard_normal(500))
    real = pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=500, freq="h"), "v": walk})
    gen = sb.FittedTimeSeries(trend="constant", ar_order=1).fit(real)
    assert 0.9 < gen.components_[-1].phi[0] < 1
    assert np.isfinite(gen.sample(2_000, seed=0)["v"]).all()


# -- exports are plans of kernel calls -------------------------------------------------------


def run_cells(codes: list[str], tmp_path) -> list[pd.DataFrame]:
    """Run several exported cells one after another in one fresh interpreter; their ``df`` each."""
    script = "".join(f"{code}\n_frame_{i} = df\n" for i, code in enumerate(codes))
    script += f"df = pd.DataFrame({{'frame': [{', '.join(f'_frame_{i}' for i in range(len(codes)))}]}})\n"
    return run_code(script, tmp_path)["frame"].tolist()


HOSTILE_NAMES = ['a"""b', "q'\\", "é\u2028ü", "#c", "x\x00y", "'''", "\ttab\u00a0"]


def test_export_is_kernels_and_one_commented_call_per_component():
    code = kitchen_sink().to_code(500, seed=3)
    assert code.count("y = add_") == 10 + 3 and code.count("y = blank(") == 2
    assert "def add_ar(" in code and "import scipy" not in code.split("def ")[0]
    imports = {line for line in code.splitlines() if line.startswith(("import ", "from "))}
    assert imports == {"import numpy as np", "import pandas as pd"}
    # No text from the spec in a comment: the timestamp positions appear as step numbers.
    comments = [line for line in code.splitlines() if line.lstrip().startswith("#")]
    assert not any("2024" in line for line in comments)


@pytest.mark.parametrize("entities", [1, 3])
def test_hostile_column_names_and_dates_export_as_literals(entities, tmp_path):
    gen = sb.TimeSeries(
        start="2024-01-01\n",  # pandas reads it; the cell gets it as a literal
        freq="h",
        entities=entities,
        channels=HOSTILE_NAMES[:4],
        correlation=0.3,
        time_column=HOSTILE_NAMES[4],
        entity_column=HOSTILE_NAMES[5],
        label_column=HOSTILE_NAMES[6],
        components=[Trend(level=1, changepoints=["2024-01-01 05:00\n"], slope_changes=[0.5]), AR(phi=[0.5])],
        anomalies=[Anomaly(at="2024-01-01 03:00\n", length=2), Anomaly(count=2, length=3, kind="dip")],
        missing=[Missing(count=1, length=2)],
        decimals=4,
    )
    df = gen.sample(24, seed=5)
    assert df.columns.tolist()[-5:] == [HOSTILE_NAMES[4], *HOSTILE_NAMES[:4], HOSTILE_NAMES[6]][-5:]
    code = gen.to_code(24, seed=5)
    compile(code, "<cell>", "exec")
    assert all(line.isascii() for line in code.splitlines() if line.lstrip().startswith("#"))
    pd.testing.assert_frame_equal(run_code(code, tmp_path), df, check_exact=True)


@pytest.mark.parametrize("param", ["channels", "time_column", "entity_column", "label_column"])
@pytest.mark.parametrize("name", ["\ud800", "a\nb", "b\r", "", "x" * 201])
def test_column_names_pandas_cannot_store_are_refused(param, name):
    gen = sb.TimeSeries(entities=2, **{param: [name] if param == "channels" else name})
    with pytest.raises(InvalidParameterError, match=f"'{param}'"):
        gen.sample(5, seed=0)


def test_fitted_export_with_hostile_column_names(tmp_path):
    real = example_temperatures().head(200).rename(columns={"timestamp": 'when"""', "temperature": "t\x00'é"})
    gen = sb.FittedTimeSeries(time_column='when"""', periods=[7], entities=2).fit(real)
    code = gen.to_code(30, seed=2)
    assert '\'when"""\'' in code and "when" not in "".join(line for line in code.splitlines() if "#" in line[:2])
    pd.testing.assert_frame_equal(run_code(code, tmp_path), gen.sample(30, seed=2), check_exact=True)


def test_same_seed_same_frame_as_frozen():
    # Values frozen from the entity-keyed streams (a single series is unchanged since the
    # template-based implementation; several entities changed with entity-keyed streams).
    df = kitchen_sink().sample(500, seed=3)
    assert df["load"].iloc[[0, 777, 1999]].tolist() == [13.093, 9.227, 10.469]
    assert int(df["is_anomaly"].sum()) == 445 and int(df["price"].isna().sum()) == 42
    fitted = sb.FittedTimeSeries(periods=[7, 365.25], ar_order=3, entities=3).fit(example_temperatures())
    frozen = [4.013626559172332, 6.402313972027038, 6.312973673264075]
    assert fitted.sample(100, seed=5)["temperature"].iloc[[0, 150, 299]].tolist() == frozen
    one = sb.FittedTimeSeries(periods=[7, 365.25], ar_order=3).fit(example_temperatures())
    assert one.sample(100, seed=5)["temperature"].iloc[[0, 99]].tolist() == [4.013626559172332, 8.830193560216728]
    gen = sb.TimeSeries(
        start=None,
        end="2024-12-31",
        freq="B",
        entities=2,
        components=[AR(phi=[0.0, 0.0]), AR(phi=[0.3, 0.0, 0.2])],
        anomalies=[Anomaly(count=3, length=2)],
    )
    df = gen.sample(60, seed=7)
    assert df["value"].iloc[[0, 61, 119]].tolist() == [2.3530610642505096, 1.7601071143665676, 0.7522810397292956]
    assert int(df["is_anomaly"].sum()) == 11


# -- hostile values: clear errors or correct results ------------------------------------------


SUBNORMAL_PHIS = [[1e-320], [0.5, 5e-324], [5e-324] * 50, [0.0, 0.0]]


@pytest.mark.parametrize("phi", SUBNORMAL_PHIS)
def test_tiny_and_subnormal_ar_coefficients_sample_correctly(phi):
    # Was a LinAlgError (the roots of 1 - 1e-320 z overflow); the companion matrix has none.
    gen = sb.TimeSeries(components=[AR(phi=phi, scale=2.0)])
    x = values(gen, 20_000, seed=1)[0]
    lag1 = phi[0]  # the subnormal coefficients change nothing a float can show
    assert np.isfinite(x).all() and x.std() == pytest.approx(2.0 / np.sqrt(1 - lag1**2), rel=0.03)
    assert autocorr(x, 1) == pytest.approx(lag1, abs=0.03)


def test_tiny_and_subnormal_ar_coefficients_export_exactly(tmp_path):
    gen = sb.TimeSeries(channels=["a", "b"], correlation=0.5, components=[AR(phi=phi) for phi in SUBNORMAL_PHIS])
    pd.testing.assert_frame_equal(run_code(gen.to_code(50, seed=1), tmp_path), gen.sample(50, seed=1))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"freq": "0D"}, "'freq'.*step forward"),
        ({"freq": "-1h"}, "'freq'.*step forward"),
        ({"freq": "1000000000000D"}, "'start'.*exceed pandas' date range"),
        ({"freq": "W-FOO"}, "'freq'.*pandas frequency"),
        ({"freq": "99999999999999999999D"}, "'freq'.*pandas frequency"),
        ({"freq": "h\x00"}, "'freq'.*pandas frequency"),
        ({"freq": "-0h"}, "'freq'.*step forward"),
        ({"freq": "100000000000000000h"}, "'start'.*exceed pandas' date range"),
        ({"start": "2024-01-01\nimport os"}, "'start'"),
        ({"start": "2024-01-01 00:00 Europe/Paris"}, "'start'"),
        ({"start": "2024-01-01 dateutil//etc/passwd"}, "'start'"),
        ({"start": "2024-01-01 00:00+99:00"}, "'start'"),
        ({"start": "tomorrow"}, "'start'"),
        ({"start": " nat"}, "'start'.*reproducible"),
        ({"anomalies": [Anomaly(at="2024-01-05 Europe/Paris")]}, "'at' parameter of Anomaly"),
        ({"anomalies": [Anomaly(at="1600-01-01")]}, "'at' parameter of Anomaly must lie inside"),
        ({"components": [Trend(level=1e308, slope=1e308)]}, "'components'.*float64's range"),
        ({"components": [Trend(level=1.7e308), Trend(level=1.7e308)]}, "'components'.*float64's range"),
        ({"components": [Noise(scale=1e300)]}, "'components'.*float64's range"),
        ({"components": [SeasonalProfile(period=3, values=[1e308, -1e308, 0])]}, "'components'.*float64's range"),
        ({"components": [Fourier(period=50, coefficients=[[1e300, 1e300]] * 100)]}, "'components'.*float64"),
        ({"components": [LevelShift(rate=1.0, scale=1e300)]}, "'components'.*float64's range"),
        ({"components": [Trend(level=1e299, vary=5)]}, "'components'.*float64's range"),
        ({"components": [AR(phi=[0.02] * 50)]}, "'phi' parameter of AR must describe a stationary"),
        ({"components": [AR(phi=[0.9999999999])]}, "'phi' parameter of AR must describe a stationary"),
        ({"components": [Noise(kind="t", df=1e-300)]}, "'df' parameter of Noise"),
        ({"anomalies": [Anomaly(magnitude=1e308), Anomaly(magnitude=1e308)]}, "float64's range"),
    ],
)
def test_hostile_values_raise_a_clear_error(params, match):
    gen = sb.TimeSeries(**params)
    for call in (lambda: gen.sample(100, seed=0), lambda: gen.to_code(100, seed=0)):
        with pytest.raises(InvalidParameterError, match=match):
            call()


def test_unusual_but_valid_frequencies_export_exactly(tmp_path):
    gens = [
        sb.TimeSeries(freq=freq, components=[Noise()])
        for freq in ["D\n", " D", "C", "CBMS", "bh", "1D1h", "ns", "1000000D"]
    ]
    frames = [gen.sample(10, seed=0) for gen in gens]
    assert all(df["timestamp"].is_monotonic_increasing and len(df) == 10 for df in frames)
    for got, df in zip(run_cells([gen.to_code(10, seed=0) for gen in gens], tmp_path), frames):
        pd.testing.assert_frame_equal(got, df, check_exact=True)


def test_many_long_random_stretches_take_memory_of_the_series_not_of_count_times_length():
    # Counted with the old (entities x count x length) index arrays this needed ~140 GB.
    gen = sb.TimeSeries(
        entities=100, missing=[Missing(count=100_000, length=900)], anomalies=[Anomaly(count=1_000, length=500)]
    )
    assert gen._estimate_bytes(1_000) < 2**30
    df = gen.sample(1_000, seed=0)
    assert df["value"].isna().all() and df["is_anomaly"].mean() > 0.95


def test_random_stretches_match_a_direct_mask():
    from synthbench.kernels.timeseries import random_stream, stretches

    for count, length in ((3, 7), (40, 30)):  # few cells (marked directly) and many (counted)
        hit = stretches(6, 50, entities=[1, 4, 5], length=length, count=count, stream=[9, 1])
        # Entity-keyed: entity e's starts follow those of the entities before it in its group.
        starts = random_stream([9, 1], 0).integers(0, 50 - length + 1, size=(6, count))
        expected = np.zeros((6, 50), dtype=bool)
        for entity in [1, 4, 5]:
            for s in starts[entity]:
                expected[entity, s : s + length] = True
        assert np.array_equal(hit, expected)
        # A block of entities 4 and 5 alone marks the same cells.
        assert np.array_equal(stretches(2, 50, 4, [1, 4, 5], length=length, count=count, stream=[9, 1]), hit[4:])


@pytest.mark.parametrize(
    ("spec", "n"),
    [
        # The 182-byte spec class: a large Missing count over many entities.
        ({"entities": 1_000_000, "missing": [{"type": "Missing", "count": 100_000, "length": 1}]}, 10),
        ({"entities": 1_000_000, "channels": [f"c{i}" for i in range(100)]}, 100_000),
        ({"components": [{"type": "AR", "phi": [0.999]}], "entities": 1_000_000}, 10),
    ],
)
def test_memory_estimate_sees_every_parameter_that_scales(spec, n):
    gen = sb.from_dict({"synthbench_spec": 1, "generator": "TimeSeries", "params": spec})
    assert gen._estimate_bytes(n) > 5 * 10**10  # refused by the generators' memory limit


def test_estimate_grows_with_steps_entities_and_channels():
    small = sb.TimeSeries(components=[AR(phi=[0.5]), Noise()])
    big = sb.TimeSeries(entities=10, channels=["a", "b"], components=[AR(phi=[0.5]), Noise()])
    assert big._estimate_bytes(1_000) >= 10 * small._estimate_bytes(1_000)
    assert small._estimate_bytes(10**12) > 10**13
    assert sb.FittedTimeSeries.example()._estimate_bytes(10**9) > 10**10


# -- hostile data for the fitted variant ---------------------------------------------------------


def _three_days() -> pd.DataFrame:
    return pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=3, freq="D"), "v": [1.0, 2.0, 3.0]})


@pytest.mark.parametrize("freq", ["ns", "us"])
def test_fitted_tiny_freq_is_refused_before_any_grid_is_built(freq):
    with pytest.raises(InvalidParameterError, match=r"'freq' parameter of FittedTimeSeries must give at most"):
        sb.FittedTimeSeries(freq=freq).fit(_three_days())


@pytest.mark.parametrize(
    ("frame", "params", "match"),
    [
        (_three_days(), {"freq": "1000000000000D"}, "within pandas' date range"),
        (_three_days().rename(columns={"v": "a\nb"}), {}, "value column's name must be"),
        (_three_days().rename(columns={"v": 1}), {}, "value column's name must be"),
        (example_temperatures().assign(temperature=lambda d: d["temperature"] * 1e149), {}, "beyond"),
        (example_temperatures().assign(temperature=1e308 * 10), {}, "infinite"),
        (pd.concat([_three_days(), _three_days()[["v"]]], axis=1), {}, "must be unique"),
        (_three_days().set_axis(["v", "v"], axis=1), {"time_column": "v"}, "must be unique"),
        (_three_days().assign(v=lambda d: d["v"] + 1j), {"value_column": "v"}, "must be numeric"),
    ],
)
def test_fitted_hostile_data_raises_a_clear_error(frame, params, match):
    with pytest.raises(DataError, match=match):
        sb.FittedTimeSeries(**params).fit(frame)


def test_fitted_state_that_would_overflow_is_refused_on_load():
    spec = sb.FittedTimeSeries.example().to_dict()
    spec["state"]["components"][0]["level"] = 1.7e308
    spec["state"]["components"][0]["slope"] = 1.7e308
    with pytest.raises(SpecError, match="float64's range"):
        sb.from_dict(spec)


def test_fitted_design_matrix_is_bounded_before_it_is_made():
    real = pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=3_000_000, freq="min"), "v": 0.0})
    gen = sb.FittedTimeSeries(periods=[float(p) for p in range(100, 2_000, 100)], harmonics=50, ar_order=20)
    with pytest.raises(InvalidParameterError, match=r"'harmonics'.*GiB"):
        gen.fit(real)


# -- the index is not made to compile a plan ----------------------------------------------------


@pytest.mark.parametrize("freq", ["D", "h", "15min", "B", "W-WED", "MS", "bh", "1D1h"])
@pytest.mark.parametrize(("start", "end"), [("2024-01-06 13:17", None), (None, "2024-12-29 05:00-05:00")])
def test_timestamp_positions_are_the_first_step_at_or_after_them(freq, start, end):
    gen = sb.TimeSeries(start=start, end=end, freq=freq, components=[Noise()])
    index = pd.date_range(start=start, end=end, periods=200, freq=freq)
    stamps = [index[0], index[-1], index[57], *(index[0] + (index[-1] - index[0]) * f for f in (0.013, 0.5, 0.77))]
    for stamp in stamps:
        plan = gen.set_params(anomalies=[Anomaly(at=stamp.isoformat())])._plan(200, seed=0)
        assert plan.steps[-2].kwargs["start"] == index.searchsorted(stamp)


def test_a_fixed_step_series_is_placed_without_making_its_index():
    from synthbench.generators.timeseries.components import Context

    gen = sb.TimeSeries(freq="ns", components=[Noise()])
    first, last, step, index = gen._span(10**12)  # 8 TB as an index; four numbers here
    assert index is None and last - first == pd.Timedelta(10**12 - 1, "ns")
    ctx = Context(10**12, 1, 0, first, last, step, None, None)
    assert ctx.position(Anomaly(), "at", "2024-01-01 00:00:01") == 10**9
    # Memory enough, so the work bound is the one that refuses: the cell would run for days.
    with sb.config_context(max_bytes=2**62), pytest.raises(InvalidParameterError, match="element operations"):
        gen.to_code(10**12, seed=0)


def test_a_calendar_index_built_step_by_step_is_bounded():
    gen = sb.TimeSeries(freq="MS")
    with pytest.raises(InvalidParameterError, match=r"'freq'.*fixed step.*1,000,000 steps"):
        gen.sample(2_000_000, seed=0)
    assert len(sb.TimeSeries(freq="B").sample(2_000_000, seed=0)) == 2_000_000  # vectorised by pandas


@pytest.mark.parametrize(("start", "freq", "n"), [("1000-01-01", "YS", 1_000), ("1000-01-01", "D", 400_000)])
def test_fitted_spans_beyond_nanosecond_range(start, freq, n):
    # Spans over 292 years do not fit a Timedelta in nanoseconds; the grid estimate must not need one.
    times = pd.date_range(start, periods=n, freq=freq, unit="s")
    real = pd.DataFrame({"timestamp": times, "v": np.random.default_rng(0).standard_normal(n)})
    gen = sb.FittedTimeSeries(freq=freq).fit(real)
    assert gen.sample(3, seed=0)["timestamp"].tolist() == times[:3].tolist()


@pytest.mark.parametrize(
    "params",
    [
        {"entities": 1_000, "anomalies": [Anomaly(count=100_000, length=1)] * 1_000},
        {"entities": 10_000, "components": [Noise()] * 200},
    ],
)
def test_work_that_would_take_minutes_is_refused_up_front(params):
    with pytest.raises(InvalidParameterError, match=r"element operations.*over the limit"):
        sb.TimeSeries(**params).sample(1_000, seed=0)


# -- streaming fleets (the invariance tests shared with Schema are in tests/test_scale.py) -------


def test_files_hold_whole_series_even_when_rows_per_file_is_smaller(tmp_path):
    gen = fleet(5)
    path = gen.to_parquet(tmp_path / "fleet", 120, seed=3, rows_per_file=50, progress=False)
    files = sorted(path.glob("part-*.parquet"))
    assert len(files) == 5  # one series (120 rows) per file, never half of one
    assert [pd.read_parquet(f)["entity"].unique().tolist() for f in files] == [[e] for e in range(5)]
    pd.testing.assert_frame_equal(pd.read_parquet(path), gen.sample(120, seed=3))
    two = gen.to_parquet(tmp_path / "two", 120, seed=3, rows_per_file=300, progress=False)
    assert [len(pd.read_parquet(f)) for f in sorted(two.glob("part-*.parquet"))] == [240, 240, 120]
    back = pd.read_parquet(path, filters=[("entity", "==", 3)])
    pd.testing.assert_frame_equal(back, fleet(5).sample(120, seed=3).query("entity == 3").reset_index(drop=True))


def test_cli_streams_a_fleet_in_files_of_whole_series(tmp_path, capsys):
    from synthbench.cli import main

    spec = tmp_path / "fleet.json"
    spec.write_text(json.dumps(fleet(40).to_dict()))
    out = tmp_path / "fleet.parquet"
    args = ["generate", str(spec), "-n", "100", "-o", str(out), "--seed", "2", "--rows-per-file", "1000"]
    assert main(args) == 0
    assert "wrote 4,000 rows in 4 Parquet file(s)" in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_parquet(out), fleet(40).sample(100, seed=2))


def test_a_fleet_too_big_for_memory_streams_within_the_limit(tmp_path):
    from synthbench.exceptions import ResourceLimitError

    gen = sb.TimeSeries(entities=100_000, components=[Trend(level=1.0), Noise()])
    with sb.config_context(max_bytes=64 * 2**20):
        with pytest.raises(ResourceLimitError, match=r"Stream the rows to disk instead.*TimeSeries\.to_parquet"):
            gen.sample(365, seed=0)
        with pytest.raises(ResourceLimitError, match="lower rows_per_file"):
            gen.to_parquet(tmp_path / "x", 365, seed=0, rows_per_file=10**8, progress=False)
        # Files of about 180 series: memory is one file and one block, whatever the fleet size.
        small = sb.TimeSeries(entities=1_000, components=[Trend(level=1.0), Noise()])
        path = small.to_parquet(tmp_path / "ok", 365, seed=0, rows_per_file=65_536, progress=False)
    assert len(pd.read_parquet(path)) == 365_000


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"entities": 10**9}, r"'entities' parameter of TimeSeries must be an int in the range \[1, 1000000\]"),
        ({"entities": 0}, r"'entities' parameter of TimeSeries must be an int in the range \[1, 1000000\]"),
        ({"components": [Noise(scale=float("nan"))]}, r"'scale' parameter of Noise"),
        ({"components": [Trend(level=float("nan"))]}, r"'level' parameter of Trend"),
    ],
)
def test_hostile_fleets_are_refused_by_name(params, match, tmp_path):
    gen = sb.TimeSeries(**params)
    for call in (lambda: gen.sample(10, seed=0), lambda: gen.to_parquet(tmp_path / "x", 10, progress=False)):
        with pytest.raises(InvalidParameterError, match=match):
            call()
    with pytest.raises(InvalidParameterError, match=r"'n' parameter of TimeSeries\.to_parquet"):
        sb.TimeSeries().to_parquet(tmp_path / "x", 0, progress=False)
    assert list(tmp_path.iterdir()) == []


# -- the fleet chart: a band, a mean and a few entities, aggregated before Altair ---------------


def test_fleet_summary_matches_a_direct_computation():
    from synthbench.generators.timeseries.summary import fleet_summary

    df = fleet(30).sample(60, seed=6)
    bands, lines = fleet_summary(df, "timestamp", "entity", "temp", max_points=100)
    values = df["temp"].to_numpy().reshape(30, 60)
    # Fewer timestamps than buckets: one bucket per timestamp; the shared gap's steps have no value.
    assert len(bands) == 60 and int(bands["mean"].isna().sum()) == 12 == int(np.isnan(values).all(axis=0).sum())
    stamps = df["timestamp"].iloc[:60].reset_index(drop=True)
    for step in np.flatnonzero((~np.isnan(values)).any(axis=0))[[0, 20, -1]]:
        column = values[:, step][~np.isnan(values[:, step])]
        row = bands.set_index("time").loc[stamps[step]]
        assert row["mean"] == pytest.approx(column.mean())
        assert row["low"] == np.quantile(column, 0.05, method="lower")
        assert row["high"] == np.quantile(column, 0.95, method="lower")
    assert sorted(lines["series"].unique()) == ["entity 0", "entity 14", "entity 29", "mean"]
    one = lines[lines["series"] == "entity 14"]["value"].to_numpy()
    assert np.allclose(one, values[14], equal_nan=True)


def test_a_fleet_panel_draws_a_band_a_mean_and_three_entities_in_a_few_hundred_points():
    pytest.importorskip("ipywidgets")
    from synthbench.widgets import panel

    gen = sb.TimeSeries(
        freq="h", entities=400, components=[Trend(level=20, vary=0.2), Seasonality(period=24, amplitude=3), Noise()]
    )
    p = panel(gen, n=500, debounce=0)  # 200,000 rows
    spec = p.spec  # the Vega-Lite dict the chart widget draws
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["area", "line"]
    points = sum(len(rows) for rows in spec["datasets"].values())
    assert points <= 300 + 4 * 300
    lines = next(rows for rows in spec["datasets"].values() if "series" in rows[0])
    assert {r["series"] for r in lines} == {"synthetic mean", "entity 0", "entity 200", "entity 399"}
    # One series keeps the plain line chart.
    assert panel(sb.TimeSeries.example(), n=200, debounce=0).spec["mark"]["type"] == "line"
    assert p.chart.to_dict()["layer"]  # and it converts to an Altair chart
