"""Traced TensorFlow functions, traced once per architecture and run on any model.

Tracing a training epoch (running ``model.train_step`` in Python to record a
graph) and TensorFlow's optimization of the graph on its first run cost half
a second or more: longer than a whole fit of the small networks skdl is used
on, and a grid search or a cross-validation fits many networks of one
architecture. So a traced function is shared by every model of an
architecture, through public TensorFlow and Keras only:

- Training and validation steps (:func:`compiled_step`) run on a *template*:
  a clone of the first model of the architecture, compiled and built the same
  way. Its traced functions take the state of the model they serve (the
  model's, optimizer's and metrics' variables, :func:`state_variables`) as an
  argument; each call assigns that state to the template's variables, runs the
  template's epoch, and assigns the template's state back, all inside the one
  graph call. TensorFlow traces a function of variables once for all
  variables of the same shapes and dtypes, so every model of the architecture
  runs the template's trace, and between calls (where callbacks run) each
  model holds its own state. A template serves one call at a time: threads
  that train models of one architecture at once each borrow a template of
  their own (created, and traced, when none is free).
- When no callback looks at the model between epochs, :func:`pinned` keeps
  the model's state in a template for the whole of its training: the
  template's own traces run with no state to assign in and out (which costs
  about a tenth of a small network's epoch), and the state is copied in
  once and out once.
- Predictions (:func:`compiled_forward`) need no template:
  ``model.stateless_call`` computes the outputs from variable values passed
  in, so one trace serves every model of the architecture, in any thread.

Two models share an architecture when
:func:`skdl._training.architecture.architecture_key` says so. A template
whose state differs from its model's, or a trace that reads anything but the
template's state, makes the architecture unshareable. Any other model gets
traces of its own, kept on the model.

Every variable TensorFlow creates under a new name leaves a compiled kernel
behind (about 30 kB, never evicted); :func:`skdl._training.seeding.seeded`
restarts Keras's layer names at each build so that fits reuse the names,
and templates are few. Memory stays flat over hundreds of fits without
emptying TensorFlow's caches.

Concrete functions are called through their public ``__call__``, which
binds structured arguments: about 60 microseconds more per call than the
private flat call skdl used before, felt only by predictions of a few rows.
"""

import os
import re
import threading
import weakref
from collections import OrderedDict
from contextlib import contextmanager

import keras

from skdl._native_stderr import captured_native_stderr
from skdl._training.architecture import model_key, variable_signature

_MODEL_ATTRIBUTE = "_skdl_compiled_functions"
_PINNED_ATTRIBUTE = "_skdl_pinned_template"
# Logged by TensorFlow's oneDNN graph rewrite for every float64 op it leaves
# to TensorFlow's own kernels, each time a float64 graph is first run. It is
# expected (oneDNN has no float64 kernels) and says nothing to skdl's users.
_ONEDNN_FLOAT64_NOTICE = re.compile(r"Not handling type DT_DOUBLE")
# Logged once per process by XLA's first compilation.
_XLA_NOTICES = re.compile(
    r"XLA service|StreamExecutor \[|MLIR crash reproducer|Compiled cluster using XLA"
)
# Architectures whose templates are kept; the least recently used goes first.
_MAX_ARCHITECTURES = 32
# Templates per architecture: more threads than cores gain nothing, so
# further callers wait for a template instead of tracing another one.
_MAX_TEMPLATES = max(2, os.cpu_count() or 1)
_FORWARD = "forward"
# Calls of one model's shared forward pass after which it gets its own trace.
_OWN_FORWARD_AFTER = 16


class _NotShareable(Exception):
    """A template cannot stand in for the models of its architecture."""


def _worth_showing(line: str) -> bool:
    return not (_ONEDNN_FLOAT64_NOTICE.search(line) or _XLA_NOTICES.search(line))


def _specs(tensors) -> tuple:
    """Input signature for ``tensors``: their shapes, the first axis free."""
    import tensorflow as tf

    def spec(tensor):
        shape = [None, *tensor.shape[1:]] if tensor.shape.rank else []
        return tf.TensorSpec(shape, tensor.dtype)

    return tuple(tf.nest.map_structure(spec, tensor) for tensor in tensors)


class _Trace:
    """A concrete function whose first run for each input shape is quiet.

    TensorFlow optimizes (and logs about) a graph the first time it runs it,
    and XLA compiles anew for each input shape; later calls are plain calls.
    """

    def __init__(self, concrete_function):
        self.concrete_function = concrete_function
        self._quiet_runs: set = set()  # input shapes run before

    def __call__(self, arguments: tuple, tensors: tuple):
        import tensorflow as tf

        run = tuple(tuple(t.shape) for t in tf.nest.flatten(tensors))
        if run in self._quiet_runs:
            return self.concrete_function(*arguments, *tensors)
        with captured_native_stderr(keep=_worth_showing):
            result = self.concrete_function(*arguments, *tensors)
        self._quiet_runs.add(run)
        return result


def _trace(function, jit_compile: bool, *example_arguments) -> _Trace:
    """Trace ``function`` for arguments like ``example_arguments``.

    The arguments are specs, and lists of variables: TensorFlow passes
    variables in as inputs (not as captured constants), so the trace runs on
    any variables of the same shapes and dtypes.
    """
    import tensorflow as tf

    traced = tf.function(function, jit_compile=jit_compile)
    return _Trace(traced.get_concrete_function(*example_arguments))


def _captures_only(trace: _Trace, variables: list) -> bool:
    """Whether ``trace`` reads nothing from outside but ``variables``."""
    handles = {id(variable.value.handle) for variable in variables}
    captured = trace.concrete_function.captured_inputs
    return all(id(tensor) in handles for tensor in captured)


def state_variables(model) -> list:
    """Every variable a traced step may read or write, in a fixed order."""
    variables = list(model.variables)
    if model.optimizer is not None:
        variables += list(model.optimizer.variables)
    variables += list(model.metrics_variables)
    return variables


def _values(variables) -> list:
    """The TensorFlow variables behind Keras variables, to pass to a trace."""
    return [variable.value for variable in variables]


# --------------------------------------------------------------- templates
def _float_dtype(model) -> str:
    """The float precision the model was built in (its first float variable's)."""
    for variable in model.variables:
        if "float" in str(variable.dtype):
            return str(variable.dtype)
    return keras.config.floatx()


@contextmanager
def _as_a_build(model):
    """Create Keras objects for a copy of ``model`` as its build did.

    In the model's precision, and without consuming any global random
    generator (the copy's initial weights never matter).
    """
    from skdl._training.precision import float_precision
    from skdl._training.seeding import seeded

    with float_precision(_float_dtype(model)), seeded(0):
        yield


class _Template:
    """A clone of a model whose traced steps run on other models' state."""

    def __init__(self, model, sample):
        from skdl._training.loop import ensure_built

        try:
            with _as_a_build(model):
                clone = keras.models.clone_model(model)
                clone.compile_from_config(model.get_compile_config())
                ensure_built(clone, sample, _float_dtype(model))
        except Exception as error:  # an unusual model: no template
            raise _NotShareable(str(error)) from error
        self.state = state_variables(clone)
        if variable_signature(self.state) != variable_signature(state_variables(model)):
            raise _NotShareable("the clone's variables differ from the model's")
        self.model = clone
        self._traces: dict = {}

    def trace(self, signature, make_function, specs, jit_compile, state) -> _Trace:
        """The template's trace of ``make_function``, taking a model's state."""
        key = (signature, True)
        trace = self._traces.get(key)
        if trace is None:
            trace = self._checked(
                _trace(
                    self._on_state(make_function(self.model)),
                    jit_compile,
                    state,
                    *specs,
                )
            )
            self._traces[key] = trace
        return trace

    def own_trace(self, signature, make_function, specs, jit_compile) -> _Trace:
        """The template's trace of ``make_function``, on its own state."""
        key = (signature, False)
        trace = self._traces.get(key)
        if trace is None:
            trace = self._checked(
                _trace(make_function(self.model), jit_compile, *specs)
            )
            self._traces[key] = trace
        return trace

    def copy(self, state, *, into_template: bool) -> None:
        """Assign a model's state to the template's variables, or the reverse."""
        key = ("copy", into_template)
        trace = self._traces.get(key)
        if trace is None:
            own = _values(self.state)

            def copy(state):
                targets, sources = (own, state) if into_template else (state, own)
                for target, source in zip(targets, sources, strict=True):
                    target.assign(source, read_value=False)
                return True

            trace = self._traces[key] = _trace(copy, False, state)
        trace((state,), ())

    def _checked(self, trace: _Trace) -> _Trace:
        if not _captures_only(trace, self.state):
            raise _NotShareable("the traced step reads more than the state")
        return trace

    def _on_state(self, run):
        own = _values(self.state)

        def run_on_state(state, *tensors):
            for variable, value in zip(own, state, strict=True):
                variable.assign(value, read_value=False)
            outputs = run(*tensors)
            for value, variable in zip(state, own, strict=True):
                value.assign(variable, read_value=False)
            return outputs

        return run_on_state


class _Architecture:
    """The templates and the prediction trace of one architecture."""

    def __init__(self):
        self.shareable = True
        self._templates = 0
        self._free: list[_Template] = []
        self._condition = threading.Condition()
        self._forward_model = None  # False when no clone can serve
        self._forward_traces: dict = {}
        self._forward_lock = threading.Lock()

    def borrow(self, model, sample) -> _Template:
        """A template for one call (a new one if none is free); give it back."""
        with self._condition:
            while self.shareable and not self._free:
                if self._templates < _MAX_TEMPLATES:
                    break
                self._condition.wait()
            if not self.shareable:
                raise _NotShareable("the architecture is not shareable")
            if self._free:
                return self._free.pop()
            self._templates += 1
        try:
            return _Template(model, sample)
        except _NotShareable:
            self.unshareable()
            raise

    def give_back(self, template: _Template) -> None:
        with self._condition:
            if self.shareable:
                self._free.append(template)
            self._condition.notify()

    def unshareable(self) -> None:
        with self._condition:
            self.shareable = False
            self._free.clear()
            self._condition.notify_all()

    def forward_trace(self, model, specs, variables) -> _Trace:
        """The trace computing outputs from any model's variables."""
        signature = _hashable(specs)
        with self._forward_lock:
            trace = self._forward_traces.get(signature)
            if trace is not None:
                return trace
            if self._forward_model is None:
                self._forward_model = _forward_clone(model) or False
            if self._forward_model is False:
                raise _NotShareable("no clone can serve this architecture's models")
            clone = self._forward_model

            def forward(trainable, non_trainable, x):
                outputs, _ = clone.stateless_call(
                    trainable, non_trainable, x, training=False
                )
                return outputs

            trace = _trace(forward, False, *variables, *specs)
            if not _captures_only(trace, []):
                # It reads the clone's own variables, not the ones passed in.
                self._forward_model = False
                raise _NotShareable("the forward pass reads the clone's variables")
            self._forward_traces[signature] = trace
            return trace


def _forward_clone(model):
    """A clone of ``model`` for stateless calls; None if it differs from it."""
    try:
        with _as_a_build(model):
            clone = keras.models.clone_model(model)
    except Exception:  # an unusual model: it predicts with its own trace
        return None
    for part in ("trainable_variables", "non_trainable_variables"):
        if variable_signature(getattr(clone, part)) != variable_signature(
            getattr(model, part)
        ):
            return None
    return clone


_ARCHITECTURES: OrderedDict = OrderedDict()
_ARCHITECTURES_LOCK = threading.Lock()


def clear_shared_traces() -> None:
    """Forget every architecture (models keep the functions bound to theirs)."""
    with _ARCHITECTURES_LOCK:
        _ARCHITECTURES.clear()


def shared_trace_count() -> int:
    """Number of architectures whose templates are kept."""
    return len(_ARCHITECTURES)


def _architecture(model) -> "_Architecture | None":
    """The shared templates of ``model``'s architecture; None if it has none."""
    key = model_key(model)
    if key is None:
        return None
    with _ARCHITECTURES_LOCK:
        architecture = _ARCHITECTURES.get(key)
        if architecture is None:
            architecture = _ARCHITECTURES[key] = _Architecture()
            while len(_ARCHITECTURES) > _MAX_ARCHITECTURES:
                _ARCHITECTURES.popitem(last=False)
        else:
            _ARCHITECTURES.move_to_end(key)
    return architecture if architecture.shareable else None


# ------------------------------------------------------- bound functions
class _OwnFunction:
    """A trace of one model's own function (its variables captured)."""

    def __init__(self, model, make_function, specs, jit_compile):
        self.trace = _trace(make_function(model), jit_compile, *specs)

    def __call__(self, *tensors):
        return self.trace((), tensors)


class _SharedStep:
    """A step traced on a template, called with one model's state."""

    def __init__(self, architecture, model, signature, make_function, specs, options):
        self.architecture = architecture
        self._model = weakref.ref(model)
        self._signature = signature
        self._make_function = make_function
        self._specs = specs
        self._jit_compile, self._sample = options
        self._state = _values(state_variables(model))
        self._traces: dict = {}  # by template
        self._own = None

    @property
    def trace(self):
        """What serves the calls: the architecture, or the model's own trace."""
        return self.architecture if self._own is None else self._own.trace

    def __call__(self, *tensors):
        if self._own is None:
            try:
                if getattr(self._model(), _PINNED_ATTRIBUTE, None) is not None:
                    return self._call_pinned(tensors)
                return self._call_shared(tensors)
            except _NotShareable:
                self._own = _OwnFunction(
                    self._model(), self._make_function, self._specs, self._jit_compile
                )
        return self._own(*tensors)

    def _call_pinned(self, tensors):
        model = self._model()
        template = getattr(model, _PINNED_ATTRIBUTE)
        try:
            trace = template.own_trace(
                self._signature, self._make_function, self._specs, self._jit_compile
            )
        except _NotShareable:
            # The model trains on its own variables from now on.
            _unpin(model)
            self.architecture.unshareable()
            raise
        return trace((), tensors)

    def _call_shared(self, tensors):
        template = self.architecture.borrow(self._model(), self._sample)
        try:
            trace = self._traces.get(template)
            if trace is None:
                trace = self._traces[template] = template.trace(
                    self._signature,
                    self._make_function,
                    self._specs,
                    self._jit_compile,
                    self._state,
                )
            return trace((self._state,), tensors)
        except _NotShareable:
            self.architecture.unshareable()
            raise
        finally:
            self.architecture.give_back(template)


class _SharedForward:
    """The architecture's forward pass, called with one model's variables."""

    def __init__(self, architecture, model, specs):
        self.architecture = architecture
        self._model = weakref.ref(model)
        self._specs = specs
        self._variables = (
            _values(model.trainable_variables),
            _values(model.non_trainable_variables),
        )
        self._trace = None
        self._own = None
        self._calls = 0

    @property
    def trace(self):
        return self.architecture if self._own is None else self._own.trace

    def __call__(self, *tensors):
        self._calls += 1
        if self._calls == _OWN_FORWARD_AFTER and self._own is None:
            # A model predicted this often is being served: a trace of its
            # own, which reads its variables directly, answers one row in
            # about 60 us less than the shared one, for one tracing.
            self._own = _OwnFunction(
                self._model(), _forward_function, self._specs, False
            )
        if self._own is None and self._trace is not None:
            return self._trace(self._variables, tensors)
        if self._own is None:
            try:
                self._trace = self.architecture.forward_trace(
                    self._model(), self._specs, self._variables
                )
                return self._trace(self._variables, tensors)
            except _NotShareable:
                self._own = _OwnFunction(
                    self._model(), _forward_function, self._specs, False
                )
        return self._own(*tensors)


@contextmanager
def pinned(model, sample):
    """Keep ``model``'s state in a template of its own while the block runs.

    The model's compiled steps then run on the template's own variables,
    without assigning the model's state in and out on every call (a tenth
    of a small network's epoch); the model's variables are brought up to
    date when the block ends, even by an exception. Only for blocks in
    which nothing but the compiled steps reads or writes the model's
    variables (no callback that may look at the model); reset the metrics
    with :func:`reset_metrics`. A model without shared templates is left
    as it is.

    Parameters
    ----------
    model : keras.Model
        A built and compiled model.
    sample : Dataset
        One sample of the data, in case a template must be built.
    """
    architecture = _architecture(model)
    template = None
    if architecture is not None and getattr(model, _PINNED_ATTRIBUTE, None) is None:
        try:
            template = architecture.borrow(model, sample)
        except _NotShareable:
            template = None
    if template is None:
        yield
        return
    try:
        template.copy(_values(state_variables(model)), into_template=True)
        object.__setattr__(model, _PINNED_ATTRIBUTE, template)
        yield
    finally:
        _unpin(model)
        architecture.give_back(template)


def _unpin(model) -> None:
    """Bring a pinned model's variables up to date; it is pinned no more."""
    template = getattr(model, _PINNED_ATTRIBUTE, None)
    if template is not None:
        object.__setattr__(model, _PINNED_ATTRIBUTE, None)
        template.copy(_values(state_variables(model)), into_template=False)


def reset_metrics(model) -> None:
    """Reset the metrics of ``model``, or of the template it is pinned to."""
    template = getattr(model, _PINNED_ATTRIBUTE, None)
    (model if template is None else template.model).reset_metrics()


def _forward_function(model):
    def forward(x):
        return model(x, training=False)

    return forward


def _functions(model) -> dict:
    functions = getattr(model, _MODEL_ATTRIBUTE, None)
    if functions is None:
        functions = {}
        # Bypass Keras's attribute tracking: these are no layers or variables.
        object.__setattr__(model, _MODEL_ATTRIBUTE, functions)
    return functions


def compiled_step(model, name: str, make_function, tensors, sample, jit_compile=False):
    """Return a compiled ``make_function(model)`` for inputs like ``tensors``.

    Parameters
    ----------
    model : keras.Model
        A built and compiled model.
    name : str
        What the function does ("train_epoch", "test_epoch"...); functions
        of different names are never shared.
    make_function : callable
        ``make_function(model)`` returns the Python function to trace. It
        must use ``model`` only through its variables and its methods.
    tensors : list of tf.Tensor
        Example inputs; the first axis of each may vary between calls.
    sample : Dataset
        One sample of the data, to build a template of the architecture
        (see :func:`skdl._training.loop.ensure_built`).
    jit_compile : bool, default=False
        Compile with XLA (once per concrete input shape).

    Returns
    -------
    function : callable
        Call it with tensors of the same dtypes and trailing shapes; it reads
        and updates ``model``'s variables.
    """
    specs = _specs(tensors)
    signature = (name, _hashable(specs))
    functions = _functions(model)
    function = functions.get(signature)
    if function is None:
        architecture = _architecture(model)
        if architecture is None:
            function = _OwnFunction(model, make_function, specs, jit_compile)
        else:
            function = _SharedStep(
                architecture,
                model,
                signature,
                make_function,
                specs,
                (jit_compile, sample),
            )
        functions[signature] = function
    return function


def compiled_forward(model, inputs):
    """Return a compiled ``model(x, training=False)`` for inputs like ``inputs``.

    Parameters
    ----------
    model : keras.Model
        A built model.
    inputs : tf.Tensor, or list or dict of them
        Example inputs; the first axis may vary between calls.

    Returns
    -------
    function : callable
        Call it with ``inputs`` of the same dtypes and trailing shapes.
    """
    specs = _specs([inputs])
    signature = (_FORWARD, _hashable(specs))
    functions = _functions(model)
    function = functions.get(signature)
    if function is None:
        architecture = _architecture(model)
        if architecture is None:
            function = _OwnFunction(model, _forward_function, specs, False)
        else:
            function = _SharedForward(architecture, model, specs)
        functions[signature] = function
    return function


def _hashable(structure):
    """``structure`` (specs in nested lists and dicts) as a dictionary key."""
    if isinstance(structure, dict):
        return ("dict", tuple((k, _hashable(v)) for k, v in sorted(structure.items())))
    if isinstance(structure, list | tuple):
        return (type(structure).__name__, tuple(_hashable(v) for v in structure))
    return structure
