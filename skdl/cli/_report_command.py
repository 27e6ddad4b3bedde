"""``skdl report``: run the grid file's search on the data and report on it."""

import os
import sys
from pathlib import Path

from sklearn.base import is_classifier
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import GridSearchCV, ParameterGrid, check_cv

from skdl.cli._data import load_table
from skdl.cli._errors import CommandError
from skdl.cli._grid_file import read_grid_file
from skdl.cli._progress import ProgressLine, watching
from skdl.reports import CVReport, HistoryRecorder


def run_report(args) -> int:
    """Run ``skdl report`` with parsed ``args``; return the exit status."""
    grid_file = read_grid_file(args.grid)
    if args.out:
        _check_writable(args.out)
    X, y = load_table(args.data, args.target)
    scoring = args.scoring or grid_file.scoring
    if scoring is not None and scoring not in get_scorer_names():
        raise CommandError(
            f"unknown scoring {scoring!r}; see sklearn.metrics.get_scorer_names()"
        )
    if args.cv is not None and args.cv < 2:
        raise CommandError(f"--cv must be at least 2, got {args.cv}")
    estimator = grid_file.make_estimator()
    cv = check_cv(grid_file.make_cv(args.cv), y, classifier=is_classifier(estimator))
    try:
        n_splits = cv.get_n_splits(X, y)
    except ValueError as error:
        raise CommandError(f"cannot split {args.data}: {error}") from None
    recorder = HistoryRecorder(scoring)
    search = GridSearchCV(
        estimator,
        grid_file.param_grid(),
        scoring=recorder,
        cv=cv,
        n_jobs=args.n_jobs,
        refit=False,
        error_score="raise",
    )
    total = len(ParameterGrid(search.param_grid)) * n_splits
    print(
        f"{args.data}: {X.shape[0]} rows, {X.shape[1]} features -> {y.name}; "
        f"{total // n_splits} candidates x {n_splits} folds",
        file=sys.stderr,
    )
    try:
        with watching(lambda: recorder.n_recorded, ProgressLine(total, sys.stderr)):
            search.fit(X, y)
    except ValueError as error:
        # Bad data or a bad parameter value: scikit-learn's message says which.
        message = str(error).strip().splitlines()
        raise CommandError(message[0] if message else repr(error)) from None
    title = args.title or f"Cross-validation report: {args.data}"
    report = CVReport.from_search(search, histories=recorder, title=title)
    print(report.to_markdown())
    score_name = report.scorer_label(report.scorer)
    print(f"\nBest mean test {score_name}: {report.best_score:.4g}")
    print("Best parameters:")
    for name, value in report.best_params.items():
        print(f"  {name} = {value!r}")
    if args.out:
        try:
            report.to_html(args.out)
        except OSError as error:
            raise CommandError(f"cannot write {args.out}: {error.strerror}") from None
        print(f"\nReport written to {args.out}")
    return 0


def _check_writable(path):
    # Refuse before a long search, not after it.
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise CommandError(f"cannot write {path}: no folder {folder}")
    if not os.access(folder, os.W_OK):
        raise CommandError(f"cannot write {path}: {folder} is not writable")
