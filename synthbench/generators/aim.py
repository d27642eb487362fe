"""AIM, the adaptive and iterative mechanism for differentially private synthetic data.

After McKenna, Mullins, Sheldon and Miklau (2022), "AIM: An Adaptive and Iterative
Mechanism for Differentially Private Synthetic Data", following the authors' reference
code (``mechanisms/aim.py`` of private-pgm, Apache-2.0) on ``mbi``, with our bins, bounds
and accounting (:class:`~synthbench.generators.private.PrivateGenerator`).

Where MST measures a fixed tree of pairs, AIM works towards a *workload*: every marginal
of ``degree`` columns (pairs, or triples) with at most ``max_cells`` cells. It measures
every column's counts first, then, round after round, picks the workload marginal (or a
smaller part of one) the current model gets most wrong, by the exponential mechanism,
measures it with Gaussian noise and refits the model. A candidate's score is its error
(L1 distance between the true counts and the model's) minus the error the noise alone
would cause, weighted by how much of the workload it covers. When a measurement moves
the model less than the noise could explain, the next rounds are given four times the
budget (half the noise), so AIM spends its budget fast on small data and in many small
rounds on large data; the last round spends whatever is left. Candidates that would grow
the model past a share of ``max_model_size`` (the share of the budget spent so far) are
left out, so the model's size stays bounded.

>>> import synthbench as sb
>>> sb.PrivateAIM(epsilon=1.0).privacy_budget()["step"].tolist()
['one-way counts', 'rounds: selection', 'rounds: counts']
"""

from __future__ import annotations

import itertools
import math
from typing import Any, ClassVar

import numpy as np

from ..base import check_memory, format_bytes
from ..exceptions import InvalidParameterError, ResourceLimitError
from ..params import Float, Int, Optional, Param
from ..registry import register
from .private import (
    BINS,
    BOUNDS,
    BOUNDS_FROM_DATA,
    BOUNDS_SHARE,
    DELTA,
    EPSILON,
    ITERS,
    PENGUIN_BOUNDS,
    RANDOM_STATE,
    Prepared,
    PrivateGenerator,
    _fail,
    cdp_rho,
)

__all__ = ["PrivateAIM"]

#: Rounds per column when ``rounds`` is None (the reference code's default).
ROUNDS_PER_COLUMN = 16
#: Share of each round's budget (and of the planned one-way counts') spent on measuring;
#: the rest of a round's goes to selecting (the reference code's split).
MEASURE_SHARE = 0.9
#: Most workload marginals (with their sub-marginals) AIM may score every round.
MAX_CANDIDATES = 5_000
_CELLS_PER_MB = 2**20 // 8
_MAX_LOG = 20_000


def _closure(workload: list[tuple[int, ...]]) -> dict[tuple[int, ...], float]:
    """Every non-empty part of the workload's marginals, weighted by the workload it covers.

    A candidate's weight is the number of its columns each workload marginal shares, summed
    (the reference code's ``compile_workload``); candidates come smallest first, then in order.
    """
    parts = sorted(
        {sub for cl in workload for r in range(1, len(cl) + 1) for sub in itertools.combinations(cl, r)},
        key=lambda cl: (len(cl), cl),
    )
    return {cl: float(sum(len(set(cl) & set(w)) for w in workload)) for cl in parts}


def _elimination_order(factors: list[tuple[tuple[int, ...], np.ndarray]], sizes: list[int]) -> list[int]:
    """A greedy (smallest new table first) order in which to sum the model's columns out."""
    neighbours: dict[int, set[int]] = {}
    for cols, _ in factors:
        for j in cols:
            neighbours.setdefault(j, set()).update(c for c in cols if c != j)
    order = []
    while neighbours:
        j = min(neighbours, key=lambda v: (math.prod(sizes[k] for k in neighbours[v]), v))
        near = neighbours.pop(j)
        for k in near:
            neighbours[k] |= near - {k}
            neighbours[k].discard(j)
        order.append(j)
    return order


def _contract(factors: list[tuple[tuple[int, ...], np.ndarray]], keep: tuple[int, ...]) -> np.ndarray:
    """The product of ``factors`` summed over every column but ``keep`` (in that order)."""
    labels = {j: i for i, j in enumerate(dict.fromkeys(itertools.chain(keep, *(cols for cols, _ in factors))))}
    operands: list[Any] = []
    for cols, table in factors:
        operands += [table, [labels[j] for j in cols]]
    return np.einsum(*operands, [labels[j] for j in keep])


def model_marginals(model: Any, queries: list[tuple[int, ...]], sizes: list[int]) -> dict[tuple[int, ...], np.ndarray]:
    """The model's counts over each queried set of columns, flat in C order (variable elimination).

    ``model`` is ``mbi``'s estimate over columns named ``c0``, ``c1`` ...; its potentials are
    small tables, so numpy sums them out faster than compiling one JAX program per query.
    """
    factors = []
    for clique in model.potentials.cliques:
        log = np.asarray(model.potentials[clique].values, dtype=float)
        factors.append((tuple(int(a[1:]) for a in clique), np.exp(log - log.max())))
    order = _elimination_order(factors, sizes)
    total = float(model.total)
    out = {}
    for query in queries:
        current = list(factors)
        for j in order:
            if j in query:
                continue
            touching = [f for f in current if j in f[0]]
            if not touching:
                continue
            keep = tuple(sorted({c for cols, _ in touching for c in cols} - {j}))
            table = _contract(touching, keep)
            top = table.max()
            current = [f for f in current if j not in f[0]] + [(keep, table / top if top > 0 else table)]
        # A model that diverged (NaN) answers uniformly rather than breaking the selection.
        table = np.nan_to_num(_contract(current, query).reshape(-1), nan=0.0, posinf=0.0)
        mass = table.sum()
        out[query] = table * (total / mass) if mass > 0 else np.full(table.size, total / table.size)
    return out


@register
class PrivateAIM(PrivateGenerator):
    """Differentially private synthetic data: AIM on a graphical model (``mbi``).

    The same bins, bounds, budget accounting, stored model, sampling and exported cell
    as :class:`~synthbench.generators.private.PrivateMST`; what differs is which counts
    are measured. MST measures each column and one tree of pairs, in three equal parts of
    the budget. AIM measures each column, then in rounds picks the marginal of the
    workload (all pairs, or all triples, of at most ``max_cells`` cells) that the current
    model gets most wrong (exponential mechanism), measures it and refits; when a round
    changes the model less than its noise, later rounds get four times the budget. It
    usually models the data better than MST at the same epsilon, at the cost of one model
    fit per round (a few seconds each, most of it compiling).

    Parameters
    ----------
    epsilon : float, default 1.0
        The privacy budget: smaller is more private and noisier (0.1 strong, 1 common,
        10 weak). Must be in (0, 100].
    delta : float, default 1e-9
        The chance the guarantee may fail; keep it far below 1 / rows.
    bins : int, default 10
        Equal-width bins per numeric or datetime column.
    bounds : dict, optional
        Column name -> [low, high] for numeric and datetime columns (public, cost no
        privacy); see :class:`~synthbench.generators.private.PrivateMST`.
    bounds_from_data : bool, default False
        Find undeclared bounds from the data, spending 10% of the budget.
    degree : int, default 2
        Columns per workload marginal: 2 (all pairs) or 3 (all triples, and their pairs).
    max_cells : int, default 10000
        Largest workload marginal, in cells; a column with more bins is refused.
    max_model_size : float, default 1.0
        Largest model, in megabytes of float64 cells (1 MB is 131,072 cells): the sum of
        the junction tree's tables. AIM's reference uses 80 MB for its experiments, which
        takes hours; at most 1 MB here, which keeps the stored model (about twice as many
        probabilities as cells) within a spec's 10 MB.
    rounds : int, optional
        The rounds the budget is planned for (the first rounds' noise comes from it); by
        default 16 per column. Halving the noise when a round changes little usually ends
        the fit much sooner. At least the number of columns.
    iters : int, default 1000
        Mirror descent iterations of each round's model estimate.
    random_state : int, default 0
        Seed of the noise and the choices of ``fit``.

    Attributes
    ----------
    columns_ : list of dict
        Per column: name, kind, dtype, bin ``edges`` or ``values``, missing bin.
    steps_ : list of dict
        The learned model as a sampling order (see ``PrivateMST``).
    rows_ : float
        The model's (noisy) estimate of the number of training rows.
    measurements_ : list of dict
        Every noisy measurement in order: the ``columns`` counted, the noise ``sd`` and
        the ``epsilon`` of the exponential mechanism that chose them (None for the
        first, one-way counts). :meth:`privacy_budget` adds them up.

    Examples
    --------
    >>> import synthbench as sb
    >>> gen = sb.PrivateAIM.example()
    >>> budget = gen.privacy_budget()
    >>> bool(abs(budget["rho"].sum() - gen.privacy_parameters()["rho"]) < 1e-12)
    True
    """

    extra_state: ClassVar[tuple[str, ...]] = ("measurements",)

    params = (
        EPSILON,
        DELTA,
        BINS,
        BOUNDS,
        BOUNDS_FROM_DATA,
        Param("degree", Int(2, 3), 2, "Columns per workload marginal: all pairs (2) or all triples (3)."),
        Param("max_cells", Int(16, 10**7), 10_000, "Largest workload marginal (cells) AIM may measure."),
        Param(
            "max_model_size",
            Float(0, 1, closed="right"),
            1.0,
            "Largest model, in MB of float64 cells (1 MB = 131,072 cells).",
        ),
        Param("rounds", Optional(Int(1, 10_000)), None, "Rounds the budget is planned for; None: 16 per column."),
        ITERS,
        RANDOM_STATE,
    )

    # -- examples ---------------------------------------------------------------------------
    @classmethod
    def example(cls) -> PrivateAIM:
        """Fitted on the Palmer penguins with declared bounds at epsilon 1.

        The state is the one ``fit`` made (``tests/test_aim.py`` refits and compares), stored
        with the package so that the example, its spec and its exported cell work without mbi.
        """
        from ._aim_example import STATE

        gen = cls(**EXAMPLE_PARAMS)
        gen._set_state(STATE)
        return gen

    # -- the budget ----------------------------------------------------------------------------
    def _split(self, n_columns: int | None, n_learned: int | None) -> list[tuple[str, float, str]]:
        rows, rest = self._bounds_row(cdp_rho(self.epsilon, self.delta), n_learned)
        if self.is_fitted:
            return rows + self._spent()
        if self.rounds is not None:
            # The one-way counts take MEASURE_SHARE * columns / rounds: known with the data.
            what = "Gaussian counts and exponential-mechanism choices; the split is known once fitted"
            return [*rows, ("one-way counts, then rounds", rest, what)]
        # Planned for 16 rounds per column, the one-way counts take 0.9 / 16 whatever the columns;
        # every later round (annealed or last) spends 10% choosing and 90% counting.
        one_way = rest * MEASURE_SHARE / ROUNDS_PER_COLUMN
        later = rest - one_way
        return [
            *rows,
            ("one-way counts", one_way, "Gaussian"),
            ("rounds: selection", (1 - MEASURE_SHARE) * later, "exponential mechanism, adaptive rounds"),
            ("rounds: counts", MEASURE_SHARE * later, "Gaussian, adaptive rounds"),
        ]

    def _spent(self) -> list[tuple[str, float, str]]:
        """The fitted model's measurements as budget rows: the one-way counts, then each round."""
        names = [c["name"] for c in self.columns_]
        first = [m for m in self.measurements_ if m["epsilon"] is None]
        rows = [
            (
                "one-way counts",
                sum(1 / (2 * m["sd"] ** 2) for m in first),
                f"Gaussian, sd {first[0]['sd']:.3g} per count" if first else "Gaussian",
            )
        ]
        later = [m for m in self.measurements_ if m["epsilon"] is not None]
        for k, m in enumerate(later, start=1):
            what = " x ".join(str(names[j]) for j in m["columns"])
            choice = f"exponential mechanism, epsilon {m['epsilon']:.3g}"
            rows.append((f"round {k}: selection", m["epsilon"] ** 2 / 8, choice))
            noise = f"Gaussian, sd {m['sd']:.3g} per count"
            rows.append((f"round {k}: counts of {what}", 1 / (2 * m["sd"] ** 2), noise))
        return rows

    # -- checks before anything is counted ----------------------------------------------------
    def _workload(self, sizes: list[int]) -> list[tuple[int, ...]]:
        """Every marginal of ``degree`` columns (fewer if the table has fewer) within ``max_cells``."""
        degree = min(self.degree, len(sizes))
        return [
            cl
            for cl in itertools.combinations(range(len(sizes)), degree)
            if math.prod(sizes[j] for j in cl) <= self.max_cells
        ]

    def _check_fit(self, n_rows: int, sizes: list[int], owner: str) -> None:
        d = len(sizes)
        if self.rounds is not None and self.rounds < d:
            raise InvalidParameterError(
                f"The 'rounds' parameter of {owner} must be None or at least the number of columns ({d}): the "
                f"one-way counts alone take {MEASURE_SHARE:g} x columns / rounds of the budget. Got {self.rounds}."
            )
        count = math.comb(d, min(self.degree, d))
        if count > MAX_CANDIDATES:
            raise ResourceLimitError(
                f"{owner} would score all {count:,} marginals of {min(self.degree, d)} of the {d} columns every "
                f"round, over the limit of {MAX_CANDIDATES:,}. Use degree=2, drop columns, or use PrivateMST "
                "(one tree of pairs)."
            )
        candidates = _closure(self._workload(sizes))
        cells = sum(math.prod(sizes[j] for j in cl) for cl in candidates)
        # Codes and counts (int64 per row and column), true and model counts of every candidate,
        # and mbi's estimate: about a dozen float32 copies of the model's cells.
        model_cells = self.max_model_size * _CELLS_PER_MB
        need = int(8 * n_rows * (d + 2) + 3 * 8 * cells + 12 * 4 * model_cells)
        check_memory(
            need,
            f"{owner} (a workload of {len(candidates):,} marginals, {cells:,} cells; a model up to "
            f"{format_bytes(self.max_model_size * 2**20)})",
            "Lower max_cells, degree or max_model_size, or drop columns. ",
        )

    # -- the mechanism ------------------------------------------------------------------------------
    def _measure_model(self, prepared: Prepared) -> tuple[Any, list[tuple[int, ...]], dict[str, Any]]:
        sizes, rho, rng = prepared.sizes, prepared.rho, prepared.rng
        d = len(sizes)
        mbi, junction_tree = prepared.mbi, prepared.mbi.junction_tree
        domain = mbi.Domain([f"c{j}" for j in range(d)], sizes)

        def estimate(measurements: list[Any], warm: Any) -> Any:
            return prepared.estimation.MirrorDescent().estimate(domain, measurements, iters=self.iters, warm_start=warm)

        singles = [(j,) for j in range(d)]
        if d == 1:
            sd = math.sqrt(1 / (2 * rho))
            log = [{"columns": [0], "sd": sd, "epsilon": None}]
            return estimate(self._measure(prepared, singles, sd), None), singles, {"measurements": log}
        workload = self._workload(sizes) or singles  # every pair too large: improve the columns' counts
        candidates = _closure(workload)
        answers = {cl: self._counts(prepared.codes, sizes, cl) for cl in candidates}
        planned = self.rounds or ROUNDS_PER_COLUMN * d
        sigma = math.sqrt(planned / (2 * MEASURE_SHARE * rho))
        epsilon = math.sqrt(8 * (1 - MEASURE_SHARE) * rho / planned)
        measurements = self._measure(prepared, singles, sigma)
        log: list[dict[str, Any]] = [{"columns": [j], "sd": sigma, "epsilon": None} for j in range(d)]
        measured = list(singles)
        used = d / (2 * sigma**2)
        model = estimate(measurements, None)
        while True:
            last = rho - used < 2 * (1 / (2 * sigma**2) + epsilon**2 / 8)
            if last:  # too little left for two more rounds: spend all of it on one
                remaining = rho - used
                sigma = math.sqrt(1 / (2 * MEASURE_SHARE * remaining))
                epsilon = math.sqrt(8 * (1 - MEASURE_SHARE) * remaining)
            used += epsilon**2 / 8 + 1 / (2 * sigma**2)
            limit = self.max_model_size * used / rho
            current = [tuple(c) for c in model.cliques]
            free = {sub for cl in current for r in range(1, len(cl) + 1) for sub in itertools.combinations(cl, r)}
            small = [
                cl
                for cl in candidates
                if tuple(f"c{j}" for j in cl) in free
                or junction_tree.hypothetical_model_size(domain, [*current, tuple(f"c{j}" for j in cl)]) <= limit
            ]
            chosen = self._worst_approximated(small, candidates, answers, model, sizes, epsilon, sigma, rng)
            measurements += self._measure(prepared, [chosen], sigma)
            log.append({"columns": list(chosen), "sd": sigma, "epsilon": epsilon})
            measured.append(chosen)
            before = model_marginals(model, [chosen], sizes)[chosen]
            model = estimate(measurements, model)
            after = model_marginals(model, [chosen], sizes)[chosen]
            if last:
                break
            if np.abs(after - before).sum() <= sigma * math.sqrt(2 / math.pi) * before.size:
                # The measurement moved the model less than its noise: measure more precisely.
                sigma /= 2
                epsilon *= 2
        return estimate(measurements, model), measured, {"measurements": log}

    @staticmethod
    def _worst_approximated(
        small: list[tuple[int, ...]],
        weights: dict[tuple[int, ...], float],
        answers: dict[tuple[int, ...], np.ndarray],
        model: Any,
        sizes: list[int],
        epsilon: float,
        sigma: float,
        rng: np.random.Generator,
    ) -> tuple[int, ...]:
        """The exponential mechanism's pick among ``small``: large weighted error beyond the noise's."""
        estimates = model_marginals(model, small, sizes)
        bias = math.sqrt(2 / math.pi) * sigma
        quality = np.array(
            [weights[cl] * (np.abs(answers[cl] - estimates[cl]).sum() - bias * answers[cl].size) for cl in small]
        )
        # Adding or removing a row moves a candidate's L1 error by at most 1, times its weight.
        sensitivity = max(weights[cl] for cl in small)
        scores = 0.5 * epsilon / sensitivity * (quality - quality.max())
        p = np.exp(scores)
        return small[int(rng.choice(len(small), p=p / p.sum()))]

    # -- state --------------------------------------------------------------------------------------
    def _check_extra(self, state: dict[str, Any], columns: list[dict[str, Any]]) -> dict[str, Any]:
        log = state["measurements"]
        d = len(columns)
        where = "state['measurements']"
        if not isinstance(log, list) or not d <= len(log) <= _MAX_LOG:
            raise _fail(where, f"a list of {d} to {_MAX_LOG:,} measurements (the columns' counts first)", log)
        out = []
        for i, m in enumerate(log):
            at = f"{where}[{i}]"
            if not isinstance(m, dict) or set(m) != {"columns", "sd", "epsilon"}:
                raise _fail(at, "an object with exactly the fields ['columns', 'epsilon', 'sd']", m)
            cols, sd, eps = m["columns"], m["sd"], m["epsilon"]
            first = i < d
            if first and cols != [i]:
                raise _fail(f"{at}['columns']", f"[{i}] (the first {d} measurements count one column each)", cols)
            if (
                not isinstance(cols, list)
                or not 1 <= len(cols) <= 3
                or not all(isinstance(j, int) and not isinstance(j, bool) and 0 <= j < d for j in cols)
                or len(set(cols)) != len(cols)
            ):
                raise _fail(f"{at}['columns']", f"1 to 3 distinct column positions in [0, {d - 1}]", cols)
            if isinstance(sd, bool) or not isinstance(sd, (int, float)) or not 0 < sd <= 1e300:
                raise _fail(f"{at}['sd']", "a positive finite number", sd)
            if first and eps is not None:
                raise _fail(f"{at}['epsilon']", "null (the columns' counts are not chosen)", eps)
            if not first and (isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps <= 1e300):
                raise _fail(f"{at}['epsilon']", "a positive finite number (the choice's exponential mechanism)", eps)
            out.append({"columns": list(cols), "sd": float(sd), "epsilon": None if eps is None else float(eps)})
        rho = cdp_rho(self.epsilon, self.delta)
        spent = sum(1 / (2 * m["sd"] ** 2) + (m["epsilon"] or 0.0) ** 2 / 8 for m in out)
        if state["learned_bounds"]:
            spent += BOUNDS_SHARE * rho
        if spent > rho * (1 + 1e-9):
            raise _fail(
                where,
                f"measurements within the budget that epsilon {self.epsilon:g} and delta {self.delta:g} allow "
                f"(rho {rho:.6g})",
                f"noise that spends rho {spent:.6g}",
            )
        return {"measurements": out}


#: The parameters of :meth:`PrivateAIM.example` (its stored state was fitted with them).
EXAMPLE_PARAMS = {"epsilon": 1.0, "bounds": PENGUIN_BOUNDS}
