"""Loaders for the small data sets that ship with skdl, and their shared helpers."""

from importlib import resources
from importlib.resources.abc import Traversable

import numpy as np
import pandas as pd
from sklearn.utils import Bunch
from sklearn.utils._param_validation import validate_params

# The CSV files and their descriptions live in skdl/datasets/data/.
_DATA_PACKAGE = "skdl.datasets"
_DATA_FOLDER = "data"

XyPair = tuple[np.ndarray | pd.DataFrame, np.ndarray | pd.Series]

_OUTPUT_FLAGS = {"return_X_y": ["boolean"], "as_frame": ["boolean"]}

_PIMA_FEATURES = [
    "pregnancies",
    "glucose",
    "blood_pressure",
    "skin_thickness",
    "insulin",
    "bmi",
    "diabetes_pedigree",
    "age",
]
_WINE_FEATURES = [
    "fixed acidity",
    "volatile acidity",
    "citric acid",
    "residual sugar",
    "chlorides",
    "free sulfur dioxide",
    "total sulfur dioxide",
    "density",
    "pH",
    "sulphates",
    "alcohol",
]


def _data_file(file_name: str) -> Traversable:
    return resources.files(_DATA_PACKAGE) / _DATA_FOLDER / file_name


def _bunch_from_frame(
    frame: pd.DataFrame,
    *,
    target_name: str,
    descr_file_name: str,
    return_X_y: bool,
    as_frame: bool,
    target_names: list[str] | None = None,
) -> Bunch | XyPair:
    """Split ``frame`` (features then the target column) into a Bunch or (X, y)."""
    data = frame.drop(columns=target_name)
    target = frame[target_name]
    feature_names = list(data.columns)
    if not as_frame:
        # Copy: under pandas' copy-on-write, to_numpy() may return a read-only view.
        data, target = data.to_numpy(copy=True), target.to_numpy(copy=True)
        frame = None
    if return_X_y:
        return data, target
    bunch = Bunch(
        data=data,
        target=target,
        frame=frame,
        feature_names=feature_names,
        DESCR=_data_file(descr_file_name).read_text(encoding="utf-8"),
    )
    if target_names is not None:
        bunch.target_names = np.asarray(target_names)
    return bunch


def _load_csv_dataset(
    file_name: str,
    *,
    feature_names: list[str],
    target_name: str,
    has_header: bool = False,
    **bunch_options,
) -> Bunch | XyPair:
    """Read a shipped CSV: float64 features, the target as stored in the file.

    Without a header the file's columns are exactly ``feature_names`` and then
    the target; with one, only those named columns are kept.
    """
    columns = [*feature_names, target_name]
    with _data_file(file_name).open("rb") as csv_file:
        frame = pd.read_csv(
            csv_file,
            header=0 if has_header else None,
            names=None if has_header else columns,
            usecols=columns,
            dtype=dict.fromkeys(feature_names, np.float64),
        )
    return _bunch_from_frame(frame[columns], target_name=target_name, **bunch_options)


@validate_params(_OUTPUT_FLAGS, prefer_skip_nested_validation=True)
def load_sonar(*, return_X_y: bool = False, as_frame: bool = False) -> Bunch | XyPair:
    """Load the sonar data set: mines vs. rocks (binary classification).

    =================   ===================
    Classes                               2
    Samples per class   111 (M), 97 (R)
    Samples total                       208
    Dimensionality                       60
    Features            real, in [0, 1]
    =================   ===================

    Each feature ``band_i`` is the energy of a sonar return within the i-th
    frequency band. The target keeps the original labels, "M" (mine, a metal
    cylinder) and "R" (rock). Source: UCI Machine Learning Repository
    (CC BY 4.0), Gorman and Sejnowski (1988); see ``DESCR``.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame, ``target`` a Series named
        "label" and ``frame`` a DataFrame holding both.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with ``data`` of shape (208, 60), ``target``
        of shape (208,) with object (str) labels, ``target_names``
        (``["M", "R"]``), ``feature_names``, ``frame`` (None unless
        ``as_frame=True``) and ``DESCR``.

    (data, target) : tuple if ``return_X_y`` is True
        The feature matrix and the label vector.

    Examples
    --------
    >>> from skdl.datasets import load_sonar
    >>> X, y = load_sonar(return_X_y=True)
    >>> X.shape
    (208, 60)
    >>> sorted(set(y))
    ['M', 'R']
    """
    return _load_csv_dataset(
        "sonar.csv",
        feature_names=[f"band_{band}" for band in range(1, 61)],
        target_name="label",
        target_names=["M", "R"],
        descr_file_name="sonar.rst",
        return_X_y=return_X_y,
        as_frame=as_frame,
    )


@validate_params(_OUTPUT_FLAGS, prefer_skip_nested_validation=True)
def load_wine_quality(
    *, return_X_y: bool = False, as_frame: bool = False
) -> Bunch | XyPair:
    """Load the red wine quality data set (regression or ordinal classes).

    ==============   ======================
    Samples total                      1599
    Dimensionality                       11
    Features         real, positive
    Targets          integer quality, 3 - 8
    ==============   ======================

    The features are physico-chemical tests of red "Vinho Verde" wines, named
    as in the UCI file; the target is the experts' quality score. Source: UCI
    Machine Learning Repository (CC BY 4.0), Cortez et al. (2009); see
    ``DESCR``.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame, ``target`` a Series named
        "quality" and ``frame`` a DataFrame holding both.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with ``data`` of shape (1599, 11), ``target``
        of shape (1599,) with int64 scores, ``feature_names``, ``frame``
        (None unless ``as_frame=True``) and ``DESCR``.

    (data, target) : tuple if ``return_X_y`` is True
        The feature matrix and the quality vector.

    Examples
    --------
    >>> from skdl.datasets import load_wine_quality
    >>> wine = load_wine_quality()
    >>> wine.data.shape
    (1599, 11)
    >>> wine.feature_names[:2]
    ['fixed acidity', 'volatile acidity']
    >>> int(wine.target.min()), int(wine.target.max())
    (3, 8)
    """
    return _load_csv_dataset(
        "winequality-red.csv",
        feature_names=_WINE_FEATURES,
        target_name="quality",
        descr_file_name="winequality_red.rst",
        return_X_y=return_X_y,
        as_frame=as_frame,
    )


@validate_params(_OUTPUT_FLAGS, prefer_skip_nested_validation=True)
def load_pima_diabetes(
    *, return_X_y: bool = False, as_frame: bool = False
) -> Bunch | XyPair:
    """Load the Pima Indians diabetes data set (binary classification).

    =================   =====================
    Classes                                 2
    Samples per class   500 (0), 268 (1)
    Samples total                         768
    Dimensionality                          8
    Features            real, non-negative
    =================   =====================

    The target is 1 if the patient tested positive for diabetes. Zeros stand
    for missing values in glucose, blood_pressure, skin_thickness, insulin
    and bmi; they are returned unchanged. Source: National Institute of
    Diabetes and Digestive and Kidney Diseases via the UCI Machine Learning
    Repository, Smith et al. (1988); see ``DESCR``.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame, ``target`` a Series named
        "outcome" and ``frame`` a DataFrame holding both.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with ``data`` of shape (768, 8), ``target`` of
        shape (768,) with int64 values 0 and 1, ``target_names``
        (``["tested_negative", "tested_positive"]``), ``feature_names``,
        ``frame`` (None unless ``as_frame=True``) and ``DESCR``.

    (data, target) : tuple if ``return_X_y`` is True
        The feature matrix and the class vector.

    Examples
    --------
    >>> from skdl.datasets import load_pima_diabetes
    >>> X, y = load_pima_diabetes(return_X_y=True, as_frame=True)
    >>> list(X.columns[:3])
    ['pregnancies', 'glucose', 'blood_pressure']
    >>> y.value_counts().to_dict()
    {0: 500, 1: 268}
    """
    return _load_csv_dataset(
        "pima-indians-diabetes.csv",
        feature_names=_PIMA_FEATURES,
        target_name="outcome",
        target_names=["tested_negative", "tested_positive"],
        descr_file_name="pima_diabetes.rst",
        return_X_y=return_X_y,
        as_frame=as_frame,
    )


@validate_params(_OUTPUT_FLAGS, prefer_skip_nested_validation=True)
def load_ice_cream(
    *, return_X_y: bool = False, as_frame: bool = False
) -> Bunch | XyPair:
    """Load a 10-row table of ice cream revenue (toy regression).

    A small illustrative table from a tutorial, defined in code: the day of
    the week and the temperature, and the day's revenue as the target.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame, ``target`` a Series named
        "revenue" and ``frame`` a DataFrame holding both.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with ``data`` of shape (10, 2), ``target`` of
        shape (10,), ``feature_names`` (``["day_of_week", "temperature"]``),
        ``frame`` (None unless ``as_frame=True``) and ``DESCR``.

    (data, target) : tuple if ``return_X_y`` is True
        The feature matrix and the revenue vector.

    Examples
    --------
    >>> from skdl.datasets import load_ice_cream
    >>> X, y = load_ice_cream(return_X_y=True)
    >>> X[0], y[0]
    (array([ 2., 22.]), np.float64(1.51))
    """
    frame = pd.DataFrame(
        {
            "day_of_week": [2, 6, 1, 3, 2, 5, 7, 4, 3, 1],
            "temperature": [22, 33, 20, 25, 24, 30, 35, 28, 26, 21],
            "revenue": [1.51, 2.22, 1.37, 1.77, 1.64, 2.04, 2.42, 1.90, 1.75, 1.45],
        },
        dtype=np.float64,
    )
    return _bunch_from_frame(
        frame,
        target_name="revenue",
        descr_file_name="ice_cream.rst",
        return_X_y=return_X_y,
        as_frame=as_frame,
    )
