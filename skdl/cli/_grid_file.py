"""Read a search from a TOML grid file.

A grid file says what ``skdl report`` searches::

    estimator = "KerasRegressor"          # or "KerasClassifier"
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

Inner lists become tuples, so ``[20, 6]`` is the layer sizes ``(20, 6)``.
"""

import tomllib
from dataclasses import dataclass, field

from sklearn import model_selection
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdl import KerasClassifier, KerasRegressor
from skdl.cli._errors import CommandError
from skdl.estimators._params import check_all_used

ESTIMATORS = {"KerasRegressor": KerasRegressor, "KerasClassifier": KerasClassifier}
SPLITTERS = (
    "KFold",
    "StratifiedKFold",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
    "ShuffleSplit",
    "StratifiedShuffleSplit",
)
_KEYS = {"estimator", "standardize", "scoring", "params", "grid", "cv"}
_STEP = "model"


@dataclass
class GridFile:
    """A grid file's search, before any data is seen."""

    estimator: str
    standardize: bool = False
    scoring: str | None = None
    params: dict = field(default_factory=dict)
    grid: dict = field(default_factory=dict)
    cv: dict = field(default_factory=dict)

    def make_estimator(self):
        """The estimator with the fixed parameters, behind a scaler if asked."""
        estimator = ESTIMATORS[self.estimator](**self.params)
        if self.standardize:
            return Pipeline([("standardize", StandardScaler()), (_STEP, estimator)])
        return estimator

    def param_grid(self) -> dict:
        """The grid, its names routed to the estimator inside the pipeline."""
        prefix = f"{_STEP}__" if self.standardize else ""
        return {prefix + name: values for name, values in self.grid.items()}

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
    name = content.get("estimator")
    if name not in ESTIMATORS:
        raise CommandError(
            f"{path}: 'estimator' must be one of {', '.join(ESTIMATORS)}, got {name!r}"
        )
    for key in ("params", "grid", "cv"):
        if not isinstance(content.get(key, {}), dict):
            raise CommandError(f"{path}: [{key}] must be a table")
    grid = {}
    for parameter, values in content.get("grid", {}).items():
        if not isinstance(values, list) or not values:
            raise CommandError(
                f"{path}: grid entry {parameter!r} must be a non-empty list of "
                f"values, got {values!r}"
            )
        grid[parameter] = [_tuples(value) for value in values]
    if not grid:
        raise CommandError(f"{path}: [grid] is empty; name a parameter to search")
    cv = dict(content.get("cv", {}))
    splitter = cv.get("splitter")
    if splitter is not None and splitter not in SPLITTERS:
        raise CommandError(
            f"{path}: unknown splitter {splitter!r}; use one of {', '.join(SPLITTERS)}"
        )
    grid_file = GridFile(
        estimator=name,
        standardize=bool(content.get("standardize", False)),
        scoring=content.get("scoring"),
        params={
            key: _tuples(value) for key, value in content.get("params", {}).items()
        },
        grid=grid,
        cv=cv,
    )
    _check_parameters(grid_file, path)
    return grid_file


def _check_parameters(grid_file: GridFile, path):
    estimator_class = ESTIMATORS[grid_file.estimator]
    candidate = {name: values[0] for name, values in grid_file.grid.items()}
    params = {**grid_file.params, **candidate}
    try:
        check_all_used(
            grid_file.estimator,
            params,
            set(estimator_class._init_defaults()),
            builder=None,
        )
    except ValueError as error:
        raise CommandError(f"{path}: {error}") from None
    try:
        grid_file.make_cv()
    except (TypeError, ValueError) as error:
        raise CommandError(f"{path}: bad [cv] options: {error}") from None
