"""The training loop: whole epochs inside one compiled TensorFlow call.

``keras.Model.fit`` pays tens of milliseconds of Python and ``tf.data`` work
per epoch and per step, which dominates the small networks and tables skdl is
used on. Here each epoch is a single ``tf.function`` call that slices the
mini-batches out of tensors already in memory and runs ``model.train_step`` on
each, so a user's custom ``train_step`` is still honoured. Keras callbacks get
their epoch-level hooks (``EarlyStopping``, ``History``, custom callbacks).

When a callback implements a train-batch hook (``on_train_batch_begin``,
``on_train_batch_end``, or their older names ``on_batch_begin`` /
``on_batch_end``), every mini-batch runs in a compiled call of its own
instead, so that the hooks run once per batch with the batch's index and the
running logs, as in ``keras.Model.fit``. The same traced steps run on the
same batches in the same order, so the results are those of the fused path.

A model compiled with ``jit_compile=True`` (``compile__jit_compile=True``, or
its builder's own ``compile`` call) has its epochs compiled by XLA, as Keras's
``fit`` would: every mini-batch step of a small network then costs
microseconds instead of a fraction of a millisecond. XLA needs fixed shapes,
so the full mini-batches run in one XLA call over data padded to one of a few
sizes (padding rows are never read) and a last, smaller mini-batch runs in
the usual compiled function. XLA fuses operations, so results agree with the
usual path to rounding, not to the last bit.
"""

import warnings
from dataclasses import dataclass

import keras
import numpy as np

from skdl._training.compiled import (
    compiled_function,
    note_new_variables,
    state_variables,
)
from skdl._training.precision import float_precision
from skdl._training.sparse import (
    SparseRows,
    dense_rows,
    densified,
    is_sparse,
    sparse_rows,
)

_TRAIN_FUNCTION = "train_epoch"
_TEST_FUNCTION = "test_epoch"
_XLA_FUNCTION = "train_full_batches_xla"
_XLA_REFUSED = "_skdl_xla_refused"


@dataclass
class Dataset:
    """Arrays ready for the network: inputs, targets and sample weights.

    ``x`` and ``y`` are each an array, or a list or dict of arrays (a model
    with several inputs or outputs), all with samples along the first axis.
    """

    x: object
    y: object
    sample_weight: np.ndarray

    def __len__(self) -> int:
        return len(self.sample_weight)

    def subset(self, index) -> "Dataset":
        return Dataset(
            map_arrays(lambda array: array[index], self.x),
            map_arrays(lambda array: array[index], self.y),
            self.sample_weight[index],
        )


def map_arrays(function, structure):
    """``function`` applied to every array of an array, list or dict of arrays.

    A SciPy sparse matrix, or its tensors (:class:`SparseRows`), is one array.
    """
    if isinstance(structure, SparseRows):
        return function(structure)
    if isinstance(structure, dict):
        return {name: function(value) for name, value in structure.items()}
    if isinstance(structure, list | tuple):
        return [function(value) for value in structure]
    return function(structure)


def _epoch_function(model, step_name: str):
    """A function running ``model.<step_name>`` over one epoch, to be traced."""
    import tensorflow as tf

    step = getattr(model, step_name)

    def run_epoch(x, y, sample_weight, order, batch_size):
        n_samples = tf.shape(order)[0]
        n_batches = (n_samples + batch_size - 1) // batch_size
        for batch in tf.range(n_batches):
            index = order[
                batch * batch_size : tf.minimum((batch + 1) * batch_size, n_samples)
            ]
            step(_batch(x, y, sample_weight, index))
        return model.get_metrics_result()

    return run_epoch


def _batch(x, y, sample_weight, index):
    """The rows ``index`` of the data, as ``train_step`` takes them."""
    import tensorflow as tf

    def gather(tensor):
        if isinstance(tensor, SparseRows):
            return dense_rows(tensor, index)
        return tf.gather(tensor, index)

    return map_arrays(gather, x), map_arrays(gather, y), gather(sample_weight)


def _full_batches_function(model):
    """Run ``model.train_step`` on the first ``n_batches`` rows of ``batches``."""
    import tensorflow as tf

    step = model.train_step

    def run_full_batches(x, y, sample_weight, batches, n_batches):
        for batch in tf.range(n_batches):
            step(_batch(x, y, sample_weight, batches[batch]))
        return model.get_metrics_result()

    return run_full_batches


def _padded_length(n_rows: int) -> int:
    """``n_rows`` rounded up to one of a few sizes, at most 1/8 more.

    XLA compiles once per input shape: data sets of similar sizes (the folds
    of a cross-validation) share one compilation.
    """
    step = max(1, 2 ** (max(n_rows, 1).bit_length() - 4))
    return -(-n_rows // step) * step


def _pad(array: np.ndarray, n_rows: int) -> np.ndarray:
    padded = np.zeros((n_rows, *array.shape[1:]), dtype=array.dtype)
    padded[: len(array)] = array
    return padded


class _Epochs:
    """Runs epochs of ``model.<step_name>`` over data turned into tensors once."""

    def __init__(self, model, data: Dataset, batch_size: int, name: str, rows=None):
        import tensorflow as tf

        self.model = model
        self.name = name
        self.batch_size = batch_size

        # With ``rows``, the data padded to that many rows; the functions
        # only ever gather the rows below len(data).
        def tensor(array):
            if is_sparse(array):
                return sparse_rows(array)
            return tf.constant(array if rows is None else _pad(array, rows))

        self.tensors = [
            map_arrays(tensor, part) for part in (data.x, data.y, data.sample_weight)
        ]

    def run(self, order: np.ndarray) -> dict[str, float]:
        self.model.reset_metrics()
        return _as_floats(self._run_plain(order))

    def run_by_batch(self, order: np.ndarray, callback_list) -> dict[str, float]:
        """One epoch, one compiled call per batch, with the batch hooks."""
        self.model.reset_metrics()
        logs: dict[str, float] = {}
        for batch, start in enumerate(range(0, len(order), self.batch_size)):
            callback_list.on_train_batch_begin(batch)
            logs = _as_floats(self._run_plain(order[start : start + self.batch_size]))
            callback_list.on_train_batch_end(batch, logs)
            if self.model.stop_training:
                break
        return logs

    def _run_plain(self, order: np.ndarray):
        import tensorflow as tf

        step_name = "train_step" if self.name == _TRAIN_FUNCTION else "test_step"
        inputs = self.tensors + [
            tf.constant(order, dtype=tf.int32),
            tf.constant(self.batch_size, dtype=tf.int32),
        ]
        function = compiled_function(
            self.model,
            self.name,
            lambda model: _epoch_function(model, step_name),
            inputs,
        )
        return function(*inputs)


class _XLAEpochs(_Epochs):
    """Training epochs whose full mini-batches run in one XLA-compiled call."""

    def __init__(self, model, data: Dataset, batch_size: int):
        rows = _padded_length(len(data))
        super().__init__(model, data, batch_size, _TRAIN_FUNCTION, rows)
        self.n_full = len(data) // batch_size
        self.capacity = rows // batch_size

    def run(self, order: np.ndarray) -> dict[str, float]:
        self.model.reset_metrics()
        logs = None
        if self.n_full and not getattr(self.model, _XLA_REFUSED, False):
            logs = self._run_full_batches(order)
        if getattr(self.model, _XLA_REFUSED, False):
            return _as_floats(self._run_plain(order))
        rest = order[self.n_full * self.batch_size :]
        if len(rest):
            logs = self._run_plain(rest)
        return _as_floats(logs)

    def _run_full_batches(self, order: np.ndarray):
        import tensorflow as tf

        batches = np.zeros((self.capacity, self.batch_size), dtype=np.int32)
        full = self.n_full * self.batch_size
        batches[: self.n_full] = order[:full].reshape(self.n_full, -1)
        inputs = self.tensors + [
            tf.constant(batches),
            tf.constant(self.n_full, dtype=tf.int32),
        ]
        function = compiled_function(
            self.model, _XLA_FUNCTION, _full_batches_function, inputs, jit_compile=True
        )
        try:
            return function(*inputs)
        except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError) as error:
            # Ops XLA cannot compile: XLA compiles the whole call before
            # running any of it, so nothing has changed yet. (An error of the
            # step itself shows again when the plain function runs it.)
            reason = error.message.splitlines()[0]
            warnings.warn(
                f"XLA could not compile {type(self.model).__name__}'s training "
                f"step, which trains without jit_compile: {reason}",
                RuntimeWarning,
                stacklevel=5,
            )
            object.__setattr__(self.model, _XLA_REFUSED, True)
            return None


def has_sparse(structure) -> bool:
    """Whether any array of ``structure`` is a SciPy sparse matrix."""
    found = []
    map_arrays(lambda array: found.append(is_sparse(array)), structure)
    return any(found)


def _training_epochs(model, data: Dataset, batch_size: int) -> _Epochs:
    # Sparse rows are densified by ops XLA cannot compile (ragged ranges).
    xla = getattr(model, "jit_compile", False) and not has_sparse(data.x)
    if xla and not getattr(model, _XLA_REFUSED, False):
        return _XLAEpochs(model, data, batch_size)
    return _Epochs(model, data, batch_size, _TRAIN_FUNCTION)


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


def _as_floats(logs) -> dict[str, float]:
    return {name: float(value) for name, value in logs.items()}


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
    note_new_variables(len(state_variables(model)))


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
    training = _training_epochs(model, data, batch_size)
    validating = None
    if validation is not None:
        validating = _Epochs(
            model, validation, validation_batch_size or batch_size, _TEST_FUNCTION
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
    history: dict[str, list[float]] = {}
    model.stop_training = False
    callback_list.on_train_begin()
    logs: dict[str, float] = {}
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
    callback_list.on_train_end(logs)
    return history
