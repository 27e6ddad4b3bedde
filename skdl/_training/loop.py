"""The training loop: whole epochs inside one compiled TensorFlow call.

``keras.Model.fit`` pays tens of milliseconds of Python and ``tf.data`` work
per epoch and per step, which dominates the small networks and tables skdl is
used on. Here each epoch is a single ``tf.function`` call that slices the
mini-batches out of tensors already in memory and runs ``model.train_step`` on
each, so a user's custom ``train_step`` is still honoured. Keras callbacks get
their epoch-level hooks (``EarlyStopping``, ``History``, custom callbacks) and
one batch-level call per epoch, as ``fit`` does with ``steps_per_execution``.
"""

from dataclasses import dataclass

import keras
import numpy as np

from skdl._training.compiled import cached_on_model
from skdl._training.precision import float_precision

_TRAIN_FUNCTION = "_skdl_train_epoch"
_TEST_FUNCTION = "_skdl_test_epoch"


@dataclass
class Dataset:
    """Arrays ready for the network: inputs, targets and sample weights."""

    x: np.ndarray
    y: np.ndarray
    sample_weight: np.ndarray

    def __len__(self) -> int:
        return len(self.x)

    def subset(self, index) -> "Dataset":
        return Dataset(self.x[index], self.y[index], self.sample_weight[index])


def _epoch_function(model, step_name: str):
    """A compiled function running ``model.<step_name>`` over one epoch."""
    import tensorflow as tf

    step = getattr(model, step_name)

    @tf.function(reduce_retracing=True)
    def run_epoch(x, y, sample_weight, order, batch_size):
        n_samples = tf.shape(order)[0]
        n_batches = (n_samples + batch_size - 1) // batch_size
        for batch in tf.range(n_batches):
            index = order[
                batch * batch_size : tf.minimum((batch + 1) * batch_size, n_samples)
            ]
            step(
                (
                    tf.gather(x, index),
                    tf.gather(y, index),
                    tf.gather(sample_weight, index),
                )
            )
        return model.get_metrics_result()

    return run_epoch


def _as_floats(logs) -> dict[str, float]:
    return {name: float(value) for name, value in logs.items()}


def ensure_built(model, data: Dataset, dtype: str) -> None:
    """Create the model's, optimizer's, loss's and metrics' variables."""
    with float_precision(dtype):
        batch = (data.x[:1], data.y[:1], data.sample_weight[:1])
        # Keras's own fit, evaluate and train_on_batch build this way; there
        # is no public equivalent that does not also take a training step.
        model._symbolic_build(data_batch=batch)
        if model.optimizer is not None and not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)


def _run(model, function, data: Dataset, order: np.ndarray, batch_size: int):
    import tensorflow as tf

    model.reset_metrics()
    logs = function(
        tf.constant(data.x),
        tf.constant(data.y),
        tf.constant(data.sample_weight),
        tf.constant(order, dtype=tf.int32),
        tf.constant(batch_size, dtype=tf.int32),
    )
    return _as_floats(logs)


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
        Called at the start and end of training and of every epoch.
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
    train_epoch = cached_on_model(
        model, _TRAIN_FUNCTION, lambda model: _epoch_function(model, "train_step")
    )
    test_epoch = None
    if validation is not None:
        test_epoch = cached_on_model(
            model, _TEST_FUNCTION, lambda model: _epoch_function(model, "test_step")
        )
    n_batches = -(-len(data) // batch_size)
    callback_list = keras.callbacks.CallbackList(
        callbacks,
        add_history=False,
        add_progbar=verbose != 0,
        model=model,
        verbose=verbose,
        epochs=initial_epoch + epochs,
        steps=n_batches,
    )
    history: dict[str, list[float]] = {}
    model.stop_training = False
    callback_list.on_train_begin()
    logs: dict[str, float] = {}
    for epoch in range(initial_epoch, initial_epoch + epochs):
        callback_list.on_epoch_begin(epoch)
        order = rng.permutation(len(data)) if shuffle else np.arange(len(data))
        callback_list.on_train_batch_begin(0)
        logs = _run(model, train_epoch, data, order, batch_size)
        callback_list.on_train_batch_end(n_batches - 1, logs)
        if validation is not None:
            val_logs = _run(
                model,
                test_epoch,
                validation,
                np.arange(len(validation)),
                validation_batch_size or batch_size,
            )
            logs.update({f"val_{name}": value for name, value in val_logs.items()})
        callback_list.on_epoch_end(epoch, logs)
        for name, value in logs.items():
            history.setdefault(name, []).append(value)
        if model.stop_training:
            break
    callback_list.on_train_end(logs)
    return history
