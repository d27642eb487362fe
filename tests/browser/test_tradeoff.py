"""Real-browser test of the Privacy tab's trade-off: JupyterLab, Playwright, Debian's Chromium.

A notebook opens a CART panel on the penguins; the test opens the "Privacy" tab, clicks
"Show the trade-off" and sees the chart of quality and DCR share against
``min_samples_leaf`` (five values, a 50% rule, a legend). Skipped without Chromium or
Playwright. Screenshot: docs/screenshots/panel_privacy_tradeoff.png.
"""

from __future__ import annotations

import pytest

from tests.browser.jupyter import SHOTS, new_page, open_notebook, run_cell, write_notebook

pytestmark = [pytest.mark.browser]

SETUP = """\
import synthbench as sb
from synthbench.data import load_penguins
from synthbench.widgets import panel
p = panel(sb.CART(), load_penguins(), seed=0, debounce=0.05)
p
"""


def test_privacy_tab_draws_the_knobs_tradeoff(lab, browser):
    write_notebook(lab.root / "tradeoff.ipynb", [SETUP])
    with new_page(lab, browser) as page:
        open_notebook(page, lab, "tradeoff.ipynb")
        run_cell(page, 0)
        page.wait_for_function("() => !!document.querySelector('.synthbench-chart .vega-embed svg')", timeout=300_000)
        page.locator(".lm-TabBar-tab", has_text="Privacy").first.click()
        button = page.locator(".synthbench-show-tradeoff")
        assert button.inner_text().strip() == "Show the trade-off"
        button.click()
        page.wait_for_selector(".synthbench-tradeoff-svg svg", timeout=300_000)
        chart = page.locator(".synthbench-tradeoff-svg")
        assert chart.get_attribute("data-param") == "min_samples_leaf"
        assert chart.get_attribute("data-points") == "5"
        svg = chart.inner_html()
        assert "quality score" in svg and "DCR share" in svg and "50%" in svg  # legend and the 50% rule
        assert "min_samples_leaf (privacy knob)" in svg
        assert chart.locator(".mark-line path").count() >= 3
        # The whole chart, legend included, fits the tab: nothing clipped on the right.
        svg_box = chart.locator("svg").first.bounding_box()
        tab_box = page.locator(".synthbench-tradeoff-chart").first.bounding_box()
        assert svg_box["x"] + svg_box["width"] <= tab_box["x"] + tab_box["width"] + 1
        chart.locator("svg").first.scroll_into_view_if_needed()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "panel_privacy_tradeoff.png"), full_page=True)
