"""The kinds of ``X`` skdl takes, and turning them into what a network takes.

``X`` is one of:

- an array of any number of dimensions with samples along the first axis:
  a table ``(n, features)``, images ``(n, h, w, c)``, sequences ``(n, t, f)``,
  token ids ``(n, t)``;
- a SciPy sparse matrix or array (kept sparse; see ``skdl._training.sparse``);
- several inputs: a dict of arrays keyed by the model's input names, a
  :class:`~skdl.MultiInput`, or a list or tuple of arrays (each at least
  2-D, or sparse) in the order of the model's inputs.

The dtype rule: floats are passed to the network in its precision (float32
for float32 ``X``, float64 otherwise). Integer ``X`` stays integer where the
model declares an integer input (``keras.Input(shape, dtype="int32")``, as a
model starting with an ``Embedding`` should), and becomes floats elsewhere.
"""

import numpy as np
import scipy.sparse

from skdl.inputs import MultiInput


def as_inputs(X):
    """``(X, several)``: several inputs as a dict or list; anything else unchanged."""
    if isinstance(X, MultiInput):
        return dict(X.inputs), True
    if isinstance(X, dict):
        for key in X:
            if not isinstance(key, str):
                raise TypeError(
                    f"A dict X maps the model's input names to arrays; its key "
                    f"{key!r} is a {type(key).__name__}, not a str."
                )
        return dict(X), True
    if isinstance(X, list | tuple) and X and all(map(_is_one_input, X)):
        return list(X), True
    return X, False


def _is_one_input(item) -> bool:
    # 1-D arrays in a list are the rows of a table, as scikit-learn reads them.
    if scipy.sparse.issparse(item) or hasattr(item, "iloc"):
        return True
    return isinstance(item, np.ndarray) and item.ndim >= 2


def is_several(X) -> bool:
    """Whether validated ``X`` (or its shapes) holds several inputs."""
    return isinstance(X, dict | list)


def items(X):
    """``(name, array)`` pairs of several inputs; names are positions for a list."""
    return X.items() if isinstance(X, dict) else enumerate(X)


def float_dtype(X) -> np.dtype:
    """The network's precision: float32 if all of ``X``'s floats are, else float64."""
    arrays = [array for _, array in items(X)] if is_several(X) else [X]
    floats = [array.dtype for array in arrays if array.dtype.kind == "f"]
    if floats and all(dtype == np.float32 for dtype in floats):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def n_samples(X) -> int:
    if is_several(X):
        return next(iter(items(X)))[1].shape[0]
    return X.shape[0]


def input_shapes(X):
    """``X``'s shape, or a dict or list of the shapes of its inputs."""
    if isinstance(X, dict):
        return {name: tuple(array.shape) for name, array in X.items()}
    if isinstance(X, list):
        return [tuple(array.shape) for array in X]
    return tuple(X.shape)


def declared_inputs(model) -> list | None:
    """The model's ``keras.Input`` tensors in order, or None if it declares none."""
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):  # a Sequential without Input, a subclass
        return None
    return list(inputs) if inputs else None


def _takes_dict(model) -> bool:
    try:
        return isinstance(model.input, dict)
    except (AttributeError, ValueError):
        return False


def arrange(X, model, estimator_name: str):
    """``X`` matched to the model's inputs: by name for a dict, by order for a list.

    Returns ``X`` (one array, or a list or dict of arrays as the model takes
    them) and the matching list of declared input tensors (or None).
    """
    declared = declared_inputs(model)
    if declared is None:
        return X, None
    names = [tensor.name for tensor in declared]
    if not is_several(X):
        if len(declared) > 1:
            raise ValueError(
                f"The model of {estimator_name} has {len(declared)} inputs "
                f"{names}, but X is a single array. Pass a dict keyed by input "
                "name, a skdl.MultiInput, or a list of arrays in input order."
            )
        return X, declared
    if isinstance(X, dict):
        if set(X) != set(names):
            raise ValueError(
                f"X has inputs {sorted(X)}, but the model of {estimator_name} has "
                f"inputs {sorted(names)}. Key X by the names of the model's "
                "keras.Input layers."
            )
        arrays = [X[name] for name in names]
    else:
        if len(X) != len(declared):
            raise ValueError(
                f"X is a list of {len(X)} arrays, but the model of "
                f"{estimator_name} has {len(declared)} input(s) {names}."
            )
        arrays = list(X)
    if _takes_dict(model):
        return dict(zip(names, arrays, strict=True)), declared
    if len(arrays) == 1:
        return arrays[0], declared
    return arrays, declared


def cast_input(array, tensor, precision: np.dtype, name):
    """One input in the dtype the network takes (see the module's dtype rule)."""
    if tensor is not None:
        _check_declared_shape(array, tensor, name)
    wanted = None if tensor is None else np.dtype(tensor.dtype)
    if wanted is not None and wanted.kind in "iu":
        if array.dtype.kind not in "iub":
            values = array.data if scipy.sparse.issparse(array) else array
            if not np.array_equal(values, np.round(values)):
                raise TypeError(
                    f"The model's input {tensor.name!r} takes {wanted} values (such "
                    f"as token ids), but X{_label(name)} holds non-integer "
                    f"{array.dtype} values. Pass integer codes."
                )
        _check_integer_range(array, wanted, tensor.name, name)
        return array.astype(wanted, copy=False)
    return array.astype(precision, copy=False)


def _check_integer_range(array, wanted: np.dtype, input_name, name) -> None:
    """Refuse values that ``wanted`` cannot hold: casting would wrap them."""
    values = array.data if scipy.sparse.issparse(array) else np.asarray(array)
    if values.size == 0:
        return
    limits = np.iinfo(wanted)
    low, high = values.min(), values.max()
    if low < limits.min or high > limits.max:
        raise ValueError(
            f"The model's input {input_name!r} takes {wanted} values, but "
            f"X{_label(name)} holds values from {low} to {high}, outside "
            f"{wanted}'s range [{limits.min}, {limits.max}]. Pass codes that fit, "
            "or declare a wider dtype in keras.Input."
        )


def takes_flat_rows(tensor, array) -> bool:
    """Whether ``array``'s N-D samples go flattened to ``tensor`` (rows of features).

    The ready-made network's input is ``(None, n_features)``; so is that of a
    user's model that asks for flat rows of exactly as many values.
    """
    if tensor is None or array.ndim <= 2 or len(tensor.shape) != 2:
        return False
    return tensor.shape[1] == int(np.prod(array.shape[1:]))


def _check_declared_shape(array, tensor, name) -> None:
    declared = tuple(tensor.shape[1:])
    shape = tuple(array.shape[1:])
    fits = len(shape) == len(declared) and all(
        want is None or want == got for want, got in zip(declared, shape, strict=True)
    )
    if not fits:
        shown = tuple("any" if size is None else size for size in declared)
        raise ValueError(
            f"X{_label(name)} has samples of shape {shape}, but the model's input "
            f"{tensor.name!r} takes samples of shape {shown}."
        )


def _label(name) -> str:
    return "" if name is None else f"[{name!r}]"


def shape_mismatch(X, fitted_shapes, estimator_name: str) -> str | None:
    """Why ``X`` does not have the sample shapes seen in fit, or None."""
    if fitted_shapes is None:
        return None
    shapes = input_shapes(X)
    if is_several(shapes) != is_several(fitted_shapes):
        kind = "several inputs" if is_several(fitted_shapes) else "a single input"
        return f"X does not match: {estimator_name} was fitted on {kind}."
    if type(shapes) is not type(fitted_shapes):
        return None  # a dict against a list: matched to the model's inputs later
    if isinstance(shapes, dict) and set(shapes) != set(fitted_shapes):
        return (
            f"X has inputs {sorted(shapes)}, but {estimator_name} was fitted on "
            f"inputs {sorted(fitted_shapes)}."
        )
    if isinstance(shapes, list) and len(shapes) != len(fitted_shapes):
        return (
            f"X has {len(shapes)} inputs, but {estimator_name} was fitted on "
            f"{len(fitted_shapes)}."
        )
    pairs = (
        [(None, shapes, fitted_shapes)]
        if not is_several(shapes)
        else [(name, shape, fitted_shapes[name]) for name, shape in items(shapes)]
    )
    for name, shape, fitted in pairs:
        if tuple(shape[1:]) != tuple(fitted[1:]):
            return (
                f"X{_label(name)} has samples of shape {tuple(shape[1:])}, but "
                f"{estimator_name} was fitted on samples of shape "
                f"{tuple(fitted[1:])}."
            )
    return None
