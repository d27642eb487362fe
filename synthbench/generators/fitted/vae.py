"""A tabular variational autoencoder (TVAE-style), trained in JAX, sampled in numpy.

>>> import synthbench as sb                                      # doctest: +SKIP
>>> from synthbench.data import load_penguins                    # doctest: +SKIP
>>> gen = sb.TabularVAE(epochs=50).fit(load_penguins())          # doctest: +SKIP
>>> gen.sample(4, seed=1).shape                                  # doctest: +SKIP
(4, 8)
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from ...params import Float, Param
from ...registry import register
from ._neural import (
    BATCH_SIZE,
    EPOCHS,
    HIDDEN,
    LATENT,
    MAX_CATEGORIES,
    MAX_MODES,
    PATIENCE,
    RANDOM_STATE,
    VALIDATION,
    NeuralGenerator,
    Progress,
    stored_example,
    weights_to_layers,
)

__all__ = ["TabularVAE"]


def dense_init(rng: np.random.Generator, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's default initialisation of a dense layer: uniform in +-1/sqrt(inputs), float32.

    Drawn in numpy (from the fit's seed): no small JAX programs to compile before training.
    """
    bound = 1.0 / math.sqrt(n_in)
    w = rng.uniform(-bound, bound, (n_in, n_out)).astype(np.float32)
    return w, rng.uniform(-bound, bound, n_out).astype(np.float32)


def seed_key(jax: Any, seed: int) -> Any:
    """A JAX key from a seed in [0, 2**32 - 1]."""
    return jax.random.fold_in(jax.random.PRNGKey(0), np.uint32(seed))


def group_terms(jnp: Any, jax: Any, shape: dict) -> tuple[Any, Any, int]:
    """Indices of the one-hot outputs and their group ids (0..groups-1)."""
    group = np.asarray(shape["group"])
    idx = np.flatnonzero(group >= 0)
    return jnp.asarray(idx), jnp.asarray(group[idx]), int(shape["n_groups"])


def softmax_ce(jnp: Any, jax: Any, logits: Any, target: Any, gid: Any, groups: int) -> Any:
    """Cross-entropy of one-hot targets against grouped logits, summed over rows and groups."""
    m = jax.ops.segment_max(logits.T, gid, groups)
    m = jax.lax.stop_gradient(m)
    lse = jnp.log(jax.ops.segment_sum(jnp.exp(logits.T - m[gid]), gid, groups)) + m
    return jnp.sum(lse) - jnp.sum(target * logits)


@register
class TabularVAE(NeuralGenerator):
    """A variational autoencoder for tables (TVAE, Xu et al. 2019), in JAX; samples in numpy.

    Each numeric column is written as a Gaussian mode (one-hot) and a position in it
    (mode-specific normalisation, a Bayesian mixture of at most ``max_modes`` modes per
    column); labels, booleans and missing values are one-hot. An encoder (two ReLU
    layers of ``hidden`` units) maps a row to a Gaussian over ``latent_dim`` values, a
    decoder of the same size maps a latent draw back to the encoded row, and both are
    trained on the evidence lower bound with Adam (positions: Gaussian with a learned
    spread per column; one-hot blocks: cross-entropy). Early stopping watches the loss
    on a ``validation`` share of the rows and keeps the best epoch.

    Sampling draws latent noise, runs the decoder in numpy, draws each label and mode
    from its softmax and adds the learned noise to positions. The state and the
    exported cell carry the decoder's weights as base64 float32 text; training needs
    ``pip install "synthbench[ml]"`` (JAX and optax), sampling and export need numpy.

    Parameters
    ----------
    epochs : int, default 300
        Passes over the training rows (early stopping may end sooner).
    batch_size : int, default 500
    hidden : int, default 128
        Width of the encoder's and decoder's two hidden layers.
    latent_dim : int, default 128
    max_modes : int, default 10
        Most Gaussian modes per numeric column.
    max_categories : int, default 1000
        Most distinct labels per column; wider columns are refused at fit.
    patience : int, default 30
        Epochs without a better validation loss before training stops.
    validation : float, default 0.1
        Share of rows held out for early stopping (0 watches the training loss).
    learning_rate : float, default 1e-3
    loss_factor : float, default 2.0
        Weight of the reconstruction against the KL term (TVAE's default).
    random_state : int, default 0
        Seed of the fit: the same data and seed give the same weights on a machine.

    Attributes
    ----------
    columns_ : list of dict
        Per column: type, labels or modes and range.
    layers_ : list of dict
        The decoder: per layer its kind, shape and weights as base64 float32 text.
    history_ : DataFrame
        Loss and validation loss per epoch.

    Examples
    --------
    >>> import synthbench as sb                                          # doctest: +SKIP
    >>> from synthbench.data import load_penguins                        # doctest: +SKIP
    >>> gen = sb.TabularVAE(epochs=100).fit(load_penguins())             # doctest: +SKIP
    >>> gen.sample(3, seed=0, conditions={"island": "Dream"})["island"].tolist()  # doctest: +SKIP
    ['Dream', 'Dream', 'Dream']
    """

    params = (
        EPOCHS,
        BATCH_SIZE,
        HIDDEN,
        LATENT,
        MAX_MODES,
        MAX_CATEGORIES,
        PATIENCE,
        VALIDATION,
        Param("learning_rate", Float(1e-6, 1.0), 1e-3, "Adam's step size."),
        Param("loss_factor", Float(0.01, 100.0), 2.0, "Weight of the reconstruction against the KL term."),
        RANDOM_STATE,
    )
    what: ClassVar[str] = "VAE's decoder"

    #: The example's parameters (trained on the penguins by :func:`._neural.write_examples`).
    example_params: ClassVar[dict[str, Any]] = {"epochs": 150, "hidden": 32, "latent_dim": 16, "batch_size": 100}

    @classmethod
    def example(cls) -> TabularVAE:
        """A small VAE trained on the Palmer penguins, loaded from its stored spec (no JAX needed)."""
        return stored_example(cls)

    def _n_weights(self, width: int) -> int:
        h, z = self.hidden, self.latent_dim
        return (width * h + h * h + 2 * h * z) + (z * h + h * h + h * width) + 4 * h + 2 * z + width

    def _train(self, jax: Any, optax: Any, train: np.ndarray, val: np.ndarray, shape: dict, progress: Progress):
        jnp = jax.numpy
        width, h, zdim = shape["width"], self.hidden, self.latent_dim
        positions = jnp.asarray(shape["positions"])
        idx, gid, groups = group_terms(jnp, jax, shape)
        init = np.random.default_rng([self.random_state, 11])
        params = {
            "enc": [dense_init(init, width, h), dense_init(init, h, h)],
            "mu": dense_init(init, h, zdim),
            "logvar": dense_init(init, h, zdim),
            "dec": [dense_init(init, zdim, h), dense_init(init, h, h), dense_init(init, h, width)],
            "sigma": np.full(len(shape["positions"]), 0.1, dtype=np.float32),
        }
        factor = float(self.loss_factor)

        def decode(dec: Any, z: Any) -> Any:
            for w, b in dec[:-1]:
                z = jax.nn.relu(z @ w + b)
            w, b = dec[-1]
            return z @ w + b

        def loss_fn(p: Any, x: Any, key: Any, noisy: bool = True) -> Any:
            hid = x
            for w, b in p["enc"]:
                hid = jax.nn.relu(hid @ w + b)
            mu = hid @ p["mu"][0] + p["mu"][1]
            logvar = hid @ p["logvar"][0] + p["logvar"][1]
            z = mu + jax.random.normal(key, mu.shape) * jnp.exp(0.5 * logvar) if noisy else mu
            out = decode(p["dec"], z)
            sigma = p["sigma"]
            rec = jnp.sum((x[:, positions] - jnp.tanh(out[:, positions])) ** 2 / (2 * sigma**2))
            rec += jnp.sum(jnp.log(sigma)) * x.shape[0]
            rec += softmax_ce(jnp, jax, out[:, idx], x[:, idx], gid, groups)
            kld = -0.5 * jnp.sum(1 + logvar - mu**2 - jnp.exp(logvar))
            return (factor * rec + kld) / x.shape[0]

        opt = optax.chain(optax.add_decayed_weights(1e-5), optax.adam(self.learning_rate))
        opt_state = opt.init(params)
        n = len(train)
        batch = min(self.batch_size, n)
        steps = max(1, n // batch)

        @jax.jit
        def run_epoch(p: Any, state: Any, key: Any, data: Any) -> Any:
            key, kp = jax.random.split(key)
            perm = jax.random.permutation(kp, n)[: steps * batch].reshape(steps, batch)

            def step(carry: Any, rows: Any) -> Any:
                p, state, key = carry
                key, k = jax.random.split(key)
                loss, grads = jax.value_and_grad(loss_fn)(p, data[rows], k)
                updates, state = opt.update(grads, state, p)
                p = optax.apply_updates(p, updates)
                p = {**p, "sigma": jnp.clip(p["sigma"], 0.01, 1.0)}
                return (p, state, key), loss

            (p, state, key), losses = jax.lax.scan(step, (p, state, key), perm)
            return p, state, key, losses.mean()

        val_loss = jax.jit(lambda p, x: loss_fn(p, x, None, noisy=False))
        data = jnp.asarray(train)
        vdata = jnp.asarray(val[:5_000]) if len(val) else None
        key = seed_key(jax, self.random_state)
        try:
            for epoch in range(1, self.epochs + 1):
                params, opt_state, key, loss = run_epoch(params, opt_state, key, data)
                host = jax.device_get(params)
                v = float(val_loss(params, vdata)) if vdata is not None else math.nan
                if progress.epoch(epoch, float(loss), v, host, lambda p: self._layers(p)):
                    break
        except KeyboardInterrupt:
            if progress.best_params is None:
                raise
            progress.stopped = "interrupted"
        best = progress.best_params
        sigmas, k = [], 0
        for col in self.columns_:
            if col["kind"] in ("categorical", "boolean"):
                sigmas.append(0.0)
            else:
                sigmas.append(float(np.asarray(best["sigma"])[k]))
                k += 1
        return self._layers(best), sigmas, []

    def _layers(self, params: Any) -> list[dict[str, Any]]:
        weights = [(np.asarray(w), np.asarray(b)) for w, b in params["dec"]]
        return weights_to_layers(weights, ["relu"] * (len(weights) - 1) + ["linear"])

    def _preview(self, layers: list, n: int, seed: int) -> Any:
        return self._plan(n, seed, layers).run()["df"]
