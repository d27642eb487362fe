"""The command line, run for real: specs in, CSV/Parquet out, clear one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

import synthbench as sb
from synthbench.cli import main


@pytest.fixture
def spec_file(tmp_path):
    path = tmp_path / "customers.json"
    path.write_text(json.dumps(sb.Schema.example().to_dict()))
    return path


def test_console_script_lists_generators():
    out = subprocess.run([sys.executable, "-m", "synthbench", "list"], capture_output=True, text=True, check=True)
    for name in sb.list_generators():
        assert name in out.stdout


def test_spec_then_generate_parquet_round_trips(tmp_path, capsys):
    assert main(["spec", "Schema"]) == 0
    spec = tmp_path / "s.json"
    spec.write_text(capsys.readouterr().out)
    out = tmp_path / "out.parquet"
    assert main(["generate", str(spec), "-n", "500", "-o", str(out), "--seed", "3"]) == 0
    back = pd.read_parquet(out)
    expected = sb.Schema.example().sample(500, seed=3)
    assert back.shape == expected.shape
    assert list(back.columns) == list(expected.columns)
    pd.testing.assert_series_equal(back["income"], expected["income"])
    assert back["country"].astype(str).tolist() == expected["country"].astype(str).tolist()


def test_generate_csv_and_gzip(spec_file, tmp_path):
    for name in ("out.csv", "out.csv.gz"):
        out = tmp_path / name
        assert main(["generate", str(spec_file), "-n", "50", "-o", str(out)]) == 0
        back = pd.read_csv(out)
        assert len(back) == 50 and back["customer_id"].iloc[0] == "C-000001"
        assert out.stat().st_mode & 0o044  # readable by others, like any file the shell makes


def test_code_command_prints_standalone_code(spec_file, capsys):
    assert main(["code", str(spec_file), "-n", "10", "--seed", "1"]) == 0
    assert capsys.readouterr().out == sb.Schema.example().to_code(10, seed=1)


@pytest.mark.parametrize(
    ("spec_text", "args", "message"),
    [
        ("{not json", [], "not valid JSON"),
        ('{"synthbench_spec": 1, "generator": "Nope", "params": {}}', [], "Unknown generator"),
        ('{"synthbench_spec": 2, "generator": "Schema", "params": {}}', [], "format version"),
        (None, ["-n", "-4"], "'n'"),
        (None, ["-o", "out.xlsx"], ".parquet"),
        (None, ["--seed", "-1"], "'seed'"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(tmp_path, spec_file, spec_text, args, message):
    spec = spec_file
    if spec_text is not None:
        spec = tmp_path / "bad.json"
        spec.write_text(spec_text)
    argv = ["generate", str(spec), "-n", "5", "-o", str(tmp_path / "out.csv"), *args]
    argv = [a if a != "out.xlsx" else str(tmp_path / "out.xlsx") for a in argv]
    proc = subprocess.run([sys.executable, "-m", "synthbench", *argv], capture_output=True, text=True)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.csv").exists()


def test_failed_generation_leaves_no_file_and_keeps_the_old_one(tmp_path):
    spec = tmp_path / "s.json"
    gen = sb.Schema(
        columns=[sb.columns.Integer("age", params={"low": 18, "high": 80})],
        constraints=["age > 200"],
        max_attempts=2,
    )
    spec.write_text(json.dumps(gen.to_dict()))
    out = tmp_path / "out.csv"
    out.write_text("old contents\n")
    assert main(["generate", str(spec), "-n", "10", "-o", str(out)]) == 2
    assert out.read_text() == "old contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "s.json"]


def test_write_is_atomic_when_writing_fails_midway(tmp_path):
    from synthbench.cli import write_frame

    class Exploding:
        def to_csv(self, path, **kwargs):
            with open(path, "w") as fh:
                fh.write("partial")
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_frame(Exploding(), tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []
