"""The cross-validation report: one object, a table, figures and an HTML page."""

import os

import numpy as np
import pandas as pd

from skdl.reports import _figures, _html
from skdl.reports._histories import HistoryRecorder, find_history
from skdl.reports._results import (
    candidate_table,
    cross_validate_as_search_results,
    fold_scores,
    scorer_names,
)


class CVReport:
    """A report of a cross-validated search or of one cross-validation.

    Build it with :meth:`from_search` or :meth:`from_cross_validate` rather
    than directly.

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

    Attributes
    ----------
    table : pandas.DataFrame
        One row per candidate: its parameters, mean, std and rank of each
        scorer, fit and score times.
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
    >>> report = CVReport.from_search(search)
    >>> report.best_params
    {'alpha': 0.1}
    >>> print(report.to_markdown())  # doctest: +ELLIPSIS
    | rank | alpha | test score | fit time (s) |
    |---|---|---|---|
    | 1 | 0.1 | ... ± ... | ... |
    | 2 | 10.0 | ... ± ... | ... |
    """

    def __init__(
        self, cv_results, *, histories=None, scorer=None, title=None, score_name=None
    ):
        self.table = candidate_table(cv_results)
        self.fold_scores = fold_scores(cv_results)
        self.parameters = list(pd.DataFrame(list(cv_results["params"])).columns)
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
        self._histories = self._histories_per_candidate(histories, cv_results["params"])

    @classmethod
    def from_search(cls, search, *, histories=None, title=None):
        """Report a fitted ``GridSearchCV``, ``RandomizedSearchCV`` or halving search.

        Parameters
        ----------
        search : fitted search estimator
            Anything with scikit-learn's ``cv_results_``.
        histories : HistoryRecorder, default=None
            The recorder the search scored with, for per-fold learning curves.
            When None and the search's ``scoring`` is a recorder, that one.
        title : str, default=None
            The HTML page's title.
        """
        if not hasattr(search, "cv_results_"):
            raise ValueError(
                f"{type(search).__name__} has no cv_results_: fit the search first."
            )
        if histories is None:
            histories = _recorder_in(getattr(search, "scoring", None))
        refit = getattr(search, "refit", None)
        scoring = getattr(search, "scoring", None)
        if isinstance(scoring, HistoryRecorder):
            scoring = scoring.scoring
        return cls(
            search.cv_results_,
            histories=histories,
            scorer=refit if isinstance(refit, str) else None,
            title=title,
            score_name=scoring if isinstance(scoring, str) else None,
        )

    @classmethod
    def from_cross_validate(cls, results, *, params=None, title=None):
        """Report the dict returned by :func:`sklearn.model_selection.cross_validate`.

        With ``return_estimator=True`` the report has each fold's learning
        curves.

        Parameters
        ----------
        results : dict
            What ``cross_validate`` returned.
        params : dict, default=None
            Parameters to show for the one candidate.
        title : str, default=None
            The HTML page's title.
        """
        cv_results = cross_validate_as_search_results(results, params)
        histories = None
        if "estimator" in results:
            histories = [
                [h for h in map(find_history, results["estimator"]) if h is not None]
            ]
        return cls(cv_results, histories=histories, title=title)

    # ------------------------------------------------------------ summaries
    @property
    def best_index(self) -> int:
        """Row of :attr:`table` of the best-ranked candidate."""
        return int(np.argmin(self.table[f"rank_test_{self.scorer}"].to_numpy()))

    @property
    def best_params(self) -> dict:
        """Parameters of the best-ranked candidate."""
        row = self._rows()[self.best_index]
        return {name: _plain(row[name]) for name in self.parameters}

    @property
    def best_score(self) -> float:
        """Mean test score of the best-ranked candidate."""
        return float(self.table[f"mean_test_{self.scorer}"].iloc[self.best_index])

    @property
    def has_learning_curves(self) -> bool:
        """Whether any fold's training history was recorded."""
        return any(self._histories)

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`, best candidate first.

        Returns
        -------
        table : pandas.DataFrame
            The candidates, sorted by rank.
        """
        return self.table.sort_values(f"rank_test_{self.scorer}", kind="stable").copy()

    def summary_rows(self) -> list[dict]:
        """The table as it is displayed: best first, one dict of strings per row.

        Returns
        -------
        rows : list of dict
            For each candidate, its shown columns (rank, parameters, scores
            as "mean ± std", fit time) as strings, and ``"_index"``, its row
            in :attr:`table`.
        """
        short = _short_names(self.parameters)
        rows = []
        rows_by_index = self._rows()
        order = self.to_frame().index
        for index, row in ((i, rows_by_index[i]) for i in order):
            shown = {"rank": str(int(row[f"rank_test_{self.scorer}"]))}
            for name in self.parameters:
                shown[short[name]] = str(_plain(row[name]))
            if "n_resources" in row:
                shown["resources"] = str(int(row["n_resources"]))
            for scorer in self.scorers:
                label = self.scorer_label(scorer)
                for split in ("test", "train"):
                    if f"mean_{split}_{scorer}" in row:
                        shown[f"{split} {label}"] = (
                            f"{row[f'mean_{split}_{scorer}']:.4g} ± "
                            f"{row[f'std_{split}_{scorer}']:.2g}"
                        )
            shown["fit time (s)"] = f"{row['mean_fit_time']:.2f}"
            shown["_index"] = index
            rows.append(shown)
        return rows

    def to_markdown(self) -> str:
        """The candidate table as Markdown, best candidate first.

        Returns
        -------
        markdown : str
            A pipe table, one row per candidate.
        """
        rows = self.summary_rows()
        headers = [key for key in rows[0] if key != "_index"]
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        for row in rows:
            cells = (row[key].replace("|", "\\|") for key in headers)
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return _html.table_html(self)

    def __repr__(self):
        return (
            f"<CVReport: {len(self.table)} candidates, best "
            f"{self.scorer_label(self.scorer)} "
            f"{self.best_score:.4g} with {self.best_params}>"
        )

    # -------------------------------------------------------------- figures
    def candidate_labels(self) -> list[str]:
        """A short label for each candidate, in :attr:`table` order.

        Returns
        -------
        labels : list of str
            ``"name=value, ..."`` with the step prefix the parameters share
            left out.
        """
        short = _short_names(self.parameters)
        labels = []
        for row in self._rows():
            label = ", ".join(f"{short[n]}={_plain(row[n])}" for n in self.parameters)
            if "n_resources" in row:
                label += f" [{int(row['n_resources'])}]"
            labels.append(label or "the estimator")
        return labels

    def plot(self) -> dict:
        """The report's figures, by name.

        Returns
        -------
        figures : dict of str to matplotlib.figure.Figure
            ``"score_by_parameter"``, ``"fit_times"`` and, when histories
            were recorded, ``"learning_curves"`` for the best candidates.
        """
        figures = {
            "score_by_parameter": _figures.score_by_parameter(
                self.table,
                self.fold_scores,
                self.parameters,
                self.scorer,
                score_label=self.scorer_label(self.scorer),
                names=_short_names(self.parameters),
            )
        }
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
        figures["fit_times"] = _figures.fit_times(self.table, self.candidate_labels())
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


def _recorder_in(scoring):
    if isinstance(scoring, HistoryRecorder):
        return scoring
    if isinstance(scoring, dict):
        for scorer in scoring.values():
            if isinstance(scorer, HistoryRecorder):
                return scorer
    return None


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def _short_names(parameters) -> dict:
    """Drop the step prefix all parameters share: ``mlp__epochs`` -> ``epochs``."""
    prefixes = {name.rpartition("__")[0] for name in parameters}
    if len(prefixes) == 1 and prefixes != {""}:
        prefix = prefixes.pop() + "__"
        return {name: name.removeprefix(prefix) for name in parameters}
    return {name: name for name in parameters}
