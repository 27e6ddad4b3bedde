"""Cross-validation results as tidy tables.

Both of scikit-learn's result formats, a search's ``cv_results_`` and the
dict :func:`~sklearn.model_selection.cross_validate` returns, become the same
two tables: one row per candidate (:func:`candidate_table`) and one row per
candidate, fold, scorer and split (:func:`fold_scores`).
"""

import re

import numpy as np
import pandas as pd

_SPLIT_COLUMN = re.compile(r"^split(?P<fold>\d+)_(?P<set>train|test)_(?P<scorer>.+)$")
_TIME_COLUMNS = ("mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time")
_HALVING_COLUMNS = ("iter", "n_resources")


def scorer_names(cv_results: dict) -> list[str]:
    """Names of the scorers in ``cv_results_``, in the order scikit-learn made them."""
    return [
        key.removeprefix("mean_test_")
        for key in cv_results
        if key.startswith("mean_test_")
    ]


def candidate_table(cv_results: dict) -> pd.DataFrame:
    """One row per candidate: its parameters, then its scores and times.

    Parameters
    ----------
    cv_results : dict
        A search's ``cv_results_``.

    Returns
    -------
    table : pandas.DataFrame
        The searched parameters, named as in the grid; for each scorer the
        ``mean_test_*``, ``std_test_*`` and ``rank_test_*`` columns (and
        ``mean_train_*``, ``std_train_*`` when the search kept train scores);
        the fit and score times; and ``iter`` and ``n_resources`` for
        successive-halving searches.
    """
    candidates = list(cv_results["params"])
    params = pd.DataFrame(candidates)
    columns = {}
    for name in params.columns:
        if all(name in candidate for candidate in candidates):
            columns[name] = params[name].to_numpy()
        else:
            # A parameter of some candidates only (several estimators): NaN
            # for the others, without turning the integers into floats.
            values = [candidate.get(name, np.nan) for candidate in candidates]
            columns[name] = np.array(values + [None], dtype=object)[:-1]
    for name in _HALVING_COLUMNS:
        if name in cv_results:
            columns[name] = np.asarray(cv_results[name])
    for scorer in scorer_names(cv_results):
        for key in (
            f"mean_test_{scorer}",
            f"std_test_{scorer}",
            f"rank_test_{scorer}",
            f"mean_train_{scorer}",
            f"std_train_{scorer}",
        ):
            if key in cv_results:
                columns[key] = np.asarray(cv_results[key])
    for key in _TIME_COLUMNS:
        columns[key] = np.asarray(cv_results[key])
    return pd.DataFrame(columns)


def fold_scores(cv_results: dict) -> pd.DataFrame:
    """Every fold's score of every candidate, one row each.

    Returns
    -------
    scores : pandas.DataFrame
        Columns ``candidate`` (the row in :func:`candidate_table`), ``fold``,
        ``set`` ("test" or "train"), ``scorer`` and ``score``.
    """
    rows = []
    for key, values in cv_results.items():
        match = _SPLIT_COLUMN.match(key)
        if match is None:
            continue
        for candidate, score in enumerate(np.asarray(values, dtype=float)):
            rows.append(
                {
                    "candidate": candidate,
                    "fold": int(match["fold"]),
                    "set": match["set"],
                    "scorer": match["scorer"],
                    "score": score,
                }
            )
    columns = ["candidate", "fold", "set", "scorer", "score"]
    return pd.DataFrame(rows, columns=columns).sort_values(
        columns[:4], ignore_index=True
    )


def cross_validate_as_search_results(results: dict, params: dict | None = None) -> dict:
    """Rewrite ``cross_validate``'s dict as a one-candidate ``cv_results_``.

    Parameters
    ----------
    results : dict
        What ``cross_validate`` returned.
    params : dict, optional
        The parameters to show for the single candidate.
    """
    if "fit_time" not in results or not any(key.startswith("test_") for key in results):
        raise ValueError(
            "Expected the dict returned by sklearn.model_selection.cross_validate, "
            f"with 'fit_time' and 'test_*' keys; got keys {sorted(results)}."
        )
    cv_results = {"params": [dict(params or {})]}
    for key in ("fit_time", "score_time"):
        times = np.asarray(results[key], dtype=float)
        cv_results[f"mean_{key}"] = np.array([times.mean()])
        cv_results[f"std_{key}"] = np.array([times.std()])
    for key, values in results.items():
        split, _, scorer = key.partition("_")
        if split not in ("test", "train") or not scorer:
            continue
        scores = np.asarray(values, dtype=float)
        for fold, score in enumerate(scores):
            cv_results[f"split{fold}_{split}_{scorer}"] = np.array([score])
        cv_results[f"mean_{split}_{scorer}"] = np.array([scores.mean()])
        cv_results[f"std_{split}_{scorer}"] = np.array([scores.std()])
        if split == "test":
            cv_results[f"rank_test_{scorer}"] = np.array([1])
    return cv_results


def merge_search_results(results_by_name: dict) -> dict:
    """Several searches' ``cv_results_`` as one, ranked together.

    Parameters
    ----------
    results_by_name : dict of str to dict
        Each search's ``cv_results_``, by the name its estimator is shown
        under. The searches must have the same scorers and folds.

    Returns
    -------
    cv_results : dict
        One ``cv_results_`` whose candidates' parameters start with
        ``"estimator"`` (the name), ranks recomputed over all candidates.
    """
    if not results_by_name:
        raise ValueError("No search results to merge.")
    named = list(results_by_name.items())
    scorers = [scorer_names(results) for _, results in named]
    folds = [_n_folds(results) for _, results in named]
    for (name, _), these_scorers, these_folds in zip(
        named, scorers, folds, strict=True
    ):
        if set(these_scorers) != set(scorers[0]):
            raise ValueError(
                f"Search {name!r} has scorers {these_scorers}, but {named[0][0]!r} "
                f"has {scorers[0]}; score every search with the same scoring."
            )
        if these_folds != folds[0]:
            raise ValueError(
                f"Search {name!r} has {these_folds} folds, but {named[0][0]!r} has "
                f"{folds[0]}; cross-validate every search on the same folds."
            )
    merged = {
        "params": [
            {"estimator": name, **params}
            for name, results in named
            for params in results["params"]
        ]
    }
    shared = set.intersection(*(set(results) for _, results in named))
    for key in sorted(shared):
        if key == "params" or key.startswith(("param_", "rank_")):
            continue
        merged[key] = np.concatenate([np.asarray(results[key]) for _, results in named])
    for scorer in scorers[0]:
        merged[f"rank_test_{scorer}"] = _ranks(merged[f"mean_test_{scorer}"])
    return merged


def _n_folds(cv_results: dict) -> int:
    return len(
        {match["fold"] for match in map(_SPLIT_COLUMN.match, cv_results) if match}
    )


def _ranks(means) -> np.ndarray:
    """Rank 1 for the highest mean, ties sharing the lowest rank, NaN last."""
    from scipy.stats import rankdata

    means = np.asarray(means, dtype=float)
    return rankdata(-np.nan_to_num(means, nan=-np.inf), method="min").astype(np.int32)
