"""The training loop: Keras callbacks around epochs compiled for the backend.

``keras.Model.fit`` pays tens of milliseconds of Python and data-pipeline
work per epoch and per step, which dominates the small networks and tables
skdl is used on. Here each epoch is one compiled call that slices the
mini-batches out of arrays already in memory; how it is compiled is the
backend's job (``tf_epochs`` for TensorFlow, ``jax_epochs`` for JAX,
``eager_epochs`` for any other backend). Keras callbacks get their
epoch-level hooks (``EarlyStopping``, ``History``, custom callbacks).

When a callback implements a train-batch hook (``on_train_batch_begin``,
``on_train_batch_end``, or their older names ``on_batch_begin`` /
``on_batch_end``), every mini-batch runs in a compiled call of its own
instead, so that the hooks run once per batch with the batch's index and the
running logs, as in ``keras.Model.fit``. The same steps run on the same
batches in the same order, so the results are those of the fused path.
"""

import contextlib

import keras
import numpy as np

from skdl._training.data import Dataset, map_arrays
from skdl._training.precision import float_precision
from skdl._training.sparse import densified


def backend_engine():
    """The engine module for the backend Keras runs on.

    Each has ``training_epochs``, ``evaluation_epochs`` and ``forward_batch``.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        from skdl._training import tf_epochs

        return tf_epochs
    if backend == "jax":
        from skdl._training import jax_epochs

        return jax_epochs
    from skdl._training import eager_epochs

    return eager_epochs


_BATCH_HOOKS = (
    "on_train_batch_begin",
    "on_train_batch_end",
    "on_batch_begin",
    "on_batch_end",
)


def has_train_batch_hooks(callback) -> bool:
    """Whether ``callback`` overrides one of Keras's train-batch hooks.

    Keras's own ``CallbackList`` asks the same question of each callback.
    A hook given as an attribute (as ``LambdaCallback`` does) counts.
    """
    for hook in _BATCH_HOOKS:
        method = getattr(callback, hook, None)
        default = getattr(keras.callbacks.Callback, hook)
        if method is not None and getattr(method, "__func__", None) is not default:
            return True
    return False


def looks_at_model(callback) -> bool:
    """Whether ``callback`` may read or change the model during training.

    skdl's own callbacks that read only the logs say so with a
    ``reads_only_logs = True`` attribute.
    """
    return not getattr(callback, "reads_only_logs", False)


def _between_epochs_unobserved(epochs_module, model, data: Dataset, observed: bool):
    """The backend's block for training nothing looks at, if it has one.

    Such a backend may keep the model's state to itself until the block
    ends, instead of bringing the model up to date after every epoch.
    """
    unobserved = getattr(epochs_module, "unobserved", None)
    if unobserved is None or observed:
        return contextlib.nullcontext()
    return unobserved(model, data)


def ensure_built(model, data: Dataset, dtype: str) -> None:
    """Create the model's, optimizer's, loss's and metrics' variables."""
    with float_precision(dtype):
        first = data.subset(slice(0, 1))
        batch = (map_arrays(densified, first.x), first.y, first.sample_weight)
        # Keras's own fit, evaluate and train_on_batch build this way; there
        # is no public equivalent that does not also take a training step.
        model._symbolic_build(data_batch=batch)
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)


def train(
    model,
    data: Dataset,
    *,
    epochs: int,
    batch_size: int,
    shuffle: bool,
    rng: np.random.Generator,
    callbacks: list,
    validation: Dataset | None = None,
    validation_batch_size: int | None = None,
    initial_epoch: int = 0,
    verbose: int = 0,
) -> dict[str, list[float]]:
    """Train ``model`` for ``epochs`` epochs and return the per-epoch logs.

    Parameters
    ----------
    model : keras.Model
        A compiled and built model (see :func:`ensure_built`).
    data : Dataset
        Training inputs, targets and sample weights.
    epochs : int
        Number of passes over ``data``.
    batch_size : int
        Samples per gradient step; the last batch of an epoch may be smaller.
    shuffle : bool
        Visit the samples in a new random order every epoch.
    rng : numpy.random.Generator
        Source of the shuffling order.
    callbacks : list of keras.callbacks.Callback
        Called at the start and end of training and of every epoch; and of
        every batch when one of them has a train-batch hook (see
        :func:`has_train_batch_hooks`), which makes each batch a compiled
        call of its own.
    validation : Dataset, default=None
        Evaluated after every epoch; its logs get a ``val_`` prefix.
    validation_batch_size : int, default=None
        Batch size for the validation pass; ``batch_size`` when None.
    initial_epoch : int, default=0
        Index of the first epoch, for callbacks and logs.
    verbose : int, default=0
        Keras verbosity: 0 silent, 1 progress bar, 2 one line per epoch.

    Returns
    -------
    history : dict of str to list of float
        Loss and metrics of every epoch trained.
    """
    n_batches = -(-len(data) // batch_size)
    epochs_module = backend_engine()
    training = epochs_module.training_epochs(model, data, batch_size)
    validating = None
    if validation is not None:
        validating = epochs_module.evaluation_epochs(
            model, validation, validation_batch_size or batch_size
        )
    callback_list = keras.callbacks.CallbackList(
        callbacks,
        add_history=False,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=initial_epoch + epochs,
        steps=n_batches,
    )
    by_batch = any(has_train_batch_hooks(callback) for callback in callbacks)
    # An engine may keep the weights to itself between epochs when no
    # callback and no validation pass reads them.
    observed = validating is not None or any(looks_at_model(c) for c in callbacks)
    if hasattr(training, "sync_each_epoch"):
        training.sync_each_epoch = observed
    history: dict[str, list[float]] = {}
    model.stop_training = False
    callback_list.on_train_begin()
    logs: dict[str, float] = {}
    with _between_epochs_unobserved(epochs_module, model, data, observed):
        for epoch in range(initial_epoch, initial_epoch + epochs):
            callback_list.on_epoch_begin(epoch)
            order = rng.permutation(len(data)) if shuffle else np.arange(len(data))
            if by_batch:
                logs = training.run_by_batch(order, callback_list)
            else:
                callback_list.on_train_batch_begin(0)
                logs = training.run(order)
                callback_list.on_train_batch_end(n_batches - 1, logs)
            if validating is not None:
                val_logs = validating.run(np.arange(len(validation)))
                logs.update({f"val_{name}": value for name, value in val_logs.items()})
            callback_list.on_epoch_end(epoch, logs)
            for name, value in logs.items():
                history.setdefault(name, []).append(value)
            if model.stop_training:
                break
    if hasattr(training, "finish"):
        training.finish()
    callback_list.on_train_end(logs)
    return history
