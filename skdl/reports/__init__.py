"""Cross-validation reports: tables, figures and a self-contained HTML page.

>>> from skdl.reports import CVReport, HistoryRecorder

Build a :class:`CVReport` from a fitted search (``GridSearchCV``,
``RandomizedSearchCV``, ``HalvingGridSearchCV``), from several searches on
the same folds (one per estimator, ranked together), or from the dict
``cross_validate`` returns. Given the data, the report adds a baseline
(a dummy estimator on the same folds) and compares every candidate with the
best (corrected resampled t-test). Score the search with a :class:`HistoryRecorder`
to get every fold's learning curves without keeping every fold's model.
"""

from skdl.reports._histories import HistoryRecorder
from skdl.reports._report import CVReport

__all__ = ["CVReport", "HistoryRecorder"]
