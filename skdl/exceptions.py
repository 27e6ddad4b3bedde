"""Warnings and errors that skdl raises beyond scikit-learn's own.

>>> from skdl.exceptions import TrainingDivergedError, UnusedParameterWarning
>>> issubclass(TrainingDivergedError, ValueError)
True
"""

__all__ = ["TrainingDivergedError", "UnusedParameterWarning"]


class UnusedParameterWarning(UserWarning):
    """A parameter was set that this configuration does not use.

    For example ``hidden_layer_sizes`` with a model builder that does not
    take it: the value is valid, but nothing reads it.

    Examples
    --------
    >>> import warnings
    >>> import keras
    >>> import numpy as np
    >>> from skdl import KerasRegressor
    >>> from skdl.exceptions import UnusedParameterWarning
    >>> def linear(meta):
    ...     inputs = keras.Input((meta["n_features_in_"],))
    ...     return keras.Model(inputs, keras.layers.Dense(1)(inputs))
    >>> X, y = np.arange(10.0).reshape(-1, 1), np.arange(10.0)
    >>> regressor = KerasRegressor(model=linear, hidden_layer_sizes=(8,), epochs=1)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     regressor = regressor.fit(X, y)
    >>> any(issubclass(w.category, UnusedParameterWarning) for w in caught)
    True
    """


class TrainingDivergedError(ValueError):
    """The training loss became NaN or infinite, so training stopped.

    A ``ValueError``, so that ``GridSearchCV(error_score=np.nan)`` records the
    candidate as failed and goes on with the others, as it does for
    scikit-learn's MLP when its weights become non-finite.

    Examples
    --------
    >>> import numpy as np
    >>> from skdl import KerasRegressor
    >>> from skdl.exceptions import TrainingDivergedError
    >>> X, y = 1000 * np.arange(10.0).reshape(-1, 1), np.arange(10.0)
    >>> regressor = KerasRegressor(hidden_layer_sizes=(), optimizer="sgd",
    ...                            learning_rate=1e12, epochs=20, random_state=0)
    >>> try:
    ...     regressor.fit(X, y)
    ... except TrainingDivergedError as error:
    ...     print(str(error).split(":")[0])
    Training diverged
    """
