"""A JupyterLab server, notebooks and page helpers for the real-browser tests.

The fixtures (``browser``, ``lab``) are in ``conftest.py``; the tests import these helpers.
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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
#: JupyterLab's default layout as a class sees it: a 1280x900 window, file browser open.
VIEWPORT = {"width": 1280, "height": 900}


def chromium_path() -> str | None:
    for c in (os.environ.get("SYNTHBENCH_CHROMIUM"), "/usr/lib/chromium/chromium", shutil.which("chromium")):
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str) -> object:
    with urllib.request.urlopen(url, timeout=2) as r:
        return json.loads(r.read().decode())


class Lab:
    """``jupyter lab`` in its own process group, auth off, isolated dirs under ``tmp``."""

    def __init__(self, tmp: Path) -> None:
        self.root = tmp / "root"
        self.state = tmp / "state"
        self.root.mkdir()
        self.port = free_port()
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
                get_json(f"{self.base}/api")
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
                for s in get_json(f"{self.base}/api/sessions")
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


def cell_json(src: str, hidden: bool = False) -> dict:
    meta = {"jupyter": {"source_hidden": True}} if hidden else {}
    return {
        "cell_type": "code",
        "execution_count": None,
        "metadata": meta,
        "outputs": [],
        "source": src.splitlines(keepends=True),
    }


def write_notebook(path: Path, cells: list[str], hidden: int = -1) -> None:
    nb = {
        "cells": [cell_json(c, i == hidden) for i, c in enumerate(cells)],
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


def open_notebook(page, lab: Lab, name: str, ui: str = "lab") -> None:
    if ui == "lab":
        page.goto(f"{lab.base}/lab/tree/{name}?reset")  # ?reset: no tabs restored from the last test
    else:
        page.goto(f"{lab.base}/notebooks/{name}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    deadline = time.monotonic() + 60
    while not lab.kernel_idle(name):
        assert time.monotonic() < deadline, "kernel never became idle"
        time.sleep(0.1)


def run_cell(page, index: int) -> None:
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")


def panel_status(page) -> dict | None:
    return page.evaluate("""() => {
      const s = document.querySelector('.synthbench-status');
      const svg = document.querySelector('.synthbench-chart .vega-embed svg');
      if (!s || !svg) return null;
      const marks = Array.from(svg.querySelectorAll('.mark-rect path, .mark-line path, .mark-symbol path'))
                         .map(p => p.getAttribute('d')).join('|');
      return {hash: s.dataset.hash, version: s.dataset.version, marks: marks, n: marks.length};
    }""")


@contextlib.contextmanager
def new_page(lab: Lab, browser: Any, viewport: dict | None = None, failed: str = "FAILED.png") -> Iterator[Any]:
    """A page in a fresh browser context. On failure: a screenshot (``failed``, in the
    server's root) and the server log's tail; the context is closed either way."""
    page = browser.new_context(viewport=viewport or VIEWPORT).new_page()
    try:
        yield page
    except Exception:
        page.screenshot(path=str(lab.root / failed))
        print(lab.log_tail())
        raise
    finally:
        page.context.close()
