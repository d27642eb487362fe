"""The table layer: one reading of frames, column kinds, value checks and the record distance."""

from __future__ import annotations

import decimal

import numpy as np
import pandas as pd
import pytest

import synthbench.table as T
from synthbench.exceptions import DataError

N = 30


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "f": rng.normal(size=N),
            "f32": rng.normal(size=N).astype("float32"),
            "Ff": pd.array(rng.normal(size=N), dtype="Float64"),
            "i": rng.integers(0, 5, N),
            "I": pd.array(rng.integers(0, 5, N), dtype="Int32"),
            "u": rng.integers(0, 5, N).astype("uint8"),
            "b": rng.random(N) > 0.5,
            "B": pd.array(rng.random(N) > 0.5, dtype="boolean"),
            "ob": pd.Series([True, False, None] * 10, dtype=object),
            "d": pd.date_range("2024-01-01", periods=N, freq="D"),
            "dz": pd.date_range("2024-01-01", periods=N, freq="h", tz="Europe/Berlin"),
            "td": pd.to_timedelta(np.arange(N), unit="m"),
            "s": pd.Series(list("abc") * 10, dtype="str"),
            "os": pd.Series(list("abc") * 10, dtype=object),
            "oi": pd.Series([1, 2, 3] * 10, dtype=object),
            "of": pd.Series([0.5, 1.5, None] * 10, dtype=object),
            "c": pd.Categorical(list("xyz") * 10),
            "ci": pd.Categorical([1, 2, 3] * 10),
            "none": pd.Series([None] * N, dtype=object),
        }
    )


KINDS = {
    "f": "numeric",
    "f32": "numeric",
    "Ff": "numeric",
    "i": "integer",
    "I": "integer",
    "u": "integer",
    "b": "boolean",
    "B": "boolean",
    "ob": "boolean",
    "d": "datetime",
    "dz": "datetime",
    "td": "timedelta",
    "s": "categorical",
    "os": "categorical",
    "oi": "categorical",
    "of": "categorical",
    "c": "categorical",
    "ci": "categorical",
    "none": "categorical",
}


def test_every_supported_dtype_has_one_kind():
    frame = T.check_frame(_frame(), "The data")
    assert T.column_kinds(frame, "The data") == KINDS


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ([[1], [2]], "must hold single values, not list values"),
        ([{"a": 1}, {"b": 2}], "must hold single values, not dict values"),
        ([{1}, {2}], "must hold single values, not set values"),
        ([1, "1"], r"of one type .*they mix \['int', 'str'\]"),
        ([1, True], r"they mix \['bool', 'int'\]"),
        ([1, 1.0], r"they mix \['float', 'int'\]"),
        ([pd.Timestamp(0), pd.Timestamp(1)], r"not \['Timestamp'\]; convert the column first \(pd.to_datetime"),
        ([decimal.Decimal(1), decimal.Decimal(2)], r"not \['Decimal'\]; convert the column first \(.astype\(float\)"),
        ([b"x", b"y"], r"not \['bytes'\]; convert the column first \(.astype\(str\)"),
        ([1j, 2j], r"not \['complex'\]"),
    ],
)
def test_object_columns_that_cannot_be_labels_are_refused_by_name(values, match):
    series = pd.Series(values, dtype=object, name="col\n1")
    with pytest.raises(DataError, match=rf"^The data: column 'col\\n1' is an object column and .*{match}"):
        T.column_kind(series, "The data")


@pytest.mark.parametrize(
    "series",
    [
        pd.Series([1j, 2j]),
        pd.Series(pd.period_range("2020", periods=2, freq="D")),
        pd.Series(pd.interval_range(0, 2)),
    ],
    ids=["complex", "period", "interval"],
)
def test_unsupported_dtypes_are_refused_with_the_supported_list(series):
    with pytest.raises(DataError, match=r"column 'x' has dtype .* which synthbench cannot read. Supported are float"):
        T.column_kind(series.rename("x"), "The data", hint="; or not")


def test_categories_of_mixed_types_are_refused():
    with pytest.raises(DataError, match=r"column 'x' has categories that must hold values of one type"):
        T.column_kind(pd.Series(pd.Categorical([1, "1"]), name="x"), "The data")


def test_allow_narrows_the_kinds_and_names_the_ones_taken():
    with pytest.raises(DataError, match=r"column 'td' is timedelta .*supported kinds: numeric, integer.*; fix it"):
        T.column_kind(_frame()["td"], "The data", allow=T.KINDS[:5], hint="; fix it")


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        ([1, 2], "must be a pandas DataFrame. Got list instead"),
        (pd.DataFrame(), r"is empty \(shape \(0, 0\)\)"),
        (pd.DataFrame({"a": []}), r"is empty \(shape \(0, 1\)\)"),
        (pd.DataFrame({0: [1]}), r"str column names.*Got column name 0 \(int\).*astype\(str\)"),
        (pd.DataFrame({True: [1]}), r"Got column name True \(bool\)"),
        (pd.DataFrame({"": [1]}), r"Got column name '' \(str\)"),
        (pd.DataFrame({"x" * 1001: [1]}), r"at most 1000 characters"),
        (pd.DataFrame([[1, 2]], columns=["a", "a"]), r"distinct column names. Got repeated column\(s\) \['a'\]"),
        (pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("a", "b"), ("a", "c")])), r"\(tuple\)"),
    ],
)
def test_frames_are_checked_with_clear_messages(frame, match):
    with pytest.raises(DataError, match=rf"^The data {match}" if "must be" in match else match):
        T.check_frame(frame, "The data")


def test_min_rows_and_columns():
    with pytest.raises(DataError, match=r"is too small \(shape \(1, 1\)\); it needs at least 2 row"):
        T.check_frame(pd.DataFrame({"a": [1]}), "The data", min_rows=2)


def test_value_checks_name_their_columns():
    frame = pd.DataFrame({"a": [1.0, np.nan], "b": [np.inf, 1.0], "c": [None, None], "d": [1, 2]})
    with pytest.raises(DataError, match=r"^Owner: columns \['a', 'c'\] have missing values; hint\.$"):
        T.refuse_missing(frame, ["a", "b", "c", "d"], "Owner", hint="; hint")
    with pytest.raises(DataError, match=r"every value of columns \['c'\] is missing"):
        T.refuse_all_missing(frame, frame.columns, "Owner")
    with pytest.raises(DataError, match=r"columns \['b'\] hold infinite values"):
        T.refuse_infinite(frame, {"a": "numeric", "b": "numeric", "d": "integer"}, "Owner")
    T.refuse_infinite(frame, {"a": "numeric"}, "Owner")


def test_gower_distance_by_hand():
    ref = pd.DataFrame({"x": [0.0, 10.0, np.nan], "c": ["u", "v", None], "t": pd.to_datetime(["2024-01-01"] * 3)})
    other = pd.DataFrame({"x": [5.0], "c": ["u"], "t": pd.to_datetime(["2024-01-02"])})
    kinds = {"x": "numeric", "c": "categorical", "t": "datetime"}
    a, b = T.gower_embedding([ref, other], kinds)
    dist = np.abs(a[:, None, :] - b[None, :, :]).sum(axis=2)[:, 0]
    # x: |0 - 0.5|, |1 - 0.5|, missing vs 0.5 -> 0.5 + 0; c: 0, 1, 1; t: constant reference -> range 1 day
    assert dist.round(6).tolist() == [round((0.5 + 0 + 1) / 3, 6), round((0.5 + 1 + 1) / 3, 6), round(2.5 / 3, 6)]
    d, idx = T.nearest(a, b, 1)
    assert idx[0, 0] == 0 and d[0, 0] == pytest.approx(dist.min())


def test_gower_embedding_refuses_a_size_beyond_the_limit_before_allocating():
    n = 40_000
    ids = pd.DataFrame({"id": pd.Series(np.arange(n).astype(str), dtype=object)})
    with pytest.raises(DataError, match=r"needs about .* GiB .*limit of 1 GiB.*\['id'\]"):
        T.gower_embedding([ids, ids], {"id": "categorical"})


def test_as_float_reads_datetimes_in_one_unit_and_refuses_inf():
    s = pd.Series(pd.to_datetime(["1970-01-01", None, "1970-01-02"]).as_unit("s"))
    assert T.as_float(s, "datetime", unit="ms").tolist()[::2] == [0.0, 86_400_000.0]
    with pytest.raises(DataError, match="infinite"):
        T.as_float(pd.Series([1.0, np.inf], name="x"), "numeric")


def test_object_integers_beyond_64_bits_are_refused_with_the_way_out():
    frame = pd.DataFrame({"o": pd.Series([2**70, 3, None], dtype=object)})
    with pytest.raises(DataError, match=r"'o'.*fit in 64 bits.*astype\(str\)"):
        T.column_kind(frame["o"], "The data")
    assert T.column_kind(pd.Series([2**64 - 1, 3], dtype=object), "The data") == "categorical"
