"""The ready-made dense network."""

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
    inputs = keras.Input(shape=(n_features,))
    hidden = inputs if input_encoding is None else input_encoding(inputs)
    for units in hidden_layer_sizes:
        hidden = keras.layers.Dense(
            units, activation=activation, kernel_regularizer=regularizer
        )(hidden)
        if dropout:
            hidden = keras.layers.Dropout(dropout)(hidden)
    outputs = keras.layers.Dense(
        output.units, activation=output.activation, kernel_regularizer=regularizer
    )(hidden)
    return keras.Model(inputs, outputs, name="dense_network")
