"""Traced TensorFlow functions, traced once per architecture and run on any model.

Tracing a training epoch (running ``model.train_step`` in Python to record a
graph) and TensorFlow's optimization of the graph on its first run cost half
a second or more: longer than a whole fit of the small networks skdl is used
on, and a grid search or a cross-validation fits many networks of one
architecture. A traced function does not hold a model's variables, only their
resource handles, which it receives as extra ("captured") inputs on every
call. :func:`compiled_function` therefore traces a function once for each
architecture and input signature, and runs it on another model of the same
architecture by passing that model's handles in place of the first model's.

Two models share a trace only when everything the trace baked in as
constants is equal: the model and layer classes (Keras's own only, so no
``train_step`` or ``call`` of the user's can depend on Python state), their
configurations without names and initializers (initializers run when a
variable is created, never inside a trace), the optimizer's configuration
(the learning rate excepted: it is a variable), the loss and metrics (Keras's
own only), and the shapes and dtypes of every variable. Any other model gets a
trace of its own, kept on the model, as before.

This module also keeps TensorFlow's kernel cache from growing without bound
(see :func:`note_new_variables`), and traces with XLA when asked to.
"""

import json
import re
import threading
from collections import OrderedDict

import keras

from skdl._keras_import import quiet_serialization
from skdl._native_stderr import captured_native_stderr

_QUIET_ATTRIBUTE = "_omit_frequent_tracing_warning"
_MODEL_ATTRIBUTE = "_skdl_compiled_functions"
_KEY_ATTRIBUTE = "_skdl_architecture_key"
_NOT_YET = object()
# Logged by TensorFlow's oneDNN graph rewrite for every float64 op it leaves
# to TensorFlow's own kernels, each time a float64 graph is first run. It is
# expected (oneDNN has no float64 kernels) and says nothing to skdl's users.
_ONEDNN_FLOAT64_NOTICE = re.compile(r"Not handling type DT_DOUBLE")
# Logged once per process by XLA's first compilation.
_XLA_NOTICES = re.compile(
    r"XLA service|StreamExecutor \[|MLIR crash reproducer|Compiled cluster using XLA"
)
# Architectures whose traces are kept; the least recently used goes first.
_MAX_SHARED_TRACES = 32
# skdl's own layers (TabularEncoding) compute only from their config and
# variables, as Keras's do.
_TRUSTED_PACKAGES = ("keras", "skdl")
_UNSHAREABLE = "unshareable"


# TensorFlow keeps a compiled kernel for every variable it creates (each has
# its own name) and never evicts them: about 30 kB a variable, 0.8 MB per fit
# of a small network. Emptying the cache once this many variables have been
# created since the last time bounds that; the next call of each function
# then pays its instantiation again (about 0.2 s for a training epoch).
_VARIABLES_BETWEEN_CACHE_CLEARS = 800
_variables_since_clear = 0
# Bumped at each clear: a trace's next run instantiates its graph again, and
# logs again, so it runs quietly again.
_cache_generation = 0
_CACHE_LOCK = threading.Lock()


def clear_kernel_cache() -> None:
    """Empty TensorFlow's kernel cache, as ``tf.random.set_seed`` does."""
    global _cache_generation, _variables_since_clear
    from tensorflow.python.eager import context

    with _CACHE_LOCK:
        _cache_generation += 1
        _variables_since_clear = 0
    context.context().clear_kernel_cache()


def note_new_variables(count: int) -> None:
    """Count variables just created; empty TensorFlow's kernel cache if due."""
    global _variables_since_clear
    if keras.backend.backend() != "tensorflow":
        return  # only TensorFlow keeps a compiled kernel per variable
    with _CACHE_LOCK:
        _variables_since_clear += count
        due = _variables_since_clear >= _VARIABLES_BETWEEN_CACHE_CLEARS
    if due:
        clear_kernel_cache()


def _worth_showing(line: str) -> bool:
    return not (_ONEDNN_FLOAT64_NOTICE.search(line) or _XLA_NOTICES.search(line))


class _Trace:
    """A concrete function whose first run for each input shape is quiet.

    TensorFlow optimizes (and logs about) a graph the first time it runs it,
    again after its kernel cache is emptied, and XLA compiles anew for each
    input shape; later calls are plain calls.
    """

    def __init__(self, concrete_function, capture_positions=None):
        self.concrete_function = concrete_function
        # Where each captured handle sits in the model's state variables;
        # None when the trace can only run on the model it was traced for.
        self.capture_positions = capture_positions
        self._quiet_runs: set = set()  # (cache generation, input shapes)

    def __call__(self, tensors: list, captures: list | None):
        import tensorflow as tf

        flat = tf.nest.flatten(tensors)
        run = (_cache_generation, tuple(tuple(t.shape) for t in flat))
        if run in self._quiet_runs:
            return self._run(tensors, captures)
        with captured_native_stderr(keep=_worth_showing):
            result = self._run(tensors, captures)
        self._quiet_runs.add(run)
        return result

    def _run(self, tensors, captures):
        import tensorflow as tf

        if captures is None:
            return self.concrete_function(*tensors)
        # The traced function's flat inputs are its arguments flattened the
        # way tf.nest flattens them (dict entries by sorted key).
        return self.concrete_function._call_flat(tf.nest.flatten(tensors), captures)


class _BoundFunction:
    """A trace, called with one model's variables."""

    def __init__(self, trace: _Trace, captures: list | None):
        self._trace = trace
        self._captures = captures

    def __call__(self, *tensors):
        return self._trace(list(tensors), self._captures)


_SHARED_TRACES: OrderedDict = OrderedDict()
_SHARED_TRACES_LOCK = threading.RLock()


def clear_shared_traces() -> None:
    """Forget every shared trace (models keep the functions bound to them)."""
    with _SHARED_TRACES_LOCK:
        _SHARED_TRACES.clear()


def shared_trace_count() -> int:
    """Number of architectures whose traces are kept."""
    return len(_SHARED_TRACES)


def compiled_function(model, name: str, make_function, tensors, jit_compile=False):
    """Return a compiled ``make_function(model)`` for inputs like ``tensors``.

    Parameters
    ----------
    model : keras.Model
        A built and compiled model.
    name : str
        What the function does ("train_epoch", "forward"...); functions of
        different names are never shared.
    make_function : callable
        ``make_function(model)`` returns the Python function to trace. It
        must use ``model`` only through its variables and its methods.
    tensors : list of tf.Tensor
        Example inputs; the first axis of each may vary between calls.
    jit_compile : bool, default=False
        Compile with XLA (once per concrete input shape).

    Returns
    -------
    function : callable
        Call it with tensors of the same dtypes and trailing shapes.
    """
    import tensorflow as tf

    def spec(tensor):
        shape = [None, *tensor.shape[1:]] if tensor.shape.rank else []
        return tf.TensorSpec(shape, tensor.dtype)

    specs = tuple(tf.nest.map_structure(spec, tensor) for tensor in tensors)
    functions = getattr(model, _MODEL_ATTRIBUTE, None)
    if functions is None:
        functions = {}
        # Bypass Keras's attribute tracking: these are no layers or variables.
        object.__setattr__(model, _MODEL_ATTRIBUTE, functions)
    signature = (name, _hashable(specs))
    function = functions.get(signature)
    if function is None:
        function = _bind(model, name, make_function, specs, jit_compile)
        functions[signature] = function
    return function


def _hashable(structure):
    """``structure`` (specs in nested lists and dicts) as a dictionary key."""
    if isinstance(structure, dict):
        return ("dict", tuple((k, _hashable(v)) for k, v in sorted(structure.items())))
    if isinstance(structure, list | tuple):
        return (type(structure).__name__, tuple(_hashable(v) for v in structure))
    return structure


def _bind(model, name, make_function, specs, jit_compile) -> _BoundFunction:
    state = state_variables(model)
    key = _architecture_key(model, name, specs, state)
    shared = None
    if key is not None:
        with _SHARED_TRACES_LOCK:
            shared = _SHARED_TRACES.get(key)
            if shared is None:
                trace = _trace(model, make_function, specs, jit_compile)
                positions = _capture_positions(trace.concrete_function, state)
                if positions is None:
                    # It captured more than variables: no other model can use it.
                    _remember(key, _UNSHAREABLE)
                    return _BoundFunction(trace, None)
                trace.capture_positions = positions
                _remember(key, trace)
                shared = trace
            else:
                _SHARED_TRACES.move_to_end(key)
    if shared is None or shared is _UNSHAREABLE:
        return _BoundFunction(_trace(model, make_function, specs, jit_compile), None)
    captures = [state[position].handle for position in shared.capture_positions]
    return _BoundFunction(shared, captures)


def _remember(key: str, trace) -> None:
    _SHARED_TRACES[key] = trace
    while len(_SHARED_TRACES) > _MAX_SHARED_TRACES:
        _SHARED_TRACES.popitem(last=False)


def _trace(model, make_function, specs, jit_compile) -> _Trace:
    import tensorflow as tf

    traced = tf.function(
        make_function(model), input_signature=specs, jit_compile=jit_compile
    )
    # One trace per architecture is expected, not "excessive retracing".
    setattr(traced, _QUIET_ATTRIBUTE, True)
    return _Trace(traced.get_concrete_function(*specs))


def _capture_positions(concrete_function, state) -> list[int] | None:
    """Index in ``state`` of each captured handle; None if one is no variable's."""
    index = {id(variable.handle): position for position, variable in enumerate(state)}
    positions = []
    for captured in concrete_function.captured_inputs:
        position = index.get(id(captured))
        if position is None:
            return None
        positions.append(position)
    return positions


def state_variables(model) -> list:
    """Every variable a traced step may read or write, in a fixed order."""
    variables = list(model.variables)
    if model.optimizer is not None:
        variables += list(model.optimizer.variables)
    variables += list(model.metrics_variables)
    return variables


# ------------------------------------------------------------------- keys
def _trusted(obj) -> bool:
    """Whether ``obj`` is a string, number, None or an object of Keras's own."""
    if obj is None or isinstance(obj, bool | int | float | str):
        return True
    if isinstance(obj, list | tuple):
        return all(_trusted(item) for item in obj)
    if isinstance(obj, dict):
        return all(_trusted(key) and _trusted(value) for key, value in obj.items())
    module = obj.__module__ if callable(obj) and not isinstance(obj, type) else None
    if module is None or hasattr(obj, "get_config"):
        module = type(obj).__module__
    return module.split(".")[0] in _TRUSTED_PACKAGES


def _without_names_and_initializers(config, names: dict):
    """``config`` with layer names numbered and initializers left out."""
    if isinstance(config, dict):
        return {
            key: _without_names_and_initializers(value, names)
            for key, value in config.items()
            if not key.endswith("_initializer")
        }
    if isinstance(config, list | tuple):
        return [_without_names_and_initializers(item, names) for item in config]
    if isinstance(config, str) and config in names:
        return f"\0layer {names[config]}"
    return config


def model_key(model) -> str | None:
    """A string equal for models one compiled step can serve; None if unsure.

    Worked out once per model and kept on it.
    """
    key = getattr(model, _KEY_ATTRIBUTE, _NOT_YET)
    if key is _NOT_YET:
        with quiet_serialization():
            key = _model_key(model, state_variables(model))
        object.__setattr__(model, _KEY_ATTRIBUTE, key)
    return key


def _architecture_key(model, name, specs, state) -> str | None:
    """A string equal for models one trace can serve; None if none can be sure."""
    key = model_key(model)
    if key is None:
        return None
    import tensorflow as tf

    # Nested (several inputs or outputs): the structure is part of the key.
    inputs = tf.nest.map_structure(
        lambda spec: [spec.shape.as_list(), spec.dtype.name], specs
    )
    return json.dumps([name, inputs]) + key


def _model_key(model, state) -> str | None:
    try:
        layers = list(model._flatten_layers(include_self=True))
        if not all(_trusted(layer) for layer in layers):
            return None
        if any(isinstance(layer, keras.layers.Lambda) for layer in layers):
            return None
        names = {layer.name: index for index, layer in enumerate(layers)}
        compiled = dict(model._compile_config.config)
        optimizer = model.optimizer
        compiled.pop("optimizer", None)
        if not (_trusted(compiled) and _trusted(optimizer)):
            return None
        optimizer_config = optimizer.get_config()
        # Numbered per process ("adam_3"); it only names the slot variables.
        optimizer_config.pop("name", None)
        if not isinstance(
            optimizer._learning_rate, keras.optimizers.schedules.LearningRateSchedule
        ):
            optimizer_config.pop("learning_rate", None)
        if optimizer_config.get("weight_decay") and (
            optimizer._exclude_from_weight_decay
            or optimizer._exclude_from_weight_decay_pattern
        ):
            return None
        compile_config = model.get_compile_config()
        compile_config.pop("optimizer", None)
        key = {
            "model": [type(model).__module__, type(model).__qualname__],
            "config": _without_names_and_initializers(model.get_config(), names),
            "compile": _without_names_and_initializers(compile_config, names),
            "optimizer": [type(optimizer).__qualname__, optimizer_config],
            "variables": [
                (list(v.shape), str(v.dtype), bool(v.trainable)) for v in state
            ],
        }
        return json.dumps(key, sort_keys=True, default=repr)
    except Exception:  # an unusual model: it gets a trace of its own
        return None
