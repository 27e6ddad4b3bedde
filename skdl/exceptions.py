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
    """


class TrainingDivergedError(ValueError):
    """The training loss became NaN or infinite, so training stopped.

    A ``ValueError``, so that ``GridSearchCV(error_score=np.nan)`` records the
    candidate as failed and goes on with the others, as it does for
    scikit-learn's MLP when its weights become non-finite.
    """
