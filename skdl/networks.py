"""The ready-made dense network, and the output layer and loss a target needs.

:func:`build_dense_network` is what :class:`~skdl.KerasClassifier` and
:class:`~skdl.KerasRegressor` train when no ``model`` is given. It is also
usable on its own, as a model builder for another wrapper or a plain Keras
training script.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np


@dataclass(frozen=True)
class OutputSpec:
    """What the last layer and the default loss look like for a target.

    Parameters
    ----------
    units : int
        Number of output units.
    activation : str
        Activation of the output layer.
    loss : str
        Keras name of the default loss.
    scale, offset : tuple of float or None
        For regression, a fixed affine map ``output * scale + offset`` after
        the last layer, so that a network whose outputs start near unit
        scale meets targets of any mean and spread (see
        :func:`regression_output_spec`).

    See Also
    --------
    output_spec : The spec of a classification or regression target.
    build_dense_network : A network ending in the spec's output layer.

    Examples
    --------
    >>> from skdl.networks import OutputSpec, build_dense_network
    >>> spec = OutputSpec(units=2, activation="linear", loss="mean_squared_error")
    >>> build_dense_network(3, spec, hidden_layer_sizes=(4,)).output_shape
    (None, 2)
    """

    units: int
    activation: str
    loss: str
    scale: tuple[float, ...] | None = None
    offset: tuple[float, ...] | None = None


def output_spec(target_type: str, n_outputs: int) -> OutputSpec:
    """Return the output layer and loss suited to a target.

    Parameters
    ----------
    target_type : str
        A :func:`sklearn.utils.multiclass.type_of_target` result:
        ``"binary"``, ``"multiclass"``, ``"multilabel-indicator"``,
        ``"continuous"`` or ``"continuous-multioutput"``.
    n_outputs : int
        Classes for a multiclass target, labels for a multilabel one,
        target columns for regression; ignored for a binary target.

    Returns
    -------
    OutputSpec

    Examples
    --------
    >>> from skdl.networks import output_spec
    >>> spec = output_spec("multiclass", 3)
    >>> spec.units, spec.activation, spec.loss
    (3, 'softmax', 'sparse_categorical_crossentropy')
    """
    if target_type == "binary":
        return OutputSpec(1, "sigmoid", "binary_crossentropy")
    if target_type == "multiclass":
        return OutputSpec(n_outputs, "softmax", "sparse_categorical_crossentropy")
    if target_type == "multilabel-indicator":
        return OutputSpec(n_outputs, "sigmoid", "binary_crossentropy")
    if target_type in ("continuous", "continuous-multioutput"):
        return OutputSpec(n_outputs, "linear", "mean_squared_error")
    raise ValueError(f"No ready-made output layer for a {target_type!r} target.")


def regression_output_spec(y, sample_weight=None) -> OutputSpec:
    """Linear outputs rescaled to the (weighted) mean and spread of ``y``.

    Adam-type optimizers take steps of about the learning rate whatever the
    loss scale, so a network with unit-scale outputs needs thousands of steps
    to reach a target in the hundreds; scikit-learn's MLP has this problem
    too. Mapping the outputs through the target's mean and standard deviation
    starts the network at the right scale, like standardizing the target,
    while the loss stays in the target's units. Weighted statistics keep a
    weight of 2 equivalent to a repeated sample.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Training targets.
    sample_weight : ndarray of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    OutputSpec

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.networks import regression_output_spec
    >>> regression_output_spec(np.array([1.0, 3.0])).offset
    (2.0,)
    """
    y = np.asarray(y, dtype=float).reshape(len(y), -1)
    mean = np.average(y, axis=0, weights=sample_weight)
    std = np.sqrt(np.average((y - mean) ** 2, axis=0, weights=sample_weight))
    std[std == 0] = 1.0
    return OutputSpec(
        y.shape[1],
        "linear",
        "mean_squared_error",
        scale=tuple(std.tolist()),
        offset=tuple(mean.tolist()),
    )


def build_dense_network(
    n_features: int,
    output: OutputSpec,
    *,
    hidden_layer_sizes: Sequence[int] = (100,),
    activation: str = "relu",
    dropout: float = 0.0,
    alpha: float = 0.0001,
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
    hidden = inputs
    for units in hidden_layer_sizes:
        hidden = keras.layers.Dense(
            units, activation=activation, kernel_regularizer=regularizer
        )(hidden)
        if dropout:
            hidden = keras.layers.Dropout(dropout)(hidden)
    outputs = keras.layers.Dense(
        output.units, activation=output.activation, kernel_regularizer=regularizer
    )(hidden)
    if output.scale is not None:
        outputs = keras.layers.Rescaling(
            scale=list(output.scale), offset=list(output.offset), name="target_scale"
        )(outputs)
    return keras.Model(inputs, outputs, name="dense_network")
