"""A Gaussian mixture over the columns' normal scores: a copula with several clusters.

>>> import synthbench as sb
>>> from synthbench.data import load_penguins
>>> gen = sb.GaussianMixture(n_components=3).fit(load_penguins())
>>> gen.sample(4, seed=1).shape
(4, 8)
"""

from __future__ import annotations

import warnings
from typing import ClassVar

import numpy as np

from ...params import Int, Param
from ...registry import register
from ._latent import repair_cov
from .copula import _MAX_DISCRETE, _N_KNOTS, _RANDOM_STATE, _TAILS, LatentGaussian

__all__ = ["GaussianMixture"]


@register
class GaussianMixture(LatentGaussian):
    """A mixture of Gaussians (scikit-learn's ``GaussianMixture``) over normal scores.

    Each column is mapped to normal scores through its learned marginal, as in
    :class:`GaussianCopula`; a ``GaussianMixture`` with full covariances is fitted to
    the scores, and samples are mapped back. A single copula sees one linear
    dependence; several components capture clusters (species, regimes) and non-linear
    relations. Types, missing rates, conditions, partial and hybrid output work as in
    :class:`GaussianCopula`.

    Parameters
    ----------
    n_components : int, default 5
        Mixture components (at most the number of rows is used).
    n_knots, max_discrete, random_state, tails
        As in :class:`GaussianCopula`; ``random_state`` also seeds the mixture's fit.

    Examples
    --------
    >>> import synthbench as sb
    >>> from synthbench.data import load_penguins
    >>> gen = sb.GaussianMixture(n_components=4).fit(load_penguins())
    >>> len(gen.weights_)
    4
    >>> gen.sample(3, seed=0, conditions={"island": "Dream"})["island"].tolist()
    ['Dream', 'Dream', 'Dream']
    """

    params = (
        Param("n_components", Int(1, 100), 5, "Gaussian components of the mixture."),
        _N_KNOTS,
        _MAX_DISCRETE,
        _RANDOM_STATE,
        _TAILS,
    )
    min_rows: ClassVar[int] = 0
    workbench: ClassVar[int] = 2

    @classmethod
    def example(cls) -> GaussianMixture:
        """Three components fitted on the Palmer penguins."""
        from ...data import load_penguins

        return cls(n_components=3).fit(load_penguins())

    def _fit_scores(self, scores: np.ndarray) -> tuple[list[float], list, list]:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.mixture import GaussianMixture as SkGaussianMixture

        model = SkGaussianMixture(
            n_components=min(self.n_components, len(scores)),
            covariance_type="full",
            reg_covar=1e-4,
            random_state=self.random_state,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(scores)
        weights = np.asarray(model.weights_, dtype=float)
        weights = weights / weights.sum()
        covs = [repair_cov(c, correlation=False) for c in model.covariances_]
        return weights.tolist(), model.means_.tolist(), covs

    def _model_words(self) -> str:
        return f"the weight, mean and covariance of each of {len(self.weights_)} Gaussian components"

    def _model_comment(self) -> str:
        return (
            f"What the model learned: a mixture of {len(self.weights_)} Gaussians over the columns'\n"
            "normal scores (weight, mean and covariance of each component)."
        )
