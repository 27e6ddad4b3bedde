"""Paired comparison of candidates scored on the same folds.

Fold scores of two candidates evaluated on the same folds are paired, so
their fold-by-fold differences tell more than their two means and standard
deviations. The differences are not independent, though: the training sets
of the folds overlap, which a plain paired t-test ignores (it then finds
differences far too often). The corrected resampled t-test of Nadeau and
Bengio (2003) inflates the variance of the mean difference by the training
sets' overlap::

    t = mean(d) / sqrt(var(d) * (1 / J + n_test / n_train))

with ``d`` the ``J`` fold-score differences (``J = k * r`` for ``r``
repetitions of ``k``-fold cross-validation), ``var`` their sample variance,
and ``n_test / n_train`` the ratio of the test and training set sizes. ``t``
is compared with Student's t distribution with ``J - 1`` degrees of freedom.

Assumptions: the candidates were scored on the very same folds; the fold
scores are roughly normal; the correction is a heuristic for the overlap of
the training sets, known to keep the test's false-positive rate near its
nominal level for random subsampling and k-fold cross-validation (it
remains approximate). A large p-value says the folds cannot tell the two
candidates apart, not that they are equally good.

References
----------
C. Nadeau and Y. Bengio, "Inference for the Generalization Error",
Machine Learning 52, 239-281 (2003).
"""

import math

import numpy as np


def corrected_ttest(differences, test_train_ratio: float) -> tuple[float, float]:
    """Corrected resampled t-test of fold-score differences against zero.

    Parameters
    ----------
    differences : array-like of shape (n_fold_scores,)
        One score difference per fold (``k * r`` of them for repeated
        k-fold cross-validation), both candidates scored on the same folds.
    test_train_ratio : float
        ``n_test / n_train``, the test set size over the training set size,
        averaged over the folds.

    Returns
    -------
    t : float
        The corrected t statistic.
    p_value : float
        Its two-sided p-value, Student's t with ``n_fold_scores - 1`` degrees
        of freedom. 1.0 when every difference is 0, 0.0 when all are the same
        nonzero value.

    Examples
    --------
    >>> from skdl.reports._compare import corrected_ttest
    >>> t, p = corrected_ttest([0.02, 0.03, 0.01, 0.04, 0.02], 1 / 4)
    >>> round(t, 3), round(p, 3)
    (3.138, 0.035)
    """
    from scipy import stats

    differences = np.asarray(differences, dtype=float)
    n = len(differences)
    if n < 2:
        raise ValueError(f"A paired comparison needs at least 2 fold scores, got {n}.")
    mean = differences.mean()
    variance = differences.var(ddof=1)
    if variance == 0 or not np.isfinite(variance):
        if mean == 0:
            return 0.0, 1.0
        return math.copysign(math.inf, mean), 0.0
    t = mean / math.sqrt(variance * (1 / n + test_train_ratio))
    p_value = 2 * stats.t.sf(abs(t), df=n - 1)
    return float(t), float(p_value)


def fold_size_ratio(splits) -> float:
    """``n_test / n_train`` of cross-validation ``splits``, averaged over folds.

    Parameters
    ----------
    splits : iterable of (train_indices, test_indices)
        The folds, as a splitter's ``split`` yields them.
    """
    sizes = np.array([(len(train), len(test)) for train, test in splits], float)
    return float(sizes[:, 1].mean() / sizes[:, 0].mean())


def compare_with_best(fold_scores, best: int, test_train_ratio: float | None):
    """Mean fold difference to ``best`` and its p-value, for every candidate.

    Parameters
    ----------
    fold_scores : dict of int to ndarray
        Each candidate's test scores, fold by fold in the same fold order.
    best : int
        The candidate every other one is compared with.
    test_train_ratio : float or None
        ``n_test / n_train``; None when the fold sizes are unknown, which
        leaves the p-values NaN.

    Returns
    -------
    comparison : dict of int to (float, float)
        For each candidate, (mean of its fold scores minus best's, p-value).
        The best's own entry is (0.0, NaN); candidates without the best's
        folds get (NaN, NaN).
    """
    reference = fold_scores[best]
    comparison = {}
    for candidate, scores in fold_scores.items():
        if candidate == best:
            comparison[candidate] = (0.0, math.nan)
            continue
        if len(scores) != len(reference) or len(scores) < 2:
            comparison[candidate] = (math.nan, math.nan)
            continue
        differences = scores - reference
        p_value = math.nan
        if test_train_ratio is not None:
            p_value = corrected_ttest(differences, test_train_ratio)[1]
        comparison[candidate] = (float(differences.mean()), p_value)
    return comparison
