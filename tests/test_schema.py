"""The rule-based family: each column type's output, streams, constraints and exported code."""

from __future__ import annotations

import json
import re
import uuid

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synthbench as sb
from synthbench import columns as c
from synthbench.exceptions import ExpressionError, InvalidParameterError
from synthbench.generators.schema import BLOCK_SIZE
from tests.helpers import run_code


def kitchen_sink() -> sb.Schema:
    """Every column type, nulls, a conditioned column, a derived column and constraints."""
    return sb.Schema(
        columns=[
            c.Id("id"),
            c.Id("code", prefix="C-", width=7),
            c.Id("token", kind="uuid"),
            c.Categorical("country", categories=["DE", "FR", "US"], weights=[0.2, 0.3, 0.5]),
            c.Categorical("tier", categories=[1, 2, 3], null_rate=0.1),
            c.Boolean("active", p=0.7, null_rate=0.05),
            c.Integer("age", params={"low": 18, "high": 90}),
            c.Integer("visits", distribution="poisson", params={"lam": 3.0}, null_rate=0.2),
            c.Integer("score", distribution="normal", params={"loc": 50, "scale": 15}, min=0, max=100),
            c.Float(
                "salary",
                distribution="lognormal",
                params={"mean": 10.5, "sigma": 0.4},
                by="country",
                params_by={"US": {"mean": 11.0}, "FR": {"sigma": 0.2}},
                decimals=2,
            ),
            c.Float("ratio", distribution="beta", params={"a": 2, "b": 5}, null_rate=0.1),
            c.Float("wait", distribution="gamma", params={"shape": 2.0, "scale": 3.0}),
            c.Float("tri", distribution="triangular", params={"left": 0, "mode": 1, "right": 4}),
            c.Datetime("start", start="2024-01-01", end="2024-06-30"),
            c.Datetime("end", start="2024-01-01", end="2024-12-31", freq="B", null_rate=0.05),
            c.Pattern("invoice", pattern=r"INV-####-??-@*\#"),
            c.Text("name", provider="name", pool_size=200),
            c.Derived("monthly", expr="round(salary / 12, 2)"),
            c.Derived("senior", expr="age >= 65 and active"),
            c.Derived("days open", expr="days(age)"),
            c.Derived("weeks open", expr="`days open` / days(7)"),
        ],
        constraints=["start < end", "score >= 10"],
    )


def test_kitchen_sink_code_rebuilds_the_frame(tmp_path):
    gen = kitchen_sink()
    df = gen.sample(2_000, seed=123)
    assert list(df.columns) == [col.name for col in gen.columns]
    pd.testing.assert_frame_equal(run_code(gen.to_code(2_000, seed=123), tmp_path), df)


def test_code_over_several_blocks_rebuilds_the_frame(tmp_path):
    gen = sb.Schema.example()
    n = BLOCK_SIZE * 2 + 17
    pd.testing.assert_frame_equal(run_code(gen.to_code(n, seed=1), tmp_path), gen.sample(n, seed=1))


def test_smaller_sample_is_a_prefix_of_a_larger_one_across_blocks():
    gen = kitchen_sink()
    small = gen.sample(BLOCK_SIZE + 5, seed=4)
    large = gen.sample(BLOCK_SIZE * 2 + 100, seed=4)
    pd.testing.assert_frame_equal(small, large.iloc[: len(small)])


def test_editing_one_column_leaves_the_others_unchanged():
    gen = kitchen_sink()
    before = gen.sample(1_000, seed=9)
    edited = sb.from_dict(gen.to_dict())
    edited.columns[6].set_params(params={"low": 30, "high": 40})  # age
    edited.columns[5].set_params(null_rate=0.5)  # active
    after = edited.sample(1_000, seed=9)
    # Columns that neither were edited nor read an edited column, nor are touched by a constraint resample.
    redone = gen.broken_rows(before).any(axis=1) | edited.broken_rows(after).any(axis=1)
    for name in ["id", "token", "country", "visits", "salary", "invoice", "name"]:
        pd.testing.assert_series_equal(before.loc[~redone, name], after.loc[~redone, name])
    assert not before["age"].equals(after["age"])
    assert after["age"].between(30, 40).all()


def test_n_zero_gives_an_empty_frame_with_the_same_dtypes():
    gen = kitchen_sink()
    empty, full = gen.sample(0, seed=0), gen.sample(10, seed=0)
    assert len(empty) == 0
    assert list(empty.columns) == list(full.columns)
    assert (empty.dtypes.astype(str) == full.dtypes.astype(str)).all()


def test_column_values_follow_their_declarations():
    df = kitchen_sink().sample(20_000, seed=2)
    assert df["id"].tolist()[:3] == [1, 2, 3] and df["id"].is_unique
    assert df["code"].str.fullmatch(r"C-\d{7}").all() and df["code"].iloc[0] == "C-0000001"
    assert all(uuid.UUID(t).version == 4 for t in df["token"].head(50))
    assert df["token"].is_unique
    shares = df["country"].value_counts(normalize=True)
    assert shares["US"] == pytest.approx(0.5, abs=0.02) and shares["DE"] == pytest.approx(0.2, abs=0.02)
    assert df["country"].dtype == "category" and list(df["country"].cat.categories) == ["DE", "FR", "US"]
    assert df["tier"].isna().mean() == pytest.approx(0.1, abs=0.01)
    assert df["active"].dtype == "boolean" and df["active"].mean() == pytest.approx(0.7, abs=0.02)
    assert df["age"].between(18, 90).all() and {18, 90} <= set(df["age"])
    assert df["visits"].dtype == "Int64" and df["visits"].isna().mean() == pytest.approx(0.2, abs=0.01)
    assert df["visits"].mean() == pytest.approx(3.0, abs=0.1)
    assert df["score"].between(10, 100).all() and df["score"].dtype == np.int64
    assert (df["salary"] == df["salary"].round(2)).all()
    log_means = np.log(df["salary"]).groupby(df["country"], observed=True).mean()
    assert log_means["US"] == pytest.approx(11.0, abs=0.05) and log_means["DE"] == pytest.approx(10.5, abs=0.05)
    assert np.log(df.loc[df["country"] == "FR", "salary"]).std() == pytest.approx(0.2, abs=0.02)
    assert df["ratio"].dropna().between(0, 1).all()
    assert df["tri"].between(0, 4).all()
    assert (df["end"].dropna().dt.day_of_week < 5).all()
    assert df["start"].min() >= pd.Timestamp("2024-01-01") and df["start"].max() <= pd.Timestamp("2024-06-30")
    assert df["invoice"].str.fullmatch(r"INV-\d{4}-[A-Z]{2}-[a-z][A-Z0-9]#").all()
    assert df["name"].nunique() <= 200 and df["name"].str.contains(" ").mean() > 0.9
    assert np.allclose(df["monthly"], (df["salary"] / 12).round(2))
    assert df["days open"].dtype.kind == "m"
    assert np.allclose(df["weeks open"], df["age"] / 7)


def test_constraints_are_resampled_and_reported():
    gen = kitchen_sink()
    df = gen.sample(5_000, seed=3)
    report = df.attrs["synthbench"]
    assert not gen.broken_rows(df).any().any()
    assert report["constraint_violations"]["start < end"] > 0
    assert report["rows_resampled"] >= report["constraint_violations"]["start < end"]
    # The rows that end up present satisfy the constraint, missing values excepted.
    both = df[["start", "end"]].dropna()
    assert (both["start"] < both["end"]).all()


def test_drop_policy_drops_and_reports():
    gen = sb.Schema(
        columns=[c.Integer("a", params={"low": 0, "high": 9}), c.Integer("b", params={"low": 0, "high": 9})],
        constraints=["a < b"],
        on_violation="drop",
    )
    df = gen.sample(10_000, seed=0)
    assert (df["a"] < df["b"]).all()
    dropped = df.attrs["synthbench"]["rows_dropped"]
    assert len(df) == 10_000 - dropped and dropped == pytest.approx(5_500, rel=0.05)
    assert df.index.equals(pd.RangeIndex(len(df)))


def test_raise_policy_and_unsatisfiable_constraints_fail_clearly():
    cols = [c.Integer("age", params={"low": 18, "high": 80})]
    with pytest.raises(InvalidParameterError, match="age >= 100"):
        sb.Schema(columns=cols, constraints=["age >= 100"], max_attempts=5).sample(10, seed=0)
    with pytest.raises(InvalidParameterError, match="on_violation='raise'"):
        sb.Schema(columns=cols, constraints=["age >= 50"], on_violation="raise").sample(100, seed=0)


def test_a_refused_row_is_named_by_its_row_in_the_table_with_its_values_as_they_are():
    # Only the third block breaks the constraint: the message names the table's row (not
    # the row within its block), and each column's value in its own type.
    gen = sb.Schema(
        columns=[c.Id("id"), c.Float("x", distribution="normal", params={"loc": 0, "scale": 1})],
        constraints=["id <= 150000"],
        on_violation="raise",
    )
    with pytest.raises(InvalidParameterError, match=r"e\.g\. row 150000: \{'id': 150001, 'x': ") as info:
        gen.sample(3 * BLOCK_SIZE, seed=0)
    assert "150001.0" not in str(info.value)


@pytest.mark.parametrize(
    ("columns", "match"),
    [
        ([c.Integer("a", params={"low": 0, "high": 1}), c.Integer("a", params={"low": 0, "high": 1})], "repeated"),
        ([c.Derived("a", expr="b + 1")], "must define 'b'"),
        ([c.Derived("a", expr="b + 1"), c.Derived("b", expr="a + 1")], "cycle"),
        ([c.Float("x", distribution="normal", params={"mu": 1})], "unknown"),
        ([c.Float("x", distribution="normal", params={"scale": -1})], "'scale'"),
        ([c.Integer("x")], "'low' and 'high'"),
        ([c.Float("x", params={"low": 2, "high": 1})], "low <= high"),
        ([c.Float("x", min=5, max=1)], "'min'"),
        ([c.Float("x", by="y", params_by={"a": {"low": 0}})], "must define 'y'"),
        ([c.Float("x", params_by={"a": {"low": 0}})], "together with 'by'"),
        ([c.Datetime("d", start="2024-02-01", end="2024-01-01")], "after start"),
        ([c.Datetime("d", start="yesterday-ish")], "ISO date"),
        ([c.Datetime("d", freq="fortnightly")], "pandas frequency"),
        ([c.Datetime("d", start="1950-01-01", end="2150-01-01", freq="bh")], "at most"),
        ([c.Pattern("p", pattern="AB\\")], "backslash"),
        ([c.Categorical("g", categories=["a", "b"], weights=[1.0])], "one entry per category"),
        ([c.Categorical("g", categories=["a", "a"])], "'categories'"),
    ],
)
def test_bad_columns_raise_named_errors(columns, match):
    with pytest.raises(InvalidParameterError, match=match):
        sb.Schema(columns=columns).sample(5, seed=0)


@pytest.mark.parametrize(
    "expr",
    [
        "__import__('os').system('echo hi')",
        "a.__class__",
        "a[0]",
        "lambda: 1",
        "[x for x in a]",
        "open('f')",
        "a if a else a",
        "a ** 1000",
        "9 ** 9 ** 9",
        "a +",
        "f'{a}'",
        "a := 1",
        "round(a, 1.5)",
        "abs(a, a)",
        "a" + " + a" * 150,
        "(" * 300 + "a" + ")" * 300,
        "2 ** 3",
        "1e999",
        "a is None",
    ],
)
def test_unsafe_or_malformed_expressions_are_rejected(expr):
    gen = sb.Schema(columns=[c.Integer("a", params={"low": 0, "high": 5}), c.Derived("d", expr=expr)])
    with pytest.raises(ExpressionError):
        gen.sample(5, seed=0)


def test_expression_errors_at_run_time_are_ours():
    gen = sb.Schema(columns=[c.Categorical("g", categories=["x", "y"]), c.Derived("d", expr="g * g")])
    with pytest.raises(ExpressionError, match="cannot be computed"):
        gen.sample(5, seed=0)


def test_constraint_must_be_a_condition_on_known_columns():
    cols = [c.Integer("a", params={"low": 0, "high": 5})]
    with pytest.raises(InvalidParameterError, match="conditions"):
        sb.Schema(columns=cols, constraints=["a + 1"]).sample(5, seed=0)
    with pytest.raises(InvalidParameterError, match=r"\['b'\]"):
        sb.Schema(columns=cols, constraints=["b > 1"]).sample(5, seed=0)


def test_seed_example_customer_table():
    """The seeds' customer table: id, gender, age 18-80, country from a list."""
    customers = sb.Schema(
        columns=[
            c.Id("id"),
            c.Categorical("gender", categories=["female", "male"]),
            c.Integer("age", params={"low": 18, "high": 80}),
            c.Categorical("country", categories=["DE", "FR", "IT", "US"]),
        ]
    )
    df = customers.sample(1_000, seed=42)
    assert df.shape == (1_000, 4)
    assert df["age"].between(18, 80).all()
    assert set(df["country"]) == {"DE", "FR", "IT", "US"}
    spec = json.loads(json.dumps(customers.to_dict()))
    assert spec["params"]["columns"][2] == {
        "type": "Integer",
        "name": "age",
        "distribution": "uniform",
        "params": {"low": 18, "high": 80},
        "by": None,
        "params_by": None,
        "min": None,
        "max": None,
        "null_rate": 0.0,
    }


def test_exported_code_reads_like_a_tutorial():
    code = sb.Schema.example().to_code(100, seed=1)
    assert code.startswith("# Schema: 100 rows, seed 1.")
    assert "# 3: uniform integers" in code and "COLUMNS = [" in code
    assert "def make_table(" in code and code.rstrip().endswith(")")
    comments = [line for line in code.splitlines() if line.lstrip().startswith("#")]
    assert not any(name in line for line in comments for name in ("customer_id", "income", "signup"))
    assert re.search(r"^import numpy as np$", code, re.M) and "synthbench" not in code
    assert max(len(line) for line in code.splitlines()) <= 120


# -- hostile inputs: each becomes a clear error or a correct, exportable frame ----------------

HOSTILE = ["a\x00b", "é ü 名", "q\"uote's", "back\\slash", 'tri"""ple', "# hash", "a b", "a-b"]


def hostile_schema() -> sb.Schema:
    """Names, categories, patterns, dates and expressions full of quotes, NULs, newlines and #."""
    a, g, p, d1, d2, h, t1, t2 = HOSTILE
    return sb.Schema(
        columns=[
            c.Integer(a, params={"low": 0, "high": 9}),
            c.Categorical(g, categories=['"""', "#x", "\\", "\x00", "é\u2028", "`", "\n# x"], null_rate=0.1),
            c.Pattern(p, pattern='"""#\\#?\'\\\\\n'),
            c.Datetime(d1, start="2024-01-01\n", end="2024-02-01 12:00", freq="B"),
            c.Datetime(d2, start="2024-01-01", end="2024-03-01", freq="7h"),
            c.Derived(h, expr=f"`{a}` * 2 + 1"),
            c.Text(t1, pool_size=10),
            c.Text(t2, pool_size=10),
            c.Derived("cmp", expr=f'`{g}` == \'"""\\n# x `a b`\''),
        ],
        constraints=[f'`{a}` >= 1 or `{g}` == \'"""\'', "`# hash` != 7\n"],
    )


def test_hostile_text_reaches_the_export_only_as_literals(tmp_path):
    gen = hostile_schema()
    df = gen.sample(400, seed=7)
    code = gen.to_code(400, seed=7)
    compile(code, "<cell>", "exec")
    for line in code.splitlines():
        if line.lstrip().startswith("#"):
            assert line.isascii() and not any(name in line for name in ("hash", "quote", "slash", "ple"))
    pd.testing.assert_frame_equal(run_code(code, tmp_path), df)
    assert (df["# hash"] != 7).all() and df['"""'.join(["tri", "ple"])].notna().all()


def test_text_columns_with_similar_names_have_their_own_pools(tmp_path):
    gen = sb.Schema(columns=[c.Text("a b", pool_size=50), c.Text("a-b", pool_size=50), c.Text("a_b", pool_size=50)])
    df = gen.sample(300, seed=1)
    assert len({frozenset(df[n]) for n in df.columns}) == 3
    code = gen.to_code(300, seed=1)
    assert "pool_1 = " in code and "pool_3 = " in code
    pd.testing.assert_frame_equal(run_code(code, tmp_path), df)


@pytest.mark.parametrize(
    ("categories", "match"),
    [
        ([1, True, 1.0], "one kind"),
        ([1, 1.0], "distinct"),
        ([0.0, -0.0], "'categories'"),
        (["1", 1], "one kind"),
        ([2**64 - 1, 1], "int64"),
        ([np.uint64(2**64 - 1), 1], "int64"),
        ([-(2**63), 1], "int64"),
        (["ok", "\ud800"], "surrogates"),
    ],
)
def test_categories_of_mixed_kinds_or_out_of_range_are_refused(categories, match):
    with pytest.raises(InvalidParameterError, match=match):
        sb.Schema(columns=[c.Categorical("g", categories=categories)]).sample(5, seed=0)


def test_numeric_categories_write_to_parquet(tmp_path):
    gen = sb.Schema(
        columns=[c.Categorical("g", categories=[1, 2.5, 2**62]), c.Categorical("h", categories=[True, False])]
    )
    df = gen.sample(100, seed=0)
    df.to_parquet(tmp_path / "out.parquet")
    pd.testing.assert_frame_equal(run_code(gen.to_code(100, seed=0), tmp_path), df)


@pytest.mark.parametrize(
    ("column", "match"),
    [
        (c.Integer("x", distribution="geometric", params={"p": 1e-300}), "'p'"),
        (c.Integer("x", distribution="poisson", params={"lam": 1e300}), "'lam'"),
        (c.Integer("x", distribution="binomial", params={"n": 2**64 - 1}), "'n'"),
        (c.Integer("x", params={"low": 0, "high": 2**64 - 1}), "'high'"),
        (c.Integer("x", params={"low": 0, "high": 5}, max=2**63), "'max'"),
        (c.Float("x", distribution="gamma", params={"shape": 2**64 - 1}), "'shape'"),
        (c.Float("x", distribution="laplace", params={"scale": 1e300}), "'scale'"),
        (c.Integer("x", distribution="lognormal", params={"mean": 100, "sigma": 20}), "do not fit in int64"),
        (c.Float("x", distribution="weibull", params={"a": 1e-300}), "infinite"),
    ],
)
def test_parameters_that_would_overflow_are_refused_clearly(column, match):
    with pytest.raises(InvalidParameterError, match=match):
        sb.Schema(columns=[column]).sample(1_000, seed=0)


def test_a_geometric_column_with_the_smallest_p_fits_in_int64():
    df = sb.Schema(columns=[c.Integer("x", distribution="geometric", params={"p": 1e-12})]).sample(1_000, seed=0)
    assert df["x"].dtype == np.int64 and (df["x"] > 0).all()


@pytest.mark.parametrize(
    ("start", "end", "freq"),
    [
        ("2024-01-01", "2024-01-03", "s"),
        ("2024-01-01 00:00:07", "2024-01-09", "7h"),
        ("2024-01-01", "2024-06-30", "3D"),
        ("2024-01-01", "2024-01-01 00:00:01", "250ms"),
        ("2024-01-01", "2024-12-31", "B"),
        ("2024-01-01", "2026-12-31", "MS"),
        ("2024-01-01", "2024-01-31", "bh"),
    ],
)
def test_datetime_grids_are_exactly_the_times_date_range_lists(start, end, freq):
    df = sb.Schema(columns=[c.Datetime("t", start=start, end=end, freq=freq)]).sample(20_000, seed=0)
    grid = pd.date_range(start, end, freq=freq)
    assert df["t"].isin(grid).all()
    assert df["t"].min() == grid[0] or len(grid) > 1_000
    assert str(df["t"].dtype) == "datetime64[us]"


def test_a_second_grid_over_centuries_costs_nothing_and_calendar_grids_are_bounded():
    col = c.Datetime("t", start="1700-01-01", end="2200-12-31", freq="s")
    df = sb.Schema(columns=[col]).sample(1_000, seed=0)
    assert (df["t"].dt.microsecond == 0).all() and df["t"].min() >= pd.Timestamp("1700-01-01")
    with pytest.raises(InvalidParameterError, match="at most 1,000,000 calendar points"):
        sb.Schema(columns=[c.Datetime("t", start="0100-01-01", end="2999-12-31", freq="B")]).sample(5, seed=0)


@pytest.mark.parametrize(
    ("column", "match"),
    [
        (c.Datetime("t", freq="0D"), "pandas frequency"),
        (c.Datetime("t", freq="-1D"), "pandas frequency"),
        (c.Datetime("t", freq="7ns"), "whole number of microseconds"),
        (c.Datetime("t", freq="1000000YS"), "at least one time"),
        (c.Datetime("t", freq="999999999999D"), "shorter than"),
        (c.Datetime("t", freq="99999999999999999999h"), "pandas frequency"),
        (c.Datetime("t", freq="9999999999999999999ns"), "pandas frequency"),
        (c.Datetime("t", start="2024-01-01 00:00:00.000000001"), "ISO date"),
        (c.Datetime("t", start="2024-01-01T00:00+02:00"), "ISO date"),
    ],
)
def test_bad_datetimes_are_refused(column, match):
    with pytest.raises(InvalidParameterError, match=match):
        sb.Schema(columns=[column]).sample(5, seed=0)


def test_text_pools_are_bounded_over_the_whole_schema_before_any_is_made():
    gen = sb.Schema(columns=[c.Text(f"t{i}", pool_size=1_000) for i in range(1_500)])
    with pytest.raises(InvalidParameterError, match="at most 1,000,000 Faker values"):
        gen.sample(1, seed=0)


@pytest.mark.parametrize("name", ["a\nb", "a`b", "\ud800", "", "x" * 201])
def test_column_names_that_cannot_be_written_are_refused(name):
    with pytest.raises(InvalidParameterError, match="'name'"):
        sb.Schema(columns=[c.Boolean(name)]).sample(1, seed=0)


def test_the_byte_estimate_grows_with_rows_and_text():
    small = sb.Schema(columns=[c.Integer("x", params={"low": 0, "high": 1})])
    wide = sb.Schema(
        columns=[c.Categorical("g", categories=["x" * 10_000]), c.Derived("d", expr="g + g + g + g + g + g")]
    )
    assert 0 < small._estimate_bytes(1_000) < small._estimate_bytes(10**9)
    assert small._estimate_bytes(10**6) >= 8 * 10**6
    assert wide._row_bytes() > 60_000  # the joined text is 60,000 characters
    assert wide._estimate_bytes(10**6) > 10**11
    pools = sb.Schema(columns=[c.Text("t", pool_size=1_000_000)])
    assert pools._estimate_bytes(0) > 10**8  # the pool, made even for no rows


def test_sample_blocks_is_the_plan_run_on_a_slice():
    gen = kitchen_sink()
    n = BLOCK_SIZE * 2 + 10
    full = gen.sample(n, seed=8)
    parts = [gen._sample_blocks(n, 8, 0, 1), gen._sample_blocks(n, 8, 1, 3)]
    pd.testing.assert_frame_equal(pd.concat(parts, ignore_index=True), full)


def test_group_and_constraint_counts_are_bounded():
    groups = {str(i): {"low": 0.0} for i in range(1_001)}
    col = c.Float("x", by="g", params_by=groups)
    with pytest.raises(InvalidParameterError, match="at most 1,000 groups"):
        sb.Schema(columns=[c.Categorical("g", categories=["a"]), col]).sample(1, seed=0)
    with pytest.raises(InvalidParameterError, match="'constraints'"):
        sb.Schema(columns=[c.Boolean("b")], constraints=["b"] * 201).sample(1, seed=0)


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r`"),
    min_size=1,
    max_size=12,
)
_ANY_TEXT = st.one_of(_TEXT, st.sampled_from(['"""', "'''", "\\", "#", "\x00", "\n#", "`", "é名\u2028", "\r\n"]))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    names=st.lists(_TEXT, min_size=4, max_size=4, unique_by=lambda s: s),
    categories=st.lists(_ANY_TEXT, min_size=1, max_size=4, unique=True),
    pattern=_ANY_TEXT.filter(lambda s: "\x00" not in s and not s.endswith("\\")),
    constant=_ANY_TEXT,
)
def test_any_text_in_a_spec_exports_a_cell_that_rebuilds_the_frame(tmp_path, names, categories, pattern, constant):
    a, g, p, d = names
    gen = sb.Schema(
        columns=[
            c.Integer(a, params={"low": 0, "high": 3}),
            c.Categorical(g, categories=categories, null_rate=0.2),
            c.Pattern(p, pattern=pattern),
            c.Derived(d, expr=f"`{p}` + {constant!r}"),
        ],
        constraints=[f"`{g}` != {constant!r} or `{a}` >= 0"],
    )
    gen = sb.from_dict(json.loads(json.dumps(gen.to_dict())))  # as loaded from a spec file
    df = gen.sample(60, seed=3)
    assert (df[d] == df[p] + constant).all()
    code = gen.to_code(60, seed=3)
    compile(code, "<cell>", "exec")
    assert all(line.isascii() for line in code.splitlines() if line.lstrip().startswith("#"))
    pd.testing.assert_frame_equal(run_code(code, tmp_path), df)


# -- text columns built as Arrow buffers ------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "prefix", "width"),
    [
        (-70_010, "x", 3),  # blocks cross zero and powers of ten: rows of many lengths
        (95, "A", 2),
        (-5, "", 1),
        (2**62 - 70_000, "é€😀", 30),  # multi-byte prefix, the widest numbers
        (-(2**62), "p" * 100, 0),
        (0, "", 4),
    ],
)
def test_prefixed_ids_are_python_zfill_of_each_number_across_blocks(start, prefix, width):
    n = BLOCK_SIZE + 70
    ids = sb.Schema(columns=[c.Id("id", start=start, prefix=prefix, width=width)]).sample(n, seed=0)["id"]
    assert ids.tolist() == [prefix + str(start + i).zfill(width) for i in range(n)]


def _pattern_regex(pattern: str) -> str:
    classes = {"#": "[0-9]", "?": "[A-Z]", "@": "[a-z]", "*": "[A-Z0-9]"}
    out, chars = [], iter(pattern)
    for ch in chars:
        out.append(re.escape(next(chars)) if ch == "\\" else classes.get(ch, re.escape(ch)))
    return "".join(out)


@pytest.mark.parametrize("pattern", [r"é\#*@?😀##\\\?x€", "\n\t#\x01?\u2028", "abc", "#", "*" * 200])
def test_patterns_with_multibyte_and_control_characters_keep_their_literals(pattern):
    df = sb.Schema(columns=[c.Pattern("p", pattern=pattern, null_rate=0.2)]).sample(500, seed=1)
    present = df["p"].dropna()
    assert 0 < len(present) < 500
    assert present.str.fullmatch(_pattern_regex(pattern), flags=re.S).all()


def test_text_columns_are_arrow_backed_as_pandas_stores_text():
    gen = sb.Schema(
        columns=[
            c.Id("id", prefix="C", width=7),
            c.Id("token", kind="uuid"),
            c.Pattern("invoice", pattern="INV-####-??", null_rate=0.1),
        ]
    )
    df = gen.sample(BLOCK_SIZE + 5, seed=0)
    text = pd.Series([""]).dtype
    assert (df.dtypes == text).all()
    if getattr(text, "storage", None) == "pyarrow":  # pandas 3: no Python object per row
        for name in df:
            assert type(df[name].array).__name__ == "ArrowStringArray"
    assert df["token"].map(lambda t: str(uuid.UUID(t)) == t and uuid.UUID(t).version == 4).all()
    assert df["invoice"].dropna().str.fullmatch(r"INV-[0-9]{4}-[A-Z]{2}").all()
