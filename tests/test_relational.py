"""Related tables: integrity of every relation kind, export parity, SQLite/Parquet/JSON, bad specs."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import synthbench as sb
from synthbench import columns as c
from synthbench.exceptions import DataError, InvalidParameterError, ResourceLimitError, SpecError
from synthbench.generators.relational import (
    Empirical,
    FittedTables,
    Fixed,
    ForeignKey,
    NegativeBinomial,
    Poisson,
    Tables,
    nested_records,
    quote_identifier,
    write_json_fixtures,
    write_parquet,
    write_sqlite,
)
from tests.helpers import run_code


def check_integrity(gen: Tables, dfs: dict[str, pd.DataFrame]) -> None:
    """Every foreign key value exists in its parent; self-references point at earlier rows."""
    for r in gen.relations:
        child, parent = dfs[r.child], dfs[r.parent]
        assert parent[r.key].is_unique, (r.parent, r.key)
        values = child[r.column]
        if r.self_reference:
            assert values.isna().sum() == min(1, len(child)) and (len(child) == 0 or pd.isna(values.iloc[0]))
            position = pd.Index(parent[r.key]).get_indexer(values.dropna())
            assert (position >= 0).all()
            assert (position < np.flatnonzero(values.notna().to_numpy())).all()  # earlier rows: no cycles
        else:
            assert values.notna().all()
            assert values.isin(parent[r.key]).all(), (r.child, r.column)


def per_parent(dfs, r: ForeignKey) -> pd.Series:
    counts = dfs[r.child][r.column].value_counts()
    return counts.reindex(dfs[r.parent][r.key], fill_value=0)


def one_level(children, n_parents=4000, **fk) -> tuple[Tables, dict[str, pd.DataFrame]]:
    gen = Tables(
        tables={
            "parents": Schema([c.Id("pid"), c.Categorical("segment", categories=["a", "b"])]),
            "kids": Schema([c.Id("kid"), c.Integer("x", params={"low": 0, "high": 9})]),
        },
        relations=[ForeignKey(child="kids", column="pid", parent="parents", key="pid", children=children, **fk)],
    )
    dfs = gen.sample(n_parents, seed=3)
    check_integrity(gen, dfs)
    return gen, dfs


def Schema(columns, **kw):
    return sb.Schema(columns=columns, **kw)


# -- each relation kind ---------------------------------------------------------------------
def test_fixed_counts_including_zero():
    gen, dfs = one_level(Fixed(count=2))
    assert (per_parent(dfs, gen.relations[0]) == 2).all()
    gen, dfs = one_level(Fixed(count=0))
    assert len(dfs["kids"]) == 0 and list(dfs["kids"].columns) == ["kid", "pid", "x"]


def test_poisson_and_negative_binomial_counts_follow_their_distribution():
    gen, dfs = one_level(Poisson(mean=3.0))
    counts = per_parent(dfs, gen.relations[0])
    assert abs(counts.mean() - 3) < 0.15 and abs(counts.var() - 3) < 0.4 and (counts == 0).any()
    gen, dfs = one_level(NegativeBinomial(mean=3.0, dispersion=1.0))
    counts = per_parent(dfs, gen.relations[0])
    assert abs(counts.mean() - 3) < 0.25 and abs(counts.var() - 12) < 2.5  # mean + mean**2 / dispersion


def test_empirical_counts_follow_the_probabilities():
    gen, dfs = one_level(Empirical(probabilities=[0.2, 0.5, 0.0, 0.3]))
    share = per_parent(dfs, gen.relations[0]).value_counts(normalize=True)
    assert set(share.index) == {0, 1, 3}
    assert abs(share[0] - 0.2) < 0.03 and abs(share[1] - 0.5) < 0.03 and abs(share[3] - 0.3) < 0.03


def test_counts_conditioned_on_a_parent_column():
    gen, dfs = one_level(Poisson(mean=1.0), by="segment", children_by={"b": Poisson(mean=5.0)})
    counts = per_parent(dfs, gen.relations[0])
    segment = dfs["parents"]["segment"].astype(str).to_numpy()
    assert abs(counts[segment == "a"].mean() - 1) < 0.15 and abs(counts[segment == "b"].mean() - 5) < 0.3


def test_several_parents_levels_and_one_to_one():
    gen = Tables.example()
    dfs = gen.sample(2000, seed=1)
    check_integrity(gen, dfs)
    assert len(dfs["stores"]) == 5 and set(dfs["orders"]["store_id"]) == set(dfs["stores"]["store_id"])
    # one-to-one: the profile's key is both primary and foreign
    profiles = dfs["profiles"]["customer_id"]
    assert profiles.is_unique and profiles.tolist() == dfs["customers"]["customer_id"].tolist()
    # three levels: every item's order belongs to an existing customer
    orders = dfs["orders"].set_index("order_id")
    assert dfs["items"]["order_id"].map(orders["customer_id"]).isin(dfs["customers"]["customer_id"]).all()
    # child columns read parent columns: the date is on or after the signup, gold gets a discount
    joined = dfs["orders"].merge(dfs["customers"], on="customer_id")
    assert (joined["date"] >= joined["signup"]).all()
    assert ((joined["discount"] == 0.1) == (joined["tier"] == "gold")).all()
    assert "tier" not in dfs["orders"].columns  # copied parent columns are read, not output
    gold = joined.groupby("customer_id", observed=True).size().reindex(dfs["customers"]["customer_id"], fill_value=0)
    tier = dfs["customers"].set_index("customer_id")["tier"]
    assert gold[tier == "gold"].mean() > 2 * gold[tier == "basic"].mean()


def employees() -> Tables:
    return Tables(
        tables={
            "employees": Schema(
                [c.Id("employee_id", prefix="E", width=4), c.Categorical("team", categories=["x", "y"])]
            )
        },
        relations=[ForeignKey(child="employees", column="manager_id", parent="employees", key="employee_id")],
    )


def test_self_reference_is_a_tree_with_one_root():
    gen = employees()
    dfs = gen.sample(500, seed=2)
    check_integrity(gen, dfs)
    assert list(dfs["employees"].columns) == ["employee_id", "manager_id", "team"]
    assert gen.sample(0, seed=2)["employees"].shape == (0, 3)
    ints = Tables(
        tables={"e": Schema([c.Id("id")])}, relations=[ForeignKey(child="e", column="boss", parent="e", key="id")]
    ).sample(50, seed=0)["e"]
    assert str(ints["boss"].dtype) == "Int64" and ints["boss"].isna().sum() == 1


def test_cross_table_constraint_is_enforced():
    gen = Tables(
        tables={
            "customers": Schema([c.Id("cid"), c.Datetime("signup", start="2020-01-01", end="2020-12-31")]),
            "orders": Schema(
                [c.Id("oid"), c.Datetime("ordered", start="2020-01-01", end="2021-12-31")],
                constraints=["ordered >= signup"],
            ),
        },
        relations=[
            ForeignKey(child="orders", column="cid", parent="customers", key="cid", children=Poisson(mean=2.0),
                       parent_columns=["signup"]),
        ],
    )  # fmt: skip
    dfs = gen.sample(300, seed=0)
    check_integrity(gen, dfs)
    joined = dfs["orders"].merge(dfs["customers"], on="cid")
    assert (joined["ordered"] >= joined["signup"]).all()


def test_root_with_a_uniform_foreign_key_and_a_dict_of_sizes():
    gen = Tables(
        tables={"products": Schema([c.Id("sku", kind="uuid")]), "reviews": Schema([c.Id("rid")])},
        relations=[ForeignKey(child="reviews", column="sku", parent="products", key="sku")],
    )
    dfs = gen.sample({"products": 7, "reviews": 100}, seed=0)
    check_integrity(gen, dfs)
    assert len(dfs["products"]) == 7 and len(dfs["reviews"]) == 100
    with pytest.raises(InvalidParameterError, match=r"'relations'.*no rows"):
        gen.sample({"products": 0, "reviews": 3}, seed=0)
    with pytest.raises(InvalidParameterError, match=r"'n'.*not root tables"):
        gen.sample({"nope": 3}, seed=0)


def test_same_seed_same_tables_and_changing_one_table_leaves_the_others():
    gen = Tables.example()
    a = gen.sample(100, seed=4)
    gen.tables["items"].columns[1].params = {"low": 1, "high": 9}
    b = gen.sample(100, seed=4)
    for name in ("customers", "stores", "orders", "profiles"):
        pd.testing.assert_frame_equal(a[name], b[name])
    assert a["items"]["item_id"].equals(b["items"]["item_id"]) and not a["items"].equals(b["items"])


# -- hostile names ------------------------------------------------------------------------------
HOSTILE_TABLE = 'o"r""d"""er\'s\nlist; DROP TABLE x; --'
HOSTILE_PARENT = "kündén 客户 '''"
HOSTILE_COLUMN = 'k"e""y"""'


def hostile() -> Tables:
    return Tables(
        tables={
            HOSTILE_PARENT: Schema(
                [c.Id(HOSTILE_COLUMN, prefix='"; print(1) #'), c.Categorical("sé'g", categories=['a"', "b\n"])]
            ),
            HOSTILE_TABLE: Schema(
                [c.Id("ïd"), c.Derived('"""x', expr="where(`sé'g` == 'a\"', 1, 2)")],
                constraints=['`"""x` > 0'],
            ),
        },
        relations=[
            ForeignKey(child=HOSTILE_TABLE, column="p'\"", parent=HOSTILE_PARENT, key=HOSTILE_COLUMN,
                       children=Poisson(mean=2.0), parent_columns=["sé'g"]),
            ForeignKey(child=HOSTILE_PARENT, column="boss\"", parent=HOSTILE_PARENT, key=HOSTILE_COLUMN),
        ],
    )  # fmt: skip


def test_hostile_names_round_trip_through_export_spec_and_sqlite(tmp_path):
    gen = hostile()
    dfs = gen.sample(40, seed=1)
    check_integrity(gen, dfs)
    again = sb.from_json(json.dumps(gen.to_dict()))
    assert again == gen
    code = gen.to_code(40, seed=1)
    compile(code, "<to_code>", "exec")
    assert "DROP TABLE" not in "\n".join(line for line in code.splitlines() if line.lstrip().startswith("#"))
    built = run_code(code, tmp_path, result="dfs")
    assert list(built) == list(dfs)
    for name in dfs:
        pd.testing.assert_frame_equal(built[name], dfs[name])
    path = write_sqlite(gen, tmp_path / "h.sqlite", n=40, seed=1)
    with sqlite3.connect(path) as con:
        assert sorted(r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")) == sorted(dfs)
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        q = (
            f"SELECT count(*) FROM {quote_identifier(HOSTILE_TABLE)} AS o JOIN {quote_identifier(HOSTILE_PARENT)} AS p "
            f"ON o.{quote_identifier(chr(112) + chr(39) + chr(34))} = p.{quote_identifier(HOSTILE_COLUMN)}"
        )
        assert con.execute(q).fetchone()[0] == len(dfs[HOSTILE_TABLE])
        back = pd.read_sql(f"SELECT * FROM {quote_identifier(HOSTILE_PARENT)}", con)
    assert list(back.columns) == list(dfs[HOSTILE_PARENT].columns)
    folder = write_parquet(gen, tmp_path / "h.parquet", n=40, seed=1)
    manifest = json.loads((folder / "tables.json").read_text(encoding="utf-8"))
    assert [t["name"] for t in manifest["tables"]] == list(dfs)
    assert all("/" not in t["file"] and t["file"].endswith(".parquet") for t in manifest["tables"])
    for entry in manifest["tables"]:
        frame = pd.read_parquet(folder / entry["file"])
        assert list(frame.columns) == list(dfs[entry["name"]].columns) and len(frame) == len(dfs[entry["name"]])
    fixtures = write_json_fixtures(gen, tmp_path / "h.json", 40, seed=1)
    doc = json.loads(fixtures.read_text(encoding="utf-8"))
    assert list(doc) == [HOSTILE_PARENT] and sum(len(r[HOSTILE_TABLE]) for r in doc[HOSTILE_PARENT]) == len(
        dfs[HOSTILE_TABLE]
    )


def test_quote_identifier_refuses_nul_and_dict_frames_are_checked(tmp_path):
    assert quote_identifier('a"b') == '"a""b"'
    with pytest.raises(InvalidParameterError, match="NUL"):
        quote_identifier("a\x00b")
    for bad in (
        {"t\x00": pd.DataFrame({"a": [1]})},
        {"t": pd.DataFrame({"a\x00": [1]})},
        {"t": pd.DataFrame({0: [1]})},
    ):
        with pytest.raises(InvalidParameterError, match="'data'"):
            write_sqlite(bad, tmp_path / "x.sqlite")
    with pytest.raises(InvalidParameterError, match="sqlite_"):
        write_sqlite({"sqlite_master": pd.DataFrame({"a": [1]})}, tmp_path / "x.sqlite")
    with pytest.raises(InvalidParameterError, match="case"):
        write_sqlite({"t": pd.DataFrame({"a": [1], "A": [2]})}, tmp_path / "x.sqlite")
    assert list(tmp_path.iterdir()) == []  # nothing half-written


# -- outputs -----------------------------------------------------------------------------------
def test_sqlite_declares_keys_and_joins(tmp_path):
    gen = Tables.example()
    path = write_sqlite(gen, tmp_path / "shop.sqlite", n=200, seed=0)
    dfs = gen.sample(200, seed=0)
    with sqlite3.connect(path) as con:
        ddl = dict(con.execute("SELECT name, sql FROM sqlite_master WHERE type='table'").fetchall())
        assert 'PRIMARY KEY ("customer_id")' in ddl["customers"]
        assert 'FOREIGN KEY ("customer_id") REFERENCES "customers" ("customer_id")' in ddl["orders"]
        assert 'FOREIGN KEY ("store_id") REFERENCES "stores" ("store_id")' in ddl["orders"]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        rows = con.execute(
            "SELECT c.tier, count(i.item_id) FROM customers c JOIN orders o ON o.customer_id = c.customer_id "
            "JOIN items i ON i.order_id = o.order_id GROUP BY c.tier ORDER BY c.tier"
        ).fetchall()
    assert sum(r[1] for r in rows) == len(dfs["items"])
    with pytest.raises(InvalidParameterError, match="overwrite=True"):
        write_sqlite(gen, path, n=5, seed=0)
    write_sqlite(gen, path, n=5, seed=0, overwrite=True)
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT count(*) FROM customers").fetchone()[0] == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.sqlite"]
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask  # the mode a plain open() gives
    folder = write_parquet(gen, tmp_path / "shop", n=5, seed=0)
    write_parquet(gen, folder, n=6, seed=0, overwrite=True)
    assert len(pd.read_parquet(folder / "customers.parquet")) == 6
    with pytest.raises(InvalidParameterError, match="not a folder written by write_parquet"):
        write_parquet(gen, path, n=5, seed=0, overwrite=True)


def test_json_fixtures_nest_children_under_their_parents():
    gen = Tables.example()
    dfs = gen.sample(30, seed=5)
    doc = nested_records(gen, dfs)
    assert list(doc) == ["customers", "stores"]
    first = doc["customers"][0]
    assert set(first) == {"customer_id", "tier", "signup", "profiles", "orders"}
    assert len(first["orders"]) == (dfs["orders"]["customer_id"] == first["customer_id"]).sum()
    items = sum(len(o["items"]) for cust in doc["customers"] for o in cust["orders"])
    assert items == len(dfs["items"])


def test_cli_generates_a_sqlite_file(tmp_path):
    spec = tmp_path / "shop.json"
    spec.write_text(json.dumps(Tables.example().to_dict()))
    out = tmp_path / "shop.sqlite"
    cmd = [sys.executable, "-m", "synthbench", "generate", str(spec), "-n", "20", "-o", str(out)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=os.getcwd())
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(out) as con:
        assert con.execute("SELECT count(*) FROM customers").fetchone()[0] == 20
    proc = subprocess.run([*cmd[:-1], str(tmp_path / "shop.csv")], capture_output=True, text=True)
    assert proc.returncode == 2 and "SQLite" in proc.stderr


# -- bad specs ------------------------------------------------------------------------------------
def shop(**changes) -> Tables:
    gen = Tables.example()
    gen.set_params(**changes)
    return gen


def fk(**kw) -> ForeignKey:
    """A relation from items to customers, changed by ``kw``."""
    return ForeignKey(**{"child": "items", "column": "x", "parent": "customers", "key": "customer_id", **kw})


@pytest.mark.parametrize(
    ("relation", "match"),
    [
        (fk(child="orders", parent="nope", key="id", children=Fixed(count=1)), "existing tables"),
        (fk(child="nope"), "existing tables"),
        (fk(key="nope"), "Id column"),
        (fk(key="tier"), "Id column"),
        (fk(children=Fixed(count=1)), "one relation per child"),
        (fk(column="quantity"), "declared child column"),
        (fk(parent_columns=["nope"]), "copy parent columns"),
        (fk(by="tier"), "'by'"),
        (fk(child="customers", children=Fixed(count=1)), "self-reference"),
    ],
)
def test_bad_relations_are_named(relation, match):
    gen = shop()
    gen.relations = [*gen.relations, relation]
    with pytest.raises(InvalidParameterError, match=match):
        gen.sample(5, seed=0)
    with pytest.raises(SpecError):
        sb.from_dict({**Tables.example().to_dict(), "params": {**gen.params_to_json()}})


def test_a_cycle_among_tables_is_refused():
    gen = Tables(
        tables={"a": Schema([c.Id("id")]), "b": Schema([c.Id("id")])},
        relations=[
            ForeignKey(child="a", column="b_id", parent="b", key="id"),
            ForeignKey(child="b", column="a_id", parent="a", key="id"),
        ],
    )
    with pytest.raises(InvalidParameterError, match="cycle"):
        gen.sample(5, seed=0)


@pytest.mark.parametrize(
    ("counts", "param"),
    [
        (Fixed(count=-1), "'count'"),
        (Poisson(mean=-1.0), "'mean'"),
        (NegativeBinomial(mean=2.0, dispersion=0.0), "'dispersion'"),
        (NegativeBinomial(mean=2.0, dispersion=0.001), "'dispersion'"),
        (Empirical(probabilities=[0.5, -0.5, 1.0]), "'probabilities'"),
        (Empirical(probabilities=[0.5, 0.6]), "sum to 1"),
    ],
)
def test_negative_or_broken_count_distributions_are_named(counts, param):
    with pytest.raises(InvalidParameterError, match=param):
        one_level(counts, n_parents=3)


def test_bad_sizes_names_and_memory():
    with pytest.raises(InvalidParameterError, match="'sizes'"):
        shop(sizes={"orders": 3}).sample(5, seed=0)
    with pytest.raises(InvalidParameterError, match="'tables'"):
        Tables(tables={"a\x00": Schema([c.Id("id")])}).sample(5, seed=0)
    with pytest.raises(InvalidParameterError, match="differ in more than case"):
        Tables(tables={"A": Schema([c.Id("id")]), "a": Schema([c.Id("id")])}).sample(5, seed=0)
    with pytest.raises(InvalidParameterError, match="table 'orders'"):  # a Derived reads a column nobody copies
        shop(relations=[r for r in Tables.example().relations if r.child != "orders"]).sample(5, seed=0)
    with pytest.raises(ResourceLimitError, match="fewer children"):
        one_level(Poisson(mean=1e9), n_parents=1000)
    with pytest.raises(InvalidParameterError, match=r"not supported|cannot stream"):
        Tables.example().to_parquet("x.parquet", 10)


def test_a_first_panel_previews_one_table_and_exports_them_all():
    from synthbench.widgets import panel

    p = panel(Tables.example(), n=50, debounce=0)
    assert p.error == "" and list(p.frames) == list(Tables.example().tables)
    pd.testing.assert_frame_equal(p.frame, p.frames["customers"])
    assert "dfs = {}" in p.code


def test_child_columns_group_by_a_copied_parent_column():
    gen = Tables(
        tables={
            "customers": Schema([c.Id("cid"), c.Categorical("tier", categories=["basic", "gold"])]),
            "orders": Schema(
                [
                    c.Id("oid"),
                    c.Float("amount", distribution="normal", params={"loc": 10, "scale": 1}, by="tier",
                            params_by={"gold": {"loc": 100}}),
                ]
            ),
        },
        relations=[
            ForeignKey(child="orders", column="cid", parent="customers", key="cid", children=Fixed(count=3),
                       parent_columns=["tier"]),
        ],
    )  # fmt: skip
    dfs = gen.sample(200, seed=0)
    check_integrity(gen, dfs)
    joined = dfs["orders"].merge(dfs["customers"], on="cid")
    assert (joined.loc[joined["tier"] == "gold", "amount"] > 50).all()
    assert (joined.loc[joined["tier"] == "basic", "amount"] < 50).all()


# -- fitted from real related tables --------------------------------------------------------------


def real_shop(n=300) -> dict[str, pd.DataFrame]:
    return Tables.example().sample(n, seed=11)


def plain(gen: Tables) -> list[ForeignKey]:
    return [ForeignKey(child=r.child, column=r.column, parent=r.parent, key=r.key) for r in gen.relations]


def check_fitted_integrity(gen: FittedTables, dfs: dict[str, pd.DataFrame]) -> None:
    for r in gen.relations:
        parent, values = dfs[r.parent][r.key], dfs[r.child][r.column]
        assert parent.is_unique and parent.notna().all()
        if r.self_reference:
            position = pd.Index(parent).get_indexer(values.dropna())
            assert (position >= 0).all() and (position < np.flatnonzero(values.notna().to_numpy())).all()
        else:
            assert values.notna().all() and values.isin(parent).all(), (r.child, r.column)


def test_fitted_tables_learn_counts_per_segment_and_keep_integrity():
    real = real_shop()
    gen = FittedTables(relations=plain(Tables.example()), segments={"customers": "tier"}).fit(real)
    dfs = gen.sample({"customers": 3000, "stores": 5}, seed=2)
    check_fitted_integrity(gen, dfs)
    # several parents (orders -> customers and stores), three levels, one-to-one profiles
    assert dfs["profiles"]["customer_id"].is_unique
    assert len(dfs["profiles"]) <= len(dfs["customers"])
    orders = dfs["orders"].merge(dfs["customers"], on="customer_id")
    per = dfs["orders"]["customer_id"].value_counts().reindex(dfs["customers"]["customer_id"], fill_value=0)
    tiers = dfs["customers"].set_index("customer_id")["tier"]
    real_per = real["orders"]["customer_id"].value_counts().reindex(real["customers"]["customer_id"], fill_value=0)
    real_tiers = real["customers"].set_index("customer_id")["tier"]
    for tier, declared in (("basic", 1.5), ("gold", 4.0)):
        assert abs(per[tiers == tier].mean() - real_per[real_tiers == tier].mean()) < 0.35
        assert abs(per[tiers == tier].mean() - declared) < 0.6
    # the child's columns follow the parent's segment (discount is 0.1 for gold only)
    assert (orders.groupby("tier", observed=True)["discount"].mean().round(2) == [0.0, 0.1]).all()
    assert list(dfs) == list(gen._order()) and all(list(dfs[t].columns) == list(real[t].columns) for t in real)


def test_fitted_tables_round_trip_export_and_determinism(tmp_path):
    gen = FittedTables(relations=plain(Tables.example()), segments={"customers": "tier"}, model="CART").fit(
        real_shop(120)
    )
    dfs = gen.sample(30, seed=4)
    again = sb.from_dict(json.loads(json.dumps(gen.to_dict()))).sample(30, seed=4)
    code = gen.to_code(30, seed=4)
    exported = run_code(code, tmp_path, result="dfs")
    for name, df in dfs.items():
        pd.testing.assert_frame_equal(df, again[name])
        pd.testing.assert_frame_equal(df, exported[name])
    other = gen.sample(30, seed=5)
    assert not dfs["orders"].equals(other["orders"])
    check_fitted_integrity(gen, other)


def test_fitted_tables_self_reference_and_numeric_segments():
    rng = np.random.default_rng(0)
    n = 200
    staff = pd.DataFrame({"emp": np.arange(10, 10 + n), "salary": rng.lognormal(8, 0.4, n).round(2)})
    staff["boss"] = pd.array([pd.NA, *rng.integers(10, 10 + np.arange(1, n))], dtype="Int64")
    sales = pd.DataFrame({"emp": np.repeat(staff["emp"], rng.poisson(staff["salary"] / 2000)).to_numpy()})
    sales["amount"] = rng.normal(100, 10, len(sales)).round(1)
    gen = FittedTables(
        relations=[
            ForeignKey(child="staff", column="boss", parent="staff", key="emp"),
            ForeignKey(child="sales", column="emp", parent="staff", key="emp"),
        ],
        segments={"staff": "salary"},
    ).fit({"staff": staff, "sales": sales})
    dfs = gen.sample(500, seed=1)
    check_fitted_integrity(gen, dfs)
    assert list(dfs["staff"].columns) == ["emp", "salary", "boss"] and dfs["staff"]["emp"].dtype == np.int64
    per = dfs["sales"]["emp"].value_counts().reindex(dfs["staff"]["emp"], fill_value=0).to_numpy()
    rich = dfs["staff"]["salary"].to_numpy() > np.median(dfs["staff"]["salary"])
    assert per[rich].mean() > per[~rich].mean() + 0.5  # counts follow the learned salary bins


@pytest.mark.parametrize(
    "relations, data_change, error, match",
    [
        ([("b", "a_id", "a", "id"), ("a", "b_id", "b", "id")], None, InvalidParameterError, "cycle"),
        ([("b", "a_id", "zzz", "id")], None, DataError, "lacks"),
        ([("b", "a_id", "a", "id")], "orphan", DataError, "not a"),
        ([("b", "a_id", "a", "id")], "duplicate", DataError, "unique"),
        ([("b", "a_id", "a", "nokey")], None, DataError, "lacks"),
    ],
)
def test_fitted_tables_refuse_bad_relations_and_data(relations, data_change, error, match):
    a = pd.DataFrame({"id": [1, 2, 3], "x": [0.1, 0.5, 0.9]})
    b = pd.DataFrame({"a_id": [1, 1, 2, 3], "y": [1.0, 2.0, 3.0, 4.0], "b_id": [1, 2, 3, 4]})
    if data_change == "orphan":
        b.loc[0, "a_id"] = 99
    if data_change == "duplicate":
        a.loc[2, "id"] = 1
        b["a_id"] = 1
    fks = [ForeignKey(child=c, column=col, parent=p, key=k) for c, col, p, k in relations]
    with pytest.raises(error, match=match):
        FittedTables(relations=fks).fit({"a": a, "b": b})


def test_fitted_tables_tampered_state_and_learned_params_are_refused():
    gen = FittedTables.example()
    spec = json.loads(json.dumps(gen.to_dict()))
    tampered = json.loads(json.dumps(spec))
    tampered["state"]["tables"]["orders"]["drive"]["pooled"] = [0.5, 0.7]
    with pytest.raises(SpecError, match="counts"):
        sb.from_dict(tampered)
    tampered = json.loads(json.dumps(spec))
    tampered["state"]["tables"]["orders"]["models"][0]["generator"] = "Schema"
    with pytest.raises(SpecError):
        sb.from_dict(tampered)
    tampered = json.loads(json.dumps(spec))  # a relation made into a cycle through the items
    tampered["params"]["relations"].append(
        {"type": "ForeignKey", "child": "customers", "column": "x", "parent": "items", "key": "item_id"}
    )
    with pytest.raises(SpecError, match="cycle"):
        sb.from_dict(tampered)
    with pytest.raises(InvalidParameterError, match="learned"):
        FittedTables(relations=[fk(children=Poisson(mean=1.0))]).validate()
    with pytest.raises(InvalidParameterError, match="n"):
        gen.sample({"customers": 5}, seed=0)
    with pytest.raises(ResourceLimitError):
        gen.sample(10**12, seed=0)


# -- evaluation -----------------------------------------------------------------------------------
def test_relational_report_finds_orphans_counts_and_trends():
    from synthbench.evaluate import referential_integrity, relational_report

    gen = Tables.example()
    real = gen.sample(400, seed=0)
    good = relational_report(real, gen.sample(400, seed=1), gen.relations)
    assert (good.integrity["integrity"] == 1).all() and (good.integrity["real_integrity"] == 1).all()
    assert good.cardinality_score > 0.7 and good.intertable_trends_score > 0.8 and good.score > 0.85
    assert set(good.tables) == {"customers", "stores", "profiles", "orders", "items"}
    assert {"parent.tier / child.discount", "child.discount / parent.tier"} & set(good.intertable_trends["pair"])
    # a broken copy: orders of a customer who is gone, and twice as many children per parent
    broken = {name: df.copy() for name, df in real.items()}
    broken["customers"] = broken["customers"].iloc[10:]
    orders = broken["orders"]
    broken["orders"] = pd.concat([orders, orders.assign(order_id=orders["order_id"] + 10**6)], ignore_index=True)
    broken["orders"]["discount"] = 0.05
    bad = relational_report(real, broken, gen.relations)
    lost = real["orders"]["customer_id"].isin(real["customers"]["customer_id"].iloc[:10]).sum()
    assert bad.cardinality_score < good.cardinality_score - 0.1
    assert bad.intertable_trends_score < good.intertable_trends_score
    integrity = referential_integrity(broken, gen.relations)
    orders_fk = integrity[(integrity["child"] == "orders") & (integrity["column"] == "customer_id")].iloc[0]
    assert orders_fk["orphans"] == 2 * lost and orders_fk["integrity"] < 1
    with pytest.raises(DataError, match="lack"):
        relational_report(real, {"customers": real["customers"]}, gen.relations)


# -- streaming ------------------------------------------------------------------------------------
def test_stream_parquet_keeps_keys_unique_and_integrity_across_files(tmp_path):
    gen = Tables.example()
    path = gen.stream_parquet(tmp_path / "shop", 3000, seed=1, block_rows=400, progress=False)
    manifest = json.loads((path / "tables.json").read_text())
    assert {t["name"]: t["files"] for t in manifest["tables"]}["orders"] == 8
    dfs = {t["name"]: pd.read_parquet(path / t["folder"]) for t in manifest["tables"]}
    assert len(dfs["customers"]) == 3000 and len(dfs["stores"]) == 5
    check_integrity(gen, dfs)
    for name, key in (("customers", "customer_id"), ("orders", "order_id"), ("items", "item_id")):
        assert dfs[name][key].is_unique
    assert dfs["orders"]["order_id"].tolist() == list(range(1000, 1000 + len(dfs["orders"])))
    # one block is exactly sample(n), and the same seed gives the same files
    one = next(gen.iter_table_blocks(200, seed=1, block_rows=10**6))
    for name, df in gen.sample(200, seed=1).items():
        pd.testing.assert_frame_equal(one[name], df)
    again = gen.stream_parquet(tmp_path / "again", 3000, seed=1, block_rows=400, progress=False)
    pd.testing.assert_frame_equal(pd.read_parquet(again / "items"), dfs["items"])
    # a self-reference continues across blocks too
    staff = employees()
    blocks = list(staff.iter_table_blocks(1000, seed=2, block_rows=300))
    frames = {t: pd.concat([b[t] for b in blocks if t in b], ignore_index=True) for t in blocks[0]}
    assert len(blocks) == 4
    for r in staff.relations:
        values = frames[r.child][r.column]
        assert values.isna().sum() == 4  # one root per block: a forest, still without cycles
        position = pd.Index(frames[r.parent][r.key]).get_indexer(values.dropna())
        assert (position >= 0).all() and (position < np.flatnonzero(values.notna().to_numpy())).all()


def test_fitted_tables_stream_and_dask_agree(tmp_path):
    pytest.importorskip("dask")
    gen = FittedTables.example()
    path = gen.stream_parquet(tmp_path / "f", 2000, seed=3, block_rows=300, progress=False)
    dfs = {t: pd.read_parquet(path / t) for t in gen._order()}
    check_fitted_integrity(gen, dfs)
    ddf = gen.to_dask(2000, table="orders", seed=3, block_rows=300)
    assert ddf.npartitions == 7
    pd.testing.assert_frame_equal(ddf.compute().reset_index(drop=True), dfs["orders"], check_dtype=False)
    with pytest.raises(InvalidParameterError, match="table"):
        gen.to_dask(10, table="nope")
    with pytest.raises(InvalidParameterError, match="block_rows"):
        gen.stream_parquet(tmp_path / "g", 10, block_rows=0)
    with pytest.raises(InvalidParameterError, match="exists"):
        (tmp_path / "mine").mkdir()
        gen.stream_parquet(tmp_path / "mine", 10, overwrite=True)
    with pytest.raises(ResourceLimitError):  # one block of 10**12 parents is refused before anything is made
        gen.stream_parquet(tmp_path / "h", 10**12, block_rows=10**12)
    assert not (tmp_path / "h").exists() and not (tmp_path / "g").exists()


# -- panel and diagram ----------------------------------------------------------------------------
def test_diagram_draws_every_table_and_key_and_escapes_names():
    import xml.etree.ElementTree as ET

    from synthbench.generators.relational import diagram_svg

    root = ET.fromstring(diagram_svg(Tables.example()))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert {"customers", "stores", "profiles", "orders", "items"} <= set(texts)
    assert {"PK customer_id", "FK customer_id", "FK store_id", "PK order_id", "FK order_id"} <= set(texts)
    assert "picks" in texts and "Poisson(1.5) by tier" in texts
    assert len(list(root.iter("{http://www.w3.org/2000/svg}line"))) == 4
    svg = diagram_svg(hostile())  # quotes, angle brackets, newlines in names
    ET.fromstring(svg)  # still well-formed XML
    assert "<script" not in svg and "\n" not in svg.split(">", 1)[1]
    svg = diagram_svg(employees())
    assert "earlier row" in svg and "<path" in svg


def test_tables_panel_picks_a_table_and_compares_fitted_tables_with_real_ones():
    from synthbench.data import nycflights13
    from synthbench.widgets import panel

    p = panel(Tables.example(), n=80, seed=1, debounce=0)
    assert "<svg" in p.diagram.value and list(p.table_box.options) == list(p.frames)
    p.table_box.value = "orders"
    assert p.table == "orders" and p.frame is p.frames["orders"] and "order_id" in p.preview.value
    assert p.set(sizes={"stores": 3}) and len(p.frames["stores"]) == 3 and p.table == "orders"
    real = nycflights13.load()
    q = panel(FittedTables(relations=nycflights13.relations(), segments={"planes": "manufacturer"}), real, n=200)
    assert q.error == "" and q.labels == ("real", "synthetic")
    assert len(q.frames["planes"]) == 200 and len(q.frames["airlines"]) == 8  # 16 of 400 planes: in proportion
    assert (q.relational.integrity["integrity"] == 1).all() and "referential integrity 100.0%" in q.score_box.value
    q.table_box.value = "flights"
    assert q.reference is real["flights"] and "dep_delay" in q.column.options
    assert q.set(model="CART") and q.generator.is_fitted and q.error == ""
    with pytest.raises(DataError, match="dict of DataFrames"):
        panel(FittedTables(relations=nycflights13.relations()), {"planes": "not a frame"})


# -- outputs of fitted tables: CLI, SQLite, DuckDB, JSON --------------------------------------------
def test_cli_writes_fitted_tables_to_sqlite_and_a_parquet_folder(tmp_path):
    gen = FittedTables.example()
    spec = tmp_path / "fitted.json"
    spec.write_text(json.dumps(gen.to_dict()))
    base = [sys.executable, "-m", "synthbench", "generate", str(spec), "-n", "30", "--seed", "2", "-o"]
    proc = subprocess.run([*base, str(tmp_path / "f.sqlite")], capture_output=True, text=True, cwd=os.getcwd())
    assert proc.returncode == 0, proc.stderr
    dfs = gen.sample(30, seed=2)
    with sqlite3.connect(tmp_path / "f.sqlite") as con:
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("SELECT count(*) FROM orders").fetchone()[0] == len(dfs["orders"])
    proc = subprocess.run([*base, str(tmp_path / "folder")], capture_output=True, text=True, cwd=os.getcwd())
    assert proc.returncode == 0, proc.stderr
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "folder" / "items"), dfs["items"], check_dtype=False)
    doc = nested_records(gen, dfs)
    assert sum(len(c["orders"]) for c in doc["customers"]) == len(dfs["orders"])


def test_write_duckdb_declares_keys_when_duckdb_is_installed(tmp_path):
    from synthbench.generators.relational import write_duckdb

    try:
        import duckdb
    except ImportError:
        with pytest.raises(InvalidParameterError, match="pip install duckdb"):
            write_duckdb(Tables.example(), tmp_path / "x.duckdb", n=5)
        pytest.skip("duckdb is not installed (optional)")
    gen = Tables.example()
    path = write_duckdb(gen, tmp_path / "shop.duckdb", n=40, seed=1)
    dfs = gen.sample(40, seed=1)
    con = duckdb.connect(str(path))
    try:
        assert con.execute("SELECT count(*) FROM items").fetchone()[0] == len(dfs["items"])
        revenue = con.execute(
            "SELECT c.tier, count(i.item_id) FROM customers c JOIN orders o ON o.customer_id = c.customer_id "
            "JOIN items i ON i.order_id = o.order_id GROUP BY c.tier ORDER BY c.tier"
        ).fetchall()
        assert sum(n for _, n in revenue) == len(dfs["items"])
        fks = con.execute("SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY'").fetchone()
        assert fks[0] == 4
        with pytest.raises(duckdb.Error):  # DuckDB itself refuses an orphan
            con.execute("INSERT INTO items VALUES (999999, -5, 1)")
    finally:
        con.close()
    path = write_duckdb(hostile(), tmp_path / "hostile.duckdb", n=5, seed=0)
    with pytest.raises(InvalidParameterError, match="exists"):
        write_duckdb(gen, path, n=5)
    path = write_duckdb(employees(), tmp_path / "staff.duckdb", n=20, seed=0)  # self-reference: no clause
    assert path.exists()


# -- hostile inputs kept as tests -----------------------------------------------------------------
def test_hostile_children_counts_self_reference_cycles_and_identifiers(tmp_path):
    # 10**12 children: a count refused by the declaration, a product refused by the memory estimate
    with pytest.raises(InvalidParameterError, match="count"):
        Fixed(count=10**12).validate()
    with pytest.raises(ResourceLimitError):
        one_level(Fixed(count=10**9), n_parents=1000)
    with pytest.raises(ResourceLimitError):
        Tables.example().stream_parquet(tmp_path / "big", 10**12, block_rows=10**12)
    with pytest.raises(ResourceLimitError):  # the same without a memory-bounded block: refused before a row
        FittedTables.example().sample(10**12, seed=0)
    # a tampered spec whose self-reference points a key at itself (a cycle of length one)
    spec = json.loads(json.dumps(employees().to_dict()))
    spec["params"]["relations"][0]["column"] = spec["params"]["relations"][0]["key"]
    with pytest.raises(SpecError, match="differ from 'key'"):
        sb.from_dict(spec)
    spec = json.loads(json.dumps(FittedTables.example().to_dict()))
    spec["params"]["relations"].append(
        {"type": "ForeignKey", "child": "items", "column": "item_id", "parent": "items", "key": "item_id"}
    )
    with pytest.raises(SpecError, match="differ from 'key'"):
        sb.from_dict(spec)
    # a relation to a table that is not there, in a spec
    spec = json.loads(json.dumps(Tables.example().to_dict()))
    spec["params"]["relations"][0]["parent"] = "nowhere"
    with pytest.raises(SpecError, match="existing tables"):
        sb.from_dict(spec)
    # quotes, newlines and brackets in names reach SQL only as quoted identifiers
    name = 'a"; DROP TABLE x; --'
    path = write_sqlite({name: pd.DataFrame({"col\nname": [1, 2], "[b]": ["x", "y"]})}, tmp_path / "h.sqlite")
    with sqlite3.connect(path) as con:
        assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == [name]
        rows = con.execute(f"SELECT * FROM {quote_identifier(name)}").fetchall()
        assert rows == [(1, "x"), (2, "y")]


def test_fitted_picked_parent_follows_the_child_columns(tmp_path):
    rng = np.random.default_rng(5)
    shops = pd.DataFrame({"shop": np.arange(200)})
    cities = pd.DataFrame({"city": ["c0", "c1", "c2", "c3"], "coast": ["east", "east", "west", "west"]})
    sales = pd.DataFrame({"shop": rng.integers(0, 200, 3000)})
    sales["city"] = rng.choice(["c0", "c1", "c2", "c3"], 3000)
    west = sales["city"].isin(["c2", "c3"]).to_numpy()
    sales["amount"] = np.where(west, rng.normal(100, 5, 3000), rng.normal(20, 5, 3000)).round(1)
    relations = [
        ForeignKey(child="sales", column="shop", parent="shops", key="shop"),
        ForeignKey(child="sales", column="city", parent="cities", key="city"),
    ]
    real = {"shops": shops, "cities": cities, "sales": sales}
    for segments, least in (({}, None), ({"cities": "coast"}, 0.95)):
        gen = FittedTables(relations=relations, segments=segments, model="CART").fit(real)
        dfs = gen.sample({"shops": 200, "cities": 4}, seed=1)
        check_fitted_integrity(gen, dfs)
        assert list(dfs["sales"].columns) == ["shop", "city", "amount"]  # the helper column is not output
        coast = dfs["sales"]["city"].map(dfs["cities"].set_index("city")["coast"])
        agree = ((dfs["sales"]["amount"] > 60) == (coast == "west")).mean()
        if least is not None:
            assert agree > least
        else:
            assert 0.3 < agree < 0.7  # without a segment the pick ignores the amount
    exported = run_code(gen.to_code({"shops": 50, "cities": 4}, seed=2), tmp_path, result="dfs")
    for name, df in gen.sample({"shops": 50, "cities": 4}, seed=2).items():
        pd.testing.assert_frame_equal(df, exported[name])
    again = sb.from_dict(json.loads(json.dumps(gen.to_dict()))).sample({"shops": 50, "cities": 4}, seed=2)
    pd.testing.assert_frame_equal(again["sales"], exported["sales"])


_SDMETRICS_MULTI = """
import json, sys, warnings
import pandas as pd
warnings.simplefilter("ignore")
from sdmetrics.reports.multi_table import QualityReport
folder = sys.argv[1]
meta = json.load(open(f"{folder}/meta.json"))
real = {t: pd.read_parquet(f"{folder}/real_{t}.parquet") for t in meta["tables"]}
fake = {t: pd.read_parquet(f"{folder}/fake_{t}.parquet") for t in meta["tables"]}
report = QualityReport()
report.generate(real, fake, meta, verbose=False)
print(json.dumps(report.get_properties().set_index("Property")["Score"].to_dict()))
"""


@pytest.mark.peers
def test_relational_report_agrees_with_sdmetrics_multi_table(tmp_path):
    from synthbench.data import nycflights13
    from synthbench.evaluate import relational_report

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "benchmarks", "peers"))
    import peerenv

    sys.path.pop(0)
    try:
        python = peerenv.peer_python()
    except peerenv.PeerUnavailable as exc:
        pytest.skip(f"the SDMetrics virtualenv cannot be built: {exc}")
    real = nycflights13.load()
    segments = {"planes": "manufacturer", "airlines": "name", "airports": "tz"}
    gen = FittedTables(relations=nycflights13.relations(), segments=segments, model="CART").fit(real)
    fake = gen.sample(300, seed=4)
    ids = {t: {r.column for r in gen.relations if r.child == t} | {r.key for r in gen.relations if r.parent == t}
           for t in real}  # fmt: skip
    tables = {}
    for name, df in real.items():
        columns = {}
        for col in df.columns:
            kind = df[col].dtype.kind
            columns[col] = {"sdtype": "id" if col in ids[name] else "numerical" if kind in "iuf" else "categorical"}
        key = next((r.key for r in gen.relations if r.parent == name), None)
        tables[name] = {"columns": columns, **({"primary_key": key} if key else {})}
        for side, frame in (("real", df), ("fake", fake[name])):
            plain = frame.copy()
            for col in plain.columns:
                if isinstance(plain[col].dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(plain[col].dtype):
                    plain[col] = plain[col].astype(object)
            plain.to_parquet(tmp_path / f"{side}_{name}.parquet")
    relationships = [
        {"parent_table_name": r.parent, "parent_primary_key": r.key, "child_table_name": r.child,
         "child_foreign_key": r.column}
        for r in gen.relations
    ]  # fmt: skip
    (tmp_path / "meta.json").write_text(json.dumps({"tables": tables, "relationships": relationships}))
    (tmp_path / "peer.py").write_text(_SDMETRICS_MULTI)
    out = subprocess.run([str(python), str(tmp_path / "peer.py"), str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    theirs = json.loads(out.stdout.strip().splitlines()[-1])
    ours = relational_report(real, fake, gen.relations)
    assert ours.column_shapes_score == pytest.approx(theirs["Column Shapes"], abs=1e-9)
    assert ours.column_pair_trends_score == pytest.approx(theirs["Column Pair Trends"], abs=1e-9)
    assert ours.cardinality_score == pytest.approx(theirs["Cardinality"], abs=1e-9)
    assert ours.intertable_trends_score == pytest.approx(theirs["Intertable Trends"], abs=1e-9)
