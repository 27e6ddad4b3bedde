"""TensorFlow epochs: a whole epoch inside one compiled TensorFlow call.

``keras.Model.fit`` pays tens of milliseconds of Python and ``tf.data`` work
per epoch and per step, which dominates the small networks and tables skdl is
used on. Here each epoch is a single ``tf.function`` call that slices the
mini-batches out of tensors already in memory and runs ``model.train_step`` on
each, so a user's custom ``train_step`` is still honoured.

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

import numpy as np

from skdl._training.compiled import (
    compiled_forward,
    compiled_step,
    pinned,
    reset_metrics,
)
from skdl._training.data import Dataset, as_floats, has_sparse, map_arrays
from skdl._training.sparse import SparseRows, dense_rows, is_sparse, sparse_rows

TRAIN_FUNCTION = "train_epoch"
TEST_FUNCTION = "test_epoch"
_XLA_FUNCTION = "train_full_batches_xla"
_XLA_REFUSED = "_skdl_xla_refused"


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


class Epochs:
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
        # Builds a template when the architecture has no free one.
        self.sample = data.subset(slice(0, 1))
        self._functions: dict = {}

    def _compiled(self, name: str, make_function, inputs, jit_compile=False):
        """The compiled function, looked up once per pass over the data."""
        function = self._functions.get(name)
        if function is None:
            function = self._functions[name] = compiled_step(
                self.model, name, make_function, inputs, self.sample, jit_compile
            )
        return function

    def run(self, order: np.ndarray) -> dict[str, float]:
        reset_metrics(self.model)
        return as_floats(self._run_plain(order))

    def run_by_batch(self, order: np.ndarray, callback_list) -> dict[str, float]:
        """One epoch, one compiled call per batch, with the batch hooks."""
        reset_metrics(self.model)
        logs: dict[str, float] = {}
        for batch, start in enumerate(range(0, len(order), self.batch_size)):
            callback_list.on_train_batch_begin(batch)
            logs = as_floats(self._run_plain(order[start : start + self.batch_size]))
            callback_list.on_train_batch_end(batch, logs)
            if self.model.stop_training:
                break
        return logs

    def _run_plain(self, order: np.ndarray):
        import tensorflow as tf

        step_name = "train_step" if self.name == TRAIN_FUNCTION else "test_step"
        inputs = self.tensors + [
            tf.constant(order, dtype=tf.int32),
            tf.constant(self.batch_size, dtype=tf.int32),
        ]
        function = self._compiled(
            self.name, lambda model: _epoch_function(model, step_name), inputs
        )
        return function(*inputs)


class _XLAEpochs(Epochs):
    """Training epochs whose full mini-batches run in one XLA-compiled call."""

    def __init__(self, model, data: Dataset, batch_size: int):
        rows = _padded_length(len(data))
        super().__init__(model, data, batch_size, TRAIN_FUNCTION, rows)
        self.n_full = len(data) // batch_size
        self.capacity = rows // batch_size

    def run(self, order: np.ndarray) -> dict[str, float]:
        reset_metrics(self.model)
        logs = None
        if self.n_full and not getattr(self.model, _XLA_REFUSED, False):
            logs = self._run_full_batches(order)
        if getattr(self.model, _XLA_REFUSED, False):
            return as_floats(self._run_plain(order))
        rest = order[self.n_full * self.batch_size :]
        if len(rest):
            logs = self._run_plain(rest)
        return as_floats(logs)

    def _run_full_batches(self, order: np.ndarray):
        import tensorflow as tf

        batches = np.zeros((self.capacity, self.batch_size), dtype=np.int32)
        full = self.n_full * self.batch_size
        batches[: self.n_full] = order[:full].reshape(self.n_full, -1)
        inputs = self.tensors + [
            tf.constant(batches),
            tf.constant(self.n_full, dtype=tf.int32),
        ]
        function = self._compiled(
            _XLA_FUNCTION, _full_batches_function, inputs, jit_compile=True
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


def unobserved(model, data: Dataset):
    """A block in which nothing but the epochs reads or writes ``model``.

    The model's state stays in the compiled steps' own variables for the
    length of the block, instead of being assigned in and out on every
    epoch; the model's variables are up to date when the block ends. Use it
    when no callback looks at the model between epochs.
    """
    return pinned(model, data.subset(slice(0, 1)))


def training_epochs(model, data: Dataset, batch_size: int) -> Epochs:
    # Sparse rows are densified by ops XLA cannot compile (ragged ranges).
    xla = getattr(model, "jit_compile", False) and not has_sparse(data.x)
    if xla and not getattr(model, _XLA_REFUSED, False):
        return _XLAEpochs(model, data, batch_size)
    return Epochs(model, data, batch_size, TRAIN_FUNCTION)


def evaluation_epochs(model, data: Dataset, batch_size: int) -> Epochs:
    """Passes of ``model.test_step`` over ``data`` (validation after each epoch)."""
    return Epochs(model, data, batch_size, TEST_FUNCTION)


def forward_batch(model, batch):
    """The model's outputs for ``batch``, as NumPy arrays.

    ``batch`` is a dense NumPy array, or a list or dict of them, in the
    dtypes the model takes; the outputs come in the structure of the model's
    outputs. One compiled call, shared by the models of an architecture.
    """
    import tensorflow as tf

    inputs = map_arrays(tf.constant, batch)
    outputs = compiled_forward(model, inputs)(inputs)
    return map_arrays(lambda tensor: tensor.numpy(), outputs)
