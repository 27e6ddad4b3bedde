"""The ready-made dense network, and what it learns from the data.

:func:`build_dense_network` is what :class:`~skdl.KerasClassifier` and
:class:`~skdl.KerasRegressor` train when no ``model`` is given: a
:class:`TabularEncoding` first layer (numeric columns standardized with
statistics learned from the training data, categorical columns embedded),
hidden layers, and the output layer and loss :func:`output_spec` chooses
for the target. They are also usable on their own, as a model builder for
another wrapper or a plain Keras training script.
"""

from skdl import _keras_import  # noqa: F401  (first: silences TensorFlow's start-up)
from skdl.networks._dense import build_dense_network
from skdl.networks._features import (
    TabularEncoding,
    embedding_dim,
    robust_statistics,
)
from skdl.networks._outputs import OutputSpec, output_spec

__all__ = [
    "OutputSpec",
    "TabularEncoding",
    "build_dense_network",
    "embedding_dim",
    "output_spec",
    "robust_statistics",
]
