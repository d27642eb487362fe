"""Build (once) and locate the virtualenv that runs the peer tools.

SDMetrics pins ``pandas<3``, so it cannot live in synthbench's environment. This module
creates a virtualenv under ``~/.cache/synthbench-peers`` (or ``$SYNTHBENCH_PEERS_CACHE``)
with ``requirements.txt`` installed, reuses it while the requirements are unchanged,
and runs peer scripts in it. Data goes in and out as Parquet and JSON files.

    python benchmarks/peers/peerenv.py        # build (or find) the venv and print its python
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUIREMENTS = HERE / "requirements.txt"
#: anonymeter pins numpy<1.27 (SDMetrics needs a newer one): a venv of its own.
ANONYMETER = HERE / "requirements-anonymeter.txt"


class PeerUnavailable(RuntimeError):
    """The peer virtualenv could not be built (no network, no venv module, ...)."""


def cache_dir() -> Path:
    return Path(os.environ.get("SYNTHBENCH_PEERS_CACHE", Path.home() / ".cache" / "synthbench-peers"))


def _venv_dir(requirements: Path = REQUIREMENTS) -> Path:
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:12]
    return cache_dir() / f"venv-{digest}"


def _python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def peer_python(*, build: bool = True, verbose: bool = False, requirements: Path = REQUIREMENTS) -> Path:
    """The peer venv's python, building the venv first if needed (raises PeerUnavailable).

    ``requirements`` picks the venv: SDMetrics' (the default) or :data:`ANONYMETER`.
    """
    venv = _venv_dir(requirements)
    marker = venv / "synthbench-ready.json"
    if marker.exists() and _python(venv).exists():
        return _python(venv)
    if not build:
        raise PeerUnavailable(f"the peer virtualenv {venv} is not built")
    start = time.perf_counter()
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [str(_python(venv)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(requirements)],
    ]
    for cmd in steps:
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PeerUnavailable(f"could not build the peer virtualenv ({' '.join(cmd[:3])}...): {exc}") from None
        if out.returncode != 0:
            tail = (out.stderr or out.stdout).strip().splitlines()[-3:]
            raise PeerUnavailable(f"could not build the peer virtualenv ({' '.join(cmd[:3])}...): {' | '.join(tail)}")
    seconds = time.perf_counter() - start
    marker.write_text(json.dumps({"built_in_seconds": round(seconds, 1)}))
    if verbose:
        print(f"built {venv} in {seconds:.1f} s", file=sys.stderr)
    return _python(venv)


def run_peer(
    script: str, *args: str, timeout: float = 900, requirements: Path = REQUIREMENTS
) -> subprocess.CompletedProcess:
    """Run ``benchmarks/peers/<script>`` with the peer python; raise RuntimeError if it fails."""
    python = peer_python(requirements=requirements)
    out = subprocess.run([str(python), str(HERE / script), *args], capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"{script} failed:\n{out.stderr[-3000:]}")
    return out


if __name__ == "__main__":
    print(peer_python(verbose=True, requirements=ANONYMETER if "--anonymeter" in sys.argv else REQUIREMENTS))
