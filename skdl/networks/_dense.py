"""The ready-made dense network."""

import random
from collections.abc import Sequence

import keras

from skdl.networks._outputs import OutputSpec


def build_dense_network(
    n_features: int,
    output: OutputSpec,
    *,
    hidden_layer_sizes: Sequence[int] = (100,),
    activation: str = "relu",
    dropout: float = 0.0,
    alpha: float = 0.0001,
    input_encoding: keras.layers.Layer | None = None,
    seed: int | None = None,
) -> keras.Model:
    """Build an uncompiled fully connected network.

    Parameters
    ----------
    n_features : int
        Number of input features.
    output : OutputSpec
        Units and activation of the output layer (see :func:`output_spec`).
    hidden_layer_sizes : sequence of int, default=(100,)
        Units of each hidden layer, input side first. Empty for a linear or
        logistic model.
    activation : str, default="relu"
        Keras activation of the hidden layers.
    dropout : float, default=0.0
        Fraction of each hidden layer's outputs dropped during training.
    alpha : float, default=0.0001
        L2 penalty on every kernel: ``alpha * sum(kernel ** 2)`` is added to
        the loss of each batch.
    input_encoding : keras.layers.Layer, default=None
        A first layer for the raw features, such as a
        :class:`TabularEncoding` learned from the training data; the
        features go straight to the first hidden layer when None.
    seed : int, default=None
        Seeds the initial weights and the dropout masks. Each layer gets its
        seed from a generator of the network's own, ``random.Random(seed)``,
        in the order in which Keras would draw them from Python's global
        ``random`` seeded with ``seed``: the same network as building it
        unseeded after ``random.seed(seed)``, except that other threads
        drawing from ``random`` meanwhile change nothing. When None, Keras
        draws the seeds from the global ``random``.

    Returns
    -------
    keras.Model

    Examples
    --------
    >>> from skdl.networks import build_dense_network, output_spec
    >>> net = build_dense_network(4, output_spec("binary", 2), hidden_layer_sizes=(8,))
    >>> [layer.units for layer in net.layers if hasattr(layer, "units")]
    [8, 1]
    """
    try:
        keras.activations.get(activation)
    except ValueError:
        raise ValueError(
            f"Unknown activation {activation!r}: use a Keras activation name such "
            "as 'relu', 'tanh', 'sigmoid' or 'elu', or a callable."
        ) from None
    regularizer = keras.regularizers.L2(alpha) if alpha else None
    seeds = _Seeds(seed)
    inputs = keras.Input(shape=(n_features,))
    hidden = inputs if input_encoding is None else input_encoding(inputs)
    for units in hidden_layer_sizes:
        hidden = keras.layers.Dense(
            units,
            activation=activation,
            kernel_initializer=seeds.glorot_uniform(),
            kernel_regularizer=regularizer,
        )(hidden)
        if dropout:
            hidden = keras.layers.Dropout(dropout, seed=seeds.next())(hidden)
    outputs = keras.layers.Dense(
        output.units,
        activation=output.activation,
        kernel_initializer=seeds.glorot_uniform(),
        kernel_regularizer=regularizer,
    )(hidden)
    return keras.Model(inputs, outputs, name="dense_network")


class _Seeds:
    """Layer seeds drawn from ``random.Random(seed)``; all None when seed is None.

    Keras draws an unseeded layer's seed as ``random.randint(1, 10**9)``;
    drawing the same way keeps the network the one an unseeded build gives.
    """

    def __init__(self, seed: int | None):
        self._random = None if seed is None else random.Random(seed)

    def next(self) -> int | None:
        return None if self._random is None else self._random.randint(1, 10**9)

    def glorot_uniform(self):
        """Keras's default kernel initializer (seeded, with a seed)."""
        seed = self.next()
        return (
            "glorot_uniform" if seed is None else keras.initializers.GlorotUniform(seed)
        )
