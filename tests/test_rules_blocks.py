"""How make_table joins a column's blocks (synthbench.kernels.rules).

Numbers, booleans and times are written block by block into one array per column; any
other column, or a column whose blocks disagree on the dtype, is joined by pandas. Both
must give what joining the blocks' frames with ``pd.concat`` gives.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthbench.kernels import rules as k

BLOCK = 1_000
N = 2 * BLOCK + 17


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
    for block in range(-(-n // BLOCK)):
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
def test_blocks_join_as_pandas_joins_them(kinds):
    columns = [("x", 1, by_block, {"kinds": kinds}, None), ("y", 2, same, {"column": "x"}, None)]
    made = k.make_table(N, 0, columns, block_size=BLOCK)
    pd.testing.assert_frame_equal(made, blockwise(columns), check_exact=True)
    assert made["x"].dtype == blockwise(columns)["x"].dtype


def test_a_kernel_reads_the_columns_made_before_it_in_its_block():
    columns = [("x", 1, by_block, {"kinds": ["int"] * 3}, (0.5, "Int64")), ("y", 2, twice, {"column": "x"}, None)]
    made = k.make_table(N, 3, columns, block_size=BLOCK, output=["y", "x"])
    assert list(made.columns) == ["y", "x"] and made["x"].isna().any()
    pd.testing.assert_series_equal(made["y"], made["x"] * 2, check_names=False)


def test_missing_floats_are_what_mask_makes():
    columns = [("x", 1, by_block, {"kinds": ["float"] * 3}, (0.3, None))]
    made = k.make_table(N, 5, columns, block_size=BLOCK)
    gaps = np.concatenate(
        [np.random.default_rng([5, b, 0, 1, 1]).random(min(BLOCK, N - b * BLOCK)) < 0.3 for b in range(3)]
    )
    pd.testing.assert_series_equal(made["x"], pd.Series(np.arange(N) * 0.5, name="x").mask(gaps))
