"""The privacy knob's trade-off: ``privacy_tradeoff``, its chart and the Privacy tab's button."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import synthbench as sb
from synthbench.charts import tradeoff_chart, tradeoff_spec
from synthbench.data import load_penguins
from synthbench.evaluate.privacy_tradeoff import (
    TRADEOFF_SCORES,
    epsilon_tradeoff,
    privacy_knob,
    privacy_tradeoff,
)
from synthbench.exceptions import DataError, InvalidParameterError
from synthbench.registry import list_generators


def _wine() -> pd.DataFrame:
    from sklearn.datasets import load_wine

    wine = load_wine(as_frame=True).frame
    wine["target"] = wine["target"].map({0: "a", 1: "b", 2: "c"}).astype("str")
    return wine


def test_every_declared_knob_is_a_parameter_with_valid_values():
    declared = 0
    for name in list_generators():
        cls = sb.get_generator(name)
        knob = privacy_knob(cls)
        if knob is None:
            continue
        declared += 1
        param, values = knob
        assert param in cls().get_params(), name
        assert len(values) >= 2, name
        for value in values:
            cls(**{param: value}).validate()
    assert declared >= 3  # the copula, CART and the mixture at least
    assert privacy_knob(sb.CART)[0] == "min_samples_leaf"
    assert privacy_knob(sb.GaussianMixture)[0] == "n_components"


def test_larger_cart_leaves_copy_less_on_real_tables():
    # Averaged over two real tables and two seeds: leaf 1 copies (DCR share well above 0.5),
    # leaf 100 does not, and the shares fall (nearly) monotonically in between.
    shares = []
    for data in (load_penguins(), _wine()):
        for seed in (0, 1):
            out = privacy_tradeoff(data, sb.CART(), values=[1, 5, 20, 100], n_attacks=200, seed=seed)
            assert (out["error"] == "").all()
            assert list(out.columns[:3]) == ["label", "param", "value"]
            assert set(TRADEOFF_SCORES) <= set(out.columns)
            assert ((out["dcr_low"] <= out["dcr_share"]) & (out["dcr_share"] <= out["dcr_high"])).all()
            shares.append(out["dcr_share"].to_numpy())
    mean = np.mean(shares, axis=0)
    assert mean[0] > 0.9 and mean[-1] < 0.65, mean
    assert mean[0] - mean[-1] > 0.3
    assert all(b <= a + 0.05 for a, b in itertools.pairwise(mean)), mean  # monotone up to noise


def test_tradeoff_is_deterministic_and_reports_the_ceiling():
    data = load_penguins()
    a = privacy_tradeoff(data, sb.GaussianMixture(), values=[1, 3], n_attacks=100, seed=4)
    b = privacy_tradeoff(data, sb.GaussianMixture(), values=[1, 3], n_attacks=100, seed=4)
    cols = [c for c in a.columns if "seconds" not in c]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert a["ceiling"].nunique() == 1 and 0.5 < a["ceiling"].iloc[0] <= 1  # one split: one ceiling
    assert a["value"].tolist() == [1, 3] and a["label"].tolist() == ["n_components=1", "n_components=3"]


def test_copula_knob_shows_a_copied_name_column():
    rng = np.random.default_rng(0)
    n = 120
    first = np.array(["Ada", "Bo", "Cy", "Dee", "Eve", "Flo", "Gus", "Hal"])
    names = [f"{rng.choice(first)} {rng.choice(first)}son-{i}" for i in range(n)]
    data = pd.DataFrame({"name": names, "x": rng.normal(size=n).round(2), "g": rng.choice(list("ab"), n)})
    out = privacy_tradeoff(data, sb.GaussianCopula(), n_attacks=100).set_index("value")
    assert list(out.index) == ["copy", "generate"]
    assert out.loc["copy", "dcr_share"] > out.loc["generate", "dcr_share"]


def test_hostile_input_gets_clear_errors():
    data = load_penguins()
    with pytest.raises(InvalidParameterError, match=r"cannot try min_samples_leaf=0.*min_samples_leaf"):
        privacy_tradeoff(data, sb.CART(), values=[5, 0])
    with pytest.raises(InvalidParameterError, match="cannot try n_components='many'"):
        privacy_tradeoff(data, sb.GaussianMixture(), values=["many"])
    with pytest.raises(InvalidParameterError, match="must be a parameter of CART"):
        privacy_tradeoff(data, sb.CART(), param="leaf\n'size", values=[1])
    with pytest.raises(InvalidParameterError, match="'values' parameter"):
        privacy_tradeoff(data, sb.CART(), values="1, 5")
    with pytest.raises(InvalidParameterError, match="'values' parameter"):
        privacy_tradeoff(data, sb.CART(), values=[])
    with pytest.raises(InvalidParameterError, match="is needed to vary"):
        privacy_tradeoff(data, sb.CART(), param="max_depth")
    with pytest.raises(InvalidParameterError, match="learns from data"):
        privacy_tradeoff(data, sb.Moons())
    with pytest.raises(InvalidParameterError, match="learns from data"):
        privacy_tradeoff(data, "CART")
    with pytest.raises(DataError, match=r"at least 20 row"):
        privacy_tradeoff(data.head(7), sb.CART())
    with pytest.raises(DataError):
        privacy_tradeoff(pd.DataFrame(), sb.CART())
    with pytest.raises(InvalidParameterError, match="seed"):
        privacy_tradeoff(data, sb.CART(), seed=-1)


def test_data_the_generator_refuses_gives_its_message_per_value():
    # CART refuses an all-missing column: each fit's DataError lands in ``error``, scores NaN.
    data = load_penguins()[["species", "bill_length_mm", "sex"]].copy()
    data["bill_length_mm"] = np.nan
    out = privacy_tradeoff(data, sb.CART(), values=[1, 50], n_attacks=50)
    assert len(out) == 2 and out["error"].str.contains("every value").all()
    assert out["dcr_share"].isna().all()


def test_epsilon_tradeoff_keeps_its_columns():
    pytest.importorskip("mbi")
    out = epsilon_tradeoff(
        load_penguins()[["species", "island", "sex"]], sb.PrivateMST(iters=50), epsilons=[1.0], target="sex"
    )
    assert list(out.columns) == [
        "label",
        "epsilon",
        "quality",
        "tstr_accuracy",
        "trtr_accuracy",
        "fit_seconds",
        "fit_cpu_seconds",
        "error",
    ]
    assert out["label"].tolist() == ["epsilon 1", "no DP"] and np.isnan(out["epsilon"].iloc[1])
    assert out["epsilon"].dtype == np.float64 and (out["error"] == "").all()


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "param": "min_samples_leaf",
            "value": [1, 20, 100],
            "quality": [0.92, 0.91, 0.8],
            "ceiling": 0.88,
            "dcr_share": [1.0, 0.6, 0.52],
            "dcr_low": [0.98, 0.52, 0.45],
            "dcr_high": [1.0, 0.67, 0.6],
        }
    )


def test_chart_has_its_legend_the_50_percent_rule_and_the_knob_in_order():
    spec = tradeoff_spec(_table(), current=20)
    rules = [layer for layer in spec["layer"] if layer["mark"]["type"] == "rule" and "y2" not in layer["encoding"]]
    assert {"y": 0.5} in rules[0]["data"]["values"]
    lines = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "line")
    colour = lines["encoding"]["color"]
    assert colour["legend"] is not None and colour["legend"]["orient"] == "bottom"
    assert colour["scale"]["domain"][0] == "quality score" and "DCR share" in colour["scale"]["domain"][2]
    assert lines["encoding"]["x"]["sort"] == ["1", "20", "100"]
    assert lines["encoding"]["x"]["title"].startswith("min_samples_leaf")
    assert any(layer.get("data", {}).get("values") == [{"value": "20"}] for layer in spec["layer"])
    assert tradeoff_chart(_table()).to_dict()["layer"][2]["mark"]["type"] == "line"
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(spec)
    assert "50%" in svg and "DCR share" in svg and "quality score" in svg


def test_chart_refuses_tables_it_cannot_draw():
    with pytest.raises(DataError, match="missing"):
        tradeoff_spec(_table().drop(columns="dcr_share"))
    with pytest.raises(DataError, match="no rows"):
        tradeoff_spec(_table().iloc[:0])
    with pytest.raises(InvalidParameterError, match="width"):
        tradeoff_spec(_table(), width=10)


def test_privacy_tab_button_draws_the_tradeoff_once():
    pytest.importorskip("ipywidgets")
    from synthbench.widgets import panel

    data = load_penguins()[["species", "island", "bill_length_mm", "body_mass_g", "sex"]]
    p = panel(sb.CART(min_samples_leaf=20), data, debounce=0)
    tab = p.privacy_tab
    assert tab.tradeoff_button.description == "Show the trade-off"
    assert tab.tradeoff_button in tab.widget.children and tab.tradeoff_box.value == ""
    seen = []
    tab.tradeoff_progress.observe(lambda c: seen.append(c["new"]), names="value")
    tab.tradeoff_button.click()  # the button's own handler, as a click in the browser runs it
    table = tab.tradeoff
    assert table is not None and table["value"].tolist() == [1, 5, 20, 50, 100]
    assert seen[-1] == 1.0 and len(seen) >= 5  # progress moved once per fit
    assert tab.tradeoff_progress.layout.display == "none" and not tab.tradeoff_button.disabled
    assert "data-points='5'" in tab.tradeoff_box.value and "<svg" in tab.tradeoff_box.value
    assert "min_samples_leaf" in tab.tradeoff_status.value
    # Cached per data, other parameters and seed: a second click recomputes nothing ...
    assert tab.show_tradeoff() is table
    # ... the knob's own value does not change the key (the grey bar moves) ...
    p.set(min_samples_leaf=50)
    assert tab.show_tradeoff() is table
    # ... another parameter does.
    p.set(smoothing="density")
    assert tab.show_tradeoff() is not table


def test_privacy_tab_shows_errors_inline():
    pytest.importorskip("ipywidgets")
    from synthbench.widgets import panel

    p = panel(sb.CART(), load_penguins().head(12), debounce=0)
    assert p.privacy_tab.show_tradeoff() is None
    assert "synthbench-error" in p.privacy_tab.tradeoff_status.value
    assert "at least 20 row" in p.privacy_tab.tradeoff_status.value
    assert not p.privacy_tab.tradeoff_button.disabled


def test_privacy_tab_marks_the_mixtures_auto_components():
    pytest.importorskip("ipywidgets")
    from synthbench.widgets import panel

    data = load_penguins()[["species", "bill_length_mm", "body_mass_g"]]
    p = panel(sb.GaussianMixture(), data, debounce=0)
    table = p.privacy_tab.show_tradeoff()
    assert table["value"].tolist() == [1, 2, 3, 5, 10]
    assert "('auto': 3 here)" in p.privacy_tab.tradeoff_status.value  # 172 training rows: 3 components
