"""The Binder configuration installs a working tutorial environment; ``synthbench lab`` finds the tutorials.

Binder (repo2docker) copies the repository, runs ``pip install -r binder/requirements.txt``
from its root with the Python of ``binder/runtime.txt``, then ``binder/postBuild``. This test
does the same in a fresh virtualenv (no system site-packages) on a copy of the working tree,
then runs the first tutorial there under nbval, in a kernel of that virtualenv. Packages come
from the configured package index (pip's usual configuration); it takes about a minute.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from synthbench.cli import main

ROOT = Path(__file__).resolve().parent.parent
BINDER = ROOT / "binder"
TUTORIAL = "01_what_is_synthetic_data.ipynb"


def _run(command, *, cwd, env, timeout=900):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(map(str, command))} failed with exit code {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}"
        )
    return result


def test_binder_files_are_what_repo2docker_reads():
    assert (BINDER / "requirements.txt").is_file()
    lines = [
        line.strip()
        for line in (BINDER / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    # the repository itself, resolved from the repository root, with the ml extra that
    # tutorials 3 (neural) and 8 (differential privacy) fit with
    assert ".[ml]" in lines
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    assert os.access(BINDER / "postBuild", os.X_OK)
    assert (ROOT / "notebooks" / TUTORIAL).is_file()


@pytest.mark.slow
def test_binder_install_runs_a_tutorial(tmp_path):
    # A copy, like Binder's: building the package writes build/ and *.egg-info next to the source.
    repo = tmp_path / "repo"
    shutil.copytree(
        ROOT,
        repo,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "build",
            "dist",
            "*.egg-info",
            "__pycache__",
            ".pytest_cache",
            ".ruff_cache",
            "node_modules",
        ),
    )
    home = tmp_path / "home"  # postBuild writes ~/.jupyter: keep it out of the real home
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), PIP_DISABLE_PIP_VERSION_CHECK="1", JUPYTER_PLATFORM_DIRS="1")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"

    _run([python, "-m", "pip", "install", "-q", "-r", "binder/requirements.txt"], cwd=repo, env=env)
    _run(["bash", "binder/postBuild"], cwd=repo, env=env)
    config = (home / ".jupyter" / "jupyter_server_config.py").read_text()
    assert f"/lab/tree/notebooks/{TUTORIAL}" in config

    # synthbench comes from the install, not from the copy's source folder.
    where = _run([python, "-c", "import synthbench; print(synthbench.__file__)"], cwd=tmp_path, env=env)
    assert str(env_dir) in where.stdout
    lab = _run([python, "-c", "import jupyterlab, ipywidgets; print(jupyterlab.__version__)"], cwd=tmp_path, env=env)
    assert lab.stdout.strip()

    # nbval is a test tool, not part of the Binder image: added only to run the check.
    _run([python, "-m", "pip", "install", "-q", "nbval"], cwd=repo, env=env)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # not the repository's options
    result = _run(
        [
            python,
            "-m",
            "pytest",
            "-c",
            str(tmp_path / "pytest.ini"),
            "-p",
            "no:cacheprovider",
            "--nbval-lax",
            "--nbval-current-env",
            "--nbval-sanitize-with",
            str(repo / "notebooks" / "nbval_sanitize.cfg"),
            str(repo / "notebooks" / TUTORIAL),
        ],
        cwd=tmp_path,
        env=env,
    )
    assert " passed" in result.stdout


# -- synthbench lab ------------------------------------------------------------------------


def test_lab_opens_the_checkout_notebooks_in_place(capsys):
    assert main(["lab", "--dry-run", "--no-browser", "--port", "8899"]) == 0
    command = capsys.readouterr().out.split()
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={ROOT / 'notebooks'}" in command
    assert "--ServerApp.port=8899" in command
    assert "--no-browser" in command


def _installed_copy(tmp_path, with_tutorials):
    """The package alone, as in site-packages: no pyproject.toml or notebooks/ beside it."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "synthbench", site / "synthbench", ignore=shutil.ignore_patterns("__pycache__"))
    if with_tutorials:
        (site / "synthbench" / "tutorials").mkdir()
        for name in ("01_what_is_synthetic_data.ipynb", "02_rule_based.ipynb"):
            shutil.copyfile(ROOT / "notebooks" / name, site / "synthbench" / "tutorials" / name)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTHON")}
    env["PYTHONPATH"] = str(site)
    return env


def test_lab_copies_packaged_tutorials_to_a_writable_folder(tmp_path):
    env = _installed_copy(tmp_path, with_tutorials=True)
    target = tmp_path / "my-tutorials"
    command = [sys.executable, "-m", "synthbench", "lab", "--dry-run", "--dir", str(target)]
    first = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in target.iterdir()) == ["01_what_is_synthetic_data.ipynb", "02_rule_based.ipynb"]
    assert f"--ServerApp.root_dir={target}" in first.stdout
    assert "copied 2 tutorial notebook(s)" in first.stderr

    # A second run keeps the user's edits.
    edited = target / "02_rule_based.ipynb"
    edited.write_text("{}")
    second = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "copied 0 tutorial notebook(s)" in second.stderr
    assert edited.read_text() == "{}"


def test_lab_without_tutorials_is_a_clear_error(tmp_path):
    env = _installed_copy(tmp_path, with_tutorials=False)
    result = subprocess.run(
        [sys.executable, "-m", "synthbench", "lab", "--dry-run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("synthbench: error: The tutorial notebooks were not found")
    assert "Traceback" not in result.stderr
