"""The reference every report needs: a dummy estimator on the very same folds.

A candidate that does no better than predicting the training mean (or the
class priors) has learned nothing from the features. The report scores
``DummyRegressor(strategy="mean")`` or ``DummyClassifier(strategy="prior")``
with the search's scorers on the search's folds, and shows it as a
reference row.
"""

import numpy as np
import pandas as pd
from sklearn.base import is_classifier
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.model_selection import check_cv, cross_validate

from skdl.reports._compare import fold_size_ratio
from skdl.reports._histories import HistoryRecorder
from skdl.reports._results import (
    candidate_table,
    cross_validate_as_search_results,
    fold_scores,
    scorer_names,
)


def baseline_estimator(classifier: bool):
    """The dummy estimator a report compares with."""
    if classifier:
        return DummyClassifier(strategy="prior")
    return DummyRegressor(strategy="mean")


def baseline_label(classifier: bool) -> str:
    """How the baseline row is named in tables and figures."""
    if classifier:
        return 'baseline: DummyClassifier(strategy="prior")'
    return 'baseline: DummyRegressor(strategy="mean")'


def plain_scoring(scoring):
    """``scoring`` with any :class:`HistoryRecorder` replaced by what it scores."""
    if isinstance(scoring, HistoryRecorder):
        return scoring.scoring
    if isinstance(scoring, dict):
        return {name: plain_scoring(scorer) for name, scorer in scoring.items()}
    return scoring


def fixed_splits(cv, X, y, groups=None, *, classifier: bool) -> list:
    """The folds ``cv`` makes of ``X, y``, checked to be the same on every call.

    Raises
    ------
    ValueError
        When two calls give different folds (a shuffling splitter without
        ``random_state``): then nothing can be scored on the search's folds.
    """
    splitter = check_cv(cv, y, classifier=classifier)
    first = list(splitter.split(X, y, groups))
    second = list(splitter.split(X, y, groups))
    if not same_splits(first, second):
        raise ValueError(
            f"The cross-validation splitter {splitter!r} makes different folds on "
            "every call, so the baseline and the comparisons cannot use the "
            "search's folds. Give it a fixed random_state (or pass the folds "
            "as a list of (train, test) index pairs as the search's cv)."
        )
    return first


def baseline_results(
    X, y, splits, scoring, *, classifier: bool, groups=None, train_scores=False
) -> dict:
    """``cross_validate``'s dict for the dummy estimator on ``splits``.

    Parameters
    ----------
    X, y : array-like
        The data the candidates were cross-validated on.
    splits : list of (train_indices, test_indices)
        The candidates' folds.
    scoring : str, callable, list, dict or None
        The candidates' scoring, as given to the search.
    classifier : bool
        Whether the candidates are classifiers.
    groups : array-like, default=None
        Group labels, for scorers or splitters that need them.
    train_scores : bool, default=False
        Whether to score the training folds too.
    """
    return cross_validate(
        baseline_estimator(classifier),
        X,
        y,
        groups=groups,
        cv=splits,
        scoring=plain_scoring(scoring),
        return_train_score=train_scores,
    )


def ratio_from_splitter(cv) -> float | None:
    """``n_test / n_train`` of a k-fold splitter without seeing the data, or None.

    For ``k`` folds (an integer ``cv``, ``KFold``, ``StratifiedKFold``,
    ``GroupKFold`` and their repeated forms) it is ``1 / (k - 1)``; other
    splitters' ratios depend on the data, and None says so.
    """
    if isinstance(cv, int | np.integer):
        n_folds = int(cv)
    elif type(cv).__name__.endswith("KFold") and hasattr(cv, "n_splits"):
        n_folds = cv.n_splits
    elif type(cv).__name__.startswith("Repeated") and hasattr(cv, "cvargs"):
        n_folds = cv.cvargs.get("n_splits", 5)
    else:
        return None
    return 1 / (n_folds - 1) if n_folds > 1 else None


def is_classifier_search(search) -> bool:
    return is_classifier(getattr(search, "estimator", None))


def search_reference(search, X, y, groups) -> tuple[dict, list | None]:
    """The baseline and fold-size keywords of a search's report, and its folds."""
    if X is None and y is None:
        return {"test_train_ratio": ratio_from_splitter(search.cv)}, None
    if X is None or y is None:
        raise ValueError("Pass both X and y, the data the search was fitted on.")
    reference, splits = data_reference(
        search.cv,
        X,
        y,
        groups,
        getattr(search, "scoring", None),
        is_classifier_search(search),
        bool(getattr(search, "return_train_score", False)),
    )
    n_folds = _n_split_columns(search.cv_results_)
    if len(splits) != n_folds:
        raise ValueError(
            f"The search has {n_folds} folds, but its cv makes "
            f"{len(splits)} of X, y; pass the data it was fitted on."
        )
    return reference, splits


def data_reference(
    cv, X, y, groups, scoring, classifier, train_scores
) -> tuple[dict, list]:
    """The baseline and fold-size keywords for a report of ``cv`` on ``X, y``."""
    splits = fixed_splits(cv, X, y, groups, classifier=classifier)
    baseline = baseline_results(
        X,
        y,
        splits,
        scoring,
        classifier=classifier,
        groups=groups,
        train_scores=train_scores,
    )
    return {
        "baseline": baseline,
        "baseline_name": baseline_label(classifier),
        "test_train_ratio": fold_size_ratio(splits),
    }, splits


def _n_split_columns(cv_results) -> int:
    return len({key.split("_")[0] for key in cv_results if key.startswith("split")})


def same_splits(first, second) -> bool:
    return len(first) == len(second) and all(
        np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
        for a, b in zip(first, second, strict=True)
    )


def append_baseline(table, folds, scorers, baseline: dict):
    """``table`` and ``folds`` with the baseline's row and fold scores added.

    Parameters
    ----------
    table, folds : pandas.DataFrame
        The report's candidate table (with its ``baseline`` column) and
        fold scores.
    scorers : list of str
        The candidates' scorers; the baseline must have each.
    baseline : dict
        What ``cross_validate`` returned for the baseline.
    """
    results = cross_validate_as_search_results(baseline)
    missing = sorted(set(scorers) - set(scorer_names(results)))
    if missing:
        raise ValueError(
            f"The baseline has no test scores for {missing}; score it with the "
            "candidates' scoring."
        )
    baseline_folds = fold_scores(results)
    if baseline_folds["fold"].nunique() != folds["fold"].nunique():
        raise ValueError(
            f"The baseline was scored on {baseline_folds['fold'].nunique()} folds, "
            f"the candidates on {folds['fold'].nunique()}; score it on the "
            "candidates' folds."
        )
    row = candidate_table(results)
    row = row[[column for column in row.columns if column in table.columns]]
    for column in row.columns:
        if column.startswith("rank_"):
            row[column] = np.nan
    row["baseline"] = True
    baseline_folds["candidate"] = len(table)
    return (
        pd.concat([table, row], ignore_index=True),
        pd.concat([folds, baseline_folds], ignore_index=True),
    )
