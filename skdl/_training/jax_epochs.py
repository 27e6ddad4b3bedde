"""JAX epochs: Keras's stateless train step, a whole epoch in one jitted call.

On JAX, Keras trains statelessly: ``model.train_step(state, data)`` takes the
values of the model's trainable, non-trainable, optimizer and metrics
variables and returns their new values (``model.test_step`` likewise, without
the optimizer). skdl runs an epoch's full mini-batches in one ``jax.jit``
compiled ``lax.fori_loop`` over that step, with the data already on the
device, and a last, smaller mini-batch in a jitted step of its own. A user's
``train_step`` override (which on JAX has the same stateless signature) is
honoured.

Because the compiled functions take the variables' values as arguments, one
compilation serves every model of the same architecture (same classes,
configuration, optimizer, loss and variable shapes; see
``architecture.model_key``): the folds of a cross-validation and the candidates
of a grid search compile once. Other models get functions of their own.

The data are padded to one of a few lengths (padding rows are never read), so
that data sets of similar sizes share one compilation too.

A float64 network trains inside ``jax.enable_x64(True)`` (see
``precision.backend_precision``); everything else in 32 bits, as JAX does by
default.
"""

import inspect
import threading
from collections import OrderedDict
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import scipy.sparse

from skdl._training.architecture import model_key
from skdl._training.data import Dataset, as_floats, map_arrays
from skdl._training.sparse import is_sparse

_MODEL_ATTRIBUTE = "_skdl_jax_functions"
# Every function a model ran with, shared or not, by name (see introspect).
_USED_ATTRIBUTE = "_skdl_jax_used"
_VARIABLES_ATTRIBUTE = "_skdl_jax_variables"
# Compiled functions kept (about six per architecture: the training and
# validation epochs and single batches, the metrics, the forward pass); the
# least recently used go first.
_MAX_SHARED = 192
_SHARED: OrderedDict = OrderedDict()
_SHARED_LOCK = threading.Lock()


def padded_length(n_rows: int) -> int:
    """``n_rows`` rounded up to one of a few sizes, at most 1/8 more."""
    step = max(1, 2 ** (max(n_rows, 1).bit_length() - 4))
    return -(-n_rows // step) * step


def host_array(array, rows: int | None = None) -> np.ndarray:
    """``array`` as JAX will take it, padded with zeros to ``rows`` rows.

    Where 64-bit types are off, 64-bit numbers are converted to 32 bits
    here, explicitly, as JAX would do with a warning.
    """
    array = np.asarray(array)
    if not jax.config.jax_enable_x64 and array.dtype.itemsize == 8:
        if array.dtype.kind in "fiu":
            array = array.astype(f"{array.dtype.kind}4")
    if rows is not None and rows != len(array):
        padded = np.zeros((rows, *array.shape[1:]), dtype=array.dtype)
        padded[: len(array)] = array
        array = padded
    return array


def device_array(array, rows: int | None = None):
    """``array`` as a JAX array on the default device; see :func:`host_array`."""
    return jnp.asarray(host_array(array, rows))


def compiled(model, name: str, make_function):
    """``jax.jit(make_function(model))``, shared by models of one architecture."""
    function = _compiled(model, name, make_function)
    used = getattr(model, _USED_ATTRIBUTE, None)
    if used is None:
        used = {}
        object.__setattr__(model, _USED_ATTRIBUTE, used)
    used[name] = function
    return function


def _compiled(model, name: str, make_function):
    key = model_key(model)
    if key is None:
        functions = getattr(model, _MODEL_ATTRIBUTE, None)
        if functions is None:
            functions = {}
            # Bypass Keras's attribute tracking: these are no layers.
            object.__setattr__(model, _MODEL_ATTRIBUTE, functions)
        if name not in functions:
            functions[name] = jax.jit(make_function(model))
        return functions[name]
    with _SHARED_LOCK:
        function = _SHARED.get((name, key))
        if function is None:
            function = jax.jit(make_function(model))
            _SHARED[(name, key)] = function
            while len(_SHARED) > _MAX_SHARED:
                _SHARED.popitem(last=False)
        else:
            _SHARED.move_to_end((name, key))
        return function


def clear_shared() -> None:
    """Forget every shared compiled function."""
    with _SHARED_LOCK:
        _SHARED.clear()


class PaddedRows(NamedTuple):
    """A sparse matrix as rows of (column, value) pairs, padded to one length.

    Row ``i`` holds its stored entries in ``columns[i]`` and ``values[i]``,
    then zeros up to the longest row. A jitted step makes one mini-batch's
    rows dense (:meth:`dense`), so only one mini-batch is ever dense; the
    arrays take ``n_rows * longest_row`` entries each. ``width`` is an empty
    ``(0, n_columns)`` array: its shape gives the dense width to the trace.
    """

    columns: object
    values: object
    width: object

    @classmethod
    def from_sparse(cls, matrix, rows: int) -> "PaddedRows":
        matrix = scipy.sparse.csr_matrix(matrix)
        matrix.sum_duplicates()
        lengths = np.diff(matrix.indptr)
        longest = max(int(lengths.max(initial=0)), 1)
        columns = np.zeros((rows, longest), dtype=np.int32)
        values = np.zeros((rows, longest), dtype=matrix.dtype)
        row_ids = np.repeat(np.arange(matrix.shape[0]), lengths)
        slots = np.arange(matrix.nnz) - np.repeat(matrix.indptr[:-1], lengths)
        columns[row_ids, slots] = matrix.indices
        values[row_ids, slots] = matrix.data
        width = np.zeros((0, matrix.shape[1]), dtype=matrix.dtype)
        return cls(*(device_array(part) for part in (columns, values, width)))

    def dense(self, index):
        """The rows ``index`` as a dense array (inside a trace)."""
        columns, values = self.columns[index], self.values[index]
        dense = jnp.zeros((len(index), self.width.shape[1]), values.dtype)
        # Padding entries add zero to column 0.
        return dense.at[jnp.arange(len(index))[:, None], columns].add(values)


def _take(structure, index):
    """The rows ``index`` of every array of ``structure``."""
    if isinstance(structure, PaddedRows):
        return structure.dense(index)
    if isinstance(structure, dict):
        return {name: _take(value, index) for name, value in structure.items()}
    if isinstance(structure, list | tuple):
        return [_take(value, index) for value in structure]
    return structure[index]


def _batch(x, y, sample_weight, index) -> tuple:
    """The rows ``index`` of the data, as ``train_step`` takes them."""
    weights = None if sample_weight is None else sample_weight[index]
    return _take(x, index), _take(y, index), weights


def _step_function(model, training: bool):
    """One mini-batch: ``(state, x, y, sample_weight, index) -> (logs, state)``."""
    step = model.train_step if training else model.test_step

    def run_step(state, x, y, sample_weight, index):
        return step(state, _batch(x, y, sample_weight, index))

    return run_step


def _loop_function(model, training: bool):
    """The first ``n_batches`` rows of ``batches``, one mini-batch each."""
    step = model.train_step if training else model.test_step

    def run_batches(state, x, y, sample_weight, batches, n_batches):
        def body(batch, state):
            return step(state, _batch(x, y, sample_weight, batches[batch]))[1]

        return jax.lax.fori_loop(0, n_batches, body, state)

    return run_batches


def _metrics_function(model):
    """The metrics' results from their variables' values."""
    import keras

    def results(metrics_values):
        mapping = list(zip(model.metrics_variables, metrics_values, strict=True))
        with keras.StatelessScope(state_mapping=mapping):
            return model.get_metrics_result()

    return results


class Epochs:
    """Epochs of ``model.train_step`` (or ``test_step``) over data on the device."""

    def __init__(self, model, data: Dataset, batch_size: int, training: bool = True):
        self.model = model
        self.training = training
        # Off only when nothing reads the model between epochs (see run).
        self.sync_each_epoch = True
        self._held = None
        self.batch_size = batch_size
        self.n_samples = len(data)
        rows = padded_length(len(data))
        self.capacity = rows // batch_size

        def on_device(array):
            if is_sparse(array):
                return PaddedRows.from_sparse(array, rows)
            return device_array(array, rows)

        # Uniform weights go as None, as keras.Model.fit passes them: a
        # weighted mean of ones rounds differently from a plain mean.
        weights = data.sample_weight
        weights = None if np.all(weights == 1) else device_array(weights, rows)
        self.arrays = [map_arrays(on_device, data.x), map_arrays(on_device, data.y)]
        self.arrays.append(weights)
        kind = "train" if training else "test"
        self._loop = compiled(
            model, f"{kind}_epoch", lambda m: _loop_function(m, training)
        )
        self._step = compiled(
            model, f"{kind}_batch", lambda m: _step_function(m, training)
        )
        self._results = compiled(model, "metrics_results", _metrics_function)

    # -------------------------------------------------------------- state
    def _variables(self) -> list:
        model = self.model
        groups = [model.trainable_variables, model.non_trainable_variables]
        if self.training:
            groups.append(model.optimizer.variables)
        groups.append(model.metrics_variables)
        return groups

    def _state(self) -> tuple:
        return tuple([v.value for v in group] for group in self._variables())

    def _write(self, state) -> None:
        for group, values in zip(self._variables(), state, strict=True):
            for variable, value in zip(group, values, strict=True):
                variable.assign(value)

    # -------------------------------------------------------------- epochs
    def run(self, order: np.ndarray) -> dict[str, float]:
        """One pass over the rows in ``order``; the epoch's logs.

        With ``sync_each_epoch`` off, the new values stay here between epochs
        (:meth:`finish` writes them into the model): nothing reads the
        model's variables between epochs then, and writing them costs a
        fraction of a millisecond per epoch.
        """
        self.model.reset_metrics()
        if self._held is None:
            state = self._state()
        else:  # only the metrics, just reset, are read again
            metrics = [v.value for v in self.model.metrics_variables]
            state = (*self._held[:-1], metrics)
        n_full = len(order) // self.batch_size
        if n_full:
            batches = np.zeros((self.capacity, self.batch_size), dtype=np.int32)
            batches[:n_full] = order[: n_full * self.batch_size].reshape(n_full, -1)
            state = self._loop(state, *self.arrays, batches, np.int32(n_full))
        rest = order[n_full * self.batch_size :]
        if len(rest):
            _, state = self._step(state, *self.arrays, rest.astype(np.int32))
        if self.sync_each_epoch:
            self._write(state)
        else:
            self._held = state
        return as_floats(self._results(state[-1]))

    def finish(self) -> None:
        """Write values held between epochs into the model's variables."""
        if self._held is not None:
            self._write(self._held)
            self._held = None

    def run_by_batch(self, order: np.ndarray, callback_list) -> dict[str, float]:
        """One epoch, one compiled call per batch, with the batch hooks."""
        self.finish()
        self.model.reset_metrics()
        logs: dict[str, float] = {}
        for batch, start in enumerate(range(0, len(order), self.batch_size)):
            callback_list.on_train_batch_begin(batch)
            index = order[start : start + self.batch_size].astype(np.int32)
            step_logs, state = self._step(self._state(), *self.arrays, index)
            self._write(state)
            logs = as_floats(step_logs)
            callback_list.on_train_batch_end(batch, logs)
            if self.model.stop_training:
                break
        return logs


def training_epochs(model, data: Dataset, batch_size: int) -> Epochs:
    """Training epochs of ``model`` over ``data``."""
    return Epochs(model, data, batch_size, training=True)


def evaluation_epochs(model, data: Dataset, batch_size: int) -> Epochs:
    """Passes of ``model.test_step`` over ``data`` (validation after each epoch)."""
    return Epochs(model, data, batch_size, training=False)


# ------------------------------------------------------------------ predict
def _forward_function(model):
    # As Keras's predict_step: a model whose call takes no ``training``
    # argument gets none.
    parameters = inspect.signature(model.call).parameters
    takes_training = "training" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )
    kwargs = {"training": False} if takes_training else {}
    # The values come in model.variables' order (see _all_variables); which
    # of them are trainable is part of the architecture.
    position = {id(variable): index for index, variable in enumerate(model.variables)}
    trainable = [position[id(v)] for v in model.trainable_variables]
    non_trainable = [position[id(v)] for v in model.non_trainable_variables]

    def forward(values, x):
        outputs, _ = model.stateless_call(
            [values[i] for i in trainable],
            [values[i] for i in non_trainable],
            x,
            **kwargs,
        )
        return outputs

    return forward


def _all_variables(model) -> list:
    """``model.variables``, listed once: walking the layers costs more than
    a one-row prediction, and a built model's variables do not change."""
    variables = getattr(model, _VARIABLES_ATTRIBUTE, None)
    if variables is None:
        variables = list(model.variables)
        object.__setattr__(model, _VARIABLES_ATTRIBUTE, variables)
    return variables


def forward_batch(model, x):
    """The model's outputs for one batch ``x`` (NumPy arrays in, out)."""
    n_rows = len(jax.tree.leaves(x)[0])
    rows = padded_length(n_rows)
    # NumPy arrays go to the compiled function as they are: JAX moves them
    # to the device faster than a separate jnp.asarray.
    inputs = map_arrays(lambda array: host_array(array, rows), x)
    function = compiled(model, "forward", _forward_function)
    outputs = function([v.value for v in _all_variables(model)], inputs)
    if isinstance(outputs, jax.Array):
        return np.asarray(outputs)[:n_rows]
    return jax.tree.map(lambda array: np.asarray(array)[:n_rows], outputs)
