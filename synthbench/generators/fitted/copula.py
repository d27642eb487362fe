"""Gaussian copula over learned marginals: the statistical baseline for fitting a real table.

>>> import synthbench as sb
>>> from synthbench.data import load_penguins
>>> gen = sb.GaussianCopula().fit(load_penguins())
>>> df = gen.sample(500, seed=42)
>>> df.shape
(500, 8)
>>> bool(df["body_mass_g"].between(2700, 6300).all())
True
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ...base import MAX_SEED
from ...codegen import CodeCell, Plan, Ref
from ...kernels.fitted import frame_of, latent_cdf, latent_draws, make_column
from ...params import Int, Options, Param
from ...registry import register
from ._base import FittedGenerator, one_blas_thread
from ._latent import learn_marginal, normal_scores, order_labels, prepare, repair_cov, sqrt_psd
from ._state import check_latent_model, check_marginal

__all__ = ["GaussianCopula"]

_N_KNOTS = Param(
    "n_knots", Int(2, 10_000), 100, "Most quantiles kept per continuous column (linear interpolation between them)."
)
_MAX_DISCRETE = Param(
    "max_discrete",
    Int(0, 10_000),
    20,
    "Numeric columns with at most this many distinct values are drawn from their value frequencies.",
)
_RANDOM_STATE = Param("random_state", Int(0, MAX_SEED), 0, "Seed of the randomness in fit (spreading tied values).")
_IDENTIFIERS = Param(
    "identifiers",
    Options(("generate", "copy")),
    "generate",
    "Identifier-like text columns (nearly every value distinct: names, codes): made by rules from their shape, "
    "no value kept ('generate'), or learned like other labels, which copies their values ('copy').",
)
_TAILS = Param(
    "tails",
    Options(("empirical", "trimmed")),
    "empirical",
    "Continuous columns' extreme knots: the training min and max ('empirical') or their inner neighbours "
    "('trimmed', so the spec does not hold the extremes).",
)


def _describe_marginal(col: dict[str, Any], j: int, d: int) -> str:
    """A comment on column j of d, in generated words only (no name or value from the data)."""
    if "knots" in col:
        what = f"{len(col['knots'])} learned quantiles"
    else:
        count = len(col["values"])
        what = f"{count} value{'' if count == 1 else 's'} with their frequencies"
    gaps = f", {col['null_rate']:.1%} missing" if col["null_rate"] else ""
    return f"Column {j + 1} of {d}: {col['kind']}, {what}{gaps}."


class LatentGaussian(FittedGenerator):
    """Shared machinery of models of the columns' normal scores (copula, mixture).

    Learned: ``columns_`` (types and marginals), ``weights_``, ``means_`` and
    ``covariances_`` of the Gaussian components over the normal scores.
    """

    def _fit(self, data: pd.DataFrame) -> None:
        with one_blas_thread():
            self._fit_blas(data)

    def _fit_blas(self, data: pd.DataFrame) -> None:
        columns = self._describe(data)
        owner = f"{type(self).__name__}.fit"
        prepared = []
        for col in columns:
            series = data[col["name"]]
            prepared.append(prepare(series, col))
            learn_marginal(series, col, self.n_knots, self.max_discrete, owner, self.tails, prepared[-1])
        order_labels(data, columns, self.random_state, prepared)
        rng = np.random.default_rng(self.random_state)
        scores = np.column_stack(
            [normal_scores(data[c["name"]], c, rng, prepared=p) for c, p in zip(columns, prepared, strict=True)]
        )
        weights, means, covs = self._fit_scores(scores)
        self.columns_ = columns
        self.weights_ = [float(w) for w in weights]
        self.means_ = np.asarray(means, dtype=float).tolist()
        self.covariances_ = [np.asarray(c, dtype=float).tolist() for c in covs]

    def _fit_scores(self, scores: np.ndarray) -> tuple[list[float], list, list]:
        raise NotImplementedError

    def disclosure(self) -> str:
        """What real information the fitted state (spec and exported cell) holds, in plain words."""
        self._check_fitted()
        quantiles = [c["knots"] for c in self.columns_ if "knots" in c]
        # Trimmed only where the state shows it: the end knots repeat their inner neighbours.
        trimmed = sum(self.tails == "trimmed" and len(k) >= 3 and k[0] == k[1] and k[-1] == k[-2] for k in quantiles)
        extremes = len(quantiles) - trimmed
        discrete = len(self.columns_) - len(quantiles)
        lines = ["No training row is stored: per-column summaries and one dependence model."]
        if quantiles:
            lines.append(f"{len(quantiles)} continuous column(s) keep up to {max(map(len, quantiles))} quantiles;")
            if extremes:
                lines.append(f"in {extremes} of them the lowest and highest knots are the training min and max.")
            if trimmed:
                lines.append(f"in {trimmed} of them the end knots are trimmed to their inner neighbours.")
        if discrete:
            lines.append(f"{discrete} column(s) keep their distinct real values and frequencies, rare ones too.")
        lines.append(f"Also each column's missing share, and {self._model_words()}.")
        if extremes:
            lines.append("tails='trimmed' keeps the training min and max out of the state.")
        return "\n".join(lines + self._identifier_words())

    def _model_words(self) -> str:
        raise NotImplementedError

    # -- state ------------------------------------------------------------------------
    def _get_state(self) -> dict[str, Any]:
        return {
            "columns": self.columns_,
            "weights": self.weights_,
            "means": self.means_,
            "covariances": self.covariances_,
            **self._identifier_state(),
            "disclosure": self.disclosure(),
        }

    def _set_state(self, state: Any) -> None:
        keys = {"columns", "weights", "means", "covariances"}
        columns = self._check_columns_state(state, check_marginal, keys, optional={"disclosure"})
        weights, means, covs = check_latent_model(state, len(columns))
        self.columns_ = columns
        self.weights_ = weights
        self.means_ = means
        self.covariances_ = covs

    # -- sampling --------------------------------------------------------------------------
    def _sample_given(self, given: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
        with one_blas_thread():
            return self._sample_given_blas(given, n, seed)

    def _sample_given_blas(self, given: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
        rng = np.random.default_rng(seed)
        names = [c["name"] for c in self.columns_]
        rates = np.array([c["null_rate"] for c in self.columns_])
        if given.shape[1] == 0:
            return self._plan(n, seed).run()["df"]
        kept = [j for j, name in enumerate(names) if name in given.columns]
        free = [j for j in range(len(names)) if j not in kept]
        out = {names[j]: given[names[j]].reset_index(drop=True) for j in kept}
        if free:
            z_kept = np.column_stack(
                [normal_scores(given[names[j]], self.columns_[j], None, type(self).__name__) for j in kept]
            )
            z = self._conditional(z_kept, kept, free, rng)
            means = np.asarray(self.means_)[:, free]
            covs = np.asarray(self.covariances_)[:, free][:, :, free]
            u = latent_cdf(z, self.weights_, means, covs)
            missing = rng.random(z.shape) < rates[free]
            for i, j in enumerate(free):
                out[names[j]] = make_column((u, missing), i, self.columns_[j])
        return pd.DataFrame({name: out[name] for name in names})

    def _conditional(
        self, z_kept: np.ndarray, kept: list[int], free: list[int], rng: np.random.Generator
    ) -> np.ndarray:
        """Draw the free scores given the kept ones, component by component."""
        n = len(z_kept)
        weights = np.asarray(self.weights_)
        means = np.asarray(self.means_)
        covs = np.asarray(self.covariances_)
        log_post = np.empty((n, len(weights)))
        cond_means, factors = [], []
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            for k, cov in enumerate(covs):
                s_kk = cov[np.ix_(kept, kept)]
                s_fk = cov[np.ix_(free, kept)]
                inv = np.linalg.pinv(s_kk)
                diff = z_kept - means[k, kept]
                solved = diff @ inv
                cond_means.append(means[k, free] + solved @ s_fk.T)
                factors.append(sqrt_psd(cov[np.ix_(free, free)] - s_fk @ inv @ s_fk.T))
                logdet = np.linalg.slogdet(s_kk)[1]
                log_post[:, k] = np.log(max(weights[k], 1e-300)) - 0.5 * (np.sum(solved * diff, axis=1) + logdet)
            log_post -= log_post.max(axis=1, keepdims=True)
            post = np.exp(log_post)
            post /= post.sum(axis=1, keepdims=True)
        component = np.minimum((np.cumsum(post, axis=1) < rng.random(n)[:, None]).sum(axis=1), len(weights) - 1)
        eps = rng.standard_normal((n, len(free)))
        z = np.empty_like(eps)
        for k, factor in enumerate(factors):
            rows = component == k
            z[rows] = cond_means[k][rows] + eps[rows] @ factor.T
        return z

    def _estimate_bytes(self, n: int) -> int:
        """Peak memory of ``sample(n)``: latent scores, noise, uniforms, missing flags, the
        columns and the frame (about six n x columns arrays), and the component choice."""
        return 8 * n * (6 * len(self.columns_) + len(self.weights_))

    # -- the plan: sampling and exported code -------------------------------------------
    def _plan(self, n: int, seed: int) -> Plan:
        """Latent draws from the learned model, then each column through its marginal."""
        plan = Plan()
        d = len(self.columns_)
        plan.call(
            "draws",
            latent_draws,
            n,
            seed,
            weights=self.weights_,
            means=self.means_,
            covs=self.covariances_,
            null_rates=[c["null_rate"] for c in self.columns_],
            comment=f"{self._model_comment()}\nDraw latent scores, turn them into uniforms, pick the missing cells.",
        )
        refs = [
            plan.call(f"column_{j}", make_column, Ref("draws"), j, col, comment=_describe_marginal(col, j, d))
            for j, col in enumerate(self.columns_)
        ]
        refs = self._identifier_refs(plan, refs, n, seed)
        plan.call("df", frame_of, refs, comment="The columns side by side, in their fitted order.")
        return plan

    def _to_code(self, n: int, seed: int) -> str:
        title = (
            f"{type(self).__name__}: {n} rows, seed {seed}, from what it learned. Regenerates the frame as `df`.\n"
            + self.disclosure()
        )
        cell = CodeCell(title)
        cell.need("import numpy as np", "import pandas as pd")
        return cell.plan(self._plan(n, seed)).render()

    def _model_comment(self) -> str:
        raise NotImplementedError


@register
class GaussianCopula(LatentGaussian):
    """A Gaussian copula over each column's learned marginal distribution.

    ``fit`` learns, per column, its type, its share of missing values and its marginal:
    up to ``n_knots`` quantiles (linear interpolation between them, so the observed
    minimum and maximum are kept and never exceeded) or, for labels and numbers with at
    most ``max_discrete`` distinct values, each value's frequency (rare categories are
    kept). The dependence between columns is the correlation matrix of their normal
    scores, repaired to the nearest positive-definite matrix. Integers stay integers,
    floats keep their number of decimals, booleans, categories and datetimes keep their
    dtypes. Missing values are drawn per column at the learned rate, independently.

    Parameters
    ----------
    n_knots : int, default 100
        Most quantiles kept per continuous column (the spec stays small).
    max_discrete : int, default 20
        Numeric columns with at most this many distinct values are drawn from the
        frequencies of those values.
    random_state : int, default 0
        Seeds ``fit``'s one random step (spreading tied values inside their
        frequency interval); the same data and ``random_state`` give the same model.
    tails : {"empirical", "trimmed"}, default "empirical"
        The lowest and highest knots of a continuous column are its training minimum
        and maximum; "trimmed" replaces them by their inner neighbours (about the 1st
        and 99th percentiles with 100 knots), so the spec does not hold the extremes
        and samples stay inside them. :meth:`disclosure` says what the state holds.
    identifiers : {"generate", "copy"}, default "generate"
        Identifier-like text columns (str values, at least 90% of them distinct and more
        than 20 distinct: names, customer codes, e-mails) are not learned: only their
        shape is kept (the lengths, and per character position how often an upper-case
        letter, a lower-case letter, a digit or one of `` -_.'@/`` came there) and new
        values are made from it, distinct where the real ones were. "copy" learns them
        like other labels, so samples repeat training values (a name-like column then
        puts synthetic rows next to training rows: a DCR share of 62% measured).
        Such a column cannot be a condition.

    Attributes
    ----------
    columns_ : list of dict
        Per column: name, kind, dtype, null rate and marginal.
    covariances_ : list
        One matrix: the correlations of the normal scores (``weights_`` is ``[1.0]`` and
        ``means_`` zeros, as a mixture with a single component).

    Examples
    --------
    >>> import synthbench as sb
    >>> from synthbench.data import load_penguins
    >>> real = load_penguins()
    >>> gen = sb.GaussianCopula().fit(real)
    >>> df = gen.sample(1000, seed=0)
    >>> df.dtypes.equals(real.dtypes)
    True
    >>> gentoo = gen.sample(5, seed=0, conditions={"species": "Gentoo"})
    >>> gentoo["species"].tolist()
    ['Gentoo', 'Gentoo', 'Gentoo', 'Gentoo', 'Gentoo']
    >>> masked = gen.partial(real, columns=["body_mass_g"], seed=0)
    >>> bool((masked["species"] == real["species"]).all())
    True
    """

    params = (_N_KNOTS, _MAX_DISCRETE, _RANDOM_STATE, _TAILS, _IDENTIFIERS)
    workbench = 1
    #: A copula's one smooth dependence copies little; what copies is a name-like column
    #: learned as a label ("copy") instead of made from its shape ("generate").
    privacy_knob = ("identifiers", ("copy", "generate"))

    @classmethod
    def example(cls) -> GaussianCopula:
        """Fitted on the Palmer penguins (categories, floats, nullable ints, gaps)."""
        from ...data import load_penguins

        return cls().fit(load_penguins())

    def _fit_scores(self, scores: np.ndarray) -> tuple[list[float], list, list]:
        d = scores.shape[1]
        centred = scores - scores.mean(axis=0)
        scale = np.sqrt((centred**2).mean(axis=0))
        scale[scale == 0] = 1.0
        corr = (centred.T @ centred) / len(scores) / np.outer(scale, scale)
        np.fill_diagonal(corr, 1.0)
        return [1.0], [[0.0] * d], [repair_cov(corr, correlation=True)]

    def _model_words(self) -> str:
        return "the correlations of the columns' normal scores"

    def _model_comment(self) -> str:
        return (
            "What the model learned: the correlation matrix of the columns' normal scores\n"
            "(a Gaussian copula is a mixture with one component of weight 1 and mean 0)."
        )
