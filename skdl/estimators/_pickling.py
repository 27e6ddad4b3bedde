"""Pickling, copying and cloning estimators that hold Keras models.

Keras pickles a model through its own archive format, but loading it back
finds the model's classes only by their registered names: a subclassed
``keras.Model`` or a custom layer that was not registered with
``keras.saving.register_keras_serializable`` does not come back. And the
loaded model's compiled losses and metrics take the process's default float
type, not the one the estimator trained in, so a float64 model could not be
trained further. So skdl pickles its models itself: as the Keras archive,
the classes the archive names that are not Keras's own (pickled by
reference, as pickle pickles any class), and the float type to compile in.
Nothing about Keras changes for the rest of the process.
"""

import copy
import tempfile
import warnings
from contextlib import nullcontext
from pathlib import Path

import keras
import numpy as np

from skdl._keras_import import quiet_serialization
from skdl._training.precision import float_precision

_ARCHIVE_NAME = "model.keras"


def network_bytes(model: keras.Model) -> bytes:
    """The model as a Keras archive (the ``.keras`` format), in memory."""
    # A model given before it saw data has no weights yet: its configuration
    # is what there is to copy, and Keras's warning about that is noise.
    # (Warning filters are process-wide: changed only for such a model.)
    quiet = warnings.catch_warnings() if not model.built else nullcontext()
    with tempfile.TemporaryDirectory() as folder, quiet, quiet_serialization():
        if not model.built:
            warnings.filterwarnings("ignore", "You are saving a model that has not")
        path = Path(folder, _ARCHIVE_NAME)
        model.save(path)
        return path.read_bytes()


def network_from_bytes(
    archive: bytes, *, dtype=None, custom_objects=None, safe_mode=True
) -> keras.Model:
    """Load a model from :func:`network_bytes`' archive.

    Parameters
    ----------
    archive : bytes
        A Keras archive.
    dtype : {"float32", "float64"}, default=None
        The float type its losses and metrics are compiled in; None for
        Keras's default.
    custom_objects : dict, default=None
        Classes and functions the archive names, by name.
    safe_mode : bool, default=True
        Refuse archives holding Python code (``Lambda`` layers).
    """
    precision = float_precision(dtype) if dtype is not None else nullcontext()
    with tempfile.TemporaryDirectory() as folder, precision:
        path = Path(folder, _ARCHIVE_NAME)
        path.write_bytes(archive)
        return keras.saving.load_model(
            path, custom_objects=custom_objects, safe_mode=safe_mode
        )


def own_classes(model: keras.Model) -> dict:
    """The model's and its layers' classes that Keras does not define, by name."""
    classes, pending = {}, [model]
    while pending:
        layer = pending.pop()
        cls = type(layer)
        if not cls.__module__.startswith("keras."):
            classes[keras.saving.get_registered_name(cls)] = cls
        pending.extend(getattr(layer, "layers", ()))
    return classes


def _unpickled_network(archive: bytes, classes: dict, dtype) -> keras.Model:
    # A pickle runs code whatever it holds: Lambda layers load too.
    return network_from_bytes(
        archive, dtype=dtype, custom_objects=classes, safe_mode=False
    )


class PickledNetwork:
    """Stands for a Keras model in an estimator's pickled state.

    Pickling or deep-copying it gives back a copy of the model itself;
    a shallow copy of the estimator unwraps it (see :class:`PicklingMixin`).
    """

    def __init__(self, model: keras.Model, dtype=None):
        self.model = model
        self.dtype = dtype

    def __reduce__(self):
        archive = network_bytes(self.model)
        return _unpickled_network, (archive, own_classes(self.model), self.dtype)


def copied_network(model: keras.Model) -> keras.Model:
    """A copy of ``model`` (weights, compilation and optimizer state)."""
    return copy.deepcopy(PickledNetwork(model))


class PicklingMixin:
    """Pickling, copying and cloning of the ``model`` and ``model_`` networks."""

    def __getstate__(self):
        # A copy: the parent may hand over the estimator's own ``__dict__``.
        state = dict(super().__getstate__())
        if isinstance(state.get("model_"), keras.Model):
            dtype = state.get("X_dtype_")
            dtype = None if dtype is None else np.dtype(dtype).name
            state["model_"] = PickledNetwork(state["model_"], dtype)
        if isinstance(state.get("model"), keras.Model):
            state["model"] = PickledNetwork(state["model"])
        return state

    def __setstate__(self, state):
        # ``copy.copy`` passes the state on as it is: take the models back out.
        state = {
            name: value.model if isinstance(value, PickledNetwork) else value
            for name, value in state.items()
        }
        super().__setstate__(state)

    def __sklearn_clone__(self):
        if not isinstance(self.model, keras.Model):
            return super().__sklearn_clone__()
        # scikit-learn deep-copies each parameter: a given network is copied
        # through its archive, as when pickled.
        holder = copy.copy(self)
        holder.model = PickledNetwork(self.model)
        return super(PicklingMixin, holder).__sklearn_clone__()
