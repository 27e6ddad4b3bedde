"""Keep each fold's training history while a search runs, without its model.

A search fits one estimator per candidate and fold and throws it away after
scoring it, in whatever worker process it ran. :class:`HistoryRecorder` is a
scorer: scikit-learn calls it with each fitted fold estimator, so it scores
the fold as asked and also writes the estimator's ``history_`` (a few lists
of floats) and its parameters to a small file. The files are read back in
the calling process, which works for every joblib backend on one machine.
"""

import os
import pickle
import shutil
import tempfile
import time
import uuid
import weakref
from numbers import Number
from pathlib import Path

from sklearn.metrics import check_scoring

# Fold estimators already recorded by this process: scikit-learn scores the
# same fitted estimator twice when it keeps train scores.
_RECORDED = weakref.WeakSet()
_SUFFIX = ".history.pkl"


def find_history(estimator) -> dict | None:
    """The ``history_`` of ``estimator``, or of the last step of a pipeline."""
    while estimator is not None:
        history = getattr(estimator, "history_", None)
        if isinstance(history, dict):
            return {
                name: [float(v) for v in values] for name, values in history.items()
            }
        steps = getattr(estimator, "steps", None)
        if steps:
            estimator = steps[-1][1]
        else:
            estimator = getattr(estimator, "regressor_", None)
    return None


def _is_plain(value) -> bool:
    if value is None or isinstance(value, str | Number):
        return True
    if isinstance(value, tuple | list):
        return all(_is_plain(item) for item in value)
    return False


class HistoryRecorder:
    """A scorer that also records every fold estimator's training history.

    Pass it as a search's ``scoring`` (or as one entry of a ``scoring``
    dict), then hand it to :meth:`CVReport.from_search` to get per-fold
    learning curves in the report. Scores are those of ``scoring``; nothing
    else about the search changes, and no fold model is kept.

    Parameters
    ----------
    scoring : str, callable or None, default=None
        What to score each fold with, as a search's ``scoring`` takes it.
        None uses the estimator's ``score`` method.
    directory : str or path-like, default=None
        Where the histories are written. None makes a temporary directory,
        removed when the recorder is garbage-collected. The workers must see
        the same file system: one machine, or a shared disk.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skdl import KerasRegressor
    >>> from skdl.datasets import load_ice_cream
    >>> from skdl.reports import CVReport, HistoryRecorder
    >>> X, y = load_ice_cream(return_X_y=True)
    >>> recorder = HistoryRecorder("neg_mean_squared_error")
    >>> search = GridSearchCV(KerasRegressor(epochs=5, random_state=0),
    ...                       {"optimizer": ["sgd", "adam"]}, scoring=recorder, cv=2)
    >>> search = search.fit(X, y)
    >>> recorder.n_recorded
    4
    >>> len(recorder.histories_for({"optimizer": "adam"})[0]["loss"])
    5
    >>> CVReport.from_search(search).has_learning_curves
    True
    """

    def __init__(self, scoring=None, directory=None):
        self.scoring = scoring
        if directory is None:
            self.directory = tempfile.mkdtemp(prefix="skdl-histories-")
            self._cleanup = weakref.finalize(
                self, shutil.rmtree, self.directory, ignore_errors=True
            )
        else:
            self.directory = os.fspath(directory)
            os.makedirs(self.directory, exist_ok=True)

    def __getstate__(self):
        # Copies sent to workers must not delete the directory when they die.
        state = self.__dict__.copy()
        state.pop("_cleanup", None)
        return state

    def __repr__(self):
        return f"HistoryRecorder(scoring={self.scoring!r})"

    def __call__(self, estimator, X, y=None, **kwargs):
        """Score ``estimator`` on ``X, y`` and record its history."""
        score = check_scoring(estimator, scoring=self.scoring)(
            estimator, X, y, **kwargs
        )
        if estimator not in _RECORDED:
            _RECORDED.add(estimator)
            self._write(estimator)
        return score

    def _write(self, estimator):
        record = {
            "time": time.time(),
            "params": {
                name: value
                for name, value in estimator.get_params(deep=True).items()
                if _is_plain(value)
            },
            "history": find_history(estimator),
        }
        name = uuid.uuid4().hex
        partial = Path(self.directory, f".{name}.partial")
        partial.write_bytes(pickle.dumps(record))
        # A reader never sees a half-written record.
        os.replace(partial, Path(self.directory, name + _SUFFIX))

    def _files(self):
        return list(Path(self.directory).glob("*" + _SUFFIX))

    @property
    def n_recorded(self) -> int:
        """How many fold estimators have been scored so far."""
        return len(self._files())

    def records(self) -> list[dict]:
        """Every record so far, oldest first.

        Returns
        -------
        records : list of dict
            For each scored fold estimator, ``"params"`` (its parameters
            that are plain values), ``"history"`` (its ``history_``, or None)
            and ``"time"``.
        """
        records = [pickle.loads(path.read_bytes()) for path in self._files()]
        return sorted(records, key=lambda record: record["time"])

    def clear(self):
        """Forget what was recorded, to reuse the recorder for another search."""
        for path in self._files():
            path.unlink()

    def histories_for(self, params: dict) -> list[dict]:
        """The recorded histories of the fold estimators fitted with ``params``.

        Parameters
        ----------
        params : dict
            A candidate's parameters, as in a search's ``cv_results_["params"]``.

        Returns
        -------
        histories : list of dict
            One ``history_`` per recorded fold estimator with those parameters.
        """
        return self.histories_by_candidate([params])[0]

    def histories_by_candidate(self, candidates) -> list[list[dict]]:
        """The recorded histories of each candidate, reading the records once.

        Parameters
        ----------
        candidates : list of dict
            Candidates' parameters, as in a search's ``cv_results_["params"]``.

        Returns
        -------
        histories : list of list of dict
            For each candidate, one ``history_`` per recorded fold estimator
            fitted with its parameters.
        """
        records = [r for r in self.records() if r["history"] is not None]
        return [
            [record["history"] for record in records if _matches(record, params)]
            for params in candidates
        ]


def _matches(record: dict, params: dict) -> bool:
    return all(
        name in record["params"] and _same(record["params"][name], value)
        for name, value in params.items()
    )


def _same(recorded, value) -> bool:
    try:
        return bool(recorded == value)
    except (TypeError, ValueError):
        return False
