"""scikit-learn estimators that train Keras networks."""

from skdl.estimators._classifier import KerasClassifier
from skdl.estimators._regressor import KerasRegressor

__all__ = ["KerasClassifier", "KerasRegressor"]
