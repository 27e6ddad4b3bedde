"""skdl: scikit-learn estimators for Keras deep learning.

>>> from skdl import KerasClassifier, KerasRegressor

``import skdl`` is cheap: TensorFlow and Keras load on first use of an
estimator (through :mod:`skdl.estimators`, which silences their start-up
logs), so the datasets, the reports and the ``skdl`` command's listings do
not pay for them.
"""

__version__ = "0.1.0.dev0"

__all__ = ["KerasClassifier", "KerasRegressor", "MultiInput", "load", "__version__"]

# Public name -> the module that defines it; imported on first access.
_LAZY = {
    "KerasClassifier": "skdl.estimators",
    "KerasRegressor": "skdl.estimators",
    "MultiInput": "skdl.inputs",
    "load": "skdl.estimators._persistence",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'skdl' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
