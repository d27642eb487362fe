"""Real-browser tests: synthbench panels in JupyterLab and Notebook 7, driven by Playwright on Debian's Chromium.

JupyterLab starts on a free local port with isolated config dirs; the tests write
notebooks that open panels, run them, move a slider, type a bad value, export the code
cell and check that running the exported cell rebuilds the panel's frame (Balance included,
reading the user's own variable). In the default layout (1280x900, file browser open) and
in Notebook 7 every chart, axis label and legend lies inside its output area and every
button shows its whole label. Screenshots go to docs/screenshots/. Skipped only when
Chromium or Playwright is missing (Notebook 7 also when ``notebook`` is not installed).
"""

from __future__ import annotations

import time

import pytest

from tests.browser.jupyter import SHOTS, VIEWPORT, Lab, new_page, open_notebook, panel_status, run_cell, write_notebook

pytestmark = pytest.mark.browser

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
    write_notebook(lab.root / "panel.ipynb", [SETUP, EXPORT, CHECK])
    with new_page(lab, browser) as page:
        open_notebook(page, lab, "panel.ipynb")
        run_cell(page, 0)
        page.wait_for_function(
            "() => !!document.querySelector('.synthbench-chart .vega-embed svg .mark-rect')", timeout=90_000
        )
        before = panel_status(page)
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
        after = panel_status(page)
        assert after["hash"] != before["hash"] and int(after["version"]) > int(before["version"])
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "panel_classification.png"))

        # A bad value: inline error, last good preview kept.
        box = page.locator(".synthbench-param-n_informative input")
        box.fill("50")
        box.press("Enter")
        page.wait_for_selector(".synthbench-error", timeout=30_000)
        assert "n_informative" in page.locator(".synthbench-error").inner_text()
        assert panel_status(page)["hash"] == after["hash"]
        page.screenshot(path=str(SHOTS / "panel_error.png"))

        # Export: the inserted cell rebuilds the same frame.
        n_cells = page.locator(".jp-Notebook .jp-Cell").count()
        run_cell(page, 1)
        page.wait_for_function(
            f"() => document.querySelectorAll('.jp-Notebook .jp-Cell').length > {n_cells}", timeout=30_000
        )
        page.wait_for_function("() => document.body.innerText.includes('PANEL ')", timeout=30_000)
        inserted = page.locator(".jp-Notebook .jp-Cell").nth(2).inner_text()
        assert "import numpy" in inserted or "import pandas" in inserted
        run_cell(page, 2)
        run_cell(page, 3)
        page.wait_for_function("() => document.body.innerText.includes('EXPORTED ')", timeout=60_000)
        text = page.locator(".jp-Notebook").inner_text()
        panel_hash = text.split("PANEL ")[1].split()[0]
        exported_hash = text.split("EXPORTED ")[1].split()[0]
        assert panel_hash == exported_hash == after["hash"]


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
    write_notebook(lab.root / "families.ipynb", FAMILIES)
    # The README's panel pictures: Lab's width at 1280 px, tall enough to hold a whole panel.
    with new_page(lab, browser, {"width": VIEWPORT["width"], "height": 1500}, failed="FAILED_families.png") as page:
        open_notebook(page, lab, "families.ipynb")
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


# Every chart, axis label and legend inside its chart area and output area; every button's
# label whole; the code not wrapped. Returns what is wrong (empty when all is well).
FIT_JS = """() => {
  const problems = [];
  document.querySelectorAll('.synthbench-panel').forEach((panel, i) => {
    if (!panel.offsetParent) return;  // in a hidden workbench tab
    const area = (panel.closest('.jp-OutputArea-output') || panel.parentElement).getBoundingClientRect();
    const p = panel.getBoundingClientRect();
    if (p.right > area.right + 1) problems.push(`panel ${i} ends at ${p.right}, its output area at ${area.right}`);
    const box = panel.querySelector('.synthbench-chart');
    const svg = panel.querySelector('.synthbench-chart .vega-embed svg');
    if (box && box.offsetParent) {
      if (!svg) { problems.push(`panel ${i}: no chart`); return; }
      const c = box.getBoundingClientRect();
      const right = Math.min(area.right, c.right) + 1;
      const s = svg.getBoundingClientRect();
      const seen = (panel.querySelector('.synthbench-width-probe') || {dataset: {}}).dataset.seen;
      if (s.right > right) problems.push(`panel ${i}: chart ends at ${s.right}, its area at ${right} (seen ${seen})`);
      let legend = false;
      for (const t of svg.querySelectorAll('text')) {
        const r = t.getBoundingClientRect();
        if (r.width === 0) continue;
        if (r.right > right || r.left < c.left - 1)
          problems.push(`panel ${i}: text '${t.textContent}' at [${r.left}, ${r.right}] outside [${c.left}, ${right}]`);
        if (t.textContent === 'synthetic' && r.right <= right && r.left >= c.left) legend = true;
      }
      if (!legend) problems.push(`panel ${i}: the legend label 'synthetic' is not visible in the chart`);
    }
    panel.querySelectorAll('button').forEach((b) => {
      if (!b.offsetParent) return;
      const r = b.getBoundingClientRect();
      if (b.scrollWidth > b.clientWidth + 1) problems.push(`panel ${i}: button '${b.innerText}' label cut`);
      if (r.right > p.right + 1) problems.push(`panel ${i}: button '${b.innerText}' outside the panel`);
    });
    panel.querySelectorAll('pre.synthbench-code-text').forEach((pre) => {
      if (pre.offsetParent && getComputedStyle(pre).whiteSpace !== 'pre') problems.push(`panel ${i}: code wraps`);
    });
  });
  return problems;
}"""


def _fits(page, timeout: float = 20.0) -> None:
    """Wait until everything fits (charts are redrawn once the browser reports their width).

    Each panel is scrolled into view first: JupyterLab skips the layout of cells off screen,
    so their width is measured when a reader gets there.
    """
    panels = page.locator(".synthbench-panel")
    for i in range(panels.count()):
        if panels.nth(i).is_visible():
            panels.nth(i).scroll_into_view_if_needed()
            page.wait_for_timeout(200)
    deadline = time.monotonic() + timeout
    while True:
        problems = page.evaluate(FIT_JS)
        if not problems or time.monotonic() > deadline:
            break
        page.wait_for_timeout(500)
    assert not problems, "\n".join(problems)


def _run_all(page) -> None:
    page.locator(".lm-MenuBar-itemLabel:text-is('Run')").click()
    page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click()


@pytest.mark.parametrize("ui", ["lab", "nb7"])
def test_panels_fit_the_default_layout(lab, browser, ui):
    if ui == "nb7":
        pytest.importorskip("notebook", reason="Notebook 7 needs the notebook package")
    name = f"fit_{ui}.ipynb"
    write_notebook(lab.root / name, FAMILIES)
    with new_page(lab, browser, failed=f"FAILED_fit_{ui}.png") as page:
        open_notebook(page, lab, name, ui)
        if ui == "lab":
            assert page.locator(".jp-FileBrowser").first.is_visible()  # the default: file browser open
        _run_all(page)
        page.wait_for_function(
            f"() => document.querySelectorAll('.synthbench-chart .vega-embed svg').length >= {len(FAMILIES)}",
            timeout=120_000,
        )
        _fits(page)
        panels = page.locator(".synthbench-panel")
        SHOTS.mkdir(parents=True, exist_ok=True)
        if ui == "lab":
            page.screenshot(path=str(SHOTS / "lab_default_layout.png"))
        else:
            panels.nth(2).scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            page.screenshot(path=str(SHOTS / "nb7_balance.png"))
        for i in range(panels.count()):  # the Export tab of every panel: labels whole, code unwrapped
            panels.nth(i).locator(".lm-TabBar-tabLabel:text-is('Export')").click()
        _fits(page)
        panels.nth(2).scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        panels.nth(2).screenshot(path=str(SHOTS / f"{ui}_export_tab.png"))
        assert page.locator(".synthbench-error").count() == 0


BALANCE = """\
import synthbench as sb
from sklearn.datasets import load_wine
from synthbench.widgets import frame_hash, panel
%load_ext synthbench
train = load_wine(as_frame=True).frame
bal = panel(sb.Balance(target='target', method='smote'), train, debounce=0.05)
bal
"""


def test_balance_export_runs_against_the_users_variable(lab, browser):
    write_notebook(
        lab.root / "balance.ipynb", [BALANCE, "%synthbench export", CHECK + '\nprint("PANEL", frame_hash(bal.frame))']
    )
    with new_page(lab, browser, failed="FAILED_balance.png") as page:
        open_notebook(page, lab, "balance.ipynb")
        run_cell(page, 0)
        page.wait_for_function(
            "() => !!document.querySelector('.synthbench-chart .vega-embed svg .mark-rect')", timeout=90_000
        )
        n_cells = page.locator(".jp-Notebook .jp-Cell").count()
        run_cell(page, 1)
        page.wait_for_function(
            f"() => document.querySelectorAll('.jp-Notebook .jp-Cell').length > {n_cells}", timeout=30_000
        )
        inserted = page.locator(".jp-Notebook .jp-Cell").nth(2)
        code = inserted.inner_text()
        # Its header names the user's variable (CodeMirror renders only the lines on screen, so the
        # calls below are checked by running the cell: the notebook has `train` and no `df_real`).
        assert "over `train`" in code
        # The magic's output is one short line, not the code as an escaped string.
        out = page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-OutputArea").inner_text()
        assert "Exported code" in out and len(out) < 200, out
        run_cell(page, 2)
        run_cell(page, 3)
        page.wait_for_function("() => document.body.innerText.includes('PANEL ')", timeout=60_000)
        text = page.locator(".jp-Notebook").inner_text()
        # (Had the inserted cell failed, `df` would not exist and PANEL would never print.)
        assert text.split("EXPORTED ")[1].split()[0] == text.split("PANEL ")[1].split()[0]
        page.screenshot(path=str(SHOTS / "panel_balance_export.png"))


# -- every family, in both UIs: change a control, see the chart change, export, run, same frame --
ROUND_TRIP = {
    "rules": "rules = panel(sb.Schema.example(), n=2000, debounce=0.05)\nrules",
    "classification": "clf = panel(sb.Classification(n_features=5), n=2000, debounce=0.05)\nclf",
    "fitted": "fit = panel(sb.GaussianCopula(), real, n=2000, debounce=0.05)\nfit",
    "balancing": "bal = panel(sb.Balance(target='target', method='smote'), real, debounce=0.05)\nbal",
    "timeseries": "ts = panel(sb.TimeSeries.example(), n=730, debounce=0.05)\nts",
}
ROUND_TRIP_SETUP = """\
import hashlib
import synthbench as sb
from sklearn.datasets import load_wine
from synthbench.widgets import frame_hash, panel
real = load_wine(as_frame=True).frame
real["target"] = real["target"].map({0: "barolo", 1: "grignolino", 2: "barbera"})
"""
# Runs each panel's exported code as a cell would (the notebook's variables visible) and
# prints the panel's fingerprint, the exported frame's and a digest of the code shown.
ROUND_TRIP_CHECK = """\
for name, q in [("rules", rules), ("classification", clf), ("fitted", fit), ("balancing", bal), ("timeseries", ts)]:
    cell = dict(globals())
    exec(q.code, cell)
    digest = hashlib.sha256(q.code.strip().encode()).hexdigest()[:16]
    print("CHECK", name, frame_hash(q.frame), frame_hash(cell["df"]), digest)
"""
#: Console messages of the page that are not ours (Lab's own start-up notices).
CONSOLE_NOISE = ("favicon", "Failed to load resource", "[object Object]")


def _watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and not any(n in m.text for n in CONSOLE_NOISE) else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _ui_errors(lab: Lab, browser, ui: str) -> set[str]:
    """Console errors of the UI itself: a notebook without synthbench, run, in a fresh page."""
    name = f"baseline_{ui}.ipynb"
    write_notebook(lab.root / name, ["1 + 1"])
    page = browser.new_context(viewport=VIEWPORT).new_page()
    errors = _watch_console(page)
    try:
        open_notebook(page, lab, name, ui)
        _run_all(page)
        page.wait_for_function("() => document.body.innerText.includes('2')", timeout=60_000)
        page.wait_for_timeout(1000)
    finally:
        page.context.close()
    return set(errors)


def _panel_state(page, i: int) -> dict:
    return page.evaluate(
        """(i) => {
      const panel = document.querySelectorAll('.synthbench-panel')[i];
      const s = panel.querySelector('.synthbench-status');
      const svg = panel.querySelector('.synthbench-chart .vega-embed svg');
      const marks = svg ? Array.from(svg.querySelectorAll('.mark-rect path, .mark-line path'))
                            .map(p => p.getAttribute('d')).join('|') : '';
      return {hash: s ? s.dataset.hash : null, marks: marks};
    }""",
        i,
    )


@pytest.mark.parametrize("ui", ["lab", "nb7"])
def test_every_family_round_trip(lab, browser, ui):
    if ui == "nb7":
        pytest.importorskip("notebook", reason="Notebook 7 needs the notebook package")
    import hashlib

    name = f"round_trip_{ui}.ipynb"
    write_notebook(lab.root / name, [ROUND_TRIP_SETUP, *ROUND_TRIP.values(), ROUND_TRIP_CHECK])
    baseline = _ui_errors(lab, browser, ui)
    page = browser.new_context(viewport=VIEWPORT).new_page()
    errors = _watch_console(page)
    try:
        open_notebook(page, lab, name, ui)
        _run_all(page)
        page.wait_for_function(
            f"() => document.querySelectorAll('.synthbench-chart .vega-embed svg').length >= {len(ROUND_TRIP)}",
            timeout=180_000,
        )
        panels = page.locator(".synthbench-panel")
        assert panels.count() == len(ROUND_TRIP)
        shown: dict[str, tuple[str, str]] = {}
        for i, family in enumerate(ROUND_TRIP):
            panels.nth(i).scroll_into_view_if_needed()
            before = _panel_state(page, i)
            seed = panels.nth(i).locator(".synthbench-seed input")
            seed.fill("7")
            seed.press("Enter")
            page.wait_for_function(
                "([i, h, m]) => { const panel = document.querySelectorAll('.synthbench-panel')[i];"
                " const s = panel.querySelector('.synthbench-status');"
                " const svg = panel.querySelector('.synthbench-chart .vega-embed svg');"
                " const marks = svg ? Array.from(svg.querySelectorAll('.mark-rect path, .mark-line path'))"
                ".map(p => p.getAttribute('d')).join('|') : '';"
                " return s && s.dataset.hash !== h && marks !== m; }",
                arg=[i, before["hash"], before["marks"]],
                timeout=60_000,
            )
            after = _panel_state(page, i)
            panels.nth(i).locator(".lm-TabBar-tabLabel:text-is('Export')").click()
            code = panels.nth(i).locator("pre.synthbench-code-text")
            code.wait_for(timeout=30_000)
            digest = hashlib.sha256(code.evaluate("e => e.textContent").strip().encode()).hexdigest()[:16]
            shown[family] = (after["hash"], digest)
        _fits(page)
        page.screenshot(path=str(SHOTS / f"{ui}_round_trip.png"))
        check = page.locator(".jp-Notebook .jp-Cell").nth(len(ROUND_TRIP) + 1)
        before_text = check.locator(".jp-OutputArea").inner_text()
        run_cell(page, len(ROUND_TRIP) + 1)
        page.wait_for_function(
            "([i, t]) => { const c = document.querySelectorAll('.jp-Notebook .jp-Cell')[i];"
            " const o = c.querySelector('.jp-OutputArea'); return o && o.innerText !== t"
            " && o.innerText.split('CHECK').length > 5; }",
            arg=[len(ROUND_TRIP) + 1, before_text],
            timeout=120_000,
        )
        lines = [ln.split() for ln in check.locator(".jp-OutputArea").inner_text().splitlines() if "CHECK" in ln]
        got = {w[1]: (w[2], w[3], w[4]) for w in lines}
        for family, (status_hash, code_digest) in shown.items():
            panel_hash, exported_hash, digest = got[family]
            assert panel_hash == exported_hash == status_hash, (family, got[family], status_hash)
            assert digest == code_digest, f"{family}: the Export tab shows other code than the panel exports"
        assert page.locator(".synthbench-error").count() == 0
        ours = [e for e in errors if e not in baseline]  # the UI's own start-up errors aside
        assert not ours, ours
    except Exception:
        page.screenshot(path=str(lab.root / f"FAILED_round_trip_{ui}.png"))
        print(lab.log_tail())
        raise
    finally:
        page.context.close()


DRAW = """\
from synthbench.widgets import draw
d = draw("GaussianCopula", n=500, debounce=0.05)
d
"""


def _stroke(page, box: dict, x0: float, x1: float, y: float) -> None:
    """Drag across the drawing canvas from (x0, y) to (x1, y), fractions of its box."""
    page.mouse.move(box["x"] + box["width"] * x0, box["y"] + box["height"] * y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * x1, box["y"] + box["height"] * y, steps=25)
    page.mouse.up()
    # A click ends the stroke too (drawdata sends its points to the kernel then).
    page.mouse.click(box["x"] + box["width"] * x1, box["y"] + box["height"] * y)


def test_drawing_feeds_a_fitted_panel(lab, browser):
    pytest.importorskip("drawdata")
    write_notebook(
        lab.root / "draw.ipynb",
        [DRAW, 'print("LABELS", sorted(d.panel.frame["label"].unique()))'],
    )
    baseline = _ui_errors(lab, browser, "lab")
    # Lab's width; tall enough that the picture holds the canvas and the panel below it.
    page = browser.new_context(viewport={"width": VIEWPORT["width"], "height": 1400}).new_page()
    errors = _watch_console(page)
    try:
        open_notebook(page, lab, "draw.ipynb")
        run_cell(page, 0)
        canvas = page.locator("svg.dd-scatter-svg")
        canvas.wait_for(timeout=90_000)
        canvas.scroll_into_view_if_needed()
        _stroke(page, canvas.bounding_box(), 0.1, 0.4, 0.3)
        page.wait_for_selector(".synthbench-draw-panel .synthbench-chart .vega-embed svg", timeout=90_000)
        first = _panel_state(page, 0)
        page.locator("button.class-button[data-class='b']").click()
        _stroke(page, canvas.bounding_box(), 0.6, 0.9, 0.8)
        page.wait_for_function(
            "(h) => { const s = document.querySelector('.synthbench-draw-panel .synthbench-status');"
            " return s && s.dataset.hash !== h; }",
            arg=first["hash"],
            timeout=60_000,
        )
        page.wait_for_timeout(500)
        page.locator(".synthbench-draw-panel").screenshot(path=str(SHOTS / "panel_draw.png"))
        run_cell(page, 1)
        page.wait_for_function("() => /LABELS \\[/.test(document.body.innerText)", timeout=60_000)
        assert "LABELS ['a', 'b']" in page.locator(".jp-Notebook").inner_text()  # the panel copies both classes
        # drawdata's own canvas sets height="auto" on its <svg> (Chromium logs it); nothing else may appear.
        ours = [e for e in errors if e not in baseline and 'attribute height: Expected length, "auto"' not in e]
        assert not ours, ours
    except Exception:
        page.screenshot(path=str(lab.root / "FAILED_draw.png"))
        print(lab.log_tail())
        raise
    finally:
        page.context.close()


SLOW_FIT = """\
import synthbench as sb
from sklearn.datasets import load_wine
from synthbench.widgets import panel
wine = load_wine(as_frame=True).frame
big = sb.GaussianCopula().fit(wine).sample(100_000, seed=0)  # a CART fit of a few seconds
p = panel(sb.CART(), big, n=500, debounce=0.05)
p
"""


def test_a_slow_refit_leaves_the_notebook_free(lab, browser):
    """A refit in the background: another cell runs meanwhile, then the panel shows the new fit."""
    write_notebook(lab.root / "slowfit.ipynb", [SLOW_FIT, 'print("FITTING", p.fitting)'])
    with new_page(lab, browser) as page:
        open_notebook(page, lab, "slowfit.ipynb")
        run_cell(page, 0)
        page.wait_for_function(
            "() => !!document.querySelector('.synthbench-chart .vega-embed svg .mark-rect')", timeout=180_000
        )
        before = panel_status(page)
        box = page.locator(".synthbench-param-min_samples_leaf input")
        box.fill("200")
        box.press("Enter")
        # The bar says a fit runs; the old preview stays meanwhile.
        page.wait_for_function(
            "() => { const b = document.querySelector('.synthbench-progress');"
            " return b && b.offsetParent !== null && b.innerText.includes('fitting'); }",
            timeout=30_000,
        )
        assert panel_status(page)["hash"] == before["hash"]
        run_cell(page, 1)  # the kernel is free: this cell runs during the fit
        page.wait_for_function("() => document.body.innerText.includes('FITTING True')", timeout=30_000)
        page.wait_for_function(
            "(h) => { const s = document.querySelector('.synthbench-status'); return s && s.dataset.hash !== h; }",
            arg=before["hash"],
            timeout=120_000,
        )
        page.wait_for_function(
            "() => { const b = document.querySelector('.synthbench-progress'); return !b || b.offsetParent === null; }",
            timeout=30_000,
        )
        assert int(panel_status(page)["version"]) == int(before["version"]) + 1
