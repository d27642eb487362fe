"""What the neural generators share: the table encoding, training bookkeeping, state and plan.

*Mode-specific normalisation* (CTGAN/TVAE, Xu et al. 2019): a numeric column (floats,
integers, datetimes as integers of their unit) is standardised and a small Bayesian
Gaussian mixture is fitted to it; a value becomes a one-hot *mode* and its position
``(z - mean) / (4 std)`` inside that mode. Labels are one-hot. Missing values are one
more slot of the column's one-hot block. The network learns these encoded rows; the
numpy kernels of :mod:`synthbench.kernels.neural` decode its outputs back.

Training runs in JAX + optax (the ``ml`` extra), imported inside ``fit`` only:
sampling, ``to_code`` and ``from_dict`` need numpy alone. Keys come from
``random_state``, so a fit is repeatable on a machine; sampling a state is repeatable
everywhere.
"""

from __future__ import annotations

import base64
import binascii
import math
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ...base import MAX_SEED, check_memory, format_bytes
from ...codegen import CodeCell, Plan, Ref
from ...exceptions import DataError, ResourceLimitError, SynthbenchError
from ...kernels.neural import neural_column, neural_draws, neural_frame
from ...params import Float, Int, Param, short_repr
from ._base import FittedGenerator
from ._state import _fail, _numbers, check_column, check_marginal
from ._types import column_values, encode_labels

__all__ = ["NeuralGenerator", "StopTraining", "TrainingStopped", "need_jax"]

#: Most weights a stored network may hold (a 256-wide, 4-layer net on 2,000 outputs is ~1M).
MAX_WEIGHTS = 2**24
#: Most rows times epochs one fit may pass through the network.
MAX_ROW_EPOCHS = 2 * 10**9
#: Candidates per row for conditions and partial output (sampling-importance resampling).
_CANDIDATES = 20
_CHUNK_ROWS = 2**15
_LAYER_KINDS = ("relu", "residual", "linear")

EPOCHS = Param("epochs", Int(1, 10_000), 300, "Passes over the training rows (early stopping may end sooner).")
BATCH_SIZE = Param("batch_size", Int(10, 100_000), 500, "Rows per training step.")
HIDDEN = Param("hidden", Int(8, 1_024), 128, "Width of each hidden layer.")
LATENT = Param("latent_dim", Int(2, 512), 128, "Size of the noise (latent) vector.")
MAX_MODES = Param("max_modes", Int(1, 20), 10, "Most Gaussian modes per numeric column.")
MAX_CATEGORIES = Param(
    "max_categories", Int(2, 100_000), 1_000, "Most distinct labels a column may have (its one-hot width)."
)
PATIENCE = Param("patience", Int(1, 10_000), 30, "Epochs without a better validation score before stopping.")
VALIDATION = Param("validation", Float(0.0, 0.5), 0.1, "Share of rows held out for early stopping (0: none).")
RANDOM_STATE = Param("random_state", Int(0, MAX_SEED), 0, "Seed of the fit (encoding, initial weights, batches).")


class StopTraining(Exception):
    """Raise from a training callback to stop and keep the best weights so far."""


class TrainingStopped(UserWarning):
    """Training ended early on request (a callback, a stop button, Ctrl-C); the best weights are kept."""


def need_jax(owner: str) -> tuple[Any, Any]:
    """``(jax, optax)``, or a clear error naming the extra to install."""
    try:
        import jax
        import optax
    except ImportError:
        raise SynthbenchError(
            f"{owner} trains its network with JAX and optax, which are not installed. "
            'Install them with: pip install "synthbench[ml]". Sampling, to_code and from_dict need numpy only.'
        ) from None
    jax.config.update("jax_enable_x64", False)
    _compilation_cache(jax)
    return jax, optax


def _compilation_cache(jax: Any) -> None:
    """Keep compiled training steps on disk, so fitting the same table shape again skips XLA's compile.

    Under ``$SYNTHBENCH_JAX_CACHE``, else ``~/.cache/synthbench/jax``; ``SYNTHBENCH_JAX_CACHE=off``
    turns it off, and a cache the user configured for JAX is left alone.
    """
    import os
    from pathlib import Path

    where = os.environ.get("SYNTHBENCH_JAX_CACHE", "")
    if where.lower() == "off" or jax.config.jax_compilation_cache_dir:
        return
    path = Path(where) if where else Path.home() / ".cache" / "synthbench" / "jax"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)


# -- weights as text ------------------------------------------------------------------------
def pack(array: np.ndarray) -> str:
    """Float32 little-endian bytes of ``array`` as base64 text."""
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f4").tobytes()).decode("ascii")


def unpack(text: Any, count: int, where: str) -> np.ndarray:
    """Checked inverse of :func:`pack`: exactly ``count`` finite float32 numbers."""
    if not isinstance(text, str) or len(text) > 4 * (4 * MAX_WEIGHTS // 3 + 4):
        raise _fail(where, "base64 text of float32 numbers", text)
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise _fail(where, "base64 text (A-Z, a-z, 0-9, +, /, =) of float32 numbers", text) from None
    if len(raw) != 4 * count:
        raise _fail(where, f"{count} float32 numbers ({4 * count} bytes)", f"{len(raw)} bytes")
    values = np.frombuffer(raw, dtype="<f4")
    if not np.isfinite(values).all() or (np.abs(values) > 1e6).any():
        raise _fail(where, "finite weights within [-1e6, 1e6]", "a NaN, infinite or huge weight")
    return values


# -- the encoding -------------------------------------------------------------------------------
def _width(col: dict[str, Any]) -> int:
    """Outputs of a column in the encoded row (and in the network's output)."""
    gap = int(col["null_rate"] > 0)
    if col["kind"] in ("categorical", "boolean"):
        return len(col["values"]) + gap
    return 1 + len(col["means"]) + gap


def _label_values(series: pd.Series, col: dict[str, Any], cap: int, owner: str) -> list[Any]:
    x = column_values(series, col)
    if col["kind"] == "boolean":
        return [v for v in (False, True) if (x == v).any()] or [False]
    counts = pd.Series(x, dtype=object).value_counts(sort=False)
    if len(counts) > cap:
        raise DataError(
            f"{owner}: column {short_repr(col['name'])} has {len(counts):,} distinct labels, more than "
            f"max_categories={cap:,} (each label is one input of the network). Drop the column, group rare "
            "labels first, or raise max_categories."
        )
    order = sorted(range(len(counts)), key=lambda i: -counts.iloc[i])
    values = [counts.index[i] for i in order]
    return [v.item() if hasattr(v, "item") else v for v in values]


def _learn_modes(x: np.ndarray, col: dict[str, Any], max_modes: int, random_state: int) -> None:
    """Standardise, fit a Bayesian Gaussian mixture (on at most 2,000 values), keep the modes with weight."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.mixture import BayesianGaussianMixture

    xf = x.astype(float)
    low, high = float(xf.min()), float(xf.max())
    center = float(np.median(xf))
    scale = float(xf.std())
    if not math.isfinite(scale) or scale <= 0:
        scale = 1.0
    z = (xf - center) / scale
    distinct = np.unique(z)
    if len(distinct) == 1 or max_modes == 1:
        means, stds = np.array([float(z.mean())]), np.array([max(float(z.std()), 1e-3)])
    else:
        rng = np.random.default_rng([random_state, 7])
        fit_on = z if len(z) <= 2_000 else rng.choice(z, 2_000, replace=False)
        model = BayesianGaussianMixture(
            n_components=min(max_modes, len(distinct)),
            weight_concentration_prior_type="dirichlet_process",
            weight_concentration_prior=1e-3,
            max_iter=100,
            random_state=random_state,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(fit_on.reshape(-1, 1))
        keep = model.weights_ > 5e-3
        means = model.means_.reshape(-1)[keep]
        stds = np.sqrt(model.covariances_.reshape(-1))[keep]
        order = np.argsort(means)
        means, stds = means[order], np.maximum(stds[order], 1e-3)
    col.update(
        center=center,
        scale=scale,
        means=[float(m) for m in means],
        stds=[float(s) for s in stds],
        low=low,
        high=high,
    )


def _mode_weights(z: np.ndarray, col: dict[str, Any]) -> np.ndarray:
    means, stds = np.asarray(col["means"]), np.asarray(col["stds"])
    log_p = -0.5 * ((z[:, None] - means) / stds) ** 2 - np.log(stds)
    log_p -= log_p.max(axis=1, keepdims=True)
    p = np.exp(log_p)
    return p / p.sum(axis=1, keepdims=True)


def encode(data: pd.DataFrame, columns: list[dict[str, Any]], rng: np.random.Generator, owner: str) -> np.ndarray:
    """The rows as the network sees them (float32): per column its block of outputs.

    A numeric value's mode is drawn with its posterior probability (as CTGAN does), so
    overlapping modes share the values between them.
    """
    n = len(data)
    blocks = []
    for col in columns:
        series = data[col["name"]]
        present = series.notna().to_numpy()
        block = np.zeros((n, _width(col)), dtype=np.float32)
        if col["kind"] in ("categorical", "boolean"):
            obj = series.astype(object) if col["kind"] == "boolean" else series
            codes = encode_labels(obj, col["values"], col["name"], owner)
            block[np.arange(n), np.where(codes < 0, len(col["values"]), codes)] = 1.0
        else:
            z = (column_values(series, col).astype(float) - col["center"]) / col["scale"]
            probs = _mode_weights(z, col)
            mode = np.minimum((np.cumsum(probs, axis=1) < rng.random(len(z))[:, None]).sum(axis=1), probs.shape[1] - 1)
            means, stds = np.asarray(col["means"]), np.asarray(col["stds"])
            position = np.clip((z - means[mode]) / (4 * stds[mode]), -0.99, 0.99)
            rows = np.flatnonzero(present)
            block[rows, 0] = position
            block[rows, 1 + mode] = 1.0
            if not present.all():
                block[~present, 1 + len(means)] = 1.0
        blocks.append(block)
    return np.concatenate(blocks, axis=1)


def layout(columns: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Where each output sits: the position outputs, and the one-hot groups (as group ids)."""
    positions, group, starts = [], [], []
    at, g = 0, 0
    for col in columns:
        starts.append(at)
        if col["kind"] in ("categorical", "boolean"):
            group += [g] * _width(col)
            g += 1
        else:
            positions.append(at)
            group += [-1] + [g] * (_width(col) - 1)
            g += 1
        at += _width(col)
    return {
        "positions": np.asarray(positions, dtype=np.int32),
        "group": np.asarray(group, dtype=np.int32),
        "n_groups": g,
        "starts": np.asarray(starts, dtype=np.int64),
        "width": at,
    }


# -- progress -----------------------------------------------------------------------------------
class Progress:
    """Epoch bookkeeping shared by the trainers: callback, terminal bar, early stopping, stop."""

    def __init__(self, gen: NeuralGenerator, epochs: int, callback: Callable[[dict[str, Any]], Any] | None) -> None:
        self.gen = gen
        self.epochs = epochs
        self.callback = callback
        self.bar = sys.stderr.isatty() if callback is None else False
        self.start = time.perf_counter()
        self.history: list[dict[str, float]] = []
        self.best = math.inf
        self.best_epoch = 0
        self.best_params: Any = None
        self.stopped = ""

    def epoch(self, epoch: int, loss: float, val: float, params: Any, to_layers: Callable[[Any], list]) -> bool:
        """Record an epoch; returns True when training should stop."""
        score = val if math.isfinite(val) else loss
        if score < self.best or self.best_params is None:
            self.best, self.best_epoch, self.best_params = score, epoch, params
        seconds = time.perf_counter() - self.start
        self.history.append({"epoch": epoch, "loss": loss, "val_loss": val, "seconds": seconds})
        if self.bar:
            done = int(30 * epoch / self.epochs)
            sys.stderr.write(
                f"\r{type(self.gen).__name__} [{'#' * done}{'.' * (30 - done)}] epoch {epoch}/{self.epochs} "
                f"loss {loss:.4g} val {val:.4g} {seconds:.0f}s"
            )
            sys.stderr.flush()
        if not math.isfinite(loss):
            self.stopped = "the loss became NaN or infinite"
            return True
        if self.callback is not None:
            info = dict(self.history[-1], epochs=self.epochs, best_epoch=self.best_epoch)
            info["preview"] = lambda n=200, seed=0: self.gen._preview(to_layers(params), n, seed)
            try:
                if self.callback(info) is True:
                    self.stopped = "stopped on request"
                    return True
            except StopTraining:
                self.stopped = "stopped on request"
                return True
        if epoch - self.best_epoch >= self.gen.patience:
            self.stopped = f"early stopping: no better validation score for {self.gen.patience} epochs"
            return True
        return False

    def close(self) -> None:
        if self.bar:
            sys.stderr.write("\n")
            sys.stderr.flush()


# -- the generator --------------------------------------------------------------------------------
class NeuralGenerator(FittedGenerator):
    """Base of :class:`TabularVAE` and :class:`ConditionalGAN`.

    Learned: ``columns_`` (types, labels, modes, ranges), ``layers_`` (the sampling
    network, weights as base64 float32 text), ``latent_`` (noise size), ``cond_``
    (label frequencies of the GAN's conditional vector, else empty), ``sigmas_`` (the
    VAE's learned noise per column, else zeros) and ``history_`` (loss per epoch, not
    part of the state).
    """

    panel: ClassVar[str] = "synthbench.widgets.training:NeuralPanel"
    min_rows: ClassVar[int] = 0
    workbench: ClassVar[int] = 0
    #: Words for the model in comments and the disclosure.
    what: ClassVar[str] = ""
    #: Parameters of the stored example (see :func:`stored_example`).
    example_params: ClassVar[dict[str, Any]] = {}

    def fit(self, data: pd.DataFrame, *, callback: Callable[[dict[str, Any]], Any] | None = None) -> NeuralGenerator:
        """Train on ``data`` and return self.

        ``callback(info)`` runs after every epoch with ``epoch``, ``epochs``, ``loss``,
        ``val_loss``, ``best_epoch``, ``seconds`` and ``preview(n=200, seed=0)`` (a frame
        from the current weights). Returning True or raising :class:`StopTraining`
        stops training, as Ctrl-C does; the best weights so far are kept either way
        (with a :class:`TrainingStopped` warning). Without a callback, a progress bar
        goes to the terminal when stderr is one.
        """
        self.validate()
        self._fit(data, callback)
        return self

    def _fit(self, data: pd.DataFrame, callback: Callable[[dict[str, Any]], Any] | None = None) -> None:
        owner = f"{type(self).__name__}.fit"
        columns = self._describe(data)
        jax, optax = need_jax(owner)
        for col in columns:
            if col["kind"] in ("categorical", "boolean"):
                col["values"] = _label_values(data[col["name"]], col, self.max_categories, owner)
        # Bounds first (with every numeric column at its most modes), before any model is fitted.
        widest = [{**c, "means": [0.0] * self.max_modes} if "values" not in c else c for c in columns]
        self._check_training_budget(len(data), layout(widest)["width"], owner)
        for col in columns:
            if col["kind"] not in ("categorical", "boolean"):
                x = column_values(data[col["name"]], col)
                if col["kind"] == "integer" and len(x) and np.abs(x).max() > 2**53:
                    raise DataError(
                        f"{owner} cannot learn column {col['name']!r} exactly: it holds integers beyond +-2**53. "
                        "Convert it to float64, or to str to keep it as labels, first."
                    )
                _learn_modes(x, col, self.max_modes, self.random_state)
                if col["kind"] == "numeric":
                    col["decimals"] = _decimals(x)
                else:
                    col["step"] = 1
        shape = layout(columns)
        rng = np.random.default_rng(self.random_state)
        x = encode(data, columns, rng, owner)
        order = rng.permutation(len(x))
        n_val = round(len(x) * self.validation) if len(x) >= 20 else 0
        val, train = x[order[:n_val]], x[order[n_val:]]
        for name in ("columns_", "layers_", "latent_", "cond_", "sigmas_", "history_", "stopped_"):
            self.__dict__.pop(name, None)
        # Set during training for the live preview (the GAN fills cond_ as it starts).
        self.columns_, self.latent_, self.cond_, self.sigmas_ = columns, self.latent_dim, [], [0.0] * len(columns)
        progress = Progress(self, self.epochs, callback)
        try:
            result = self._train(jax, optax, train, val, shape, progress)
        except BaseException:
            for name in ("columns_", "latent_", "cond_", "sigmas_"):
                self.__dict__.pop(name, None)
            raise
        finally:
            progress.close()
        self.layers_, self.sigmas_, self.cond_ = result
        self.history_ = pd.DataFrame(progress.history, columns=["epoch", "loss", "val_loss", "seconds"])
        self.stopped_ = progress.stopped
        if progress.stopped and not progress.stopped.startswith("early"):
            warnings.warn(
                f"{type(self).__name__} stopped at epoch {len(progress.history)} of {self.epochs} "
                f"({progress.stopped}); the weights of epoch {progress.best_epoch} are kept.",
                TrainingStopped,
                stacklevel=3,
            )

    def _train(self, jax: Any, optax: Any, train: np.ndarray, val: np.ndarray, shape: dict, progress: Progress):
        raise NotImplementedError

    def _n_weights(self, width: int) -> int:
        raise NotImplementedError

    def _check_training_budget(self, rows: int, width: int, owner: str) -> None:
        """Refuse a fit whose memory or work is out of bounds, before anything is allocated."""
        weights = self._n_weights(width)
        if weights > MAX_WEIGHTS:
            raise ResourceLimitError(
                f"{owner} would train a network of {weights:,} weights (one-hot width {width:,}, "
                f"hidden={self.hidden}), "
                f"more than {MAX_WEIGHTS:,}. Lower hidden, max_modes or max_categories, or drop wide label columns."
            )
        if rows * self.epochs > MAX_ROW_EPOCHS:
            raise ResourceLimitError(
                f"{owner} would pass {rows:,} rows x {self.epochs:,} epochs = {rows * self.epochs:,} rows through "
                f"the network, more than {MAX_ROW_EPOCHS:,}. Lower epochs, or fit a sample of the rows "
                "(data.sample(n, random_state=0))."
            )
        batch = min(self.batch_size, rows)
        need = 4 * rows * width * 2 + 4 * weights * 12 + 4 * batch * (width + 4 * self.hidden + self.latent_dim) * 8
        check_memory(
            need,
            f"{owner} on {rows:,} rows x {width:,} encoded outputs",
            f"Fit a sample of the rows, or lower max_categories/max_modes/hidden. (Needs about {format_bytes(need)}.) ",
        )

    # -- sampling -----------------------------------------------------------------------------
    def _width(self) -> int:
        return sum(_width(c) for c in self.columns_)

    def _estimate_bytes(self, n: int) -> int:
        widest = max([self.latent_ + sum(len(p) for p in self.cond_)] + [int(la["shape"][1]) for la in self.layers_])
        d = len(self.columns_)
        return 8 * n * (2 * widest + self._width() + 3 * d) + 8 * n * 4 * d

    def _plan(self, n: int, seed: int, layers: list | None = None) -> Plan:
        plan = Plan()
        d = len(self.columns_)
        plan.call(
            "draws",
            neural_draws,
            n,
            seed,
            self.layers_ if layers is None else layers,
            self.latent_,
            self.cond_,
            d,
            self.sigmas_,
            comment=f"{self._network_comment()}\nRun noise through it; draw what decodes its outputs.",
        )
        refs, at = [], 0
        for j, col in enumerate(self.columns_):
            refs.append(plan.call(f"column_{j}", neural_column, Ref("draws"), j, at, col, comment=_describe(col, j, d)))
            at += _width(col)
        plan.call("df", neural_frame, refs, comment="The columns side by side, in their fitted order.")
        return plan

    def _preview(self, layers: list, n: int, seed: int) -> pd.DataFrame:
        """A frame from weights being trained (the panel's live preview)."""
        return self._plan(n, seed, layers).run()["df"]

    def _sample_given(self, given: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
        """Rows that keep ``given``'s columns; the others come from candidates that fit them.

        Each row gets ``_CANDIDATES`` unconditional draws; one is kept, weighted by how
        well its values of the given columns match the given ones (labels and missing
        exactly, numbers within a tenth of the column's spread). Draws far from every
        candidate keep a uniform choice among them.
        """
        if given.shape[1] == 0:
            return self._plan(n, seed).run()["df"]
        names = [c["name"] for c in self.columns_]
        kept = [c for c in self.columns_ if c["name"] in given.columns]
        parts = []
        step = max(1, _CHUNK_ROWS // _CANDIDATES)
        for chunk, first in enumerate(range(0, n, step)):
            rows = given.iloc[first : first + step].reset_index(drop=True)
            m = len(rows)
            cand = self._plan(m * _CANDIDATES, int(np.random.default_rng([seed, 1, chunk]).integers(2**32))).run()["df"]
            weight = np.ones(m * _CANDIDATES)
            for col in kept:
                weight *= self._match(cand[col["name"]], rows[col["name"]], col)
            weight = weight.reshape(_CANDIDATES, m)
            total = weight.sum(axis=0)
            weight = np.where(total > 0, weight / np.where(total > 0, total, 1), 1.0 / _CANDIDATES)
            u = np.random.default_rng([seed, 2, chunk]).random(m)
            pick = np.minimum((np.cumsum(weight, axis=0) < u).sum(axis=0), _CANDIDATES - 1)
            part = cand.iloc[pick * m + np.arange(m)].reset_index(drop=True)
            for col in kept:
                part[col["name"]] = rows[col["name"]].array
            parts.append(part)
        if not parts:
            return self._plan(0, seed).run()["df"]
        return pd.concat(parts, ignore_index=True)[names]

    def _match(self, cand: pd.Series, target: pd.Series, col: dict[str, Any]) -> np.ndarray:
        reps = len(cand) // max(len(target), 1)
        t_missing = np.tile(target.isna().to_numpy(), reps)
        c_missing = cand.isna().to_numpy()
        if col["kind"] in ("categorical", "boolean"):
            owner = type(self).__name__
            a = encode_labels(cand.astype(object), col["values"], col["name"], owner)
            b = np.tile(encode_labels(target.astype(object), col["values"], col["name"], owner), reps)
            return (a == b).astype(float)
        a = np.zeros(len(cand))
        a[~c_missing] = column_values(cand, col).astype(float)
        b = np.zeros(len(target))
        b[~target.isna().to_numpy()] = column_values(target, col).astype(float)
        b = np.tile(b, reps)
        close = np.exp(-0.5 * ((a - b) / (0.1 * col["scale"])) ** 2)
        return np.where(t_missing | c_missing, (t_missing == c_missing).astype(float), close)

    # -- state ---------------------------------------------------------------------------------
    def _get_state(self) -> dict[str, Any]:
        return {
            "columns": self.columns_,
            "layers": self.layers_,
            "latent": self.latent_,
            "cond": self.cond_,
            "sigmas": self.sigmas_,
            "disclosure": self.disclosure(),
        }

    def _set_state(self, state: Any) -> None:
        keys = {"columns", "layers", "latent", "cond", "sigmas"}
        columns = self._check_columns_state(state, check_neural_column, keys, optional=frozenset({"disclosure"}))
        width = sum(_width(c) for c in columns)
        latent = state["latent"]
        if not isinstance(latent, int) or isinstance(latent, bool) or not 1 <= latent <= 4_096:
            raise _fail("state['latent']", "an int in [1, 4096]", latent)
        cond = state["cond"]
        if not isinstance(cond, list) or len(cond) > len(columns):
            raise _fail("state['cond']", f"a list of at most {len(columns)} lists of label frequencies", cond)
        for i, probs in enumerate(cond):
            p = _numbers(probs, f"state['cond'][{i}]", 1, 100_000)
            if (p < 0).any() or (p > 1).any() or not 0 < p.sum() < 2:
                raise _fail(f"state['cond'][{i}]", "frequencies in [0, 1] with a sum near 1", probs)
        n_in = latent + sum(len(p) for p in cond)
        sigmas = _numbers(state["sigmas"], "state['sigmas']", len(columns), len(columns))
        if (sigmas < 0).any() or (sigmas > 10).any():
            raise _fail("state['sigmas']", "one number in [0, 10] per column", state["sigmas"])
        layers = check_layers(state["layers"], n_in, width)
        self.columns_ = columns
        self.layers_ = layers
        self.latent_ = latent
        self.cond_ = [[float(v) for v in p] for p in cond]
        self.sigmas_ = [float(s) for s in sigmas]

    def disclosure(self) -> str:
        """What real information the fitted state (spec and exported cell) holds, in plain words."""
        self._check_fitted()
        weights = sum(la["shape"][0] * la["shape"][1] + la["shape"][1] for la in self.layers_)
        numeric = sum(c["kind"] not in ("categorical", "boolean") for c in self.columns_)
        labels = len(self.columns_) - numeric
        lines = [
            f"No training row is stored: the weights of a trained network ({weights:,} float32 numbers).",
        ]
        if numeric:
            lines.append(
                f"{numeric} numeric column(s) keep their training min and max (outputs are clipped to them) and"
            )
            lines.append("the mean and spread of a few Gaussian modes.")
        if labels:
            lines.append(f"{labels} label column(s) keep their distinct real values, rare ones too.")
        if self.cond_:
            lines.append("The conditional vector keeps each label's training frequency.")
        lines.append("Also each column's missing share. A network can memorise rows of a small table:")
        lines.append("check the distance to the closest real record (a privacy report) before sharing.")
        return "\n".join(lines)

    # -- export ----------------------------------------------------------------------------------
    def _network_comment(self) -> str:
        kinds = " -> ".join(f"{la['shape'][1]} {la['kind']}" for la in self.layers_)
        cond = f" plus a conditional vector of {sum(len(p) for p in self.cond_)}" if self.cond_ else ""
        return (
            f"What the model learned: the {self.what} as weights (base64 float32).\n"
            f"Input: {self.latent_} normal noise values{cond}; layers: {kinds} outputs."
        )

    def _to_code(self, n: int, seed: int) -> str:
        title = (
            f"{type(self).__name__}: {n} rows, seed {seed}, from its trained network. Regenerates the frame as `df`.\n"
            + self.disclosure()
        )
        cell = CodeCell(title)
        cell.need("import numpy as np", "import pandas as pd")
        return cell.plan(self._plan(n, seed)).render()


EXAMPLES_FILE = "neural_examples.json"


def stored_example(cls: type[NeuralGenerator]) -> NeuralGenerator:
    """The class's example: ``cls(**cls.example_params)`` trained on the penguins, as stored in
    ``synthbench/data/neural_examples.json`` (written by :func:`write_examples`). Loading it runs
    the spec checks and needs numpy only, so docs, panels and the common tests work without JAX."""
    import json
    from importlib.resources import files

    from ...registry import from_dict

    specs = json.loads(files("synthbench.data").joinpath(EXAMPLES_FILE).read_text(encoding="utf-8"))
    return from_dict(specs[cls.__name__])


def write_examples() -> None:
    """Train each neural generator's example on the penguins and store the specs (needs JAX).

    Run ``python -m synthbench.generators.fitted._neural`` after changing the encoding or a state.
    """
    import json
    from importlib.resources import files

    from ...data import load_penguins
    from ...registry import get_generator

    specs = {}
    for name in ("ConditionalGAN", "TabularVAE"):
        cls = get_generator(name)
        specs[name] = cls(**cls.example_params).fit(load_penguins()).to_dict()
    path = files("synthbench.data").joinpath(EXAMPLES_FILE)
    with open(str(path), "w", encoding="utf-8") as fh:
        json.dump(specs, fh, indent=1, ensure_ascii=False)
        fh.write("\n")


def _decimals(x: np.ndarray) -> int | None:
    with np.errstate(all="ignore"):
        for d in range(7):
            if np.all(np.round(x, d) == x):
                return d
    return None


def _describe(col: dict[str, Any], j: int, d: int) -> str:
    gaps = f", {col['null_rate']:.1%} missing" if col["null_rate"] else ""
    if col["kind"] in ("categorical", "boolean"):
        what = f"{len(col['values'])} labels"
    else:
        what = f"{len(col['means'])} Gaussian mode{'s' * (len(col['means']) != 1)}, clipped to the training range"
    return f"Column {j + 1} of {d}: {col['kind']}, {what}{gaps}."


_NUMERIC_FIELDS = frozenset({"center", "scale", "means", "stds", "low", "high", "decimals", "step"})


def check_neural_column(col: Any, where: str) -> dict[str, Any]:
    """A column of a neural state: labels (``values``) or modes and range (numbers)."""
    if isinstance(col, dict) and col.get("kind") in ("categorical", "boolean"):
        col = check_column(col, where, frozenset({"values"}))
        values = col.get("values")
        if not isinstance(values, list) or not values or len(values) > 100_000:
            raise _fail(f"{where}['values']", "a list of 1 to 100000 labels", values)
        # Labels are checked as a latent model's are (same rules), with dummy frequencies.
        check_marginal({**col, "cum": [(i + 1) / len(values) for i in range(len(values))]}, where)
        return col
    col = check_column(col, where, _NUMERIC_FIELDS)
    kind = col["kind"]
    for key in ("center", "scale", "low", "high"):
        value = col.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _fail(f"{where}[{key!r}]", "a finite number", value)
    if not 0 < col["scale"] < 1e300 or col["low"] > col["high"]:
        raise _fail(where, "a positive 'scale' and 'low' <= 'high'", [col["scale"], col["low"], col["high"]])
    if max(abs(col["low"]), abs(col["high"]), abs(col["center"])) > 9.2e18:
        raise _fail(where, "'low', 'high' and 'center' within +-9.2e18", [col["low"], col["high"]])
    means = _numbers(col.get("means"), f"{where}['means']", 1, 100)
    stds = _numbers(col.get("stds"), f"{where}['stds']", len(means), len(means))
    if (np.abs(means) > 1e6).any() or (stds <= 0).any() or (stds > 1e6).any():
        raise _fail(where, "'means' within +-1e6 and 'stds' in (0, 1e6] (standardised units)", [means[:3], stds[:3]])
    if kind == "numeric":
        if "step" in col:
            raise _fail(where, "a float column without 'step'", "step")
        decimals = col.get("decimals")
        if decimals is not None and (
            not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 15
        ):
            raise _fail(f"{where}['decimals']", "None or an int in [0, 15]", decimals)
    else:
        if "decimals" in col or col.get("step") != 1 or isinstance(col.get("step"), bool):
            raise _fail(f"{where}['step']", "1 (and no 'decimals') for an integer or datetime column", col.get("step"))
        from ._state import INT_RANGES

        if kind == "integer":
            lo, hi = INT_RANGES[col["dtype"]]
            if col["low"] < max(lo, -(2**53)) or col["high"] > min(hi, 2**53):
                raise _fail(where, f"'low' and 'high' within the range of {col['dtype']} (and +-2**53)", col["low"])
    return col


def check_layers(layers: Any, n_in: int, n_out: int) -> list[dict[str, Any]]:
    """The network's layers: shapes that chain from ``n_in`` inputs to ``n_out`` outputs,
    weights as base64 float32 text of the right length, finite."""
    if not isinstance(layers, list) or not 1 <= len(layers) <= 16:
        raise _fail("state['layers']", "a list of 1 to 16 layers", layers)
    out, width, total = [], n_in, 0
    for i, layer in enumerate(layers):
        where = f"state['layers'][{i}]"
        if not isinstance(layer, dict) or set(layer) != {"kind", "shape", "weight", "bias"}:
            raise _fail(where, "an object with exactly the fields ['bias', 'kind', 'shape', 'weight']", layer)
        kind, shape = layer["kind"], layer["shape"]
        last = i == len(layers) - 1
        if kind not in _LAYER_KINDS or (kind == "linear") != last:
            raise _fail(f"{where}['kind']", "'relu' or 'residual' before the last layer, 'linear' last", kind)
        if (
            not isinstance(shape, list)
            or len(shape) != 2
            or not all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= 65_536 for s in shape)
        ):
            raise _fail(f"{where}['shape']", "[inputs, outputs], two ints in [1, 65536]", shape)
        if shape[0] != width:
            raise _fail(f"{where}['shape']", f"{width} inputs (what the layer before gives)", shape)
        if last and shape[1] != n_out:
            raise _fail(f"{where}['shape']", f"{n_out} outputs (the columns' encoded width)", shape)
        total += shape[0] * shape[1] + shape[1]
        if total > MAX_WEIGHTS:
            raise _fail("state['layers']", f"at most {MAX_WEIGHTS:,} weights in all", total)
        unpack(layer["weight"], shape[0] * shape[1], f"{where}['weight']")
        unpack(layer["bias"], shape[1], f"{where}['bias']")
        width = shape[1] + (width if kind == "residual" else 0)
        out.append(
            {"kind": kind, "shape": [int(shape[0]), int(shape[1])], "weight": layer["weight"], "bias": layer["bias"]}
        )
    return out


def weights_to_layers(weights: list[tuple[np.ndarray, np.ndarray]], kinds: list[str]) -> list[dict[str, Any]]:
    """Trained (weight, bias) arrays as the state's layers."""
    return [
        {"kind": kind, "shape": [int(w.shape[0]), int(w.shape[1])], "weight": pack(w), "bias": pack(b)}
        for (w, b), kind in zip(weights, kinds, strict=True)
    ]


if __name__ == "__main__":
    write_examples()
