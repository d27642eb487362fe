"""The ``synthbench`` command line.

``synthbench list``
    the registered generators.
``synthbench spec NAME``
    print the JSON spec of a generator's example, to edit and feed to ``generate``.
``synthbench generate SPEC.json -n N -o OUT.csv|OUT.csv.gz|OUT.parquet|OUT.sqlite [--seed S]``
    make N rows from a spec and write them atomically: the file appears whole or not at
    all. Generators that stream (``Schema``, the fitted ones) are written block by block
    with bounded memory, whatever N; the others are made at once, within the memory limit
    (``SYNTHBENCH_MAX_BYTES``, default 4 GiB). With ``--rows-per-file R``, stream to a
    Parquet dataset folder ``OUT/part-00000.parquet``, ... (see :mod:`synthbench.scale`);
    an existing folder is replaced only if synthbench wrote it. A related-tables spec
    (``Tables``) is written to a SQLite file (``.sqlite``, ``.sqlite3`` or ``.db``) with
    its primary and foreign keys declared; N is the rows of each root table. Rule-based
    blocks are made on one thread per CPU (``SYNTHBENCH_THREADS=1``: none; the same rows
    either way).
``synthbench lab``
    open the tutorials in JupyterLab.
``synthbench tutorials [DIR]``
    copy the tutorial notebooks into DIR (missing files only; what the JupyterLab
    extension's "Open synthbench tutorials" runs when the server has none).
``synthbench code SPEC.json -n N --seed S``
    print the standalone Python code that rebuilds the same frame.

A spec file must be a regular file of at most 10 MiB (a device, a FIFO or a folder is
refused without being read). Long runs show their progress on stderr when it is a
terminal. Bad input (a broken spec, a bad parameter, an unknown format, an unwritable
folder, a request too large for memory) is answered with one line on stderr and exit
code 2, never a traceback; an interrupt (Ctrl-C) exits with 130 and leaves no partial
output. Set ``SYNTHBENCH_DEBUG=1`` to see the traceback of an unexpected error.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from .exceptions import SynthbenchError

__all__ = ["main"]

#: OS errors that mean "this input cannot be used" (exit 2), not "the machine failed" (exit 1).
_BAD_INPUT_ERRNOS = {
    errno.EACCES,
    errno.EPERM,
    errno.EROFS,
    errno.ENOENT,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.EEXIST,
    errno.ENAMETOOLONG,
    errno.ELOOP,
    errno.EXDEV,
    errno.EINVAL,
}


class UsageError(SynthbenchError, ValueError):
    """A command-line argument is wrong."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (like every other error of the CLI)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {_one_line(message)} (see {self.prog} --help)\n")


def _one_line(text: str) -> str:
    """``text`` as one printable line: newlines, terminal escapes and surrogates escaped."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in " ".join(str(text).splitlines()))


def _load_spec(path: str) -> Any:
    """The generator of the spec file at ``path`` (see :func:`synthbench.registry.from_file`)."""
    from .registry import from_file

    return from_file(path)


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


def _progress() -> bool:
    """Progress only on a terminal: never in logs, pipes or captured output."""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _check_settings() -> None:
    """A bad SYNTHBENCH_MAX_BYTES or SYNTHBENCH_THREADS is refused before anything is made,
    whether or not this run would have read it."""
    from .base import get_config

    get_config()


def _cmd_generate(args: argparse.Namespace) -> int:
    from .scale import _write_file, file_format

    _check_settings()
    if args.rows_per_file is not None:
        return _generate_dataset(args)
    if Path(args.output).suffix.lower() in (*_SQLITE_SUFFIXES, ".duckdb"):
        return _generate_sqlite(args)
    if not Path(args.output).suffix:  # a folder: related tables streamed to Parquet, one folder per table
        gen = _load_spec(args.spec)
        if getattr(gen, "multi_table", False):
            path = gen.stream_parquet(args.output, args.n, seed=args.seed, overwrite=True, progress=_progress())
            print(f"wrote {len(gen._order())} tables to {path}", file=sys.stderr)
            return 0
    file_format(args.output, "generate -o")  # a bad suffix fails before any work
    gen = _load_spec(args.spec)
    if getattr(gen, "multi_table", False):
        raise UsageError(
            f"{type(gen).__name__} makes several related tables: write them to a SQLite file "
            f"(-o OUT.sqlite), a DuckDB file (-o OUT.duckdb) or a folder of Parquet tables (-o DIR). "
            f"Got {Path(args.output).name!r} instead."
        )
    path, rows, columns = _write_file(gen, args.output, args.n, seed=args.seed, overwrite=True, progress=_progress())
    print(f"wrote {rows:,} rows x {columns} columns to {path}", file=sys.stderr)
    return 0


_SQLITE_SUFFIXES = (".sqlite", ".sqlite3", ".db")


def _generate_sqlite(args: argparse.Namespace) -> int:
    """``generate -o OUT.sqlite`` (or ``.duckdb``): related tables into one file, keys declared."""
    from .generators.relational import write_duckdb, write_sqlite

    gen = _load_spec(args.spec)
    if not getattr(gen, "multi_table", False):
        raise UsageError(
            f"-o {Path(args.output).suffix} writes related tables (a Tables spec); {type(gen).__name__} makes "
            "one table: write .csv, .csv.gz or .parquet."
        )
    write = write_duckdb if Path(args.output).suffix.lower() == ".duckdb" else write_sqlite
    path = write(gen, args.output, n=args.n, seed=args.seed, overwrite=True)
    print(f"wrote {len(gen._order())} tables to {path}", file=sys.stderr)
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
    path = gen.to_parquet(
        out, args.n, seed=args.seed, rows_per_file=args.rows_per_file, overwrite=True, progress=_progress()
    )
    import pyarrow.parquet as pq  # present: to_parquet needs it

    files = sorted(path.glob("part-*.parquet"))
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    print(f"wrote {rows:,} rows in {len(files)} Parquet file(s) to {path}/", file=sys.stderr)
    return 0


def _cmd_code(args: argparse.Namespace) -> int:
    _check_settings()
    gen = _load_spec(args.spec)
    print(gen.to_code(args.n, seed=args.seed), end="")
    return 0


def _tutorial_sources() -> tuple[Path | None, Path]:
    """The checkout's notebooks/ folder (None outside a checkout) and the wheel's tutorials/."""
    package = Path(__file__).resolve().parent
    checkout, shipped = package.parent / "notebooks", package / "tutorials"
    if (package.parent / "pyproject.toml").is_file() and any(checkout.glob("*.ipynb")):
        return checkout, shipped
    return None, shipped


def _not_found(shipped: Path, command: str) -> UsageError:
    return UsageError(
        f"The tutorial notebooks were not found in this installation ({shipped}): reinstall "
        f"synthbench (pip install synthbench, or pip install . in a clone), then run `synthbench {command}` again."
    )


def _cmd_tutorials(args: argparse.Namespace) -> int:
    checkout, shipped = _tutorial_sources()
    source = checkout if checkout is not None else shipped
    if not any(source.glob("*.ipynb")):
        raise _not_found(shipped, "tutorials")
    print(_copy_tutorials(source, Path(args.dir).expanduser().absolute()))
    return 0


def _cmd_lab(args: argparse.Namespace) -> int:
    import subprocess

    # A source checkout (or an editable install) has the tutorials in notebooks/ beside the
    # package: JupyterLab opens them in place, so edits land in the repository. A wheel ships
    # them as package data in synthbench/tutorials/ (built from notebooks/), inside
    # site-packages, which is often read-only and shared: those are copied to --dir first.
    checkout, shipped = _tutorial_sources()
    if checkout is not None:
        folder = checkout
    elif any(shipped.glob("*.ipynb")):
        folder = _copy_tutorials(shipped, Path(args.dir).expanduser().absolute())
    else:
        raise _not_found(shipped, "lab")
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}"]
    if args.port is not None:
        command.append(f"--ServerApp.port={args.port}")
    if args.no_browser:
        command.append("--no-browser")
    if getattr(os, "geteuid", lambda: -1)() == 0:
        # Containers and fresh cloud machines often run as root, where JupyterLab refuses to
        # start unless told; whoever runs `synthbench lab` as root has asked for exactly that.
        command.append("--allow-root")
    command += args.jupyter_args
    if args.dry_run:
        print(" ".join(command))
        return 0
    # JupyterLab runs in its own process group, so that stopping `synthbench lab` (SIGTERM,
    # SIGINT, Ctrl-C) stops the whole server with it: no server is left serving.
    server = subprocess.Popen(command, start_new_session=True)
    try:
        return server.wait()
    except KeyboardInterrupt as stop:
        _stop_group(server)
        print("synthbench: JupyterLab stopped", file=sys.stderr)
        return 128 + signal.SIGTERM if isinstance(stop, _Terminated) else 130


def _copy_tutorials(source: Path, folder: Path) -> Path:
    """Copy the missing tutorials of ``source`` into ``folder``; never overwrite a file there."""
    copied = kept = 0
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for notebook in sorted(source.glob("*.ipynb")):
            target = folder / notebook.name
            if target.exists():  # the user's (maybe edited) copy
                kept += 1
                continue
            part = target.with_name(f".{target.name}.part")  # whole files only, even if interrupted
            try:
                part.write_bytes(notebook.read_bytes())
                os.replace(part, target)
            finally:
                part.unlink(missing_ok=True)
            copied += 1
    except OSError as exc:
        raise UsageError(
            f"cannot copy the tutorials to {folder}: {exc.strerror or exc}. Choose a writable folder with --dir."
        ) from None
    kept_note = f"; kept {kept} already there (never overwritten)" if kept else ""
    print(f"copied {copied} tutorial notebook(s) to {folder}{kept_note}", file=sys.stderr)
    return folder


def _stop_group(server: Any) -> None:
    """Stop the process group of ``server``: SIGTERM, then SIGKILL after 20 s or a second interrupt."""
    import contextlib
    import subprocess

    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired, KeyboardInterrupt):
        server.wait(timeout=20)
    # Whatever is left in the group (the server if it hung, a helper it started) goes too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = _Parser(prog="synthbench", description="Make synthetic data from JSON specs.")
    parser.add_argument("--version", action="version", version=f"synthbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("list", help="list the generators")
    p.set_defaults(run=_cmd_list)

    p = sub.add_parser("spec", help="print the JSON spec of a generator's example")
    p.add_argument("name", help="generator name, e.g. Schema (see `synthbench list`)")
    p.set_defaults(run=_cmd_spec)

    p = sub.add_parser("generate", help="make rows from a spec and write CSV or Parquet")
    p.add_argument("spec", help="JSON spec file (from to_dict() or `synthbench spec`)")
    p.add_argument(
        "-n", "--rows", dest="n", type=int, required=True, help="number of rows (a time series: steps per entity)"
    )
    p.add_argument(
        "-o", "--output", required=True, help="output file: .csv, .csv.gz, .parquet or .sqlite (replaced atomically)"
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--rows-per-file",
        type=int,
        default=None,
        metavar="R",
        help="stream to a Parquet dataset folder (OUTPUT/part-00000.parquet, ...) of R rows per file, "
        "with bounded memory (Schema, fitted generators and time series, whose files hold whole series)",
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
        default="synthbench-tutorials",
        help="writable folder the installed tutorials are copied to, missing files only (default "
        "./synthbench-tutorials); a source checkout's notebooks/ folder is opened in place",
    )
    p.add_argument("--port", type=int, help="port of the Jupyter server (default: JupyterLab's, 8888 or the next free)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser; print the URL")
    p.add_argument("--dry-run", action="store_true", help="print the JupyterLab command instead of running it")
    p.add_argument("jupyter_args", nargs="*", help="more JupyterLab options, after `--` (e.g. -- --ip=0.0.0.0)")
    p.set_defaults(run=_cmd_lab)

    p = sub.add_parser("tutorials", help="copy the tutorial notebooks into a folder (missing files only)")
    p.add_argument("dir", nargs="?", default="synthbench-tutorials", help="the folder (default ./synthbench-tutorials)")
    p.set_defaults(run=_cmd_tutorials)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``synthbench`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    previous = _stop_on_sigterm()
    try:
        return args.run(args)
    except _Terminated:
        return _fail("terminated; no output written", 128 + signal.SIGTERM)
    except KeyboardInterrupt:
        return _fail("interrupted; no output written", 130)
    except SynthbenchError as exc:
        return _fail(str(exc), 2)
    except OSError as exc:
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        return _fail(f"{exc.strerror or exc}{where}", 2 if exc.errno in _BAD_INPUT_ERRNOS else 1)
    except MemoryError:
        return _fail(
            "out of memory. Ask for fewer rows, write to a file so that the rows stream (-o out.parquet), "
            "or lower SYNTHBENCH_MAX_BYTES so the estimate refuses such requests up front",
            2,
        )
    except UnicodeError as exc:
        return _fail(f"text cannot be written in this encoding: {exc}", 2)
    except Exception as exc:
        if os.environ.get("SYNTHBENCH_DEBUG"):
            raise
        return _fail(
            f"unexpected {type(exc).__name__}: {exc}. This is a bug in synthbench; "
            "rerun with SYNTHBENCH_DEBUG=1 for the traceback and report it",
            1,
        )
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every temporary file is removed on the way out."""


def _stop_on_sigterm() -> Any:
    def stop(signum: int, frame: Any) -> None:
        raise _Terminated

    try:
        return signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (main() called from a thread): leave it alone
        return None


def _fail(message: str, code: int) -> int:
    print(f"synthbench: error: {_one_line(message)}", file=sys.stderr)
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
