"""Real-browser test of the related-tables panel in JupyterLab (Playwright on Debian's Chromium).

The panel of a FittedTables learned from the nycflights13 subset draws its diagram (every
table and key), previews and charts the table picked in the dropdown against its real table,
scores the tables together and fits JupyterLab's default layout. Screenshot:
docs/screenshots/panel_relational.png. Reuses the server and browser fixtures of test_lab.py.
"""

from __future__ import annotations

import pytest

from tests.browser.jupyter import SHOTS, VIEWPORT, new_page, open_notebook, write_notebook
from tests.browser.test_lab import FIT_JS

pytestmark = pytest.mark.browser

SETUP = """\
from synthbench.data import nycflights13
from synthbench.generators.relational import FittedTables
from synthbench.widgets import panel
gen = FittedTables(relations=nycflights13.relations(), segments={"planes": "manufacturer", "airports": "tz"})
p = panel(gen, nycflights13.load(), n=200, seed=0, debounce=0.05)
p
"""


def test_relational_panel_draws_the_diagram_and_switches_tables(lab, browser):
    write_notebook(lab.root / "rel.ipynb", [SETUP])
    with new_page(lab, browser, {"width": VIEWPORT["width"], "height": 1400}, failed="FAILED_rel.png") as page:
        open_notebook(page, lab, "rel.ipynb")
        page.locator(".jp-Notebook .jp-Cell").nth(0).locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        page.wait_for_selector(".synthbench-diagram-box svg", timeout=120_000)
        page.wait_for_selector(".synthbench-chart .vega-embed svg", timeout=120_000)
        texts = page.evaluate(
            "() => Array.from(document.querySelectorAll('.synthbench-diagram-box svg text')).map(t => t.textContent)"
        )
        assert {"planes", "airlines", "airports", "flights", "PK tailnum", "FK tailnum", "FK dest"} <= set(texts)
        # the diagram shrinks to its area, and every table box is drawn inside it
        boxes = page.evaluate("""() => {
          const area = document.querySelector('.synthbench-diagram-box').getBoundingClientRect();
          const svg = document.querySelector('.synthbench-diagram-box svg').getBoundingClientRect();
          if (svg.right > area.right + 1) return [false];
          return Array.from(document.querySelectorAll('.synthbench-diagram-box rect')).map(r => {
            const b = r.getBoundingClientRect();
            return b.left >= svg.left - 1 && b.right <= svg.right + 1 && b.bottom <= svg.bottom + 1;
          });
        }""")
        assert boxes and all(boxes)
        assert "referential integrity 100.0%" in page.locator(".synthbench-score").inner_text()
        version = page.locator(".synthbench-status").get_attribute("data-version")
        preview = "() => document.querySelector('.synthbench-preview').textContent"
        assert "manufacturer" in page.evaluate(preview) and "dep_delay" not in page.evaluate(preview)
        page.locator(".synthbench-table-picker select").select_option("flights")
        page.wait_for_function(
            "() => document.querySelector('.synthbench-score').textContent.includes('Table shown: flights')",
            timeout=60_000,
        )
        assert "dep_delay" in page.evaluate(preview) and "manufacturer" not in page.evaluate(preview)
        assert page.locator(".synthbench-status").get_attribute("data-version") == version  # no resampling
        page.wait_for_timeout(1500)
        assert page.evaluate(FIT_JS) == []
        assert page.locator(".synthbench-error").count() == 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.locator(".synthbench-panel").screenshot(path=str(SHOTS / "panel_relational.png"))
