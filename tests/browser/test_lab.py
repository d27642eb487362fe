"""Real-browser test: a synthbench panel in JupyterLab, driven by Playwright on Debian's Chromium.

JupyterLab starts on a free local port with isolated config dirs; the test writes a
notebook that opens a panel, runs it, moves a slider, types a bad value, exports the
code cell and checks that running the exported cell rebuilds the panel's frame.
Screenshots go to docs/screenshots/. Skipped only when Chromium or Playwright is missing.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"


def _chromium() -> str | None:
    for c in (os.environ.get("SYNTHBENCH_CHROMIUM"), "/usr/lib/chromium/chromium", shutil.which("chromium")):
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=2) as r:
        return json.loads(r.read().decode())


class Lab:
    """``jupyter lab`` in its own process group, auth off, isolated dirs under ``tmp``."""

    def __init__(self, tmp: Path) -> None:
        self.root = tmp / "root"
        self.state = tmp / "state"
        self.root.mkdir()
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = self.state / "server.log"
        env = dict(os.environ)
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        for var, sub in (
            ("JUPYTERLAB_SETTINGS_DIR", "settings"),
            ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("JUPYTER_CONFIG_DIR", "config"),
        ):
            (self.state / sub).mkdir(parents=True, exist_ok=True)
            env[var] = str(self.state / sub)
        notif = self.state / "settings" / "@jupyterlab" / "apputils-extension"
        notif.mkdir(parents=True, exist_ok=True)
        (notif / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            f"--ServerApp.root_dir={self.root}",
        ]
        self._log_file = self.log.open("wb")
        self.proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited:\n{self.log_tail()}")
            try:
                _get_json(f"{self.base}/api")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"jupyter lab did not start:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])

    def kernel_idle(self, path: str) -> bool:
        try:
            return any(
                s.get("path") == path and (s.get("kernel") or {}).get("execution_state") == "idle"
                for s in _get_json(f"{self.base}/api/sessions")
            )
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
            except ProcessLookupError:
                pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # kernels share the group
        self._log_file.close()


@pytest.fixture(scope="module")
def browser():
    chromium = _chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server = Lab(tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


def _cell(src: str, hidden: bool = False) -> dict:
    meta = {"jupyter": {"source_hidden": True}} if hidden else {}
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": meta,
        "outputs": [],
        "source": src.splitlines(keepends=True),
    }


def _write_notebook(path: Path, cells: list[str], hidden: int = -1) -> None:
    nb = {
        "cells": [_cell(c, i == hidden) for i, c in enumerate(cells)],
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{i}"
    path.write_text(json.dumps(nb, indent=1))


def _open(page, lab: Lab, name: str) -> None:
    page.goto(f"{lab.base}/lab/tree/{name}?reset")  # ?reset: no tabs restored from the last test
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    deadline = time.monotonic() + 60
    while not lab.kernel_idle(name):
        assert time.monotonic() < deadline, "kernel never became idle"
        time.sleep(0.1)


def _run_cell(page, index: int) -> None:
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")


def _status(page) -> dict | None:
    return page.evaluate("""() => {
      const s = document.querySelector('.synthbench-status');
      const svg = document.querySelector('.synthbench-chart .vega-embed svg');
      if (!s || !svg) return null;
      const marks = Array.from(svg.querySelectorAll('.mark-rect path, .mark-line path, .mark-symbol path'))
                         .map(p => p.getAttribute('d')).join('|');
      return {hash: s.dataset.hash, version: s.dataset.version, marks: marks, n: marks.length};
    }""")


SETUP = """\
import synthbench as sb
from synthbench.widgets import frame_hash, panel
p = panel(sb.Classification(n_features=4, n_informative=2, n_redundant=0, n_clusters_per_class=1),
          n=500, seed=1, debounce=0.05)
p
"""
EXPORT = 'p.export()\nprint("PANEL", frame_hash(p.frame))'
CHECK = 'print("EXPORTED", frame_hash(df))'


def test_panel_in_jupyterlab(lab, browser):
    _write_notebook(lab.root / "panel.ipynb", [SETUP, EXPORT, CHECK])
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        _open(page, lab, "panel.ipynb")
        _run_cell(page, 0)
        page.wait_for_function(
            "() => !!document.querySelector('.synthbench-chart .vega-embed svg .mark-rect')", timeout=90_000
        )
        before = _status(page)
        assert before is not None and before["n"] > 0

        # Move the flip_y slider one step with the keyboard: new data, new chart.
        page.locator(".synthbench-param-flip_y .noUi-handle").focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(h) => { const s = document.querySelector('.synthbench-status'); return s && s.dataset.hash !== h; }",
            arg=before["hash"],
            timeout=30_000,
        )
        page.wait_for_function(
            "(m) => { const svg = document.querySelector('.synthbench-chart .vega-embed svg');"
            " return svg && Array.from(svg.querySelectorAll('.mark-rect path'))"
            ".map(p => p.getAttribute('d')).join('|') !== m; }",
            arg=before["marks"],
            timeout=30_000,
        )
        after = _status(page)
        assert after["hash"] != before["hash"] and int(after["version"]) > int(before["version"])
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "panel_classification.png"))

        # A bad value: inline error, last good preview kept.
        box = page.locator(".synthbench-param-n_informative input")
        box.fill("50")
        box.press("Enter")
        page.wait_for_selector(".synthbench-error", timeout=30_000)
        assert "n_informative" in page.locator(".synthbench-error").inner_text()
        assert _status(page)["hash"] == after["hash"]
        page.screenshot(path=str(SHOTS / "panel_error.png"))

        # Export: the inserted cell rebuilds the same frame.
        n_cells = page.locator(".jp-Notebook .jp-Cell").count()
        _run_cell(page, 1)
        page.wait_for_function(
            f"() => document.querySelectorAll('.jp-Notebook .jp-Cell').length > {n_cells}", timeout=30_000
        )
        page.wait_for_function("() => document.body.innerText.includes('PANEL ')", timeout=30_000)
        inserted = page.locator(".jp-Notebook .jp-Cell").nth(2).inner_text()
        assert "import numpy" in inserted or "import pandas" in inserted
        _run_cell(page, 2)
        _run_cell(page, 3)
        page.wait_for_function("() => document.body.innerText.includes('EXPORTED ')", timeout=60_000)
        text = page.locator(".jp-Notebook").inner_text()
        panel_hash = text.split("PANEL ")[1].split()[0]
        exported_hash = text.split("EXPORTED ")[1].split()[0]
        assert panel_hash == exported_hash == after["hash"]
    except Exception:
        page.screenshot(path=str(lab.root / "FAILED.png"))
        print(lab.log_tail())
        raise
    finally:
        page.context.close()


FAMILIES = [
    """\
import pandas as pd
import synthbench as sb
from sklearn.datasets import load_wine
from synthbench.widgets import panel
real = load_wine(as_frame=True).frame
real["target"] = real["target"].map({0: "barolo", 1: "grignolino", 2: "barbera"})
%load_ext synthbench
%synthbench real
""",
    "rules = panel(sb.Schema.example(), n=2000)\nrules.set_column('income', params={'mean': 10.9, 'sigma': 0.7})\n"
    "rules.column.value = 'income'\nrules",
    "bal = panel(sb.Balance(target='target'), real)\nbal",
    "ts = panel(sb.TimeSeries.example(), n=730)\nts.seed_box.value = 2\nts",
    "clf = panel(sb.Moons(noise=0.1), n=2000)\nclf.set(noise=0.3)\nclf",
]
SHOT_NAMES = ["workbench_gaussiancopula", "panel_schema", "panel_balance", "panel_timeseries", "panel_moons"]


def test_family_panels_render(lab, browser):
    _write_notebook(lab.root / "families.ipynb", FAMILIES)
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        _open(page, lab, "families.ipynb")
        page.locator(".lm-MenuBar-itemLabel:text-is('Run')").click()
        page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click()
        page.wait_for_function(
            f"() => document.querySelectorAll('.synthbench-chart .vega-embed svg').length >= {len(FAMILIES)}",
            timeout=120_000,
        )
        panels = page.locator(".synthbench-panel")
        assert panels.count() == len(FAMILIES)
        SHOTS.mkdir(parents=True, exist_ok=True)
        for i, name in enumerate(SHOT_NAMES):
            panels.nth(i).scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            panels.nth(i).screenshot(path=str(SHOTS / f"{name}.png"))
        text = page.locator(".jp-Notebook").inner_text()
        assert "quality score" in text  # fitted panels score against the real frame
        assert page.locator(".synthbench-chart .mark-line").count() >= 1  # the time-series overlay
        assert page.locator(".synthbench-error").count() == 0
    except Exception:
        page.screenshot(path=str(lab.root / "FAILED_families.png"))
        print(lab.log_tail())
        raise
    finally:
        page.context.close()
