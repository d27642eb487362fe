"""Real-browser test of the DP panel: JupyterLab, Playwright, Debian's Chromium.

A notebook opens ``PrivatePanel`` on four penguin columns; the test opens the "Epsilon"
tab, draws the trade-off chart (quality and TSTR accuracy against epsilon), moves the
epsilon slider one step and sees the preview change (new sample fingerprint) and the
chart's "now" rule follow. Needs mbi (the ``[ml]`` extra) in the Python that runs the
test, since JupyterLab's kernel uses it; skipped without it, without Chromium or without
Playwright. Screenshot: docs/screenshots/panel_private_epsilon.png.
"""

from __future__ import annotations

import importlib.util

import pytest

from tests.browser.jupyter import SHOTS, new_page, open_notebook, run_cell, write_notebook

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(importlib.util.find_spec("mbi") is None, reason='needs mbi: pip install "synthbench[ml]"'),
]

SETUP = """\
import synthbench as sb
from synthbench.data import load_penguins
from synthbench.widgets import panel
data = load_penguins()[["species", "island", "body_mass_g", "sex"]]
p = panel(sb.PrivateMST(bounds={"body_mass_g": [2500, 6500]}, iters=100), data, seed=0, debounce=0.05)
p
"""

_HASH = "() => { const s = document.querySelector('.synthbench-status'); return s ? s.dataset.hash : null; }"


def test_dp_panel_epsilon_chart_and_slider(lab, browser):
    write_notebook(lab.root / "dp.ipynb", [SETUP])
    with new_page(lab, browser) as page:
        open_notebook(page, lab, "dp.ipynb")
        run_cell(page, 0)
        page.wait_for_function("() => !!document.querySelector('.synthbench-chart .vega-embed svg')", timeout=300_000)
        page.wait_for_selector(".synthbench-epsilon-slider", timeout=30_000)

        # The Epsilon tab: what epsilon means, then the trade-off chart, drawn on demand.
        page.locator(".lm-TabBar-tab", has_text="Epsilon").first.click()
        words = page.locator(".synthbench-epsilon-words").inner_text()
        assert "epsilon = 1" in words and "2.72 times" in words
        page.locator(".synthbench-draw-epsilon").click()
        page.wait_for_selector(".synthbench-epsilon-svg svg", timeout=600_000)
        chart = page.locator(".synthbench-epsilon-svg")
        assert chart.get_attribute("data-points") == "6"  # five epsilons and the copula without DP
        svg = chart.inner_html()
        assert "epsilon (log scale" in svg and "quality score" in svg and "TSTR accuracy" in svg
        assert chart.locator(".mark-line path").count() >= 2
        assert chart.locator(".mark-rule line, .mark-rule path").count() >= 2
        assert chart.get_attribute("data-epsilon") == "1"

        # Move the epsilon slider one step: the panel refits, the preview and the chart follow.
        before = page.evaluate(_HASH)
        page.locator(".synthbench-epsilon-slider .noUi-handle").focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"(h) => ({_HASH})() !== h", arg=before, timeout=300_000)
        page.wait_for_function(
            "() => { const c = document.querySelector('.synthbench-epsilon-svg');"
            " return c && c.dataset.epsilon !== '1'; }",
            timeout=60_000,
        )
        now = float(page.locator(".synthbench-epsilon-svg").get_attribute("data-epsilon"))
        assert 1.0 < now < 1.5
        assert f"epsilon = {now:g}" in page.locator(".synthbench-epsilon-words").inner_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "panel_private_epsilon.png"), full_page=True)

        # The preview tab shows the new sample.
        page.locator(".lm-TabBar-tab", has_text="Preview").first.click()
        assert page.locator(".synthbench-preview table").count() == 1
