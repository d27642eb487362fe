"""Fixtures of the real-browser tests: one headless Chromium and one JupyterLab per module."""

from __future__ import annotations

import pytest

from tests.browser.jupyter import Lab, chromium_path


@pytest.fixture(scope="module")
def browser():
    chromium = chromium_path()
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
