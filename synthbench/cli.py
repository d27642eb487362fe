"""The ``synthbench`` command line.

``synthbench list``
    the registered generators.
``synthbench spec NAME``
    print the JSON spec of a generator's example, to edit and feed to ``generate``.
``synthbench generate SPEC.json -n N -o OUT.csv|OUT.parquet [--seed S]``
    make N rows from a spec and write them atomically: the file appears whole or not at all.
    With ``--rows-per-file R``, stream to a Parquet dataset folder ``OUT/part-00000.parquet``, ...
    with bounded memory (see :mod:`synthbench.scale`).
``synthbench lab``
    open the tutorials in JupyterLab.
``synthbench code SPEC.json -n N --seed S``
    print the standalone Python code that rebuilds the same frame.

Bad input (a broken spec, a bad parameter, an unknown format) is answered with one
line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .exceptions import SynthbenchError

__all__ = ["main", "write_frame"]

#: Output suffixes we can write, and how.
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet", ".gz": "csv"}


class UsageError(SynthbenchError, ValueError):
    """A command-line argument is wrong."""


def _format_of(path: Path) -> tuple[str, str | None]:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-2:] == [".csv", ".gz"]:
        return "csv", "gzip"
    fmt = FORMATS.get(suffixes[-1] if suffixes else "")
    if fmt is None or suffixes[-1] == ".gz":
        raise UsageError(f"The output file must end in .csv, .csv.gz or .parquet. Got {path.name!r} instead.")
    return fmt, None


def write_frame(df, path: str | os.PathLike) -> Path:
    """Write ``df`` to ``path`` (format from the suffix) through a temporary file.

    The data goes to a hidden temporary file in the same folder, which is renamed
    over ``path`` only when complete, so a failure (disk full, interrupt, a bad
    value) never leaves a partial file behind.
    """
    path = Path(path)
    fmt, compression = _format_of(path)
    if not path.parent.exists():
        raise UsageError(f"The output folder {str(path.parent)!r} does not exist.")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if fmt == "csv":
            df.to_csv(tmp, index=False, compression=compression)
        else:
            try:
                df.to_parquet(tmp, index=False)
            except ImportError as exc:
                raise UsageError(f"Writing Parquet needs pyarrow: pip install pyarrow ({exc}).") from None
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return path


def _load_spec(path: str):
    from .registry import from_json

    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"The spec file {path!r} does not exist.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"The spec file {path!r} cannot be read: {exc}") from None
    return from_json(text)


def _cmd_list(args: argparse.Namespace) -> int:
    from .registry import get_generator, list_generators

    rows = []
    for name in list_generators():
        cls = get_generator(name)
        summary = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        summary = re.sub(r":\w+:`~?([^`]+)`", r"\1", summary)  # drop Sphinx roles
        rows.append((name, cls.family, summary))
    width = max(len(r[0]) for r in rows)
    fam = max(len(r[1]) for r in rows)
    print(f"{'generator':<{width}}  {'family':<{fam}}  description")
    for name, family, summary in rows:
        print(f"{name:<{width}}  {family:<{fam}}  {summary}")
    return 0


def _cmd_spec(args: argparse.Namespace) -> int:
    from .registry import get_generator

    gen = get_generator(args.name).example()
    print(json.dumps(gen.to_dict(), indent=2))
    return 0


def _cmd_generate(args: argparse.Namespace) -> int:
    if args.rows_per_file is not None:
        return _generate_dataset(args)
    gen = _load_spec(args.spec)
    _format_of(Path(args.output))  # fail on a bad suffix before any work
    df = gen.sample(args.n, seed=args.seed)
    path = write_frame(df, args.output)
    print(f"wrote {len(df):,} rows x {df.shape[1]} columns to {path}", file=sys.stderr)
    return 0


def _generate_dataset(args: argparse.Namespace) -> int:
    """``generate --rows-per-file``: stream to a Parquet dataset folder, replaced whole."""
    out = Path(args.output)
    if out.suffix.lower() not in ("", ".parquet", ".pq"):
        raise UsageError(
            f"--rows-per-file writes a Parquet dataset folder: the output must end in .parquet "
            f"or have no suffix. Got {out.name!r} instead."
        )
    gen = _load_spec(args.spec)
    path = gen.to_parquet(out, args.n, seed=args.seed, rows_per_file=args.rows_per_file, overwrite=True)
    import pyarrow.parquet as pq  # present: to_parquet needs it

    files = sorted(path.glob("part-*.parquet"))
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    print(f"wrote {rows:,} rows in {len(files)} Parquet file(s) to {path}/", file=sys.stderr)
    return 0


def _cmd_code(args: argparse.Namespace) -> int:
    gen = _load_spec(args.spec)
    print(gen.to_code(args.n, seed=args.seed), end="")
    return 0


def _cmd_lab(args: argparse.Namespace) -> int:
    import shutil
    import subprocess

    # A source checkout (or an editable install) has the tutorials in notebooks/ beside the
    # package: JupyterLab opens them in place, so edits land in the repository. A wheel may
    # ship them as package data in synthbench/tutorials/, inside site-packages, which is often
    # read-only and shared: those are copied to a writable folder first.
    package = Path(__file__).resolve().parent
    checkout, shipped = package.parent / "notebooks", package / "tutorials"
    if (package.parent / "pyproject.toml").is_file() and any(checkout.glob("*.ipynb")):
        source, must_copy = checkout, False
    elif any(shipped.glob("*.ipynb")):
        source, must_copy = shipped, True
    else:
        raise UsageError(
            "The tutorial notebooks were not found: this installation has neither a source checkout's "
            f"notebooks/ folder ({checkout}) nor the packaged copy ({shipped}). Clone the repository "
            "and run `synthbench lab` from that install, or download its notebooks/ folder."
        )
    folder = source
    if must_copy:
        folder = Path(args.dir).expanduser()
        folder.mkdir(parents=True, exist_ok=True)
        copied = 0
        for notebook in sorted(source.glob("*.ipynb")):
            target = folder / notebook.name
            if not target.exists():  # never overwrite the user's edited copy
                shutil.copyfile(notebook, target)
                copied += 1
        print(f"copied {copied} tutorial notebook(s) to {folder}", file=sys.stderr)
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}"]
    if args.port is not None:
        command.append(f"--ServerApp.port={args.port}")
    if args.no_browser:
        command.append("--no-browser")
    command += args.jupyter_args
    if args.dry_run:
        print(" ".join(command))
        return 0
    return subprocess.call(command)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(prog="synthbench", description="Make synthetic data from JSON specs.")
    parser.add_argument("--version", action="version", version=f"synthbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("list", help="list the generators")
    p.set_defaults(run=_cmd_list)

    p = sub.add_parser("spec", help="print the JSON spec of a generator's example")
    p.add_argument("name", help="generator name, e.g. Schema (see `synthbench list`)")
    p.set_defaults(run=_cmd_spec)

    p = sub.add_parser("generate", help="make rows from a spec and write CSV or Parquet")
    p.add_argument("spec", help="JSON spec file (from to_dict() or `synthbench spec`)")
    p.add_argument("-n", "--rows", dest="n", type=int, required=True, help="number of rows")
    p.add_argument("-o", "--output", required=True, help="output file: .csv, .csv.gz or .parquet")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--rows-per-file",
        type=int,
        default=None,
        metavar="R",
        help="stream to a Parquet dataset folder (OUTPUT/part-00000.parquet, ...) of R rows per file, "
        "with bounded memory (Schema and fitted generators)",
    )
    p.set_defaults(run=_cmd_generate)

    p = sub.add_parser("code", help="print standalone Python code that rebuilds the frame")
    p.add_argument("spec", help="JSON spec file")
    p.add_argument("-n", "--rows", dest="n", type=int, required=True, help="number of rows")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.set_defaults(run=_cmd_code)

    p = sub.add_parser("lab", help="open JupyterLab on the tutorial notebooks")
    p.add_argument(
        "--dir",
        default="~/synthbench-tutorials",
        help="where packaged tutorials are copied (default ~/synthbench-tutorials); a source checkout's "
        "notebooks/ folder is opened in place",
    )
    p.add_argument("--port", type=int, help="port of the Jupyter server (default: JupyterLab's, 8888 or the next free)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser; print the URL")
    p.add_argument("--dry-run", action="store_true", help="print the JupyterLab command instead of running it")
    p.add_argument("jupyter_args", nargs="*", help="more JupyterLab options, after `--` (e.g. -- --ip=0.0.0.0)")
    p.set_defaults(run=_cmd_lab)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``synthbench`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except SynthbenchError as exc:
        print(f"synthbench: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"synthbench: error: {exc.strerror or exc} ({getattr(exc, 'filename', '')})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("synthbench: interrupted; no output written", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
