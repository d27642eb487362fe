"""Property: for every registered generator, the exported cell rebuilds ``sample`` exactly.

Hypothesis builds valid specs from each class's ``example()`` with hostile text put
wherever user text goes (column names, categories, prefixes, patterns, feature, target,
channel and time column names, string constants and backticked names in expressions):
quotes, ``\"\"\"``, ``#``, backslashes, newlines where allowed, NUL, line separators and
non-ASCII text. Each spec's ``to_code`` cell must compile, run in a fresh interpreter
with synthbench blocked and no file created, print nothing, and rebuild the identical
frame (``assert_frame_equal``, exact, dtypes included).

To stay fast, the cells of one generator are collected first and then run in one child
interpreter, each cell in its own namespace (``tests.helpers.run_cells``).
"""

from __future__ import annotations

import copy
import json
import traceback
import warnings

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synthbench as sb
from synthbench.exceptions import SynthbenchError
from tests.helpers import assert_same_frame, run_cells

MAX_EXAMPLES = 30
#: Fewer examples where each one fits or loads a large model, to keep the module under 3 minutes.
SLOW = {"GaussianMixture": 12, "Balance": 15, "CART": 15, "Imbalance": 20}
MEMORY_LIMIT = 3 * 1024**3

#: Pieces of text that break naive code generation; names are made by joining a few.
PIECES = [
    '"""',
    "'''",
    '"',
    "'",
    "#",
    "# x",
    "\\",
    "\\n",
    "\\'",
    "\n",
    "\r",
    "\r\n",
    "\u2028",
    "\u2029",
    "\x00",
    "\x0b",
    "\x0c",
    "\t",
    " ",
    "é",
    "e\u0301",
    "名前",
    "\U0001f600",
    "{}",
    "{0}",
    "%s",
    "%(a)s",
    "`",
    "df",
    "np",
    "rng",
    "__import__('os').system('echo PWNED')",
    "\nprint('PWNED')\n",
    "a",
    "_",
    "1",
]
hostile_text = st.one_of(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=5).map("".join),
    st.text(min_size=1, max_size=6),
)
#: Hostile text that is a valid column name (single line, no backticks).
name_text = hostile_text.map(lambda t: t.replace("\n", "").replace("\r", "").replace("`", "") or "_")

#: Keys whose string values are modes or formats, not user text to rename.
NOT_TEXT = {
    "synthbench_spec",
    "generator",
    "type",
    "distribution",
    "kind",
    "method",
    "freq",
    "provider",
    "locale",
    "start",
    "end",
    "on_violation",
    "expr",
    "constraints",
    "trend",
    "dtype",
    "sampling_strategy",
    "unit",
    "tz",
    "changepoints",
    "at",
}


def _strings(node, key=None):
    """Every renameable string in a spec tree: values and dict keys outside NOT_TEXT."""
    if key in NOT_TEXT:
        return
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            if isinstance(k, str) and key not in ("params", "state") and k not in NOT_TEXT and isinstance(v, dict):
                yield k  # e.g. params_by keys (category values)
            yield from _strings(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v, key)


def _rename(node, mapping, key=None):
    if key in NOT_TEXT:
        return node
    if isinstance(node, str):
        return mapping.get(node, node)
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            new_k = mapping.get(k, k) if key not in ("params", "state") and isinstance(v, dict) else k
            out[new_k] = _rename(v, mapping, k)
        return out
    if isinstance(node, list):
        return [_rename(v, mapping, key) for v in node]
    return node


def _load(spec: dict, data: pd.DataFrame | None):
    gen = sb.from_dict(json.loads(json.dumps(spec)))
    if data is not None:
        gen.fit(data)
    return gen


def _rename_data(data: pd.DataFrame | None, mapping: dict) -> pd.DataFrame | None:
    if data is None:
        return None
    data = data.rename(columns=lambda c: mapping.get(c, c))
    for col in data.columns:
        if data[col].dtype == object or pd.api.types.is_string_dtype(data[col].dtype):
            data[col] = data[col].map(lambda v: mapping.get(v, v) if isinstance(v, str) else v)
    return data


def _with_mapping(spec: dict, data, mapping: dict):
    """The generator with ``mapping`` applied, or None if it is not a valid spec."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _load(_rename(spec, mapping), _rename_data(data, mapping)), _rename(spec, mapping)
    except SynthbenchError:
        return None


def _extras(name: str, spec: dict, draw) -> dict:
    """Add user text the example leaves out: feature names, labels, expressions, patterns."""
    params = spec["params"]
    family = sb.get_generator(name).family
    if family == "classification":
        n = params.get("n_features", 2)
        names = draw(st.lists(name_text, min_size=n + 1, max_size=n + 1, unique=True))
        params["feature_names"], params["target"] = names[:n], names[n]
    elif name == "TimeSeries":
        texts = draw(st.lists(name_text, min_size=5, max_size=5, unique=True))
        params.update(
            channels=texts[:2],
            time_column=texts[2],
            entity_column=texts[3],
            label_column=texts[4],
            entities=2,
            anomalies=[{"type": "Anomaly", "count": 2}],
            missing=[{"type": "Missing", "count": 1}],
        )
    elif name == "Schema":
        texts = draw(st.lists(name_text, min_size=8, max_size=8, unique=True))
        taken = {c["name"] for c in params["columns"]}
        texts = [t for t in texts if t not in taken] + [f"_extra{i}" for i in range(8)]
        num, cat = "age", "gender"
        lit1, lit2, lit3 = (draw(hostile_text) for _ in range(3))
        extra = [
            {"type": "Pattern", "name": texts[0], "pattern": "#?" + texts[1].replace("\\", "\\\\")},
            {"type": "Id", "name": texts[2], "prefix": texts[3], "width": 3},
            {"type": "Derived", "name": texts[4], "expr": f"`{num}` * 2 + 1"},
            {"type": "Derived", "name": texts[5], "expr": f"where(`{num}` > 40, {lit1!r}, {lit2!r})"},
            {"type": "Text", "name": texts[6], "provider": "name", "pool_size": 5},
            {"type": "Categorical", "name": texts[7], "categories": [lit1, lit1 + "2", lit3 + "x"]},
        ]
        params["columns"] = params["columns"] + extra
        params["constraints"] = [f"`{num}` >= 0", f"`{cat}` != {lit3!r} or `{num}` > 0"]
    return spec


@st.composite
def hostile_generators(draw, name: str):
    base = sb.get_generator(name).example()
    data = base.data_ if base.size_from_data else None
    spec = base.to_dict()
    if draw(st.booleans()) or name in ("Schema",):
        candidate = _extras(name, copy.deepcopy(spec), draw)
        if _with_mapping(candidate, data, {}) is not None:
            spec = candidate
    names = sorted(set(_strings(spec["params"]))) + sorted(set(_strings(spec.get("state", {}))))
    if data is not None:
        names += [str(c) for c in data.columns] + sorted(
            {v for c in data.columns if data[c].dtype == object for v in data[c] if isinstance(v, str)}
        )
    names = sorted(set(names))
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=6)) if names else []
    new = draw(st.lists(st.one_of(name_text, hostile_text), min_size=len(chosen), max_size=len(chosen), unique=True))
    new = [t for t in new if t not in names]
    mapping = dict(zip(chosen, new))
    built = _with_mapping(spec, data, mapping)
    if built is None:  # keep the renames that are valid on their own
        good = {k: v for k, v in mapping.items() if _with_mapping(spec, data, {k: v}) is not None}
        built = _with_mapping(spec, data, good) or _with_mapping(spec, data, {})
    gen, _ = built
    n = None if gen.size_from_data else draw(st.integers(max(1, gen.min_rows), 60))
    seed = draw(st.integers(0, 2**32 - 1))
    return gen, n, seed


NAMES = sb.list_generators()


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@pytest.mark.parametrize("name", NAMES)
def test_exported_cells_of_hostile_specs_rebuild_sample(name, tmp_path):
    collected: list[tuple[str, str, pd.DataFrame | None, pd.DataFrame]] = []  # (spec, code, data, sample)
    failures: list[str] = []

    @settings(
        max_examples=SLOW.get(name, MAX_EXAMPLES),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=hostile_generators(name))
    def collect(case):
        gen, n, seed = case
        spec = json.dumps(gen.to_dict(), ensure_ascii=True)[:2000]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                df = gen.sample(n, seed=seed)
                options = {"data": "df_real"} if gen.size_from_data else {}
                code = gen.to_code(n, seed=seed, **options)
        except Exception:  # a valid spec that cannot sample or export is a failure too
            failures.append(f"sample/to_code failed for {spec}:\n{traceback.format_exc()[-1500:]}")
            return
        try:
            compile(code, "<exported cell>", "exec")
        except SyntaxError as exc:
            failures.append(f"{spec}\nthe export does not compile: {exc}")
            return
        collected.append((spec, code, gen.data_ if gen.size_from_data else None, df))

    collect()

    cells = [(code, {} if data is None else {"df_real": data}) for _, code, data, _ in collected]
    results = run_cells(cells, tmp_path, memory=MEMORY_LIMIT)
    for i, ((spec, _code, _, expected), result) in enumerate(zip(collected, results)):
        where = f"case {i} of {name}: {spec}"
        if result["error"]:
            failures.append(f"{where}\nthe cell failed:\n{result['error']}")
            continue
        if result["stdout"]:
            failures.append(f"{where}\nthe cell printed: {result['stdout'][:300]!r}")
        if result["files"]:
            failures.append(f"{where}\nthe cell created files {result['files']}")
        try:
            assert_same_frame(result["df"], expected)
        except AssertionError as exc:
            failures.append(f"{where}\n{str(exc)[:800]}\nthe cell's frame differs from sample()")
    assert collected or failures, "no case was generated"
    kinds: dict[str, str] = {}  # one example per kind of failure (its last line)
    for failure in failures:
        kinds.setdefault(failure.strip().splitlines()[-1][:200], failure)
    assert not failures, f"{len(failures)} failing case(s) of {name}, {len(kinds)} kind(s):\n\n" + "\n\n".join(
        f"[{kind}]\n{example[:2500]}" for kind, example in list(kinds.items())[:6]
    )
