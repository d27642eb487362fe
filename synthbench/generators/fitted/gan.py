"""A conditional tabular GAN (CTGAN-style), trained in JAX, sampled in numpy.

>>> import synthbench as sb                                      # doctest: +SKIP
>>> from synthbench.data import load_penguins                    # doctest: +SKIP
>>> gen = sb.ConditionalGAN(epochs=50).fit(load_penguins())      # doctest: +SKIP
>>> gen.sample(4, seed=1).shape                                  # doctest: +SKIP
(4, 8)
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ...params import Float, Int, Param
from ...registry import register
from ._neural import (
    BATCH_SIZE,
    EPOCHS,
    LATENT,
    MAX_CATEGORIES,
    MAX_MODES,
    RANDOM_STATE,
    VALIDATION,
    NeuralGenerator,
    Progress,
    stored_example,
    weights_to_layers,
)
from .vae import dense_init, group_terms, seed_key

__all__ = ["ConditionalGAN"]


@register
class ConditionalGAN(NeuralGenerator):
    """A conditional GAN for tables (CTGAN, Xu et al. 2019), in JAX; samples in numpy.

    Columns are encoded as in :class:`TabularVAE` (mode-specific normalisation,
    one-hot labels and gaps). The generator (two residual ReLU layers of ``hidden``
    units) maps noise and a *conditional vector* to an encoded row; the critic (two
    leaky-ReLU layers, looking at ``pac`` rows at once against mode collapse) scores
    rows and is trained with a gradient penalty (WGAN-GP). *Training by sampling*:
    each step picks a label column at random and one of its labels with
    log-frequency odds, so rare labels are seen often; the conditional vector names
    it, real rows with that label face the generated ones, and the generator pays a
    cross-entropy for not producing it. Early stopping watches how far generated
    marginals are from a ``validation`` share of the rows and keeps the best epoch.

    Sampling picks a label column and a label at the training frequencies, runs the
    generator in numpy and draws each label and mode from its softmax (what CTGAN's
    Gumbel softmax then argmax does). The state carries the generator's weights as
    base64 float32 text; training needs ``pip install "synthbench[ml]"``.

    Parameters
    ----------
    epochs : int, default 300
    batch_size : int, default 500
        Rows per step (rounded down to a multiple of ``pac``).
    hidden : int, default 256
        Width of the generator's and the critic's hidden layers.
    latent_dim : int, default 128
    pac : int, default 10
        Rows the critic sees together (PacGAN).
    patience : int, default 100
        Epochs without generated marginals closer to the held-out rows before stopping
        (GAN losses say little about quality; this distance is the watched score).
    max_modes, max_categories, validation, random_state
        As in :class:`TabularVAE`.
    learning_rate : float, default 2e-4
        Adam's step size for both networks.
    penalty : float, default 10.0
        Weight of the gradient penalty.

    Examples
    --------
    >>> import synthbench as sb                                          # doctest: +SKIP
    >>> from synthbench.data import load_penguins                        # doctest: +SKIP
    >>> gen = sb.ConditionalGAN(epochs=100).fit(load_penguins())         # doctest: +SKIP
    >>> gen.sample(500, seed=0)["species"].value_counts().size           # doctest: +SKIP
    3
    """

    params = (
        EPOCHS,
        BATCH_SIZE,
        Param("hidden", Int(8, 1_024), 256, "Width of each hidden layer."),
        LATENT,
        Param("pac", Int(1, 50), 10, "Rows the critic judges together (against mode collapse)."),
        MAX_MODES,
        MAX_CATEGORIES,
        Param(
            "patience",
            Int(1, 10_000),
            100,
            "Epochs without generated marginals closer to held-out rows before stopping.",
        ),
        VALIDATION,
        Param("learning_rate", Float(1e-6, 1.0), 2e-4, "Adam's step size."),
        Param("penalty", Float(0.0, 1_000.0), 10.0, "Weight of the critic's gradient penalty."),
        RANDOM_STATE,
    )
    what: ClassVar[str] = "GAN's generator"

    #: The example's parameters (trained on the penguins by :func:`._neural.write_examples`).
    example_params: ClassVar[dict[str, Any]] = {
        "epochs": 200,
        "hidden": 32,
        "latent_dim": 16,
        "batch_size": 100,
        "pac": 5,
    }

    @classmethod
    def example(cls) -> ConditionalGAN:
        """A small GAN trained on the Palmer penguins, loaded from its stored spec (no JAX needed)."""
        return stored_example(cls)

    def _n_weights(self, width: int) -> int:
        h, z = self.hidden, self.latent_dim
        c = width  # the conditional vector is at most as wide as the row
        gen = (z + c) * h + (z + c + h) * h + (z + c + 2 * h) * width + 2 * h + width
        critic = (width + c) * self.pac * h + h * h + h + 2 * h + 1
        return gen + critic

    def _train(self, jax: Any, optax: Any, train: np.ndarray, val: np.ndarray, shape: dict, progress: Progress):
        jnp = jax.numpy
        width, h, zdim = shape["width"], self.hidden, self.latent_dim
        positions = jnp.asarray(shape["positions"])
        idx, gid, groups = group_terms(jnp, jax, shape)
        n = len(train)
        # The label columns of the conditional vector: their outputs, label counts, rows by label.
        labels = [
            (int(shape["starts"][j]), int(shape["starts"][j + 1] if j + 1 < len(shape["starts"]) else width))
            for j, col in enumerate(self.columns_)
            if col["kind"] in ("categorical", "boolean")
        ]
        counts = [train[:, a:b].astype(np.float64).sum(axis=0) for a, b in labels]
        self.cond_ = [(c / max(c.sum(), 1)).tolist() for c in counts]
        widths = [b - a for a, b in labels]
        cwidth = sum(widths)
        k_cols = len(labels)
        top = max(widths, default=1)
        if k_cols:
            codes = np.stack([train[:, a:b].argmax(axis=1) for a, b in labels])
            by_label = np.argsort(codes, axis=1, kind="stable").astype(np.int32)
            cnt = np.zeros((k_cols, top), dtype=np.int32)
            for k, c in enumerate(counts):
                cnt[k, : len(c)] = c
            starts = np.concatenate([np.zeros((k_cols, 1), np.int32), np.cumsum(cnt, axis=1)[:, :-1]], axis=1)
            logp = np.where(cnt > 0, np.log(np.maximum(cnt, 1) + 1.0), -np.inf)
            logp = logp - np.log(np.exp(logp).sum(axis=1, keepdims=True))
            cstart = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int32)
            out_start = np.asarray([a for a, _ in labels], dtype=np.int32)
        else:
            by_label = np.zeros((1, n), np.int32)
            cnt = np.ones((1, 1), np.int32)
            starts = np.zeros((1, 1), np.int32)
            logp = np.zeros((1, 1))
            cstart = out_start = np.zeros(1, np.int32)
        by_label, cnt, starts = jnp.asarray(by_label), jnp.asarray(cnt), jnp.asarray(starts)
        logp, cstart, out_start = jnp.asarray(logp, dtype=jnp.float32), jnp.asarray(cstart), jnp.asarray(out_start)
        # The one-hot outputs of each label column, as a mask (k_cols x width), for the generator's cross-entropy.
        col_mask = np.zeros((max(k_cols, 1), width), dtype=np.float32)
        for k, (a, b) in enumerate(labels):
            col_mask[k, a:b] = 1.0
        col_mask = jnp.asarray(col_mask)

        pac = min(self.pac, n)
        batch = max(pac, (min(self.batch_size, n) // pac) * pac)
        steps = max(1, n // batch)
        init = np.random.default_rng([self.random_state, 11])
        z_in = zdim + cwidth
        gen = {
            "layers": [dense_init(init, z_in, h), dense_init(init, z_in + h, h)],
            "out": dense_init(init, z_in + 2 * h, width),
        }
        critic = {
            "layers": [dense_init(init, (width + cwidth) * pac, h), dense_init(init, h, h)],
            "out": dense_init(init, h, 1),
        }
        keys = jax.random.split(seed_key(jax, self.random_state), 2)

        def generate(g: Any, z: Any) -> Any:
            for w, b in g["layers"]:
                z = jnp.concatenate([jax.nn.relu(z @ w + b), z], axis=1)
            return z @ g["out"][0] + g["out"][1]

        def activate(raw: Any, key: Any) -> Any:
            """Positions through tanh, one-hot blocks through a Gumbel softmax (temperature 0.2)."""
            logits = (raw[:, idx] + jax.random.gumbel(key, (raw.shape[0], len(idx)))) / 0.2
            m = jax.lax.stop_gradient(jax.ops.segment_max(logits.T, gid, groups))
            e = jnp.exp(logits.T - m[gid])
            soft = (e / jax.ops.segment_sum(e, gid, groups)[gid]).T
            out = jnp.zeros_like(raw).at[:, idx].set(soft)
            return out.at[:, positions].set(jnp.tanh(raw[:, positions]))

        def score(c: Any, x: Any) -> Any:
            x = x.reshape(x.shape[0] // pac, -1)
            for w, b in c["layers"]:
                x = jax.nn.leaky_relu(x @ w + b, 0.2)
            return x @ c["out"][0] + c["out"][1]

        def conditions(key: Any, size: int) -> Any:
            """Training by sampling: a label column, a label (log-frequency odds), a real row with it."""
            k1, k2, k3 = jax.random.split(key, 3)
            col = jax.random.randint(k1, (size,), 0, max(k_cols, 1))
            label = jax.random.categorical(k2, logp[col])
            u = jax.random.uniform(k3, (size,))
            if not k_cols:  # no label column: plain WGAN-GP on uniformly drawn rows
                return jnp.zeros((size, 0)), jnp.minimum(jnp.floor(u * n).astype(jnp.int32), n - 1), col, label
            at = jnp.minimum(jnp.floor(u * cnt[col, label]).astype(jnp.int32), cnt[col, label] - 1)
            rows = by_label[col, starts[col, label] + at]
            vec = jax.nn.one_hot(cstart[col] + label, cwidth)
            return vec, rows, col, label

        def critic_loss(c: Any, g: Any, real: Any, key: Any) -> Any:
            k1, k2, k3, k4 = jax.random.split(key, 4)
            vec, rows, _, _ = conditions(k1, batch)
            fake = activate(generate(g, jnp.concatenate([jax.random.normal(k2, (batch, zdim)), vec], 1)), k3)
            x_real = jnp.concatenate([real[rows], vec], 1)
            x_fake = jnp.concatenate([fake, vec], 1)
            alpha = jnp.repeat(jax.random.uniform(k4, (batch // pac, 1)), pac, axis=0)
            mixed = alpha * x_real + (1 - alpha) * x_fake
            grads = jax.grad(lambda x: jnp.sum(score(c, x)))(mixed)
            norms = jnp.sqrt(jnp.sum(grads.reshape(batch // pac, -1) ** 2, axis=1) + 1e-12)
            gp = jnp.mean((norms - 1) ** 2)
            return jnp.mean(score(c, x_fake)) - jnp.mean(score(c, x_real)) + self.penalty * gp

        def generator_loss(g: Any, c: Any, key: Any) -> Any:
            k1, k2, k3 = jax.random.split(key, 3)
            vec, _, col, label = conditions(k1, batch)
            raw = generate(g, jnp.concatenate([jax.random.normal(k2, (batch, zdim)), vec], 1))
            fake = activate(raw, k3)
            loss = -jnp.mean(score(c, jnp.concatenate([fake, vec], 1)))
            if k_cols:
                # Cross-entropy of the asked label within its column's outputs.
                logits = jnp.where(col_mask[col] > 0, raw, -1e9)
                logz = jax.nn.logsumexp(logits, axis=1)
                picked = jnp.take_along_axis(raw, (out_start[col] + label)[:, None], axis=1)[:, 0]
                loss = loss + jnp.mean(logz - picked)
            return loss

        opt_g = optax.chain(optax.add_decayed_weights(1e-6), optax.adam(self.learning_rate, b1=0.5, b2=0.9))
        opt_c = optax.adam(self.learning_rate, b1=0.5, b2=0.9)
        state_g, state_c = opt_g.init(gen), opt_c.init(critic)

        @jax.jit
        def run_epoch(g: Any, c: Any, sg: Any, sc: Any, key: Any, data: Any) -> Any:
            def step(carry: Any, _: Any) -> Any:
                g, c, sg, sc, key = carry
                key, k1, k2 = jax.random.split(key, 3)
                _, grads = jax.value_and_grad(critic_loss)(c, g, data, k1)
                updates, sc = opt_c.update(grads, sc, c)
                c = optax.apply_updates(c, updates)
                loss_g, grads = jax.value_and_grad(generator_loss)(g, c, k2)
                updates, sg = opt_g.update(grads, sg, g)
                g = optax.apply_updates(g, updates)
                return (g, c, sg, sc, key), loss_g

            (g, c, sg, sc, key), losses = jax.lax.scan(step, (g, c, sg, sc, key), None, length=steps)
            return g, c, sg, sc, key, losses.mean()

        # Early stopping: how far generated marginals (fixed noise) are from held-out rows.
        check = val if len(val) >= 10 else train
        check = jnp.asarray(check[:2_000])
        target_freq = jnp.mean(check[:, idx], axis=0)
        target_pos = check[:, positions]
        probe_key = keys[0]
        raw_freq = [np.asarray(p, dtype=np.float32) for p in self.cond_]

        @jax.jit
        def distance(g: Any, probe_key: Any) -> Any:
            m = 2_000
            k1, k2, k3 = jax.random.split(probe_key, 3)
            if k_cols:
                col = jax.random.randint(k1, (m,), 0, k_cols)
                table = jnp.asarray(
                    np.stack([np.log(np.pad(p, (0, top - len(p))) + 1e-30) for p in raw_freq]), dtype=jnp.float32
                )
                label = jax.random.categorical(k2, table[col])
                vec = jax.nn.one_hot(cstart[col] + label, cwidth)
            else:
                vec = jnp.zeros((m, 0))
            raw = generate(g, jnp.concatenate([jax.random.normal(k3, (m, zdim)), vec], 1))
            logits = raw[:, idx]
            mx = jax.ops.segment_max(logits.T, gid, groups)
            e = jnp.exp(logits.T - mx[gid])
            soft = (e / jax.ops.segment_sum(e, gid, groups)[gid]).T
            freq_gap = jnp.sum(jnp.abs(jnp.mean(soft, axis=0) - target_freq)) / (2 * groups)
            pos = jnp.tanh(raw[:, positions])
            if len(shape["positions"]):
                pos_gap = jnp.mean(jnp.abs(pos.mean(0) - target_pos.mean(0)) + jnp.abs(pos.std(0) - target_pos.std(0)))
            else:
                pos_gap = 0.0
            return freq_gap + pos_gap

        data = jnp.asarray(train)
        key = keys[1]
        try:
            for epoch in range(1, self.epochs + 1):
                gen, critic, state_g, state_c, key, loss = run_epoch(gen, critic, state_g, state_c, key, data)
                host = jax.device_get(gen)
                if progress.epoch(epoch, float(loss), float(distance(gen, probe_key)), host, self._layers):
                    break
        except KeyboardInterrupt:
            if progress.best_params is None:
                raise
            progress.stopped = "interrupted"
        return self._layers(progress.best_params), [0.0] * len(self.columns_), self.cond_

    def _layers(self, params: Any) -> list[dict[str, Any]]:
        weights = [(np.asarray(w), np.asarray(b)) for w, b in params["layers"]]
        weights.append((np.asarray(params["out"][0]), np.asarray(params["out"][1])))
        return weights_to_layers(weights, ["residual"] * (len(weights) - 1) + ["linear"])
