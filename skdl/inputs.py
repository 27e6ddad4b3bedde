"""Inputs for models with several inputs: ``MultiInput``, sliceable by row.

scikit-learn's cross-validation and grid search cut ``X`` into folds by
indexing its first axis (``X[train_index, ...]``), which a plain dict of
arrays does not support. ``MultiInput`` is that dict, made sliceable.
"""

import numbers

import numpy as np

__all__ = ["MultiInput"]


class MultiInput:
    """Named inputs of one model, all with samples along their first axis.

    Pass it as ``X`` to ``fit``, ``predict`` and ``score`` of a
    :class:`~skdl.KerasClassifier` or :class:`~skdl.KerasRegressor` whose
    model has several inputs: each keyword names one of the model's inputs
    (the ``name`` of its ``keras.Input``). Unlike a plain dict (which
    ``fit`` and ``predict`` also accept), it can be cut into rows, so
    ``cross_val_score``, ``GridSearchCV`` and ``train_test_split`` work on it.

    Parameters
    ----------
    **inputs : dict of str to array-like
        One array (or SciPy sparse matrix) per input, each with the same
        number of samples along its first axis.

    Attributes
    ----------
    inputs : dict of str to ndarray
        The arrays, by input name.
    shape : tuple of int
        ``(n_samples, n_inputs)``: scikit-learn reads the number of samples
        from it.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl import MultiInput
    >>> X = MultiInput(numbers=np.zeros((4, 3)), flags=np.ones((4, 2), dtype=int))
    >>> len(X), X.shape
    (4, (4, 2))
    >>> X[[0, 2]]["flags"].shape
    (2, 2)

    A grid search over a model with two named inputs:

    >>> import keras
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skdl import KerasRegressor
    >>> def two_inputs(units):
    ...     numbers = keras.Input((3,), name="numbers")
    ...     flags = keras.Input((2,), name="flags")
    ...     joined = keras.layers.Concatenate()([numbers, flags])
    ...     hidden = keras.layers.Dense(units, activation="relu")(joined)
    ...     return keras.Model([numbers, flags], keras.layers.Dense(1)(hidden))
    >>> rng = np.random.default_rng(0)
    >>> X = MultiInput(
    ...     numbers=rng.normal(size=(40, 3)), flags=rng.integers(0, 2, (40, 2))
    ... )
    >>> y = X["numbers"].sum(axis=1) + X["flags"][:, 0]
    >>> search = GridSearchCV(
    ...     KerasRegressor(two_inputs, units=4, epochs=5, random_state=0),
    ...     {"units": [4, 8]}, cv=2,
    ... ).fit(X, y)
    >>> search.best_params_["units"] in (4, 8)
    True
    """

    def __init__(self, **inputs):
        if not inputs:
            raise ValueError("MultiInput needs at least one named input.")
        lengths = {name: _length(name, value) for name, value in inputs.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(
                f"The inputs of a MultiInput have different numbers of samples: "
                f"{lengths}. Every input needs one entry per sample."
            )
        self.inputs = {
            name: value if hasattr(value, "shape") else np.asarray(value)
            for name, value in inputs.items()
        }
        self._n_samples = next(iter(lengths.values()))

    def __len__(self) -> int:
        return self._n_samples

    @property
    def shape(self) -> tuple[int, int]:
        return (self._n_samples, len(self.inputs))

    def __getitem__(self, key):
        if isinstance(key, str):
            return self.inputs[key]
        if isinstance(key, tuple):
            # scikit-learn indexes rows as X[rows, ...].
            if len(key) != 2 or key[1] is not Ellipsis:
                raise IndexError(
                    "A MultiInput is indexed by rows only: X[rows] or X[rows, ...]."
                )
            key = key[0]
        if isinstance(key, numbers.Integral):
            raise IndexError(
                f"A MultiInput keeps samples along the first axis: select rows with "
                f"a list, array or slice (X[[{key}]]), not an integer."
            )
        if isinstance(key, list):
            key = np.asarray(key, dtype=int if not key else None)
        return MultiInput(
            **{name: _rows(value, key) for name, value in self.inputs.items()}
        )

    def keys(self):
        return self.inputs.keys()

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{name}=<{type(value).__name__} of shape {getattr(value, 'shape', '?')}>"
            for name, value in self.inputs.items()
        )
        return f"MultiInput({parts})"


def _rows(value, key):
    # A DataFrame's [] selects columns; its rows are .iloc's.
    return value.iloc[key] if hasattr(value, "iloc") else value[key]


def _length(name: str, value) -> int:
    shape = getattr(value, "shape", None)
    if shape is None:
        value = np.asarray(value)
        shape = value.shape
    if len(shape) == 0:
        raise ValueError(
            f"Input {name!r} of a MultiInput is a scalar; it needs one entry per "
            "sample along its first axis."
        )
    return int(shape[0])
