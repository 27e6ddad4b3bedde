"""skdl: scikit-learn estimators for Keras deep learning.

>>> from skdl import KerasClassifier, KerasRegressor
"""

from skdl import _keras_import  # noqa: F401  (first: silences TensorFlow's start-up)
from skdl.estimators import KerasClassifier, KerasRegressor
from skdl.estimators._persistence import load

__version__ = "0.1.0.dev0"

__all__ = ["KerasClassifier", "KerasRegressor", "load", "__version__"]
