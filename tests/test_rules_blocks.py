"""How make_table joins a column's blocks (synthbench.kernels.rules).

Numbers, booleans and times are written block by block into one array per column; any
other column, or a column whose blocks disagree on the dtype, is joined by pandas. Both
must give what joining the blocks' frames with ``pd.concat`` gives, whether the blocks
are made one after another (the built-in ``map``, as in exported code) or side by side
on synthbench's thread pool (``scale.block_map``, as ``sample`` does).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synthbench as sb
from synthbench import scale
from synthbench.kernels import rules as k

BLOCK = 1_000
N = 2 * BLOCK + 17


@pytest.fixture(params=["map", "threads"])
def make_table(request):
    """make_table with its blocks made one after another, or on four threads."""
    if request.param == "map":
        yield k.make_table
        return
    with sb.config_context(threads=4):
        yield lambda *args, **kwargs: k.make_table(*args, **kwargs, block_map=scale.block_map)


def by_block(rng, positions, _, kinds):
    """Block b's values in the dtype ``kinds[b]``: what a column whose type varies looks like."""
    kind = kinds[int(positions[0]) // BLOCK] if len(positions) else kinds[0]
    if kind == "int":
        return positions.astype(np.int64)
    if kind == "float":
        return positions * 0.5
    if kind == "day":
        return positions.astype("datetime64[D]")
    if kind == "f16":
        return positions.astype(np.float16)
    if kind == "list":
        return [int(i) for i in positions]
    if kind == "boom":
        raise ValueError(f"block {int(positions[0]) // BLOCK} cannot be made")
    return positions.astype(str).astype(object)


def twice(rng, positions, df, column):
    """Reads an earlier column of the block."""
    return df[column] * 2


def same(rng, positions, df, column):
    """An earlier column of the block, as it is."""
    return df[column]


def blockwise(columns, n=N):
    """The frame as the blocks' frames joined by pandas (what make_table did before)."""
    frames = []
    for block in range(max(1, -(-n // BLOCK))):  # one block, maybe empty, at least
        positions = np.arange(block * BLOCK, min((block + 1) * BLOCK, n))
        frames.append(pd.DataFrame(k.make_rows(0, (block, 0), positions, columns), index=pd.RangeIndex(len(positions))))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize(
    "kinds",
    [
        ["int", "int", "int"],
        ["int", "float", "int"],
        ["float", "float", "text"],
        ["text", "int", "int"],
        ["day", "day", "day"],
        ["f16", "f16", "float"],
        ["float", "list", "float"],
    ],
)
def test_blocks_join_as_pandas_joins_them(kinds, make_table):
    columns = [("x", 1, by_block, {"kinds": kinds}, None), ("y", 2, same, {"column": "x"}, None)]
    made = make_table(N, 0, columns, block_size=BLOCK)
    pd.testing.assert_frame_equal(made, blockwise(columns), check_exact=True)
    assert made["x"].dtype == blockwise(columns)["x"].dtype


def test_a_kernel_reads_the_columns_made_before_it_in_its_block(make_table):
    columns = [("x", 1, by_block, {"kinds": ["int"] * 3}, (0.5, "Int64")), ("y", 2, twice, {"column": "x"}, None)]
    made = make_table(N, 3, columns, block_size=BLOCK, output=["y", "x"])
    assert list(made.columns) == ["y", "x"] and made["x"].isna().any()
    pd.testing.assert_series_equal(made["y"], made["x"] * 2, check_names=False)


def test_missing_floats_are_what_mask_makes(make_table):
    columns = [("x", 1, by_block, {"kinds": ["float"] * 3}, (0.3, None))]
    made = make_table(N, 5, columns, block_size=BLOCK)
    gaps = np.concatenate(
        [np.random.default_rng([5, b, 0, 1, 1]).random(min(BLOCK, N - b * BLOCK)) < 0.3 for b in range(3)]
    )
    pd.testing.assert_series_equal(made["x"], pd.Series(np.arange(N) * 0.5, name="x").mask(gaps))


def test_missing_floats_never_change_the_column_a_kernel_hands_back(make_table):
    # y is x itself (no copy): its missing values are set in a copy, x keeps its values
    columns = [("x", 1, by_block, {"kinds": ["float"] * 3}, None), ("y", 2, same, {"column": "x"}, (0.5, None))]
    made = make_table(N, 0, columns, block_size=BLOCK)
    pd.testing.assert_series_equal(made["x"], pd.Series(np.arange(N) * 0.5, name="x"))
    assert made["y"].isna().any() and made["y"].notna().any()
    pd.testing.assert_frame_equal(made, blockwise(columns), check_exact=True)


def categories_of(rng, positions, _, kinds):
    """Block b's categories (kinds[b]: their values), or numbers for a block marked None."""
    kind = kinds[int(positions[0]) // BLOCK] if len(positions) else kinds[0]
    if kind is None:
        return positions * 0.5
    return pd.Categorical.from_codes(positions % len(kind), categories=kind)


@pytest.mark.parametrize(
    ("kinds", "missing"),
    [
        ([["a", "b"]] * 3, None),
        ([["a", "b"]] * 3, (0.3, None)),
        ([[1, 2, 3]] * 3, None),
        ([["a", "b"], ["a", "b"], ["b", "a"]], None),  # other categories: pandas joins them
        ([["a", "b"], None, ["a", "b"]], None),  # a block of numbers
    ],
)
def test_categories_join_as_pandas_joins_them(kinds, missing, make_table):
    columns = [("x", 1, categories_of, {"kinds": kinds}, missing)]
    made = make_table(N, 0, columns, block_size=BLOCK)
    pd.testing.assert_frame_equal(made, blockwise(columns), check_exact=True)
    if kinds[0] == kinds[-1] and None not in kinds:
        assert made["x"].cat.codes.dtype == blockwise(columns)["x"].cat.codes.dtype


@pytest.mark.parametrize("rows", [0, 1, BLOCK, N])
@pytest.mark.parametrize("blocks", [None, (1, 3)])
def test_ids_and_derived_columns_made_at_once_equal_those_made_by_block(rows, blocks, make_table):
    tree = ("+", ("*", ("col", "x"), 3), ("col", "id"))
    columns = [
        ("id", 1, k.sequential_ids, {"start": -5}, None),
        ("x", 2, by_block, {"kinds": ["float"] * 3}, (0.2, None)),
        ("d", 3, k.derived, {"tree": tree}, None),
        ("text", 4, k.derived, {"tree": ("+", ("col", "t"), "!")}, None),
        ("t", 5, k.pattern_strings, {"template": [ord(c) for c in "#?"], "slots": [("0123", [0]), ("XY", [1])]}, None),
        ("e", 6, k.derived, {"tree": 7}, None),
    ]
    columns = [columns[i] for i in (0, 1, 2, 4, 3, 5)]  # "text" reads "t", made before it
    assert k.whole_columns(columns) == {"id", "d", "text", "e"}
    made = make_table(rows, 0, columns, block_size=BLOCK, blocks=blocks)
    if blocks is None:
        pd.testing.assert_frame_equal(made, blockwise(columns, rows), check_exact=True)
    else:
        expected = blockwise(columns, rows).iloc[BLOCK : 3 * BLOCK].reset_index(drop=True)
        pd.testing.assert_frame_equal(made, expected, check_exact=True)


def test_a_column_read_in_its_block_or_with_missing_values_is_made_by_block(make_table):
    columns = [
        ("id", 1, k.sequential_ids, {"start": 1}, None),
        ("y", 2, twice, {"column": "id"}, None),  # reads any column before it
        ("d", 3, k.derived, {"tree": ("col", "y")}, (0.5, None)),
        ("e", 4, k.derived, {"tree": ("col", "y")}, None),  # read by f, made by block
        ("f", 5, k.derived, {"tree": ("col", "e")}, (0.5, None)),
        ("g", 6, k.derived, {"tree": ("col", "e")}, None),
    ]
    assert k.whole_columns(columns) == {"g"}
    pd.testing.assert_frame_equal(make_table(N, 0, columns, block_size=BLOCK), blockwise(columns), check_exact=True)


def test_a_derived_column_made_at_once_names_itself_when_it_fails(make_table):
    columns = [("x", 1, by_block, {"kinds": ["int"] * 3}, None), ("d", 2, k.derived, {"tree": ("unknown", 1)}, None)]
    with pytest.raises(ValueError, match="unknown operation") as info:
        make_table(N, 0, columns, block_size=BLOCK)
    assert "while making column 'd'" in info.value.__notes__


def test_a_kernel_error_in_a_later_block_names_its_column(make_table):
    columns = [("x", 1, by_block, {"kinds": ["int", "int", "boom"]}, None)]
    with pytest.raises(ValueError, match="block 2 cannot be made") as info:
        make_table(N, 0, columns, block_size=BLOCK)
    assert "while making column 'x'" in info.value.__notes__
