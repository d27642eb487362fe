"""The synthbench JupyterLab extension, for real: launcher cards, "Open in synthbench", palette commands.

JupyterLab runs from the Python of the tests with the extension as installed (``pip install
-e .`` or a wheel puts it in ``share/jupyter/labextensions/synthbench``) and is driven by
Playwright on Debian's Chromium, with the server and browser helpers of ``test_lab.py``.
Besides, the Python literals the extension writes are checked against Python itself (node
runs the compiled ``labextension/lib/cells.js``), and a fresh virtualenv checks that a plain
``pip install .`` of a clean copy of the tree (no built files, no node_modules) builds and
enables the extension.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest

from tests.browser.jupyter import SHOTS, VIEWPORT, new_page, open_notebook, write_notebook
from tests.browser.test_lab import SETUP, _run_all

ROOT = Path(__file__).resolve().parents[2]
EXT = ROOT / "labextension"
CELLS_JS = EXT / "lib" / "cells.js"


def _installed() -> bool:
    """Whether this Python's JupyterLab sees the built extension."""
    return (Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "synthbench" / "package.json").is_file()


needs_extension = pytest.mark.skipif(
    not _installed(), reason="the synthbench labextension is not installed here (pip install -e . builds it)"
)


def _wait_file(path: Path, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError, ValueError):  # not there yet, or being written
            return json.loads(path.read_text())
        assert time.monotonic() < deadline, f"{path.name} was not created"
        time.sleep(0.1)


def _sources(nb: dict) -> list[str]:
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in nb["cells"]]


def _wait_kernel(lab_, name: str) -> None:
    deadline = time.monotonic() + 90
    while not lab_.kernel_idle(name):
        assert time.monotonic() < deadline, "kernel never became idle"
        time.sleep(0.1)


def _wait_workbench(page) -> None:
    page.wait_for_function(
        "() => !!document.querySelector('.synthbench-workbench .synthbench-chart .vega-embed svg')", timeout=120_000
    )


def _palette(page, label: str) -> None:
    page.locator(".lm-MenuBar-itemLabel:text-is('View')").click()
    page.locator(".lm-Menu-itemLabel:text-is('Activate Command Palette')").click()
    page.wait_for_selector(".lm-CommandPalette-input", state="visible")
    page.locator(".lm-CommandPalette-input").fill(label)
    page.locator(f".lm-CommandPalette-item:has-text('{label}')").first.wait_for()
    page.wait_for_timeout(300)
    page.locator(".lm-CommandPalette-input").press("Enter")


@pytest.mark.browser
@needs_extension
def test_launcher_card_opens_a_workbench_notebook(lab, browser):
    with new_page(lab, browser, failed="FAILED_ext_launcher.png") as page:
        page.goto(f"{lab.base}/lab?reset")
        section = page.locator(".jp-Launcher-section:has(.jp-Launcher-sectionTitle:text-is('synthbench'))")
        section.wait_for(timeout=60_000)
        labels = section.locator(".jp-LauncherCard-label").all_inner_texts()
        assert labels == ["Synthetic data", "Tutorials"]
        assert section.locator(".jp-LauncherCard svg").count() == 2  # the icon
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(500)
        page.screenshot(path=str(SHOTS / "ext_launcher.png"))

        section.locator(".jp-LauncherCard:has-text('Synthetic data')").click()
        nb = _wait_file(lab.root / "synthbench-workbench.ipynb")
        sources = _sources(nb)
        assert sources[0].startswith("**synthbench**")  # the tutorial hint (on by default)
        assert sources[1].startswith("%load_ext synthbench\n") and sources[2] == "%synthbench df"
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        _wait_kernel(lab, "synthbench-workbench.ipynb")
        _run_all(page)
        _wait_workbench(page)
        assert "bill_length_mm" in page.locator(".jp-Notebook").inner_text()
        assert page.locator(".synthbench-error").count() == 0


@pytest.mark.browser
@needs_extension
def test_tutorials_card_copies_the_tutorials_and_opens_the_first(lab, browser):
    with new_page(lab, browser, failed="FAILED_ext_tutorials.png") as page:
        page.goto(f"{lab.base}/lab?reset")
        card = page.locator(".jp-LauncherCard[data-category='synthbench']:has-text('Tutorials')")
        card.click(timeout=60_000)
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)  # the first tutorial, open
        copied = sorted(p.name for p in (lab.root / "synthbench-tutorials").glob("*.ipynb"))
        assert copied == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
        assert "01_what_is_synthetic_data.ipynb" in page.locator(".jp-mod-current .lm-TabBar-tabLabel").inner_text()
        # A second time: found in place, nothing copied, no kernel left running.
        page.locator(".lm-TabBar-tab:has-text('Launcher')").first.click()
        (lab.root / "synthbench-tutorials" / "02_rule_based.ipynb").write_text("{}")  # an edited copy
        _palette(page, "Open synthbench tutorials")
        page.wait_for_timeout(2000)
        assert (lab.root / "synthbench-tutorials" / "02_rule_based.ipynb").read_text() == "{}"


#: A CSV whose name has quotes, a backslash and a newline: it reaches the cell only as a literal.
HOSTILE = "wings 'n' \"tails\" \\\nx.csv"


@pytest.mark.browser
@needs_extension
def test_open_in_synthbench_on_a_csv_then_export_from_the_palette(lab, browser):
    (lab.root / HOSTILE).write_text(
        "wingspan_cm,beak_mm,flock\n" + "".join(f"{20 + i % 17},{3 + i % 5}.5,{'ab'[i % 2]}\n" for i in range(120))
    )
    with new_page(lab, browser, failed="FAILED_ext_open.png") as page:
        page.goto(f"{lab.base}/lab?reset")
        item = page.locator(".jp-DirListing-item:has-text('wings')")
        item.wait_for(timeout=60_000)
        item.click(button="right")
        page.locator(".lm-Menu-itemLabel:text-is('Open in synthbench')").hover()
        page.screenshot(path=str(SHOTS / "ext_open_in_synthbench.png"))
        page.locator(".lm-Menu-itemLabel:text-is('Open in synthbench')").click()
        name = "wings_n_tails_x_synthbench.ipynb"
        nb = _wait_file(lab.root / name)
        code = _sources(nb)[1]
        tree = ast.parse(code.replace("%load_ext synthbench\n", ""))
        read = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "read_csv"]
        assert [ast.literal_eval(a) for a in read[0].args] == [HOSTILE]  # the name, as a repr literal only
        assert "wings_n_tails_x = pd.read_csv(" in code
        assert _sources(nb)[2] == "%synthbench wings_n_tails_x"

        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        _wait_kernel(lab, name)
        _run_all(page)
        _wait_workbench(page)
        page.wait_for_function("() => document.body.innerText.includes('quality score')", timeout=60_000)
        panel = page.locator(".synthbench-workbench .synthbench-panel").first
        assert "wingspan_cm" in panel.inner_text()  # fitted to the file's columns
        page.screenshot(path=str(SHOTS / "ext_workbench_from_csv.png"))
        assert page.locator(".synthbench-error").count() == 0

        # The palette command: a `%synthbench export` cell below, run; the code arrives as the next cell.
        page.locator(".jp-Notebook .jp-Cell").last.click()
        n_cells = page.locator(".jp-Notebook .jp-Cell").count()
        _palette(page, "Insert synthbench export cell")
        page.wait_for_function(
            f"() => document.querySelectorAll('.jp-Notebook .jp-Cell').length >= {n_cells + 2}", timeout=60_000
        )
        cells = page.locator(".jp-Notebook .jp-Cell")
        assert "%synthbench export" in cells.nth(n_cells).locator(".jp-InputArea-editor").inner_text()
        page.wait_for_function("() => document.body.innerText.includes('Exported code')", timeout=60_000)
        exported = cells.nth(n_cells + 1).locator(".jp-InputArea-editor").inner_text()
        assert exported.startswith("# GaussianCopula")  # (the editor draws only the lines in view)


@pytest.mark.browser
@needs_extension
def test_export_command_after_a_panel_in_a_notebook(lab, browser):
    write_notebook(lab.root / "ext_export.ipynb", [SETUP])
    with new_page(lab, browser, failed="FAILED_ext_export.png") as page:
        open_notebook(page, lab, "ext_export.ipynb")
        _run_all(page)
        page.wait_for_function("() => !!document.querySelector('.synthbench-chart .vega-embed svg')", timeout=90_000)
        page.locator(".jp-Notebook .jp-Cell").first.locator(".jp-InputArea-prompt").click()
        # The notebook's context menu has the command too.
        page.locator(".jp-Notebook .jp-Cell").first.click(button="right")
        page.locator(".lm-Menu-itemLabel:text-is('Insert synthbench export cell')").click()
        page.wait_for_function("() => document.querySelectorAll('.jp-Notebook .jp-Cell').length >= 3", timeout=60_000)
        cells = page.locator(".jp-Notebook .jp-Cell")
        assert cells.nth(1).locator(".jp-InputArea-editor").inner_text().strip() == "%synthbench export"
        page.wait_for_function("() => document.body.innerText.includes('Exported code')", timeout=60_000)
        assert "make_classification" in cells.nth(2).locator(".jp-InputArea-editor").inner_text()


@pytest.mark.browser
@needs_extension
def test_settings_and_spec_files(lab, browser):
    """The settings reach new notebooks; a .json spec opens its generator's panel, other JSON is data."""
    settings = lab.state / "settings" / "synthbench" / "plugin.jupyterlab-settings"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"previewRows": 250, "seed": 7, "tutorialHint": False}))
    folder = lab.root / "specs"
    folder.mkdir()
    (folder / "moons.json").write_text(
        json.dumps({"synthbench_spec": 1, "generator": "Moons", "params": {"noise": 0.2}})
    )
    (folder / "records.json").write_text(json.dumps([{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]))
    page = browser.new_context(viewport=VIEWPORT).new_page()
    try:
        page.goto(f"{lab.base}/lab/tree/specs?reset")
        page.locator(".jp-DirListing-item:has-text('moons.json')").wait_for(timeout=60_000)
        page.wait_for_timeout(1000)  # the settings load after the commands exist
        page.locator(".lm-MenuBar-itemLabel:text-is('Help')").click()  # the menus have the commands too
        assert page.locator(".lm-Menu-itemLabel:text-is('Open synthbench tutorials'):visible").count() == 1
        page.keyboard.press("Escape")
        page.locator(".lm-MenuBar-itemLabel:text-is('File')").click()
        page.locator(".lm-Menu-item[data-type='submenu']:has-text('New')").first.hover()
        page.locator(".lm-Menu-itemLabel:text-is('New synthbench workbench')").wait_for(state="visible", timeout=10_000)
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")
        _palette(page, "New synthbench workbench")
        nb = _wait_file(folder / "synthbench-workbench.ipynb")
        assert _sources(nb)[-1].endswith("Workbench(df, n=250, seed=7)")
        assert all(c["cell_type"] == "code" for c in nb["cells"])  # no hint
        page.locator(".jp-DirListing-item:has-text('synthbench-workbench')").wait_for()  # the listing settles
        page.wait_for_timeout(1000)
        for file, expected in (("moons.json", "moons = from_file('moons.json')"), ("records.json", "pd.read_json(")):
            page.locator(f".jp-DirListing-item:has-text('{file}')").click(button="right")
            page.locator(".lm-Menu-itemLabel:text-is('Open in synthbench')").click()
            made = _wait_file(folder / f"{file.split('.')[0]}_synthbench.ipynb")
            assert expected in _sources(made)[0]
            # The listing grows by the new notebook: let it settle before the next right-click.
            page.locator(f".jp-DirListing-item:has-text('{file.split('.')[0]}_synthbench')").wait_for()
            page.wait_for_timeout(1000)
        assert _sources(made)[-1] == "%synthbench records" or "Workbench(records" in _sources(made)[-1]
        assert "panel(moons, n=250, seed=7)" in _sources(json.loads((folder / "moons_synthbench.ipynb").read_text()))
        # A notebook is not a data file: no "Open in synthbench" on it.
        page.locator(".jp-DirListing-item:has-text('synthbench-workbench.ipynb')").click(button="right")
        page.wait_for_selector(".lm-Menu", state="visible")
        assert page.locator(".lm-Menu-itemLabel:text-is('Open in synthbench'):visible").count() == 0
        assert page.locator(".lm-Menu-itemLabel:text-is('Download'):visible").count() == 1  # the menu is there
    except Exception:
        page.screenshot(path=str(lab.root / "FAILED_ext_settings.png"))
        print(lab.log_tail())
        raise
    finally:
        settings.unlink()
        page.context.close()


@pytest.mark.browser
@needs_extension
def test_notebook7_tree_has_open_in_synthbench(lab, browser):
    pytest.importorskip("notebook", reason="Notebook 7 needs the notebook package")
    folder = lab.root / "nb7"
    folder.mkdir()
    (folder / "cars.csv").write_text("speed,dist\n4,2\n7,4\n8,16\n9,10\n10,18\n")
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        page.goto(f"{lab.base}/tree/nb7")
        item = page.locator(".jp-DirListing-item:has-text('cars.csv')")
        item.wait_for(timeout=60_000)
        item.click(button="right")
        page.locator(".lm-Menu-itemLabel:text-is('Open in synthbench')").click()
        nb = _wait_file(folder / "cars_synthbench.ipynb")
        assert "cars = pd.read_csv('cars.csv')" in _sources(nb)[1]
    except Exception:
        page.screenshot(path=str(lab.root / "FAILED_ext_nb7.png"))
        print(lab.log_tail())
        raise
    finally:
        context.close()


# -- the literals, against Python itself --------------------------------------------------------------

NAMES = [
    "penguins.csv",
    "it's.csv",
    'say "hi".csv',
    "back\\slash\\.csv",
    "new\nline.csv",
    "tab\there\r.csv",
    "'); import os; os.system('x') #.csv",
    "\x00\x1b[31m\x7f\x85.csv",
    "\u2028\u2029\u200b\ufeff.csv",
    "données été 数据 😀.parquet",
    "\U0001f600\U000e0001.json",
    "",
]


@pytest.mark.skipif(shutil.which("node") is None or not CELLS_JS.is_file(), reason="needs node and a built extension")
def test_file_names_reach_cells_only_as_python_literals(tmp_path):
    module = tmp_path / "cells.mjs"
    module.write_text(CELLS_JS.read_text())
    script = (
        f"import * as c from {json.dumps(module.as_uri())};\n"
        "const names = JSON.parse(process.argv[1]);\n"
        "console.log(JSON.stringify(names.map(n => [c.pyString(n), c.identifier(c.stemOf(n)), "
        "c.openFileCells(n, false, {...c.DEFAULTS, tutorialHint: false}).map(x => x.source)])));"
    )
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script, json.dumps(NAMES)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    for name, (literal, ident, sources) in zip(NAMES, json.loads(out.stdout), strict=True):
        assert ast.literal_eval(literal) == name, (name, literal)
        assert "\n" not in literal and "\r" not in literal
        assert ident.isidentifier() and ident.isascii()
        code = sources[0].replace("%load_ext synthbench\n", "")
        tree = ast.parse(code)  # valid Python whatever the name
        strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        assert strings == [name]  # the only text from the user, as one literal
        assert sources[1] == f"%synthbench {ident}"


# -- a plain `pip install .` of a clean tree ----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npm") is None, reason="building the extension from source needs node and npm")
def test_pip_install_of_a_clean_tree_enables_the_extension(tmp_path):
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns(
        ".git",
        ".venv*",
        "build",
        "dist",
        "*.egg-info",
        "__pycache__",
        ".*_cache",
        "node_modules",
        "lib",
        "labextension",
    )  # "labextension" drops the built synthbench/labextension; the source folder is copied below
    shutil.copytree(ROOT, src, ignore=ignore)
    shutil.copytree(EXT, src / "labextension", ignore=shutil.ignore_patterns("node_modules", "lib", "*.tsbuildinfo"))
    assert not (src / "synthbench" / "labextension").exists()
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER"))}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", HOME=str(tmp_path / "home"))
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "home" / "config")  # no user config
    install = subprocess.run(
        [env_dir / "bin" / "python", "-m", "pip", "install", "-q", "."],
        cwd=src,
        env=env,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert install.returncode == 0, install.stderr[-4000:]
    listing = subprocess.run(
        [env_dir / "bin" / "jupyter", "labextension", "list"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    text = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)  # no colours
    section = text.split(str(env_dir / "share" / "jupyter" / "labextensions"))[1]
    assert "synthbench v0.1.0 enabled OK (python, synthbench)" in section, text


# -- `synthbench tutorials DIR`: what the Tutorials card runs in a kernel -----------------------------


def test_tutorials_command_copies_missing_notebooks_only(tmp_path):
    folder = tmp_path / "my 'tutorials'"
    run = [sys.executable, "-m", "synthbench", "tutorials", str(folder)]
    first = subprocess.run(run, capture_output=True, text=True, timeout=120, check=True)
    assert first.stdout.strip() == str(folder)
    names = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in folder.iterdir()) == names
    (folder / names[0]).write_text("edited")
    second = subprocess.run(run, capture_output=True, text=True, timeout=120, check=True)
    assert "copied 0 tutorial notebook(s)" in second.stderr and "kept 10 already there" in second.stderr
    assert (folder / names[0]).read_text() == "edited"
    blocker = tmp_path / "a file"
    blocker.write_text("")
    bad = subprocess.run([*run[:-1], str(blocker / "sub")], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("synthbench: error: cannot copy the tutorials to") and bad.stderr.count("\n") == 1
