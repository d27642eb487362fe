"""Panel logic in plain Python (no browser): controls, preview, charts, errors, export."""

from __future__ import annotations

import html
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_iris, load_wine

import synthbench as sb
from synthbench.generators.timeseries.components import Fourier
from synthbench.params import Bool, Float, Int, Options, Param, Str
from synthbench.widgets import (
    BalancePanel,
    Panel,
    SchemaPanel,
    TimeSeriesPanel,
    Workbench,
    control_for,
    current_panel,
    frame_hash,
    panel,
)
from tests.helpers import run_code

pytest.importorskip("ipywidgets")


def _chart_rows(p: Panel) -> list:
    spec = p.chart.to_dict()
    return [row for rows in spec["datasets"].values() for row in rows]


@pytest.mark.parametrize(
    ("param", "value", "kind", "cls"),
    [
        (Param("k", Int(1, 50), 5), 5, "slider", "IntSlider"),
        (Param("k", Int(0, None), 5), 5, "int", "Text"),
        (Param("x", Float(0, 1), 0.5), 0.5, "slider", "FloatSlider"),
        (Param("x", Float(), 0.5), 0.5, "float", "Text"),
        (Param("m", Options(("a", "b")), "a"), "a", "dropdown", "Dropdown"),
        (Param("b", Bool(), True), True, "checkbox", "Checkbox"),
        (Param("s", Str(), "y"), "y", "text", "Text"),
        (sb.Moons.param("noise"), None, "optional float", "HBox"),
        (sb.Moons.param("noise"), 0.25, "optional float", "HBox"),
        (sb.Classification.param("weights"), None, "optional list", "HBox"),
        (sb.Schema.param("constraints"), (), "list", "Textarea"),
        (sb.Schema.param("constraints"), ("a\nb",), "json", "Textarea"),  # a line break inside: JSON text
        (Fourier.param("coefficients"), ((1.0, 0.0),), "json", "Textarea"),
    ],
)
def test_controls_follow_declarations(param, value, kind, cls):
    control = control_for(param, value)
    assert control.kind == kind
    assert type(control.widget).__name__ == cls
    assert control.read() == value


def test_json_control_reads_with_the_declaration():
    control = control_for(Fourier.param("coefficients"), ((1.0, 0.0),), owner="Fourier")
    assert control.kind == "json" and control.read() == ((1.0, 0.0),)
    control.input.value = "[[0.5, 0.5], [0.1, 0.0]]"
    assert control.read() == ((0.5, 0.5), (0.1, 0.0))
    control.input.value = "[[0.9,"
    with pytest.raises(sb.exceptions.InvalidParameterError, match="'coefficients' parameter of Fourier must be JSON"):
        control.read()


def test_lists_of_names_and_numbers_are_plain_text():
    control = control_for(sb.Classification.param("weights"), None, owner="Classification")
    assert control.read() is None and control.input.value == ""  # None ticked, nothing to read
    control.inputs[-1].value = False
    control.input.value = "0.9, 0.1"
    assert control.read() == (0.9, 0.1)
    control.input.value = "0.9, lots"
    with pytest.raises(sb.exceptions.InvalidParameterError, match="'weights' parameter of Classification"):
        control.read()
    p = panel(sb.TimeSeries.example(), n=50, debounce=0)
    p.controls["channels"].input.value = "temperature\nhumidity"  # one name per line
    assert p.generator.channels == ("temperature", "humidity") and "humidity" in p.frame.columns
    p.controls["channels"].input.value = "a\na"  # not distinct: refused, the text shows the held names
    assert "channels" in p.error and p.controls["channels"].input.value == "temperature\nhumidity"


def test_every_registered_generator_gets_a_panel():
    for name in sb.list_generators():
        if name == "Regression":  # 100 features by default: covered by the benchmark
            continue
        p = panel(name, n=200, debounce=0)
        assert p.error == "", name
        assert p.chart is not None, name
        declared = {q.name for q in type(p.generator).params} - {"columns"}
        assert declared == set(p.controls), name


def test_changing_a_control_changes_params_preview_and_chart():
    p = panel(sb.Moons(noise=0.05), n=300, seed=3, debounce=0)
    assert p.labels == ("synthetic",)  # no real data: the sample alone, no identical "start" bars
    assert {r["source"] for r in _chart_rows(p)} == {"synthetic"}
    before_preview, before_rows, before_version = p.preview.value, _chart_rows(p), p.version
    p.controls["noise"].input.value = "0.4"  # what typing into the control does
    assert p.generator.noise == 0.4
    assert p.preview.value != before_preview
    assert _chart_rows(p) != before_rows
    assert p.version == before_version + 1
    assert frame_hash(p.frame) == frame_hash(sb.Moons(noise=0.4).sample(300, seed=3))
    assert f'data-hash="{frame_hash(p.frame)}"' in p.status.value
    visible = p.status.value.split(">", 1)[1]  # plain words on screen; the fingerprint is in the tooltip
    assert visible.startswith("Sample of 300 rows and 3 columns") and " ms" not in visible


def test_one_chart_widget_is_reused():
    p = panel(sb.Blobs(), n=200, debounce=0)
    widget = p._chart_widget
    p.controls["cluster_std"].widget.value = "2.5"
    assert p._chart_widget is widget
    assert p.chart_out.children == (p.width_probe, widget)
    assert widget.spec is p.spec and p.spec == p.build_spec()
    assert {r["source"] for rows in p.spec["datasets"].values() for r in rows} == {"synthetic"}


def test_bad_value_keeps_last_good_preview():
    p = panel(sb.Classification(n_features=6), n=200, debounce=0)
    good_preview, good_frame, good_code = p.preview.value, p.frame, p.code
    p.controls["n_informative"].widget.value = "50"  # more informative features than features
    assert "n_informative" in p.error
    assert "synthbench-error" in p.error_box.value
    assert p.preview.value == good_preview and p.frame is good_frame
    assert p.generator.n_informative == 2 and p.code == good_code  # last good params restored
    p.controls["n_informative"].widget.value = "3"
    assert p.error == "" and p.error_box.value == ""
    assert p.generator.n_informative == 3


def test_unparsable_text_shows_error_without_resampling():
    p = panel(sb.Moons(noise=0.1), n=100, debounce=0)
    version = p.version
    p.controls["noise"].input.value = "lots"
    assert "'noise' parameter of Moons must be a finite number. Got 'lots'" in p.error
    assert p.controls["noise"].input.value == "0.1"  # the control shows what the generator holds
    assert p.version == version


def test_export_equals_to_code(tmp_path):
    p = panel(sb.Circles(), n=123, seed=7, debounce=0)
    p.set(factor=0.3)
    assert p.code == sb.Circles(factor=0.3).to_code(123, seed=7)
    cell = p.export()  # outside IPython nothing is inserted
    assert cell.code == str(cell) == p.code and not cell.inserted
    assert len(repr(cell)) < 100 and "\n" not in repr(cell)  # one short line, never the escaped code
    namespace: dict = {}
    exec(p.code, namespace)
    pd.testing.assert_frame_equal(namespace["df"], p.frame)
    assert current_panel() is p
    p.seed_box.value = 8
    assert p.code == sb.Circles(factor=0.3).to_code(123, seed=8)


def test_spec_save_load_and_csv(tmp_path):
    p = panel(sb.Moons(noise=0.2), n=50, debounce=0)
    path = p.save_spec(tmp_path / "moons.json")
    assert json.loads(path.read_text())["params"]["noise"] == 0.2
    p.set(noise=0.5)
    assert p.load_spec(path) and p.generator.noise == 0.2
    assert p.controls["noise"].input.value == "0.2"
    assert 'download="moons.csv"' in p.csv_link()
    assert 'download="moons.parquet"' in p.csv_link(fmt="parquet")
    assert p.code_box.value == ""  # the code is written when the Export tab opens
    p.tabs.selected_index = 2
    assert "synthbench-copy" in p.code_box.value
    p.set(noise=0.3)  # with the tab open the code follows every change
    assert html.escape(sb.Moons(noise=0.3).to_code(50, seed=0)) in p.code_box.value
    (tmp_path / "other.json").write_text(json.dumps(sb.Blobs().to_dict()))
    with pytest.raises(sb.exceptions.InvalidParameterError, match="for Blobs"):
        p.load_spec(tmp_path / "other.json")


def test_fitted_panel_fits_the_real_frame_and_scores():
    real = load_iris(as_frame=True).frame
    p = panel(sb.GaussianCopula(), real, n=150, debounce=0)
    assert p.labels == ("real", "synthetic")
    assert "quality score" in p.score_box.value
    assert p.report.n_real == 150
    p.controls["n_knots"].widget.value = "3"
    assert p.generator.n_knots == 3
    assert p.generator.is_fitted
    namespace: dict = {}
    exec(p.code, namespace)
    pd.testing.assert_frame_equal(namespace["df"], p.frame)


def test_balance_panel_shows_class_counts():
    real = load_wine(as_frame=True).frame
    p = panel(sb.Balance(target="target", method="random_over"), real, debounce=0)
    assert isinstance(p, BalancePanel)
    spec = p.chart.to_dict()
    assert any(c.get("encoding", {}).get("xOffset", {}).get("field") == "when" for c in spec["vconcat"])
    assert p.data_name is None  # not a notebook variable: the cell says what to define
    assert p.code.startswith("# Define `df_real` first")
    p.set(method="random_under")
    assert p.frame["target"].value_counts().nunique() == 1


def test_timeseries_panel_draws_lines():
    p = panel(sb.TimeSeries.example(), n=500, debounce=0)
    assert isinstance(p, TimeSeriesPanel)
    assert p.chart.to_dict()["mark"]["type"] == "line"
    rows = _chart_rows(p)
    p.controls["freq"].widget.value = "h"
    assert _chart_rows(p) != rows and p.error == ""


def _map_rows(control) -> dict:
    """What a map editor's rows show: key -> value text."""
    return {row.children[0].value: row.children[1].value for row in control.widget.children[1].children}


def _set_map(control, **values) -> None:
    """Type ``values`` into a map editor's rows, key by key (each one edit), as a user would."""
    for row in control.widget.children[1].children:
        if row.children[0].value in values:
            row.children[1].value = str(values[row.children[0].value])


def test_schema_panel_edits_adds_and_removes_columns():
    p = panel(sb.Schema.example(), n=300, debounce=0)
    assert isinstance(p, SchemaPanel)
    p.column_pick.value = "age"
    assert p.column_editors["params"].kind == "map"  # key/value rows, not JSON text
    _set_map(p.column_editors["params"], low=30, high=40)
    assert p.frame["age"].between(30, 40).all()
    _set_map(p.column_editors["params"], low=50)  # low > high
    assert p.error and p.frame["age"].between(30, 40).all()
    assert _map_rows(p.column_editors["params"]) == {"low": "30", "high": "40"}
    assert p.add_column("Boolean", "vip")
    assert "vip" in p.frame.columns and p.column_pick.value == "vip"
    assert p.remove_column("vip") and "vip" not in p.frame.columns
    assert not p.add_column("Nope", "x") and "column kind" in p.error
    namespace: dict = {}
    exec(p.code, namespace)
    pd.testing.assert_frame_equal(namespace["df"], p.frame)


def test_workbench_tabs_build_lazily():
    wb = Workbench(load_wine(as_frame=True).frame, n=100, debounce=0)
    assert wb.names == ["GaussianCopula", "GaussianMixture", "CART", "Balance"]
    assert list(wb._panels) == ["GaussianCopula"]
    wb.tabs.selected_index = 3
    assert wb.current.generator.target == "target" and current_panel() is wb.current
    with pytest.raises(sb.exceptions.InvalidParameterError, match="no tab"):
        wb.panel("Moons")
    with pytest.raises(sb.exceptions.DataError):
        Workbench("not a frame")


def test_a_panel_name_that_is_not_a_panel_is_refused():
    from synthbench.widgets import panel_class

    class Odd(sb.Moons):
        panel = "NoSuchPanel"

    with pytest.raises(sb.exceptions.InvalidParameterError, match=r"Odd\.panel must name a Panel class"):
        panel_class(Odd)
    Odd.panel = "synthbench.widgets:SchemaPanel"
    assert panel_class(Odd) is SchemaPanel


def test_workbench_tabs_come_from_the_generators_own_attributes():
    tabs = sorted((c.workbench, n) for n, c in ((n, sb.get_generator(n)) for n in sb.list_generators()) if c.workbench)
    wb = Workbench(sb.timeseries.example_temperatures(), n=100, debounce=0)
    assert wb.names == [n for _, n in tabs if n != "Balance"]  # no class column: no balancing tab
    assert wb.panel("FittedTimeSeries").generator.time_column == "timestamp"


def test_magic_registers_and_exports():
    from IPython.testing.globalipapp import get_ipython

    shell = get_ipython()
    shell.run_line_magic("load_ext", "synthbench")
    shell.user_ns["df_iris"] = load_iris(as_frame=True).frame
    wb = shell.run_line_magic("synthbench", "df_iris")
    assert isinstance(wb, Workbench)
    shell.rl_next_input = None
    cell = shell.run_line_magic("synthbench", "export")
    assert shell.rl_next_input == wb.current.code == cell.code  # the terminal shell's set_next_input
    assert cell.inserted and "inserted as the next cell" in repr(cell) and len(repr(cell)) < 100
    p = shell.run_line_magic("synthbench", "panel Moons")
    assert isinstance(p, Panel)
    with pytest.raises(sb.exceptions.InvalidParameterError, match="no variable"):
        shell.run_line_magic("synthbench", "nope")


def _balance_data():
    real = load_wine(as_frame=True).frame
    real["target"] = real["target"].map({0: "barolo", 1: "grignolino", 2: "barbera"})
    return real


@pytest.mark.parametrize("how", ["argument", "notebook", "magic", "workbench"])
def test_balance_export_reads_the_users_variable(tmp_path, how):
    from IPython.testing.globalipapp import get_ipython

    shell = get_ipython()
    shell.run_line_magic("load_ext", "synthbench")
    train = _balance_data()
    shell.user_ns["train"] = train
    gen = sb.Balance(target="target", method="smote")
    if how == "argument":
        p = panel(gen, train, data_name="train", debounce=0)
    elif how == "notebook":
        p = panel(gen, train, debounce=0)  # found in the notebook's namespace
    elif how == "magic":
        p = shell.run_line_magic("synthbench", "panel Balance train")
        p.set(target="target")
    else:
        wb = shell.run_line_magic("synthbench", "train")
        wb.tabs.selected_index = wb.names.index("Balance")
        p = wb.current
    assert p.data_name == "train"
    assert "df_real" not in p.code and "(train," in p.code
    shell.rl_next_input = None
    cell = shell.run_line_magic("synthbench", "export") if how in ("magic", "workbench") else p.export()
    assert shell.rl_next_input == cell.code == p.code
    out = run_code(cell.code, tmp_path, {"train": train})  # a fresh interpreter, only `train` defined
    pd.testing.assert_frame_equal(out, p.frame)
    del shell.user_ns["train"]


def test_data_name_must_be_a_variable_name():
    with pytest.raises(sb.exceptions.InvalidParameterError, match="'data_name' parameter of Panel"):
        panel(sb.Balance(target="target"), _balance_data(), data_name="train; import os", debounce=0)


def test_charts_follow_the_width_the_browser_measures():
    p = panel(sb.GaussianCopula(), load_wine(as_frame=True).frame, n=200, debounce=0)
    assert p.chart_width == 400  # JupyterLab's default layout until the browser says more
    spec = p._chart_widget.spec
    p.width_probe.width = 820  # what the probe's ResizeObserver reports from the page
    assert p.chart_width == 808 and p._chart_widget.spec != spec
    widths = [c.get("width") for c in p.chart.to_dict()["vconcat"] if "width" in c]
    assert widths and max(widths) <= 808
    p.width_probe.width = 50  # never below the narrowest readable chart
    assert p.chart_width == 200


def test_timeseries_panel_starts_on_a_value_channel_not_the_entity():
    p = panel(sb.TimeSeries.example().set_params(entities=3), n=300, debounce=0)
    assert "entity" in p.frame.columns and p.column.value == "temperature"
    fitted = panel("FittedTimeSeries", n=100, debounce=0)
    assert fitted.column.value == "temperature"


def test_controls_never_drift_after_a_refused_value():
    p = panel(sb.Classification(n_features=6), n=200, debounce=0)
    slider = p.controls["n_informative"]
    good_hash = frame_hash(p.frame)
    assert not p.set(n_informative=50)  # the generator refuses it as a whole
    assert p.generator.n_informative == 2 and slider.input.value == "2"
    assert "n_informative" in p.error and frame_hash(p.frame) == good_hash
    flip = p.controls["flip_y"]
    flip.input.value = 0.5
    assert p.generator.flip_y == 0.5 and p.error == ""
    p.controls["n_redundant"].input.value = "5"  # 2 informative + 5 redundant > 6 features
    assert p.error and p.generator.n_redundant == 2 and p.controls["n_redundant"].input.value == "2"
    assert flip.input.value == 0.5  # the others still show what the generator holds


def test_optional_control_has_a_none_box():
    p = panel(sb.Moons(noise=0.2), n=100, debounce=0)
    control = p.controls["noise"]
    none = control.inputs[1]
    none.value = True
    assert p.generator.noise is None and control.input.disabled
    none.value = False
    assert p.generator.noise == 0.2 and not control.input.disabled
    assert p.set(noise=None) and none.value is True


def test_k_neighbors_slider_follows_the_smallest_class():
    real = _balance_data()
    smallest = int(real["target"].value_counts().min())
    p = panel(sb.Balance(target="target", method="smote"), real, debounce=0)
    assert p.controls["k_neighbors"].kind == "slider"
    assert p.controls["k_neighbors"].input.max == smallest - 1
    assert p.controls["m_neighbors"].input.max == smallest - 1
    good = frame_hash(p.frame)
    assert not p.set(k_neighbors=500)  # past the smallest class: refused by the sampler's checks
    assert p.generator.k_neighbors == 5 and p.controls["k_neighbors"].input.value == 5  # the slider follows
    assert p.error and frame_hash(p.frame) == good


def test_schema_distribution_change_applies_with_its_params():
    p = panel(sb.Schema.example(), n=300, debounce=0)
    p.column_pick.value = "age"
    p.column_editors["distribution"].input.value = "normal"  # one edit: the params follow
    assert p.error == "", p.error
    age = p._column("age")
    assert age.distribution == "normal" and set(age.params) <= {"loc", "scale"}
    assert p.column_editors["params"].read() == age.params
    _set_map(p.column_editors["params"], loc=40, scale=5)
    assert p._column("age").params == {"loc": 40, "scale": 5} and 25 < p.frame["age"].mean() < 55
    p.column_pick.value = "income"  # lognormal with per-country params: switching drops them too
    p.column_editors["distribution"].input.value = "gamma"
    assert p.error == "" and p._column("income").params_by is None
    assert p.set_column("income", distribution="normal", params={"loc": 100.0, "scale": 10.0})
    _set_map(p.column_editors["params"], scale=-1)  # refused: the rows show the schema again
    assert "scale" in p.error
    assert _map_rows(p.column_editors["params"]) == {"loc": "100.0", "scale": "10.0"}


@pytest.mark.parametrize(
    ("name", "kwargs", "change"),
    [
        ("GaussianCopula", {}, {"n_knots": 50}),
        ("GaussianMixture", {"n_components": 2}, {"n_components": 3}),
        ("CART", {}, {"min_samples_leaf": 10}),
        ("Balance", {"target": "target", "method": "random_over"}, {"method": "random_under"}),
        ("FittedTimeSeries", {"periods": [365.25], "harmonics": 2}, {"harmonics": 1}),
    ],
)
def test_a_seed_or_row_change_never_refits(name, kwargs, change):
    from synthbench.generators.timeseries.fitted import example_temperatures

    gen = sb.get_generator(name)(**kwargs)
    if name == "FittedTimeSeries":
        real = example_temperatures()
    else:
        real = load_wine(as_frame=True).frame
        real["target"] = real["target"].map({0: "a", 1: "b", 2: "c"})
    fits = []
    fit = gen._fit  # the real fit, counted on this instance only

    def counted(data):
        fits.append(len(data))
        return fit(data)

    gen._fit = counted
    p = panel(gen, real, n=200, seed=0, debounce=0)
    assert fits == [len(real)] and p.error == ""
    fitted = {k: v for k, v in vars(gen).items() if k.endswith("_") and not k.startswith("_")}
    assert fitted
    first = p.frame
    p.seed_box.value = 1
    assert p.error == "" and len(fits) == 1
    assert not p.frame.equals(first)  # the preview follows the seed
    assert all(getattr(gen, k) is v for k, v in fitted.items())  # the same fitted objects
    if not gen.size_from_data:
        p.n_box.value = 300
        assert len(p.frame) == 300 and len(fits) == 1
    seeded = p.frame
    old = {k: getattr(gen, k) for k in change}
    assert p.set(**change) and len(fits) == 2  # a fitting parameter refits, once
    changed = p.frame
    p.seed_box.value = 2
    assert len(fits) == 2
    assert p.set(**old) and len(fits) == 2  # back to parameters fitted before: their state again
    p.seed_box.value = 1
    pd.testing.assert_frame_equal(p.frame, seeded)
    assert all(getattr(gen, k) is v for k, v in fitted.items())
    assert p.set(**change) and len(fits) == 2
    p.seed_box.value = 1
    assert p.frame.shape == changed.shape
    namespace: dict = {"df_real": real}
    exec(p.code, namespace)
    pd.testing.assert_frame_equal(namespace["df"], p.frame)


def test_list_editor_adds_moves_and_removes_components():
    p = panel(sb.TimeSeries.example(), n=100, debounce=0)
    editor = p.controls["components"]
    assert editor.kind == "list" and p.controls["anomalies"].kind == "list"
    box = editor.widget
    new_kind, add = box.children[2].children
    new_kind.value = "Seasonality"
    add.click()
    assert [type(c).__name__ for c in p.generator.components] == ["Trend", "RandomWalk", "Seasonality"]
    first = box.children[1].children[0]
    level = first.children[1]  # the Trend's first control: its level
    level.value = "20.0"
    assert p.error == "" and p.generator.components[0].level == 20.0
    box.children[1].children[2].children[0].children[1].click()  # move Seasonality up
    assert [type(c).__name__ for c in p.generator.components] == ["Trend", "Seasonality", "RandomWalk"]
    box.children[1].children[0].children[0].children[3].click()  # remove the Trend
    assert [type(c).__name__ for c in p.generator.components] == ["Seasonality", "RandomWalk"]
    assert p.code == sb.TimeSeries.example().set_params(components=p.generator.components).to_code(100, seed=0)
    # A refused value inside a row: the rows show what the generator holds again.
    scale = box.children[1].children[1].children[1]  # the RandomWalk's scale
    scale.value = "-3"
    assert "scale" in p.error and p.generator.components[1].scale == 1.0
    assert box.children[1].children[1].children[1].value == "1.0"
    assert len(box.children[1].children) == 2


def test_map_rows_and_alternatives_for_sampling_strategy():
    data = pd.DataFrame({"x": range(30), "target": ["a"] * 25 + ["b"] * 5})
    p = panel(sb.Balance(target="target", method="random_over"), data, debounce=0)
    control = p.controls["sampling_strategy"]
    assert control.kind == "choice" and p.generator.sampling_strategy == "auto"
    control.input.value = 2  # "per key": an empty map to fill in, nothing applied yet
    assert p.generator.sampling_strategy == "auto" and p.error == ""
    editor = control.widget.children[1].children[0]
    editor.children[2].children[0].click()  # add an entry: a key and a value, applied together
    key, value = editor.children[1].children[0].children[:2]
    key.value = "b"
    assert p.generator.sampling_strategy == "auto"  # a half-typed entry is not an edit
    value.value = "20"
    assert p.error == "" and p.generator.sampling_strategy == {"b": 20}
    assert (p.frame["target"] == "b").sum() == 20
    control.input.value = 1  # a number: shown, applied once set
    assert p.generator.sampling_strategy == {"b": 20}
    control.widget.children[1].children[0].value = 0.5
    assert p.error == "" and p.generator.sampling_strategy == 0.5
    assert (p.frame["target"] == "b").sum() == 12


def test_a_panel_follows_new_data():
    real = load_wine(as_frame=True).frame
    p = panel(sb.GaussianCopula(), real.iloc[:100], n=200, debounce=0)
    first = p.frame
    assert p.set_data(real.iloc[100:]) and p.error == ""
    assert not p.frame.equals(first) and p.report.n_real == len(real) - 100


def test_draw_fits_a_generator_on_what_is_drawn():
    pytest.importorskip("drawdata")
    from synthbench.widgets import draw

    d = draw("GaussianCopula", n=300, debounce=0)
    d.scatter.data = [{"x": 1.0, "y": 2.0, "label": "a"}] * 3
    assert d.panel is None and "3 of 10" in d.message.value
    rng = np.random.default_rng(0)
    strokes = [{"x": float(x), "y": float(y), "label": "a"} for x, y in rng.normal(100, 10, (30, 2))]
    d.scatter.data = strokes
    assert d.panel is not None and set(d.panel.frame["label"]) == {"a"}
    hash_a = frame_hash(d.panel.frame)
    # A second class drawn far away: the fitted panel follows it.
    d.scatter.data = strokes + [{"x": float(x), "y": float(y), "label": "b"} for x, y in rng.normal(400, 10, (30, 2))]
    assert set(d.panel.frame["label"]) == {"a", "b"} and frame_hash(d.panel.frame) != hash_a
    assert d.panel.frame.loc[d.panel.frame["label"] == "b", "x"].mean() > 250
    namespace: dict = {}
    exec(d.panel.code, namespace)
    pd.testing.assert_frame_equal(namespace["df"], d.panel.frame)


def test_the_model_works_without_widgets():
    from synthbench.widgets import PanelModel

    model = PanelModel(sb.Moons(noise=0.1), n=300, seed=4)
    assert model.frame is None and model.update() and len(model.frame) == 300
    assert model.chart_data["histograms"] and model.report is None  # nothing to compare with
    assert not model.set(noise=-1) and "noise" in model.error and model.generator.noise == 0.1
    assert model.set_seed(5) and model.code == sb.Moons(noise=0.1).to_code(300, seed=5)
    with pytest.raises(sb.exceptions.InvalidParameterError, match="allow large"):
        PanelModel(sb.Moons(), n=2_000_000)
    assert PanelModel(sb.Moons(), n=2_000_000, allow_large=True).n == 2_000_000
    assert not model.set_rows(2_000_000) and "allow large" in model.error and model.n == 300


def test_score_reads_a_capped_sample_and_says_so():
    real = load_wine(as_frame=True).frame
    p = panel(sb.GaussianCopula(), real, n=30_000, debounce=0, score_rows=5_000)
    assert p.report.n_synthetic == 5_000 and p.report.n_real == len(real)
    assert "on the first 5,000 of 30,000 rows" in p.score_box.value
    p.n_box.value = 20_000_000  # above the preview limit: refused on screen, the rows stay
    assert "allow large" in p.error and p.n == 30_000 and p.n_box.value == 30_000


def test_slow_updates_show_progress_while_they_run():
    seen = []

    class Watched(Panel):
        def _fit_and_sample(self):
            seen.append(self.progress.layout.display)
            return super()._fit_and_sample()

    p = Watched(sb.Moons(), n=100, debounce=0)
    assert seen == ["none"]  # a fast first update: no bar
    p.model.seconds = 0.5  # the last update took longer than 0.3 s
    assert p.set(noise=0.2)
    assert seen[-1] == "" and p.progress.layout.display == "none"  # shown while working, hidden after


def test_data_the_table_layer_refuses_is_an_inline_error():
    bad = pd.DataFrame(np.random.default_rng(0).normal(size=(50, 3)))  # int column names
    p = panel(sb.GaussianCopula(), bad, n=20, debounce=0)
    assert "str column names" in p.error and p.frame is None and "synthbench-error" in p.error_box.value


def test_dates_get_a_date_picker_and_an_optional_time():
    import datetime

    p = panel(sb.TimeSeries.example().set_params(freq="h"), n=50, debounce=0)
    start = p.controls["start"]
    assert start.kind == "optional date" and start.input.value == datetime.date(2024, 1, 1)
    start.input.value = datetime.date(2025, 3, 1)
    assert p.generator.start == "2025-03-01" and p.frame["timestamp"].iloc[0] == pd.Timestamp("2025-03-01")
    start.inputs[1].value = "06:00"  # the time of day beside the picker
    assert p.generator.start == "2025-03-01 06:00" and p.frame["timestamp"].iloc[0].hour == 6
    start.inputs[1].value = "25:99"  # refused: the controls show what the generator holds
    assert "start" in p.error and start.inputs[1].value == "06:00"
    assert start.input.value == datetime.date(2025, 3, 1)


def test_a_slow_refit_runs_in_the_background_while_the_event_loop_stays_free():
    import asyncio

    real = load_wine(as_frame=True).frame

    async def drive() -> None:
        p = panel(sb.GaussianCopula(), real, n=200, debounce=0)
        before, version = p.frame, p.version
        p.model.fit_seconds = 1.0  # the last fit took a second: the next refit goes to a thread
        assert p.set(n_knots=30)
        assert p.fitting and p.frame is before and p.version == version  # the old preview stays
        assert p.progress.layout.display == "" and p.progress.description == "fitting..."
        p.seed_box.value = 5  # a change during the fit waits for its end
        assert p.frame is before
        ticks = 0
        while p.fitting:
            ticks += 1
            await asyncio.sleep(0.001)
        assert ticks >= 1  # the loop ran other work while the fit ran
        expected = sb.GaussianCopula(n_knots=30).fit(real).sample(200, seed=5)
        pd.testing.assert_frame_equal(p.frame, expected)
        assert p.progress.layout.display == "none" and p.version == version + 1
        # A refused value fitted in the background: the kernel-side update shows it and restores.
        p.model.fit_seconds = 1.0
        assert p.set(n_knots=-1)  # accepted for now: the check runs in the thread
        while p.fitting:
            await asyncio.sleep(0.001)
        assert "n_knots" in p.error and p.generator.n_knots == 30 and p.controls["n_knots"].read() == 30
        pd.testing.assert_frame_equal(p.frame, expected)

    asyncio.run(drive())


def test_without_an_event_loop_a_slow_refit_runs_at_once():
    real = load_wine(as_frame=True).frame
    p = panel(sb.GaussianCopula(), real, n=200, debounce=0)
    p.model.fit_seconds = 1.0
    assert p.set(n_knots=30) and not p.fitting
    pd.testing.assert_frame_equal(p.frame, sb.GaussianCopula(n_knots=30).fit(real).sample(200, seed=0))


def test_a_schema_datetime_column_gets_date_pickers():
    import datetime

    p = panel(sb.Schema.example(), n=200, debounce=0)
    p.column_pick.value = "signup"
    start = p.column_editors["start"]
    assert start.kind == "date" and p.column_editors["end"].kind == "date"
    start.input.value = datetime.date(2021, 6, 1)
    assert p.generator.columns[-1].start == "2021-06-01" and p.frame["signup"].min() >= pd.Timestamp("2021-06-01")
