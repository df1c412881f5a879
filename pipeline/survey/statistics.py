"""Survey statistics for the tenant perception measures (tsm.md, "Statistical accuracy" and
"Representativeness and weighting"): the regulator's accuracy bands, margin of error, required
minimum sample, Kish effective sample size, rim weighting, representativeness and tests.

Pure functions on small pandas/numpy inputs: no I/O, no DuckDB.

Rim weighting is implemented here (about 30 lines of numpy) rather than taken from a library.
Evaluated on Python 3.11 from PyPI:
- weightipy 0.4.2 installs, imports in ~0.3 s, but declares three dependencies it never imports
  (watchdog, requests, decorator); reports non-convergence only with print() (no flag, no
  exception), prints missing-group warnings only when verbose, swallows errors in its raking
  step with a bare `except: pass`, and replaces zero weights with 1.0.
- samplics 0.6.1 warns on import that it is archived and no longer maintained; it pulls in
  polars, statsmodels and pyarrow 26 (the project pins pyarrow<24), ~1.8 s to import.
Neither is clean and light, so no dependency was added.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

Z_95 = 1.96

# (fewest dwelling units of the tenure, required margin in points), largest first (tsm.md).
ACCURACY_BANDS = ((25_000, 2.0), (10_000, 3.0), (2_500, 4.0), (0, 5.0))


def required_margin(units: int) -> float:
    """The regulator's required margin of error (percentage points, 95% confidence) for a
    tenure with `units` dwelling units: fewer than 2,500 → ±5; 2,500–9,999 → ±4;
    10,000–24,999 → ±3; 25,000 or more → ±2 (tsm.md, "Statistical accuracy"; RSH, TSM
    Tenant Survey Requirements)."""
    if units < 0:
        raise ValueError(f"dwelling units cannot be negative ({units})")
    return next(margin for fewest, margin in ACCURACY_BANDS if units >= fewest)


def margin_of_error(n: float, population: int, p: float = 0.5, z: float = Z_95) -> float:
    """Margin of error in percentage points:
    z × √(p(1−p)/n) × √((N−n)/(N−1)) × 100, N = `population` (tsm.md, "Statistical accuracy";
    the finite population correction as in Cochran, Sampling Techniques, 3rd ed., §3.2).
    `n` may be an effective (Kish) sample size. n = 0 → nan; n ≥ N (a census) → 0."""
    if n < 0 or population < 1:
        raise ValueError(f"need n ≥ 0 and a population of at least 1 (n={n}, N={population})")
    if not 0 <= p <= 1 and not math.isnan(p):
        raise ValueError(f"p must be a proportion between 0 and 1, not {p}")
    if n == 0:
        return math.nan
    if n >= population:
        return 0.0
    finite_population_correction = (population - n) / (population - 1)
    return z * math.sqrt(p * (1 - p) / n) * math.sqrt(finite_population_correction) * 100


def required_minimum_sample(population: int, margin: float, z: float = Z_95) -> int:
    """The smallest n whose margin of error at p = 0.5 is at most `margin` points (tsm.md).
    Closed form (Cochran, Sampling Techniques, 3rd ed., §4.4): n0 = z²·p(1−p)/e² with
    e = margin/100, n = n0·N / (N − 1 + n0), rounded up; then checked against
    margin_of_error and moved by ±1 so rounding cannot bite. Never more than N: a census
    always meets the band."""
    if population < 1 or margin <= 0:
        raise ValueError(f"need a population ≥ 1 and a margin > 0 (N={population}, ±{margin})")
    n0 = z * z * 0.25 / (margin / 100) ** 2
    n = min(population, max(1, math.ceil(n0 * population / (population - 1 + n0))))

    def meets(k: int) -> bool:
        return margin_of_error(k, population, z=z) <= margin + 1e-12

    while n < population and not meets(n):
        n += 1
    while n > 1 and meets(n - 1):
        n -= 1
    return n


def _checked_weights(weights) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueError("weights must be a non-empty set of finite, non-negative numbers "
                         "with a positive total")
    return w


def effective_sample_size(weights) -> float:
    """Kish's effective sample size (Σw)² / Σw² (Kish, Survey Sampling, 1965; tsm.md: with
    weights, n in the margin of error is this)."""
    w = _checked_weights(weights)
    return float(w.sum() ** 2 / (w * w).sum())


def design_effect(weights) -> float:
    """Kish's design effect due to weighting, n / n_eff = n·Σw² / (Σw)² (Kish, 1965)."""
    w = _checked_weights(weights)
    return w.size / effective_sample_size(w)


def weighting_efficiency(weights) -> float:
    """Weighting efficiency in per cent, n_eff / n × 100 (Kish, 1965): 100 for equal weights."""
    w = _checked_weights(weights)
    return effective_sample_size(w) / w.size * 100


@dataclass(frozen=True)
class RakingResult:
    """Rim weights aligned to the sample's index and scaled so Σw = number of respondents;
    `iterations` full sweeps over the characteristics; `max_margin_error` is the largest
    |weighted share − population share| over every group, as a proportion (0.01 = 1 point).
    rim_weights raises rather than return an unconverged result, so `converged` is True."""

    weights: pd.Series
    iterations: int
    converged: bool
    max_margin_error: float


def _group_codes(values: pd.Series, groups: dict[str, float], characteristic: str):
    """Integer codes of each respondent's group and the population share of each code."""
    if values.isna().any():
        raise ValueError(f"rim weighting: characteristic {characteristic!r} has "
                         f"{int(values.isna().sum())} respondent(s) with no group")
    total = float(sum(groups.values()))
    counts = values.value_counts()
    for group, respondents in counts.items():
        if groups.get(group, 0) <= 0:
            raise ValueError(f"rim weighting: characteristic {characteristic!r} group "
                             f"{group!r} has {respondents} respondent(s) but no population")
    for group, households in groups.items():
        if households < 0:
            raise ValueError(f"rim weighting: characteristic {characteristic!r} group "
                             f"{group!r} has a negative population ({households})")
        if households > 0 and group not in counts.index:
            raise ValueError(f"rim weighting: characteristic {characteristic!r} group "
                             f"{group!r} has a population of {households:g} but no respondents")
    codes, uniques = pd.factorize(values)
    return codes, np.array([groups[g] / total for g in uniques])


def rim_weights(sample: pd.DataFrame, margins: dict[str, dict[str, float]],
                max_iterations: int = 100, tolerance: float = 1e-6) -> RakingResult:
    """Rim weighting (raking, iterative proportional fitting; Deming & Stephan, 1940): start
    from weight 1, then for each characteristic in turn multiply every respondent's weight by
    target_g / Σw_g for their group g, target_g = n × population share of g; repeat the sweep
    until every group's weighted share is within `tolerance` of its population share.

    `sample` has one column per characteristic (a group code per respondent); `margins` maps
    characteristic → group → population (households or shares; each is normalised). Raises
    ValueError when a group has respondents but no population, population but no respondents,
    or the raking has not converged after `max_iterations` sweeps."""
    n = len(sample)
    if n == 0 or not margins:
        raise ValueError("rim weighting needs at least one respondent and one characteristic")
    missing = [c for c in margins if c not in sample.columns]
    if missing:
        raise ValueError(f"rim weighting: sample has no column for {', '.join(missing)}")
    fitted = [_group_codes(sample[c], margins[c], c) for c in margins]
    weights = np.ones(n)
    error = math.inf
    for iteration in range(1, max_iterations + 1):
        for codes, shares in fitted:
            totals = np.bincount(codes, weights=weights, minlength=len(shares))
            weights *= (n * shares / totals)[codes]
        error = max(float(np.max(np.abs(
            np.bincount(codes, weights=weights, minlength=len(shares)) / weights.sum() - shares
        ))) for codes, shares in fitted)
        if error <= tolerance:
            weights *= n / weights.sum()
            return RakingResult(pd.Series(weights, index=sample.index, name="weight"),
                                iteration, True, error)
    raise ValueError(f"rim weighting did not converge in {max_iterations} iterations: a group's "
                     f"weighted share still misses its population share by {error * 100:.4g} "
                     f"points (tolerance {tolerance * 100:.4g} points)")


def representativeness(population: pd.DataFrame, respondents: pd.DataFrame,
                       weights: pd.Series | None, characteristic: str,
                       threshold_points: float = 5.0) -> pd.DataFrame:
    """For one characteristic of one tenure, the share of the relevant tenant population and
    of responses in each group (tsm.md, "Representativeness and weighting"; weighted shares
    where weighting was used).

    `population` has columns `group` and `households` (and, optionally, `characteristic`,
    which is then filtered to `characteristic`); `respondents` has a column `characteristic`
    with one group code per respondent (blank → ""); codes are compared exactly, so normalise
    them first. `weights` is aligned to respondents.index, or None.

    difference_points = respondents % − population %; weighted_difference_points uses the
    weighted %. `flagged` when |difference| > threshold_points, strictly: the published
    summary says groups "differ by more than" the threshold, so a group exactly at it is not
    flagged. The difference judged is the weighted one where weights exist, otherwise the
    unweighted one."""
    if "characteristic" in population.columns:
        population = population[population["characteristic"] == characteristic]
    households = population.groupby("group", sort=False)["households"].sum().astype(float)
    groups = respondents[characteristic].fillna("")
    counts = groups.value_counts(sort=False)
    order = list(households.index) + [g for g in counts.index if g not in households.index]
    out = pd.DataFrame({"characteristic": characteristic, "group": order})
    out["population"] = households.reindex(order, fill_value=0).to_numpy()
    out["population_pct"] = out["population"] / households.sum() * 100
    out["respondents"] = counts.reindex(order, fill_value=0).to_numpy().astype(int)
    out["respondents_pct"] = out["respondents"] / max(len(groups), 1) * 100
    if weights is None:
        out["weighted_respondents"] = np.nan
        out["weighted_pct"] = np.nan
    else:
        w = weights.reindex(respondents.index).astype(float)
        weighted = w.groupby(groups).sum().reindex(order, fill_value=0)
        out["weighted_respondents"] = weighted.to_numpy()
        out["weighted_pct"] = out["weighted_respondents"] / w.sum() * 100
    out["difference_points"] = out["respondents_pct"] - out["population_pct"]
    out["weighted_difference_points"] = out["weighted_pct"] - out["population_pct"]
    judged = out["difference_points"] if weights is None else out["weighted_difference_points"]
    out["flagged"] = judged.abs().round(9) > threshold_points
    return out


def chi_square_goodness_of_fit(observed_counts, population_shares) -> tuple[float, int, float]:
    """Pearson's χ² goodness of fit of respondents' group counts to the population:
    χ² = Σ (O − E)² / E with E = n × population share, dof = groups − 1, p from
    scipy.stats.chisquare. Shares are normalised to sum to 1; groups with neither population
    nor respondents are dropped; respondents in a group with no population raise."""
    observed = np.asarray(observed_counts, dtype=float)
    shares = np.asarray(population_shares, dtype=float)
    if observed.shape != shares.shape or shares.sum() <= 0 or np.any(shares < 0):
        raise ValueError("need one non-negative population share per observed count")
    if np.any((shares == 0) & (observed > 0)):
        raise ValueError("respondents in a group with no population: χ² is infinite")
    keep = shares > 0
    observed, shares = observed[keep], shares[keep] / shares[keep].sum()
    result = stats.chisquare(observed, f_exp=observed.sum() * shares)
    return float(result.statistic), int(observed.size - 1), float(result.pvalue)


def two_proportion_test(x1: int, n1: int, x2: int, n2: int, N1: int | None = None,
                        N2: int | None = None) -> tuple[float, float]:
    """Pooled two-proportion z test of a change in a perception measure (sample 1 = this year,
    sample 2 = last year, so z > 0 means a rise): p̂ = (x1 + x2) / (n1 + n2),
    z = (x1/n1 − x2/n2) / √(p̂(1−p̂)(f1/n1 + f2/n2)), two-sided p = 2·(1 − Φ(|z|)) from
    scipy.stats.norm. f_i = (N_i − n_i)/(N_i − 1), the finite population correction of a
    proportion's variance (Cochran, Sampling Techniques, 3rd ed., §3.2), when N_i is given,
    else 1. With no variance left (both censuses, or p̂ of 0 or 1): z = 0 if equal, else ±inf."""
    fpcs = []
    for x, n, big_n in ((x1, n1, N1), (x2, n2, N2)):
        if n <= 0 or not 0 <= x <= n or (big_n is not None and big_n < n):
            raise ValueError(f"need 0 ≤ x ≤ n ≤ N and n > 0 (x={x}, n={n}, N={big_n})")
        fpcs.append(1.0 if big_n is None or big_n <= 1 else (big_n - n) / (big_n - 1))
    pooled = (x1 + x2) / (n1 + n2)
    difference = x1 / n1 - x2 / n2
    variance = pooled * (1 - pooled) * (fpcs[0] / n1 + fpcs[1] / n2)
    if variance <= 0:
        z = 0.0 if difference == 0 else math.copysign(math.inf, difference)
    else:
        z = difference / math.sqrt(variance)
    return float(z), float(2 * stats.norm.sf(abs(z)))
