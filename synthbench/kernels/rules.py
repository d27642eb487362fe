"""Kernels of the rule-based family: a table of columns made block by block.

:class:`~synthbench.Schema` compiles each column to an entry of a literal table,
``(name, stream key, kernel, arguments, missing)``, and its constraints to
``(text, tree)`` pairs; :func:`make_table` makes the rows from them. Every column
kernel takes ``(rng, positions, df, **arguments)``: its own random stream, the row
numbers being made and the columns made so far (a dict of arrays and Series, read
as Series with :func:`column`; a kernel that reads none names that parameter
``_``), and returns the column's values.
Expressions are nested tuples evaluated by :func:`evaluate`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def make_table(
    n_rows,
    seed,
    columns,
    block_size=65536,
    output=None,
    blocks=None,
    enforce=None,
    constraints=(),
    on_violation="resample",
    max_attempts=100,
    block_map=map,
):
    """``n_rows`` rows made in blocks; block k depends only on ``(seed, k)``.

    ``columns`` are made in their order and returned in the order of ``output`` (if
    given). ``blocks=(start, stop)`` makes only those blocks. ``enforce`` (see
    :func:`enforce_constraints`) deals with the rows of each block that break a
    constraint, and counts them in ``df.attrs["constraints"]``. Without it, sequential
    ids and derived columns no later column reads in its block are made for all rows at
    once after the blocks (see :func:`whole_columns`): elementwise, so the same values.
    ``block_map`` makes the blocks after the first, in order: the built-in ``map`` one
    after another, or a thread pool's side by side (blocks share nothing, and numpy
    draws without holding the GIL), with the same values either way.
    """
    start, stop = blocks if blocks is not None else (0, max(1, -(-n_rows // block_size)))
    texts = [text for text, _ in constraints]
    columns = [  # a category column's dtype is made once, not once per block
        (name, key, kernel, {**arguments, "dtype": pd.CategoricalDtype(arguments["values"])}, missing)
        if kernel is categories
        else (name, key, kernel, arguments, missing)
        for name, key, kernel, arguments, missing in columns
    ]
    whole_table = whole_columns(columns) if enforce is None else set()
    per_block = [column for column in columns if column[0] not in whole_table]
    # Numbers, booleans, times and categories' codes are written block by block into
    # whole columns laid out by the first block (the blocks' memory is then reused); any
    # other column (text, nullable types), or a block of another dtype, is joined by pandas.
    whole, kinds = {}, {}  # a column's array, and its category dtype (None: the values)

    def make(block, place):
        """Block ``block``'s values, those that fit written into place if ``place``."""
        positions = np.arange(block * block_size, min((block + 1) * block_size, n_rows))
        made = make_rows(seed, (block, 0), positions, per_block)
        if enforce is None:  # block k's rows are at (k - start) * block_size
            return write(made, (block - start) * block_size) if place else made, len(positions), None
        report = {"constraint_violations": dict.fromkeys(texts, 0), "rows_resampled": 0, "rows_dropped": 0}
        df = pd.DataFrame(made, index=pd.RangeIndex(len(positions)), copy=False)
        df = enforce(df, seed, block, positions, columns, constraints, on_violation, max_attempts, report)
        return dict(df.items()), len(df), report  # placed once the rows before it are counted

    def write(made, offset):
        """Writes the values that fit into the whole columns at ``offset``; returns the rest."""
        rest = {}
        for name, values in made.items():
            kind, plain = as_codes(values)
            into = whole.get(name)
            if (
                into is not None
                and isinstance(getattr(plain, "dtype", None), np.dtype)
                and plain.dtype == into.dtype
                and (kind is None) == (kinds[name] is None)
                and (kind is None or kind is kinds[name] or same_categories(kind, kinds[name]))
            ):
                into[offset : offset + len(plain)] = plain
            else:
                rest[name] = values
        return rest

    first = make(start, place=False)
    most = max(0, min(stop * block_size, n_rows) - start * block_size)
    for name, values in first[0].items():
        kind, plain = as_codes(values)
        if is_plain(plain):
            whole[name], kinds[name] = np.empty(most, dtype=plain.dtype), kind
    made, rows, report = first
    pieces = [(0, rows, write(made, 0))]  # (first row, rows, values not written into a whole column)
    reports = [report]
    for made, size, report in block_map(lambda block: make(block, place=enforce is None), range(start + 1, stop)):
        pieces.append((rows, size, made if enforce is None else write(made, rows)))
        reports.append(report)
        rows += size
    made = {}
    for name, *_ in per_block:
        if name in whole and not any(name in rest for _, _, rest in pieces):
            made[name] = whole_column(whole[name][:rows], kinds[name])
        else:
            parts = [
                rest[name] if name in rest else whole_column(whole[name][at : at + size], kinds[name])
                for at, size, rest in pieces
            ]
            made[name] = pd.concat([pd.Series(part, copy=False) for part in parts], ignore_index=True)
    positions = pd.RangeIndex(start * block_size, start * block_size + rows)  # made only if read
    for name, _, kernel, arguments, _ in columns:
        if name in whole_table:  # made for all rows at once: elementwise, so the same values
            with np.errstate(all="ignore"):
                try:
                    values = kernel(None, positions, made, **arguments)
                except Exception as exc:
                    exc.add_note(f"while making column {name!r}")
                    raise
            made[name] = np.asarray(values) if is_plain(values) else pd.Series(values, copy=False)
    made = {name: made[name] for name in (output if output is not None else [column[0] for column in columns])}
    df = pd.DataFrame(made, index=pd.RangeIndex(rows), copy=False)
    if enforce is not None:  # the blocks' counts, added up
        df.attrs["constraints"] = {
            "constraint_violations": {t: sum(r["constraint_violations"][t] for r in reports) for t in texts},
            "rows_resampled": sum(r["rows_resampled"] for r in reports),
            "rows_dropped": sum(r["rows_dropped"] for r in reports),
        }
    return df


def whole_columns(columns):
    """Columns that can be made for all rows at once after the blocks (in their order):
    sequential ids and derived columns (elementwise, no random draws), without missing
    values, that no later column made by block reads."""
    out, read, everything = set(), set(), False
    for name, _, kernel, arguments, missing in reversed(columns):
        if kernel in (sequential_ids, derived) and missing is None and not everything and name not in read:
            out.add(name)
        elif kernel is derived:
            read.update(columns_of(arguments["tree"]))
        elif kernel.__code__.co_varnames[2] != "_":
            everything = True  # it may read any column before it
    return out


def same_categories(a, b):
    """Whether two category dtypes have the same categories in the same order (== ignores it)."""
    return a == b and a.categories.dtype == b.categories.dtype and a.categories.equals(b.categories)


def as_codes(values):
    """``(dtype, codes)`` of categories, else ``(None, values)``."""
    if not isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        return None, values
    return values.dtype, (values.array if isinstance(values, pd.Series) else values).codes


def whole_column(values, kind):
    """A column written whole: ``values``, or the codes of categories of dtype ``kind``."""
    return values if kind is None else pd.Categorical.from_codes(values, dtype=kind, validate=False)


def is_plain(values):
    """Whether pandas holds ``values`` as they are: numbers, booleans, times in s/ms/us/ns."""
    dtype = getattr(values, "dtype", None)
    if not isinstance(dtype, np.dtype) or dtype.kind not in "iufbmM" or dtype.itemsize == 2:
        return False
    return dtype.kind not in "mM" or np.datetime_data(dtype)[0] in ("s", "ms", "us", "ns")


def enforce_constraints(df, seed, block, positions, columns, constraints, on_violation, max_attempts, report):
    """A block's rows, with those that break a constraint made again, dropped or refused.

    ``"resample"`` makes broken rows again from the streams of the next attempt (up to
    ``max_attempts``), ``"drop"`` drops them and ``"raise"`` refuses them; ``report``
    counts them.
    """
    texts = [text for text, _ in constraints]
    broken = broken_rows(df, constraints)
    for text, rows in zip(texts, broken, strict=True):
        report["constraint_violations"][text] += int(rows.sum())
    bad = np.logical_or.reduce(broken)
    if on_violation == "drop":
        report["rows_dropped"] += int(bad.sum())
        return df[~bad]
    attempt = 0
    while bad.any() and on_violation == "resample" and attempt < max_attempts:
        attempt += 1  # make the broken rows again from fresh streams
        report["rows_resampled"] += int(bad.sum())
        fresh = pd.DataFrame(make_rows(seed, (block, attempt), positions[bad], columns), copy=False)
        df = pd.concat([df[~bad], fresh.set_axis(df.index[bad])]).sort_index()
        bad = np.logical_or.reduce(broken_rows(df, constraints))
    if bad.any():
        first = df.index[bad][0]  # the row in the block; positions[first] is the row in the table
        why = f"after {max_attempts} attempts" if on_violation == "resample" else "(on_violation='raise')"
        raise ValueError(
            f"{int(bad.sum())} row(s) still break {texts} {why}, e.g. row {int(positions[first])}: "
            f"{df.loc[[first]].to_dict('records')[0]}. The columns' distributions rarely satisfy them."
        )
    return df


def make_rows(seed, stream, positions, columns):
    """Rows at ``positions`` (row numbers); each column draws from its own stream.

    A column's stream is ``default_rng([seed, block, attempt, key])`` and its missing
    values come from the sub-stream ``[..., key, 1]``, so editing one column never
    moves another, and a null rate never moves the values.
    """
    n = len(positions)
    made = {}  # the columns made so far
    with np.errstate(all="ignore"):
        for name, key, kernel, arguments, missing in columns:
            # A kernel whose third parameter is ``_`` reads no other column; the others get
            # the columns made so far, by name (arrays or Series; read them with column()).
            df = None if kernel.__code__.co_varnames[2] == "_" else made
            try:
                values = kernel(np.random.default_rng([seed, *stream, key]), positions, df, **arguments)
            except Exception as exc:
                exc.add_note(f"while making column {name!r}")
                raise
            if missing is not None:
                rate, dtype = missing
                gaps = np.random.default_rng([seed, *stream, key, 1]).random(n) < rate
                if dtype is None and isinstance(values, np.ndarray) and values.dtype == np.float64:
                    # what Series.mask does, without a Series: in place unless the kernel
                    # handed back (part of) a column it read
                    if not values.flags.writeable or any(
                        np.may_share_memory(values, done) for done in made.values() if isinstance(done, np.ndarray)
                    ):
                        values = values.copy()
                    values[gaps] = np.nan
                else:
                    values = pd.Series(values, index=pd.RangeIndex(n), copy=False)
                    values = (values if dtype is None else values.astype(dtype)).mask(gaps)
            made[name] = values
    return made


def broken_rows(df, constraints):
    """For each ``(text, tree)`` condition, which rows break it (a missing value breaks none)."""
    out = []
    with np.errstate(all="ignore"):
        for text, tree in constraints:
            try:
                held = pd.Series(evaluate(tree, df), index=df.index)
            except Exception as exc:
                exc.add_note(f"while checking constraint {text!r}")
                raise
            present = df[list(dict.fromkeys(columns_of(tree)))].notna().all(axis=1)
            out.append((~held.astype("boolean") & present).fillna(False).to_numpy(dtype=bool))
    return out


def column(df, name):
    """Column ``name`` of ``df`` (a frame, or a dict of arrays and Series) as a Series."""
    values = df[name]
    return values if isinstance(values, pd.Series) else pd.Series(values, name=name, copy=False)


def columns_of(tree):
    """Names of the columns an expression tree reads."""
    if not isinstance(tree, tuple):
        return []
    if tree[0] == "col":
        return [tree[1]]
    return [name for arg in tree[1:] for name in columns_of(arg)]


def evaluate(tree, df):
    """The value of an expression tree over the columns of ``df``.

    A tree is a constant, ``("col", name)``, or ``(operator or function, *arguments)``.
    ``and``/``or``/``not`` take conditions or boolean columns only; text cannot be
    repeated (``*``) or formatted (``%``).
    """
    if not isinstance(tree, tuple):
        return tree
    op, *args = tree
    if op == "col":
        return column(df, args[0])
    if op in ("in", "not in"):
        hit = evaluate(args[0], df).isin(args[1])
        return ~hit if op == "not in" else hit
    values = [evaluate(arg, df) for arg in args]
    if op in ("and", "or", "not"):
        for value in values:
            dtype = getattr(value, "dtype", None)
            if not (isinstance(value, (bool, np.bool_)) or (dtype is not None and pd.api.types.is_bool_dtype(dtype))):
                raise TypeError(f"{op!r} needs conditions or boolean columns; compare first, e.g. x != 0")
        if op == "not":
            return (not values[0]) if isinstance(values[0], bool) else ~values[0]
        out = values[0]
        for value in values[1:]:
            out = (out & value) if op == "and" else (out | value)
        return out
    if op in ("*", "%") and any(is_text(v) for v in (values if op == "*" else values[:1])):
        raise TypeError("text cannot be repeated with '*' or formatted with '%'")
    a = values[0]
    b = values[1] if len(values) > 1 else None
    binary = {
        "+": lambda: a + b,
        "-": lambda: a - b,
        "*": lambda: a * b,
        "/": lambda: a / b,
        "//": lambda: a // b,
        "%": lambda: a % b,
        "**": lambda: a**b,
        "==": lambda: a == b,
        "!=": lambda: a != b,
        "<": lambda: a < b,
        "<=": lambda: a <= b,
        ">": lambda: a > b,
        ">=": lambda: a >= b,
    }
    if op in binary:
        return binary[op]()
    if op == "neg":
        return -a
    if op == "pos":
        return +a
    if op in ("abs", "sqrt", "exp", "log", "log10", "floor", "ceil", "round", "minimum", "maximum", "clip", "where"):
        return getattr(np, op)(*values)
    if op in ("days", "hours"):
        return pd.to_timedelta(a, unit="D" if op == "days" else "h")
    if op in ("year", "month", "day", "weekday"):
        return getattr(a.dt, "day_of_week" if op == "weekday" else op)
    raise ValueError(f"unknown operation {op!r}")


def is_text(value):
    """Whether ``value`` is a str or a column of text."""
    dtype = getattr(value, "dtype", None)
    if dtype is None:
        return isinstance(value, str)
    return getattr(dtype, "kind", None) == "O" or pd.api.types.is_string_dtype(dtype)


# -- column kernels: (rng, positions, df, **arguments) -> values -----------------------------


def text_array(data, offsets):
    """Text from UTF-8 bytes: row i is ``data[offsets[i]:offsets[i + 1]]``.

    The buffers become an Arrow string array with no copy and no Python object per
    row, in the dtype pandas gives text (``str`` in pandas 3, which pyarrow backs).
    A pandas that keeps text as Python objects gets those instead.
    """
    import pyarrow as pa

    buffers = [None, pa.py_buffer(np.asarray(offsets, dtype=np.int64)), pa.py_buffer(data)]
    text = pa.Array.from_buffers(pa.large_string(), len(offsets) - 1, buffers)
    dtype = pd.api.types.pandas_dtype("str")  # pandas 3: the dtype text gets (cheaper than a Series)
    if not isinstance(dtype, pd.StringDtype):  # pandas 2: "str" is numpy's; ask a Series
        dtype = pd.Series([""]).dtype
    if getattr(dtype, "storage", None) in ("pyarrow", "pyarrow_numpy"):
        return pd.array(text, dtype=dtype)
    return text.to_numpy(zero_copy_only=False)


def fixed_offsets(n, width):
    """The offsets of ``n`` texts of ``width`` bytes each: 0, width, 2 * width, ..."""
    return np.arange(0, (n + 1) * width, width) if width else np.zeros(n + 1, dtype=np.int64)


def sequential_ids(rng, positions, _, start):
    """Ids ``start``, ``start + 1``, ... by row number."""
    return positions + start


def prefixed_ids(rng, positions, _, start, prefix, width):
    """Ids as text: ``prefix`` and the number, zero-padded to ``width`` characters (``str.zfill``).

    Rows of one sign and one length are written at a time as a matrix of bytes, four
    digits at a time from a table of ``0000`` to ``9999``. Numbers rise with the row,
    so a block usually holds one such group.
    """
    numbers = positions + start
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    low, high = (int(numbers.min()), int(numbers.max())) if len(numbers) else (0, 0)
    if (low < 0) == (high < 0) and len(str(low).zfill(width)) == len(str(high).zfill(width)):
        groups = [(slice(None), low < 0, len(str(low).zfill(width)))]
    else:  # the block crosses zero or a power of ten: find each row's sign and length
        negative = numbers < 0
        digits = np.searchsorted(10 ** np.arange(1, 19), np.abs(numbers), side="right") + 1
        key = np.maximum(digits + negative, width) * 2 + negative
        groups = [(np.flatnonzero(key == k), bool(k % 2), int(k // 2)) for k in np.unique(key)]
    # the four ASCII digits of 0000 to 9999, each as one 4-byte number
    digits = np.arange(ord("0"), ord("9") + 1, dtype=np.uint8)
    table = np.empty((10, 10, 10, 10, 4), dtype=np.uint8)
    for place in range(4):
        table[..., place] = digits.reshape((10,) + (1,) * (3 - place))
    table = table.view(np.uint32).ravel()
    made = []
    for rows, negative, size in groups:
        rest = numbers[rows]
        rest = -rest if negative else rest
        text = np.empty((len(rest), len(head) + size), dtype=np.uint8)
        end = text.shape[1]
        while end > len(head) + negative:  # the last four digits left, written over what is before
            final = end - 4 <= len(head) + negative  # then fewer than 10,000 is left
            last = np.take(table, rest if final else rest % 10_000)
            if end >= 4:
                text[:, end - 4 : end].view(np.uint32)[:, 0] = last
            else:
                text[:, :end] = last.view(np.uint8).reshape(-1, 4)[:, 4 - end :]
            end -= 4
            if not final:
                rest = rest // 10_000
        text[:, : len(head)] = head  # the prefix and sign go over what the digits ran into
        if negative:
            text[:, len(head)] = ord("-")
        made.append((rows, text))
    if len(made) == 1:
        rows, text = made[0]
        return text_array(text.ravel(), fixed_offsets(len(text), text.shape[1]))
    offsets = np.zeros(len(numbers) + 1, dtype=np.int64)
    for rows, text in made:
        offsets[rows + 1] = text.shape[1]
    offsets = np.cumsum(offsets)
    data = np.empty(offsets[-1], dtype=np.uint8)
    for rows, text in made:
        data[offsets[rows, None] + np.arange(text.shape[1])] = text
    return text_array(data, offsets)


def uuid4_ids(rng, positions, _):
    """Random UUID4s as text, built from 16 random bytes per row."""
    n = len(positions)
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = raw[:, 6] & 0x0F | 0x40  # version 4
    raw[:, 8] = raw[:, 8] & 0x3F | 0x80  # RFC 4122 variant
    hexdigits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    pairs = hexdigits[np.arange(256)[:, None] >> np.array([4, 0]) & 0x0F]  # each byte's two digits
    chars = np.take(pairs, raw.ravel(), axis=0).reshape(n, 32)
    chars = np.insert(chars, [8, 12, 16, 20], ord("-"), axis=1)
    return text_array(chars.ravel(), fixed_offsets(n, 36))


def categories(rng, positions, _, values, p=None, dtype=None):
    """One of ``values`` per row, with probabilities ``p`` (None: equally likely).

    ``dtype`` is ``pd.CategoricalDtype(values)`` if it is made already (make_table
    makes it once, not once per block).
    """
    n = len(positions)
    codes = rng.integers(0, len(values), size=n) if p is None else rng.choice(len(values), size=n, p=p)
    dtype = pd.CategoricalDtype(values) if dtype is None else dtype
    return pd.Categorical.from_codes(codes, dtype=dtype, validate=False)  # codes are in range


def booleans(rng, positions, _, p):
    """True with probability ``p``."""
    return rng.random(len(positions)) < p


def numbers(rng, positions, _, method, arguments, integer=False, decimals=None, low=None, high=None):
    """Numbers from ``rng.<method>(**arguments)``, rounded and clipped.

    Integers come from continuous distributions rounded to the nearest one; values
    that do not fit in int64 are refused.
    """
    if method == "integers":
        values = rng.integers(arguments["low"], arguments["high"], size=len(positions), endpoint=True)
    else:
        values = getattr(rng, method)(**arguments, size=len(positions))
    # the draws are this kernel's own: rounded in place (no new array per block)
    if integer and values.dtype.kind == "f":
        np.rint(values, out=values)
    if not integer:
        values = values.astype(np.float64, copy=False)
        if decimals is not None:
            np.round(values, decimals, out=values)
    if low is not None or high is not None:
        values = np.clip(values, low, high)
    if integer:
        # integers drawn between bounds within +-2**62 fit; others are checked
        fit = method == "integers" and values.dtype.kind in "iu"
        fit = fit and np.min(arguments["low"]) >= -(2**62) and np.max(arguments["high"]) <= 2**62
        finite = fit or values.dtype.kind != "f" or np.isfinite(values).all()  # integers always are
        if not (fit or (finite and (np.abs(values) <= 2**62).all())):
            raise OverflowError("drew values that do not fit in int64; narrow its params or set 'min' and 'max'")
        return values.astype(np.int64, copy=False)
    if not np.isfinite(values).all():
        raise OverflowError("drew infinite values; narrow its params or set 'min' and 'max'")
    return values


def grouped_numbers(rng, positions, df, method, arguments, by, groups, **options):
    """:func:`numbers` with other arguments for some groups of the column ``by``.

    ``groups`` maps each argument to ``{value of column by: argument}`` for the rows
    whose ``by`` value (as text) differs.
    """
    arguments = dict(arguments)
    read = column(df, by)
    text = isinstance(read.dtype, pd.CategoricalDtype) and pd.api.types.is_string_dtype(read.cat.categories)
    for name, values in groups.items():
        if text:  # each category's argument once, then each row's by its code (-1: missing)
            key = read.cat.categories.to_numpy()
            codes = read.cat.codes.to_numpy()
            each = np.select([key == g for g in values], list(values.values()), default=arguments[name])
            arguments[name] = np.where(codes >= 0, each[codes], arguments[name])
        else:
            key = read.astype(str).to_numpy()
            arguments[name] = np.select([key == g for g in values], list(values.values()), default=arguments[name])
    return numbers(rng, positions, df, method, arguments, **options)


def times(rng, positions, _, start, step, count):
    """Times ``start + k * step`` (``step`` in microseconds), k uniform in [0, count)."""
    k = rng.integers(0, count, size=len(positions))
    k *= step  # in place: microseconds after start, then the times themselves
    k += np.datetime64(start, "us").astype(np.int64)
    return k.view("datetime64[us]")


def calendar_grid(start, end, freq):
    """The times of a calendar frequency (business days, month starts, ...) from start to end."""
    return pd.date_range(start, end, freq=freq, unit="us").to_numpy()


def faker_pool(provider, locale, seed, size):
    """``size`` values of a Faker provider, from a Faker seeded with ``seed``.

    Held as pandas holds text (Arrow-backed ``str`` in pandas 3), so rows drawn from
    the pool are copied as bytes, not as Python strings.
    """
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(seed)
    make = getattr(fake, provider)
    return pd.Series([make() for _ in range(size)]).array


def pick(rng, positions, _, pool):
    """A uniformly drawn value of ``pool`` per row."""
    return pool[rng.integers(0, len(pool), size=len(positions))]


def pattern_strings(rng, positions, _, template, slots):
    """Text from a template of code points; each slot fills its positions from an alphabet.

    ``slots`` holds ``(alphabet, positions)`` pairs (ASCII alphabets). One uniform per
    placeholder of a row, so a row's text does not depend on how many rows are made.
    Every row is the template's UTF-8 bytes with a letter's byte written at each
    placeholder: the uniforms of a slot's placeholders become letters all at once.
    """
    n = len(positions)
    chars = [chr(code).encode() for code in template]
    starts = np.cumsum([0] + [len(char) for char in chars])  # the byte each character starts at
    text = np.tile(np.frombuffer(b"".join(chars), dtype=np.uint8), (n, 1))
    u = rng.random((n, sum(len(places) for _, places in slots)))
    column = 0
    for alphabet, places in slots:
        codes = np.frombuffer(alphabet.encode(), dtype=np.uint8)
        run = np.array_equal(codes, np.arange(codes[0], codes[0] + len(codes)))  # such as 0-9 or A-Z
        letters = alphabet.encode().ljust(256, b"\0")  # byte k becomes the alphabet's k-th letter
        for place in places:  # one placeholder at a time: numpy is fastest on whole columns
            picks = (u[:, column] * len(alphabet)).astype(np.uint8)
            if run:
                picks += codes[0]
            else:
                picks = np.frombuffer(picks.tobytes().translate(letters), dtype=np.uint8)
            text[:, starts[place]] = picks
            column += 1
    return text_array(text.ravel(), fixed_offsets(n, text.shape[1]))


def derived(rng, positions, df, tree):
    """A column computed from the others by an expression tree (see :func:`evaluate`)."""
    value = evaluate(tree, df)
    if np.ndim(value) == 0:  # an expression without columns, e.g. a constant
        return np.full(len(positions), value)
    return value
