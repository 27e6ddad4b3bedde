"""Categorical columns in, integer codes out, for the ready-made network.

The ready-made network embeds categorical columns itself (see
:class:`skdl.networks.TabularEncoding`); what it needs from the estimator is
each such column as integer codes: 0 for a missing or unknown value, and
``1 + i`` for the ``i``-th level seen in training. Which columns are
categorical follows ``categorical_features``, as in scikit-learn's
``HistGradientBoosting*`` estimators.
"""

import numpy as np
import pandas as pd


def categorical_mask(X, categorical_features) -> np.ndarray | None:
    """Which columns of ``X`` are categorical, or None when none are.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training data; a pandas DataFrame for ``"from_dtype"`` or names.
    categorical_features : "from_dtype", array-like of str, bool or int, or None
        ``"from_dtype"``: the DataFrame columns of ``category``, string,
        object or boolean dtype. Column names, a boolean mask or column
        indices: those columns. None: no column.

    Returns
    -------
    mask : ndarray of shape (n_features,) of bool, or None
    """
    if categorical_features is None:
        return None
    is_frame = isinstance(X, pd.DataFrame)
    if isinstance(categorical_features, str):
        # "from_dtype" (the only string the parameter constraints allow).
        if not is_frame:
            return None
        mask = np.array([_categorical_dtype(dtype) for dtype in X.dtypes])
        return mask if mask.any() else None
    n_features = X.shape[1] if is_frame else np.shape(X)[-1]
    columns = np.asarray(categorical_features)
    if columns.size == 0:
        return None
    if columns.dtype.kind in "OUS":
        if not is_frame:
            raise ValueError(
                "categorical_features names columns "
                f"{columns.tolist()}, but X has no column names; pass a pandas "
                "DataFrame, or column indices or a boolean mask."
            )
        names = list(map(str, X.columns))
        unknown = [name for name in columns.tolist() if name not in names]
        if unknown:
            raise ValueError(
                f"categorical_features names {unknown}, which are not columns of "
                f"X; its columns are {names}."
            )
        return np.isin(names, columns.tolist())
    if columns.dtype.kind == "b":
        if columns.shape != (n_features,):
            raise ValueError(
                f"categorical_features is a boolean mask of {columns.size} values, "
                f"but X has {n_features} features; give one value per feature."
            )
        return columns.copy() if columns.any() else None
    if columns.dtype.kind in "iu":
        if columns.min() < 0 or columns.max() >= n_features:
            raise ValueError(
                f"categorical_features holds column indices {columns.tolist()}, "
                f"but X has {n_features} features (indices 0 to {n_features - 1})."
            )
        mask = np.zeros(n_features, dtype=bool)
        mask[columns] = True
        return mask
    raise ValueError(
        "categorical_features must be 'from_dtype', None, column names, a "
        f"boolean mask or column indices; got {categorical_features!r}."
    )


def _categorical_dtype(dtype) -> bool:
    return (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
        or pd.api.types.is_object_dtype(dtype)
    )


def _column(X, index: int) -> np.ndarray:
    if isinstance(X, pd.DataFrame):
        return X.iloc[:, index].to_numpy(dtype=object, na_value=np.nan)
    return np.asarray(X, dtype=object)[:, index]


def learn_categories(X, mask: np.ndarray) -> list[np.ndarray]:
    """The sorted levels seen in each categorical column, missing values left out.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Training data.
    mask : ndarray of shape (n_features,) of bool
        The categorical columns.

    Returns
    -------
    categories : list of ndarray
        One array of levels per categorical column, in column order.
    """
    categories = []
    for index in np.flatnonzero(mask):
        values = _column(X, index)
        levels = list(pd.unique(values[~pd.isna(values)]))
        try:
            levels.sort()
        except TypeError:  # mixed types: any fixed order will do
            levels.sort(key=lambda level: (type(level).__name__, str(level)))
        categories.append(np.array(levels, dtype=object))
    return categories


def encode_categories(
    X, mask: np.ndarray, categories: list[np.ndarray], estimator_name: str
):
    """``X`` with each categorical column replaced by its integer codes.

    A DataFrame stays a DataFrame with the same column names (so that
    scikit-learn's feature-name checks still apply); other input becomes an
    object array, which validation turns into floats.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data to encode.
    mask : ndarray of shape (n_features,) of bool
        The categorical columns.
    categories : list of ndarray
        Levels of each categorical column, from :func:`learn_categories`.
    estimator_name : str
        For the message when ``X`` has the wrong number of columns.

    Returns
    -------
    X : DataFrame or ndarray
        The data with codes: 0 for missing or unknown values, ``1 + i`` for
        the ``i``-th level.
    """
    is_frame = isinstance(X, pd.DataFrame)
    if not is_frame:
        X = np.asarray(X, dtype=object)
        if X.ndim != 2:
            return X  # validation reports the shape
    if X.shape[1] != len(mask):
        raise ValueError(
            f"X has {X.shape[1]} features, but {estimator_name} is expecting "
            f"{len(mask)} features as input."
        )
    codes = {
        index: _codes(_column(X, index), levels)
        for index, levels in zip(np.flatnonzero(mask), categories, strict=True)
    }
    if is_frame:
        columns = [
            pd.Series(codes[index], index=X.index, name=X.columns[index])
            if index in codes
            else X.iloc[:, index]
            for index in range(X.shape[1])
        ]
        return pd.concat(columns, axis=1)
    X = X.copy()
    for index, column_codes in codes.items():
        X[:, index] = column_codes
    return X


def _codes(values: np.ndarray, levels: np.ndarray) -> np.ndarray:
    positions = pd.Index(levels, dtype=object).get_indexer(values)
    return (positions + 1).astype(np.float64)  # unknown and missing: -1 -> 0
