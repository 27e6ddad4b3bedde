"""The cross-validation report: one object, a table, figures and an HTML page."""

import os

import numpy as np
import pandas as pd
from sklearn.base import is_classifier
from sklearn.utils.multiclass import type_of_target

from skdl.reports import _baseline, _display, _figures, _html
from skdl.reports._compare import compare_with_best
from skdl.reports._histories import HistoryRecorder, find_history
from skdl.reports._results import (
    candidate_table,
    cross_validate_as_search_results,
    fold_scores,
    merge_search_results,
    scorer_names,
)

# Candidates whose p-value against the best is at least this are shown as not
# distinguishable from it.
SIGNIFICANCE_LEVEL = 0.05
# At most this many two-parameter heat maps.
MAX_HEATMAPS = 3


class CVReport:
    """A report of a cross-validated search or of one cross-validation.

    Build it with :meth:`from_search`, :meth:`from_searches` or
    :meth:`from_cross_validate` rather than directly.

    Given the data, the report also scores a baseline (the training mean for
    regressors, the class priors for classifiers) on the very same folds, as
    a reference row. Every candidate is compared with the best one fold by
    fold: the mean difference of their fold scores, and the p-value of the
    corrected resampled t-test of Nadeau and Bengio (2003), which accounts
    for the overlap of the folds' training sets. A p-value of at least 0.05
    says the folds cannot tell the candidate from the best one.

    Parameters
    ----------
    cv_results : dict
        A search's ``cv_results_``.
    histories : HistoryRecorder or list of list of dict, default=None
        The fold estimators' training histories: a recorder the search scored
        with, or for each candidate the list of its folds' ``history_``.
    scorer : str, default=None
        The scorer that ranks the candidates, as in the search's ``refit``.
        None takes the first.
    title : str, default="Cross-validation report"
        The HTML page's title and heading.
    score_name : str, default=None
        What to call a single unnamed scorer (scikit-learn names it "score"),
        for example ``"neg_mean_squared_error"``.
    baseline : dict, default=None
        What :func:`~sklearn.model_selection.cross_validate` returned for a
        reference estimator on the same folds and scorers, shown as a marked
        row that is not ranked.
    baseline_name : str, default="baseline"
        How the baseline row is labelled.
    test_train_ratio : float, default=None
        ``n_test / n_train`` of the folds, for the corrected t-test. None
        leaves the p-values out.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per candidate, and one for the baseline: the parameters, mean,
        std and rank of each scorer, fit and score times, ``baseline``
        (True on the baseline's row), ``diff_vs_best`` (mean fold difference
        to the best candidate's test score) and ``p_value_vs_best``.
    fold_scores : pandas.DataFrame
        One row per candidate, fold, set (test or train) and scorer.
    scorer : str
        The ranking scorer.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skdl.datasets import load_ice_cream
    >>> from skdl.reports import CVReport
    >>> X, y = load_ice_cream(return_X_y=True)
    >>> search = GridSearchCV(Ridge(), {"alpha": [0.1, 10.0]}, cv=3).fit(X, y)
    >>> report = CVReport.from_search(search, X=X, y=y)
    >>> report.best_params
    {'alpha': 0.1}
    >>> print(report.to_markdown())  # doctest: +ELLIPSIS
    | rank | alpha | test score | Δ vs best | p vs best | fit time (s) |
    |---|---|---|---|---|---|
    | 1 | 0.1 | ... ± ... | – | – | ... |
    | 2 | 10.0 | ... ± ... | ... | ... | ... |
    | baseline |  | ... ± ... | ... | ... | ... |
    """

    def __init__(
        self,
        cv_results,
        *,
        histories=None,
        scorer=None,
        title=None,
        score_name=None,
        baseline=None,
        baseline_name="baseline",
        test_train_ratio=None,
    ):
        scorers = scorer_names(cv_results)
        if not scorers:
            raise ValueError(
                "cv_results has no 'mean_test_*' column: no scores to report."
            )
        if scorer is None:
            scorer = scorers[0]
        if scorer not in scorers:
            raise ValueError(f"Unknown scorer {scorer!r}; the results have {scorers}.")
        self.scorer = scorer
        self.scorers = scorers
        self.score_name = score_name
        self.title = title or "Cross-validation report"
        self.baseline_name = baseline_name
        self.test_train_ratio = test_train_ratio
        self._candidate_params = list(cv_results["params"])
        self.parameters = list(pd.DataFrame(self._candidate_params).columns)
        self.table = candidate_table(cv_results)
        self.table["baseline"] = False
        self.fold_scores = fold_scores(cv_results)
        if baseline is not None:
            self._add_baseline(baseline)
        self._histories = self._histories_per_candidate(
            histories, self._candidate_params
        ) + [[] for _ in range(len(self.table) - len(self._candidate_params))]
        self._add_comparison()

    @classmethod
    def from_search(
        cls, search, *, X=None, y=None, groups=None, histories=None, title=None
    ):
        """Report a fitted ``GridSearchCV``, ``RandomizedSearchCV`` or halving search.

        Parameters
        ----------
        search : fitted search estimator
            Anything with scikit-learn's ``cv_results_``.
        X, y : array-like, default=None
            The data the search was fitted on. With them, the report scores
            the baseline on the search's folds and takes the folds' sizes for
            the p-values; without them there is no baseline, and p-values
            only for k-fold splitters.
        groups : array-like, default=None
            The group labels the search was fitted with, if any.
        histories : HistoryRecorder, default=None
            The recorder the search scored with, for per-fold learning curves.
            When None and the search's ``scoring`` is a recorder, that one.
        title : str, default=None
            The HTML page's title.
        """
        _check_fitted(search)
        if histories is None:
            histories = _recorder_in(getattr(search, "scoring", None))
        refit = getattr(search, "refit", None)
        scoring = _baseline.plain_scoring(getattr(search, "scoring", None))
        return cls(
            search.cv_results_,
            histories=histories,
            scorer=refit if isinstance(refit, str) else None,
            title=title,
            score_name=scoring if isinstance(scoring, str) else None,
            **_baseline.search_reference(search, X, y, groups)[0],
        )

    @classmethod
    def from_searches(cls, searches, *, X=None, y=None, groups=None, title=None):
        """Report several fitted searches, one per estimator, in one ranking.

        The searches must have been cross-validated on the same folds with
        the same scoring (pass the same ``cv``, a fixed splitter or a list
        of folds). Their candidates are ranked together and compared with
        the best of all; the parameter ``estimator`` says whose they are.

        Parameters
        ----------
        searches : dict of str to fitted search estimator
            The searches, by the name their estimator is shown under.
        X, y : array-like, default=None
            The data the searches were fitted on, for the baseline and the
            folds' sizes (see :meth:`from_search`).
        groups : array-like, default=None
            The group labels the searches were fitted with, if any.
        title : str, default=None
            The HTML page's title.

        Examples
        --------
        >>> from sklearn.ensemble import HistGradientBoostingRegressor
        >>> from sklearn.linear_model import Ridge
        >>> from sklearn.model_selection import GridSearchCV, KFold
        >>> from skdl.datasets import load_wine_quality
        >>> from skdl.reports import CVReport
        >>> X, y = load_wine_quality(return_X_y=True)
        >>> cv = KFold(5, shuffle=True, random_state=0)
        >>> searches = {
        ...     "ridge": GridSearchCV(Ridge(), {"alpha": [1.0, 100.0]}, cv=cv),
        ...     "boosting": GridSearchCV(
        ...         HistGradientBoostingRegressor(max_iter=50),
        ...         {"max_depth": [3]},
        ...         cv=cv,
        ...     ),
        ... }
        >>> report = CVReport.from_searches(
        ...     {name: search.fit(X, y) for name, search in searches.items()}, X=X, y=y
        ... )
        >>> report.best_params
        {'estimator': 'boosting', 'max_depth': 3}
        """
        if not searches:
            raise ValueError("searches is empty; give at least one fitted search.")
        for search in searches.values():
            _check_fitted(search)
        first = next(iter(searches.values()))
        reference, splits = _baseline.search_reference(first, X, y, groups)
        if splits is not None:
            classifier = _baseline.is_classifier_search(first)
            for name, search in searches.items():
                other = _baseline.fixed_splits(
                    search.cv, X, y, groups, classifier=classifier
                )
                if not _baseline.same_splits(splits, other):
                    raise ValueError(
                        f"Search {name!r} was cross-validated on other folds than "
                        "the first search; give every search the same cv."
                    )
        refit = getattr(first, "refit", None)
        scoring = _baseline.plain_scoring(getattr(first, "scoring", None))
        histories = []
        for search in searches.values():
            recorder = _recorder_in(getattr(search, "scoring", None))
            params = search.cv_results_["params"]
            if recorder is None:
                histories.extend([] for _ in params)
            else:
                histories.extend(recorder.histories_by_candidate(params))
        return cls(
            merge_search_results(
                {name: search.cv_results_ for name, search in searches.items()}
            ),
            histories=histories,
            scorer=refit if isinstance(refit, str) else None,
            title=title,
            score_name=scoring if isinstance(scoring, str) else None,
            **reference,
        )

    @classmethod
    def from_cross_validate(
        cls,
        results,
        *,
        params=None,
        title=None,
        X=None,
        y=None,
        cv=None,
        scoring=None,
        groups=None,
    ):
        """Report the dict returned by :func:`sklearn.model_selection.cross_validate`.

        With ``return_estimator=True`` the report has each fold's learning
        curves. With ``X`` and ``y`` (and the ``cv`` and ``scoring`` that
        ``cross_validate`` was called with) it has the baseline row and the
        comparison with it.

        Parameters
        ----------
        results : dict
            What ``cross_validate`` returned.
        params : dict, default=None
            Parameters to show for the one candidate.
        title : str, default=None
            The HTML page's title.
        X, y : array-like, default=None
            The data ``cross_validate`` was called with.
        cv : int, splitter or iterable, default=None
            The ``cv`` it was called with (None: 5 folds).
        scoring : str, callable, list or dict, default=None
            The ``scoring`` it was called with.
        groups : array-like, default=None
            The ``groups`` it was called with.
        """
        cv_results = cross_validate_as_search_results(results, params)
        histories = None
        if "estimator" in results:
            histories = [
                [h for h in map(find_history, results["estimator"]) if h is not None]
            ]
        reference = {
            "test_train_ratio": _baseline.ratio_from_splitter(5 if cv is None else cv)
        }
        if (X is None) != (y is None):
            raise ValueError("Pass both X and y, the data cross_validate was given.")
        if X is not None:
            if "estimator" in results:
                classifier = is_classifier(results["estimator"][0])
            else:
                classifier = type_of_target(y) in ("binary", "multiclass")
            reference, _ = _baseline.data_reference(
                cv,
                X,
                y,
                groups,
                scoring,
                classifier,
                any("train_" in k for k in results),
            )
        return cls(cv_results, histories=histories, title=title, **reference)

    # ------------------------------------------------------------ summaries
    @property
    def best_index(self) -> int:
        """Row of :attr:`table` of the best-ranked candidate."""
        ranks = self.table[f"rank_test_{self.scorer}"].to_numpy(dtype=float)
        ranks = np.where(self.table["baseline"].to_numpy(), np.inf, ranks)
        return int(np.argmin(ranks))

    @property
    def best_params(self) -> dict:
        """Parameters of the best-ranked candidate."""
        params = self._candidate_params[self.best_index]
        return {name: _display.plain(value) for name, value in params.items()}

    @property
    def best_score(self) -> float:
        """Mean test score of the best-ranked candidate."""
        return float(self.table[f"mean_test_{self.scorer}"].iloc[self.best_index])

    @property
    def n_candidates(self) -> int:
        """How many candidates the report ranks (the baseline not counted)."""
        return len(self._candidate_params)

    @property
    def has_baseline(self) -> bool:
        """Whether the report has a baseline row."""
        return bool(self.table["baseline"].any())

    @property
    def has_learning_curves(self) -> bool:
        """Whether any fold's training history was recorded."""
        return any(self._histories)

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`, best candidate first.

        The baseline's row stands where its mean test score would rank.

        Returns
        -------
        table : pandas.DataFrame
            The candidates, sorted by rank.
        """
        return self.table.loc[self._order()].copy()

    def summary_rows(self) -> list[dict]:
        """The table as it is displayed: best first, one dict of strings per row.

        Returns
        -------
        rows : list of dict
            For each row, its shown columns (rank, parameters, scores as
            "mean ± std", difference to the best and its p-value, fit time)
            as strings; ``"_index"``, its row in :attr:`table`; and the
            flags ``"_baseline"`` and ``"_tied"`` (not distinguishable from
            the best at the 5 % level).
        """
        short = _display.short_names(self.parameters)
        rows = []
        rows_by_index = self._rows()
        compared = len(self.table) > 1
        with_p = compared and self.table["p_value_vs_best"].notna().any()
        for index in self._order():
            row = rows_by_index[index]
            is_baseline = bool(row["baseline"])
            rank = (
                "baseline" if is_baseline else str(int(row[f"rank_test_{self.scorer}"]))
            )
            shown = {"rank": rank}
            for name in self.parameters:
                shown[short[name]] = _display.shown(row[name])
            if "n_resources" in row:
                shown["resources"] = _display.shown(row["n_resources"])
            for scorer in self.scorers:
                label = self.scorer_label(scorer)
                for split in ("test", "train"):
                    if f"mean_{split}_{scorer}" in row:
                        shown[f"{split} {label}"] = (
                            f"{row[f'mean_{split}_{scorer}']:.4g} ± "
                            f"{row[f'std_{split}_{scorer}']:.2g}"
                        )
            p_value = row["p_value_vs_best"]
            best = index == self.best_index
            if compared:
                shown["Δ vs best"] = (
                    "–" if best else _display.shown(row["diff_vs_best"], "+.3g")
                )
            if with_p:
                shown["p vs best"] = "–" if best else _display.p_value(p_value)
            shown["fit time (s)"] = f"{row['mean_fit_time']:.2f}"
            shown["_index"] = index
            shown["_baseline"] = is_baseline
            shown["_tied"] = bool(p_value >= SIGNIFICANCE_LEVEL)
            rows.append(shown)
        return rows

    def to_markdown(self) -> str:
        """The candidate table as Markdown, best candidate first.

        Returns
        -------
        markdown : str
            A pipe table, one row per candidate and one for the baseline.
        """
        rows = self.summary_rows()
        headers = [key for key in rows[0] if not key.startswith("_")]
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        for row in rows:
            cells = (row[key].replace("|", "\\|") for key in headers)
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return _html.table_html(self)

    def __repr__(self):
        return (
            f"<CVReport: {len(self._candidate_params)} candidates, best "
            f"{self.scorer_label(self.scorer)} "
            f"{self.best_score:.4g} with {self.best_params}>"
        )

    # -------------------------------------------------------------- figures
    def candidate_labels(self) -> list[str]:
        """A short label for each row of :attr:`table`.

        Returns
        -------
        labels : list of str
            ``"name=value, ..."`` with the step prefix the parameters share
            left out; the baseline's name for its row.
        """
        short = _display.short_names(self.parameters)
        labels = []
        for row in self._rows():
            if row["baseline"]:
                labels.append(self.baseline_name)
                continue
            label = ", ".join(
                f"{short[n]}={_display.plain(row[n])}"
                for n in self.parameters
                if _display.present(row[n])
            )
            if "n_resources" in row:
                label += f" [{int(row['n_resources'])}]"
            labels.append(label or "the estimator")
        return labels

    def heatmap_pairs(self) -> list[tuple[str, str]]:
        """Pairs of searched parameters that both vary, for the heat maps.

        Returns
        -------
        pairs : list of (str, str)
            At most ``MAX_HEATMAPS`` pairs of parameters that take at least
            two values each among the candidates that have both.
        """
        candidates = self.table[~self.table["baseline"]]
        names = [name for name in self.parameters if name != "estimator"]
        return _figures.varying_pairs(candidates, names)[:MAX_HEATMAPS]

    def plot(self) -> dict:
        """The report's figures, by name.

        Returns
        -------
        figures : dict of str to matplotlib.figure.Figure
            ``"score_by_parameter"``, ``"fit_times"``; ``"heatmaps"`` when
            two searched parameters vary; and, when histories were
            recorded, ``"learning_curves"`` for the best candidates.
        """
        candidates = self.table[~self.table["baseline"]]
        baseline_score = None
        if self.has_baseline:
            baseline_row = self.table[self.table["baseline"]].iloc[0]
            baseline_score = float(baseline_row[f"mean_test_{self.scorer}"])
        names = _display.short_names(self.parameters)
        score_label = self.scorer_label(self.scorer)
        figures = {
            "score_by_parameter": _figures.score_by_parameter(
                candidates,
                self.fold_scores,
                self.parameters,
                self.scorer,
                score_label=score_label,
                names=names,
                baseline=baseline_score,
            )
        }
        pairs = self.heatmap_pairs()
        if pairs:
            figures["heatmaps"] = _figures.score_heatmaps(
                candidates,
                pairs,
                self.scorer,
                score_label=score_label,
                names=names,
            )
        if self.has_learning_curves:
            best_first = [
                row["_index"]
                for row in self.summary_rows()
                if self._histories[row["_index"]]
            ][: _figures.MAX_LEARNING_CURVE_CANDIDATES]
            labels = self.candidate_labels()
            figures["learning_curves"] = _figures.learning_curves(
                [self._histories[i] for i in best_first],
                [f"#{rank + 1}: {labels[i]}" for rank, i in enumerate(best_first)],
            )
        labels = self.candidate_labels()
        figures["fit_times"] = _figures.fit_times(
            candidates, [labels[i] for i in candidates.index]
        )
        return figures

    def to_html(self, path=None) -> str:
        """The whole report as one self-contained HTML page.

        Figures are embedded as PNG data; the page fetches nothing.

        Parameters
        ----------
        path : str or path-like, default=None
            Where to write the page, if anywhere.

        Returns
        -------
        html : str
            The page.
        """
        page = _html.report_page(self)
        if path is not None:
            with open(os.fspath(path), "w", encoding="utf-8") as file:
                file.write(page)
        return page

    # -------------------------------------------------------------- helpers
    def scorer_label(self, scorer: str) -> str:
        """How ``scorer`` is shown: its name, or ``score_name`` for "score".

        Parameters
        ----------
        scorer : str
            One of the report's scorers.

        Returns
        -------
        label : str
            The name shown in tables and figures.
        """
        if scorer == "score" and self.score_name:
            return self.score_name
        return scorer

    def _order(self) -> list[int]:
        """Rows best first; the baseline where its mean test score would rank."""
        mean = self.table[f"mean_test_{self.scorer}"]
        rank = self.table[f"rank_test_{self.scorer}"]
        is_baseline = self.table["baseline"]
        order = rank[~is_baseline].sort_values(kind="stable").index.tolist()
        for index in self.table.index[is_baseline]:
            position = next(
                (i for i, row in enumerate(order) if mean[row] < mean[index]),
                len(order),
            )
            order.insert(position, index)
        return order

    def _add_baseline(self, baseline: dict) -> None:
        self.table, self.fold_scores = _baseline.append_baseline(
            self.table, self.fold_scores, self.scorers, baseline
        )

    def _add_comparison(self) -> None:
        test = self.fold_scores[
            (self.fold_scores["set"] == "test")
            & (self.fold_scores["scorer"] == self.scorer)
        ].sort_values(["candidate", "fold"])
        scores = {
            int(candidate): group["score"].to_numpy()
            for candidate, group in test.groupby("candidate")
        }
        best = self.best_index
        if "n_resources" in self.table:
            # Halving: only candidates trained on as much as the best compare.
            resources = self.table["n_resources"]
            same = (resources == resources[best]) | self.table["baseline"]
            scores = {c: s for c, s in scores.items() if same[c]}
        comparison = compare_with_best(scores, best, self.test_train_ratio)
        missing = (np.nan, np.nan)
        self.table["diff_vs_best"] = [
            comparison.get(i, missing)[0] for i in range(len(self.table))
        ]
        self.table["p_value_vs_best"] = [
            comparison.get(i, missing)[1] for i in range(len(self.table))
        ]

    def _rows(self) -> list[dict]:
        # Row by row without pandas's upcasting of ints to floats.
        columns = {name: self.table[name].tolist() for name in self.table.columns}
        return [
            {name: values[i] for name, values in columns.items()}
            for i in range(len(self.table))
        ]

    @staticmethod
    def _histories_per_candidate(histories, candidates) -> list[list[dict]]:
        if histories is None:
            return [[] for _ in candidates]
        if isinstance(histories, HistoryRecorder):
            return histories.histories_by_candidate(candidates)
        histories = [list(folds) for folds in histories]
        if len(histories) != len(candidates):
            raise ValueError(
                f"histories has {len(histories)} entries for {len(candidates)} "
                "candidates; give one list of fold histories per candidate."
            )
        return histories


def _check_fitted(search) -> None:
    if not hasattr(search, "cv_results_"):
        raise ValueError(
            f"{type(search).__name__} has no cv_results_: fit the search first."
        )


def _recorder_in(scoring):
    if isinstance(scoring, HistoryRecorder):
        return scoring
    if isinstance(scoring, dict):
        for scorer in scoring.values():
            if isinstance(scorer, HistoryRecorder):
                return scorer
    return None
