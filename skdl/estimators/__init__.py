"""scikit-learn estimators that train Keras networks."""

from skdl import _keras_import  # noqa: F401  (first: silences TensorFlow's start-up)
from skdl.estimators._classifier import KerasClassifier
from skdl.estimators._regressor import KerasRegressor

__all__ = ["KerasClassifier", "KerasRegressor"]
