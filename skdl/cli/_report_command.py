"""``skdl report``: run the grid file's search on the data and report on it."""

import importlib.metadata
import importlib.util
import os
import shutil
import sys
import tempfile
from contextlib import ExitStack, nullcontext
from pathlib import Path

import joblib
from sklearn.base import is_classifier
from sklearn.metrics import get_scorer_names
from sklearn.model_selection import GridSearchCV, ParameterGrid, check_cv

from skdl.cli._data import load_table
from skdl.cli._errors import CommandError
from skdl.cli._grid_file import read_grid_file
from skdl.cli._progress import ProgressLine, watching
from skdl.reports import CVReport, HistoryRecorder

# Seconds to wait for a Dask scheduler to answer and for its first worker.
_DASK_TIMEOUT_S = 60


def run_report(args) -> int:
    """Run ``skdl report`` with parsed ``args``; return the exit status."""
    with ExitStack() as stack:
        return _run_report(args, stack)


def _run_report(args, stack: ExitStack) -> int:
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
    entries = grid_file.estimators
    estimators = [entry.make_estimator() for entry in entries]
    splitter = check_cv(
        grid_file.make_cv(args.cv), y, classifier=is_classifier(estimators[0])
    )
    try:
        # Every estimator is cross-validated on these very folds, and the
        # report scores its baseline on them too.
        splits = list(splitter.split(X, y))
    except ValueError as error:
        raise CommandError(f"cannot split {args.data}: {error}") from None
    n_splits = len(splits)
    client = None
    if args.scheduler:
        client = _dask_client(args.scheduler, args.n_jobs, [X, y], stack)
    searches, recorders = {}, []
    for entry, estimator in zip(entries, estimators, strict=True):
        recorder = _history_recorder(scoring, client, args.history_dir, stack)
        recorders.append(recorder)
        searches[entry.name] = GridSearchCV(
            estimator,
            entry.param_grid(),
            scoring=recorder or scoring,
            cv=splits,
            n_jobs=args.n_jobs,
            refit=False,
            error_score="raise",
        )
    n_candidates = sum(len(ParameterGrid(s.param_grid)) for s in searches.values())
    total = n_candidates * n_splits
    several = f" of {len(searches)} estimators" if grid_file.several else ""
    backend = _keras_backend(estimators)
    print(
        f"{args.data}: {X.shape[0]} rows, {X.shape[1]} features -> {y.name}; "
        f"{n_candidates} candidates{several} x {n_splits} folds"
        + (f"; {backend}" if backend else ""),
        file=sys.stderr,
    )
    progress = nullcontext()
    if all(recorder is not None for recorder in recorders):

        def fits_done():
            # The fits of a lost Dask worker are done, and recorded, again.
            return min(sum(recorder.n_recorded for recorder in recorders), total)

        progress = watching(fits_done, ProgressLine(total, sys.stderr))
    try:
        with progress:
            for search in searches.values():
                search.fit(X, y)
    except ValueError as error:
        # Bad data or a bad parameter value: scikit-learn's message says which.
        message = str(error).strip().splitlines()
        raise CommandError(message[0] if message else repr(error)) from None
    except Exception as error:
        if client is None or type(error).__name__ != "KilledWorker":
            raise
        attempts = getattr(error, "allowed_failures", 0) + 1
        worker = getattr(getattr(error, "last_worker", None), "address", "?")
        raise CommandError(
            f"{attempts} Dask workers died running the same fits, the last one "
            f"{worker}; see the workers' logs (out of memory?)"
        ) from None
    title = args.title or f"Cross-validation report: {args.data}"
    if backend and not args.title:
        title += f" ({backend})"
    if grid_file.several:
        report = CVReport.from_searches(searches, X=X, y=y, title=title)
    else:
        (search,) = searches.values()
        report = CVReport.from_search(
            search, X=X, y=y, histories=recorders[0], title=title
        )
    print(report.to_markdown())
    score_name = report.scorer_label(report.scorer)
    print(f"\nBest mean test {score_name}: {report.best_score:.4g}")
    print("Best parameters:")
    for name, value in report.best_params.items():
        print(f"  {name} = {value!r}")
    if backend:
        print(f"Networks trained with {backend}")
    if args.out:
        try:
            report.to_html(args.out)
        except OSError as error:
            raise CommandError(f"cannot write {args.out}: {error.strerror}") from None
        print(f"\nReport written to {args.out}")
    return 0


def _keras_backend(estimators) -> str | None:
    """ "Keras 3.15.0 on jax 0.10.2", if any estimator is a Keras one."""
    from skdl.estimators._base import BaseKerasEstimator

    def is_keras(estimator) -> bool:  # itself, or a step of a pipeline
        parts = [estimator, *estimator.get_params(deep=True).values()]
        return any(isinstance(part, BaseKerasEstimator) for part in parts)

    if not any(is_keras(estimator) for estimator in estimators):
        return None
    import keras

    name = keras.backend.backend()
    try:
        version = " " + importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        version = ""
    return f"Keras {keras.__version__} on {name}{version}"


def _check_writable(path):
    # Refuse before a long search, not after it.
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise CommandError(f"cannot write {path}: no folder {folder}")
    if not os.access(folder, os.W_OK):
        raise CommandError(f"cannot write {path}: {folder} is not writable")


def _dask_client(scheduler: str, n_jobs: int, data: list, stack: ExitStack):
    """A client of ``scheduler`` (or of a new local cluster) for the block's fits."""
    if importlib.util.find_spec("distributed") is None:
        raise CommandError(
            "--scheduler needs Dask: install skdl's dask extra "
            "(python -m pip install '.[dask]' in skdl's checkout)"
        )
    from skdl.dask import dask_backend

    n_workers = None
    if scheduler == "local":
        try:
            n_workers = joblib.effective_n_jobs(n_jobs)
        except ValueError as error:
            raise CommandError(f"--n-jobs: {error}") from None
    try:
        client = stack.enter_context(
            dask_backend(
                scheduler, n_workers=n_workers, scatter=data, timeout=_DASK_TIMEOUT_S
            )
        )
    except (OSError, ValueError) as error:
        # Unreachable, or no worker came (TimeoutError is an OSError).
        raise CommandError(f"Dask scheduler {scheduler}: {error}") from None
    workers = client.scheduler_info(n_workers=-1)["workers"]
    threads = sum(worker["nthreads"] for worker in workers.values())
    print(
        f"Dask scheduler {client.scheduler.address}: "
        f"{len(workers)} workers, {threads} threads",
        file=sys.stderr,
    )
    return client


def _history_recorder(scoring, client, history_dir, stack: ExitStack):
    """A recorder whose folder the workers can write to, or None if there is none.

    Workers write the histories as files; on a cluster of several machines
    they need a folder they share with this one.
    """
    directory = None
    if history_dir is not None:
        if not Path(history_dir).is_dir():
            raise CommandError(f"--history-dir {history_dir}: no such folder")
        directory = tempfile.mkdtemp(prefix="skdl-histories-", dir=history_dir)
        stack.callback(shutil.rmtree, directory, ignore_errors=True)
    recorder = HistoryRecorder(scoring, directory=directory)
    if client is None:
        return recorder
    seen = client.run(os.path.isdir, recorder.directory)
    if all(seen.values()):
        return recorder
    if history_dir is not None:
        blind = sum(not found for found in seen.values())
        raise CommandError(
            f"--history-dir {history_dir}: {blind} of {len(seen)} Dask workers "
            "do not see it; give a folder this machine and every worker share"
        )
    print(
        "skdl report: note: the Dask workers do not share this machine's disk, "
        "so there is no progress line and no learning curve; --history-dir "
        "with a folder that this machine and every worker share keeps them",
        file=sys.stderr,
    )
    return None
