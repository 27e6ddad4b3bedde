"""Read a search from a TOML grid file.

A grid file says what ``skdl report`` searches. One estimator::

    estimator = "KerasRegressor"          # or "KerasClassifier", or a dotted name
    standardize = true                    # a StandardScaler in front
    scoring = "neg_mean_squared_error"    # optional; default: estimator.score

    [params]                              # fixed parameters
    batch_size = 32

    [grid]                                # every value is a list of candidates
    optimizer = ["SGD", "Adam"]
    hidden_layer_sizes = [[20, 6], [64, 32]]
    epochs = [50, 100]

    [cv]                                  # optional; default: 5 folds
    splitter = "KFold"
    n_splits = 10

Several estimators, each with its own grid, all on the same folds and ranked
in one report: one ``[[estimators]]`` table each, with the keys above (and
an optional ``name``); ``scoring`` and ``[cv]`` stay at the top::

    scoring = "neg_mean_squared_error"
    [cv]
    n_splits = 10

    [[estimators]]
    name = "network"
    estimator = "KerasRegressor"
    standardize = true
    grid.optimizer = ["SGD", "Adam"]

    [[estimators]]
    estimator = "sklearn.ensemble.HistGradientBoostingRegressor"
    grid.learning_rate = [0.05, 0.1]

``estimator`` is ``KerasRegressor``, ``KerasClassifier`` or the dotted name
of any scikit-learn estimator class (``sklearn.linear_model.Ridge``). A
Keras estimator's ``model`` may name a model builder function the same way
(``model = "mypackage.builders.wine_model"``). Inner lists become tuples, so
``[20, 6]`` is the layer sizes ``(20, 6)``.
"""

import difflib
import importlib
import os
import sys
import tomllib
from dataclasses import dataclass, field

from sklearn import model_selection
from sklearn.base import is_classifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdl.cli._errors import CommandError

KERAS_ESTIMATORS = ("KerasRegressor", "KerasClassifier")
SPLITTERS = (
    "KFold",
    "StratifiedKFold",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
    "ShuffleSplit",
    "StratifiedShuffleSplit",
)
_ESTIMATOR_KEYS = {"name", "estimator", "standardize", "params", "grid"}
_KEYS = {"estimator", "standardize", "scoring", "params", "grid", "cv", "estimators"}
_STEP = "model"
_EXAMPLES = {
    "estimator": "sklearn.linear_model.Ridge",
    "model builder": "mypackage.builders.wine_model",
}
# Keras estimators' parameters that may name a function by its dotted name.
_BUILDER_PARAMETERS = ("model", "build_fn")


@dataclass
class EstimatorEntry:
    """One estimator of a grid file and its grid, before any data is seen."""

    name: str
    estimator: str
    estimator_class: type
    standardize: bool = False
    params: dict = field(default_factory=dict)
    grid: dict = field(default_factory=dict)

    def make_estimator(self):
        """The estimator with the fixed parameters, behind a scaler if asked."""
        estimator = self.estimator_class(**self.params)
        if self.standardize:
            return Pipeline([("standardize", StandardScaler()), (_STEP, estimator)])
        return estimator

    def param_grid(self) -> dict:
        """The grid, its names routed to the estimator inside the pipeline."""
        prefix = f"{_STEP}__" if self.standardize else ""
        return {prefix + name: values for name, values in self.grid.items()}


@dataclass
class GridFile:
    """A grid file's searches, before any data is seen."""

    estimators: list
    scoring: str | None = None
    cv: dict = field(default_factory=dict)
    several: bool = False

    def make_cv(self, n_splits: int | None = None):
        """The splitter of ``[cv]``, with ``n_splits`` overridden when given."""
        options = dict(self.cv)
        splitter = options.pop("splitter", None)
        if n_splits is not None:
            options["n_splits"] = n_splits
        if splitter is None:
            return options.get("n_splits", 5)
        return getattr(model_selection, splitter)(**options)


def _tuples(value):
    if isinstance(value, list):
        return tuple(_tuples(item) for item in value)
    return value


def read_grid_file(path) -> GridFile:
    """Parse and check a grid file.

    Raises
    ------
    CommandError
        For a missing or malformed file, an unknown estimator, splitter or
        key, a grid entry that is not a non-empty list, or a parameter the
        estimator does not have.
    """
    try:
        with open(path, "rb") as file:
            content = tomllib.load(file)
    except FileNotFoundError:
        raise CommandError(f"no such grid file: {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise CommandError(f"bad TOML in {path}: {error}") from None
    unknown = sorted(set(content) - _KEYS)
    if unknown:
        raise CommandError(
            f"unknown key {unknown[0]!r} in {path}; a grid file has "
            f"{', '.join(sorted(_KEYS))}"
        )
    if not isinstance(content.get("cv", {}), dict):
        raise CommandError(f"{path}: [cv] must be a table")
    several = "estimators" in content
    if several:
        single_keys = sorted(set(content) & (_ESTIMATOR_KEYS - {"name"}))
        if single_keys:
            raise CommandError(
                f"{path}: {single_keys[0]!r} belongs inside each [[estimators]] "
                "table when the file has [[estimators]]"
            )
        tables = content["estimators"]
        if not isinstance(tables, list) or not tables:
            raise CommandError(
                f"{path}: 'estimators' must be one or more [[estimators]] tables"
            )
        entries = [_read_entry(table, path, several=True) for table in tables]
    else:
        entries = [_read_entry(content, path, several=False)]
    names = [entry.name for entry in entries]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise CommandError(
            f"{path}: two estimators are called {duplicates[0]!r}; give each a "
            'distinct name = "..."'
        )
    kinds = {_is_classifier_class(entry.estimator_class) for entry in entries}
    if len(kinds) > 1:
        raise CommandError(
            f"{path}: the estimators mix classifiers and regressors; compare one kind"
        )
    cv = dict(content.get("cv", {}))
    splitter = cv.get("splitter")
    if splitter is not None and splitter not in SPLITTERS:
        raise CommandError(
            f"{path}: unknown splitter {splitter!r}; use one of {', '.join(SPLITTERS)}"
        )
    grid_file = GridFile(
        estimators=entries, scoring=content.get("scoring"), cv=cv, several=several
    )
    try:
        grid_file.make_cv()
    except (TypeError, ValueError) as error:
        raise CommandError(f"{path}: bad [cv] options: {error}") from None
    return grid_file


def _read_entry(table, path, *, several: bool) -> EstimatorEntry:
    where = f"{path}: " if not several else f"{path}: [[estimators]] "
    if not isinstance(table, dict):
        raise CommandError(f"{where}entries must be tables")
    if several:
        unknown = sorted(set(table) - _ESTIMATOR_KEYS)
        if unknown:
            raise CommandError(
                f"{where}unknown key {unknown[0]!r}; an estimator's table has "
                f"{', '.join(sorted(_ESTIMATOR_KEYS))}"
            )
    name = table.get("estimator")
    estimator_class = _estimator_class(name, path)
    for key in ("params", "grid"):
        if not isinstance(table.get(key, {}), dict):
            raise CommandError(f"{where}[{key}] must be a table")
    grid = {}
    for parameter, values in table.get("grid", {}).items():
        if not isinstance(values, list) or not values:
            raise CommandError(
                f"{path}: grid entry {parameter!r} must be a non-empty list of "
                f"values, got {values!r}"
            )
        grid[parameter] = [_tuples(value) for value in values]
    if not grid and not several:
        raise CommandError(f"{path}: [grid] is empty; name a parameter to search")
    params = {key: _tuples(value) for key, value in table.get("params", {}).items()}
    if name in KERAS_ESTIMATORS:
        for key in _BUILDER_PARAMETERS:
            if isinstance(params.get(key), str):
                params[key] = _import(params[key], path, what="model builder")
    entry = EstimatorEntry(
        name=str(table.get("name") or name.rpartition(".")[2]),
        estimator=name,
        estimator_class=estimator_class,
        standardize=bool(table.get("standardize", False)),
        params=params,
        grid=grid,
    )
    _check_parameters(entry, path)
    return entry


def _estimator_class(name, path) -> type:
    if name in KERAS_ESTIMATORS:
        import skdl

        return getattr(skdl, name)
    if not isinstance(name, str) or "." not in name:
        raise CommandError(
            f"{path}: 'estimator' must be one of {', '.join(KERAS_ESTIMATORS)} or a "
            f"scikit-learn estimator's dotted name (sklearn.linear_model.Ridge), "
            f"got {name!r}"
        )
    estimator_class = _import(name, path, what="estimator")
    if not (
        isinstance(estimator_class, type)
        and hasattr(estimator_class, "fit")
        and hasattr(estimator_class, "get_params")
    ):
        raise CommandError(f"{path}: {name!r} is not a scikit-learn estimator class")
    return estimator_class


def _import(dotted_name: str, path, *, what: str):
    module_name, _, attribute = dotted_name.rpartition(".")
    # As with `python -m skdl`, the user's own modules (builders) import from
    # the current folder; appended, so they never shadow installed packages.
    if os.getcwd() not in sys.path:
        sys.path.append(os.getcwd())
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError, ValueError):
        raise CommandError(
            f"{path}: cannot import the {what} {dotted_name!r}; give the dotted "
            f"name of one that can be imported ({_EXAMPLES[what]})"
        ) from None


def _is_classifier_class(estimator_class) -> bool:
    try:
        return is_classifier(estimator_class())
    except TypeError:  # an estimator with required arguments
        return False


def _check_parameters(entry: EstimatorEntry, path):
    candidate = {name: values[0] for name, values in entry.grid.items()}
    params = {**entry.params, **candidate}
    if entry.estimator in KERAS_ESTIMATORS:
        from skdl.estimators._params import check_all_used

        builder = entry.params.get("model") or entry.params.get("build_fn")
        try:
            check_all_used(
                entry.estimator,
                params,
                set(entry.estimator_class._init_defaults()),
                builder=builder if callable(builder) else None,
            )
        except ValueError as error:
            raise CommandError(f"{path}: {error}") from None
        return
    known = set(entry.estimator_class().get_params(deep=False))
    for name in params:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise CommandError(
                f"{path}: {entry.estimator} has no parameter {name!r}{hint}"
            )
