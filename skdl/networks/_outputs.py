"""The output layer and default loss a target needs."""

from dataclasses import dataclass


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
