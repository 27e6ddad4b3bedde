"""Traced TensorFlow functions, kept on the model they were traced for."""

import re

from skdl._native_stderr import captured_native_stderr

_QUIET_ATTRIBUTE = "_omit_frequent_tracing_warning"
# Logged by TensorFlow's oneDNN graph rewrite for every float64 op it leaves
# to TensorFlow's own kernels, each time a float64 graph is first run. It is
# expected (oneDNN has no float64 kernels) and says nothing to skdl's users.
_ONEDNN_FLOAT64_NOTICE = re.compile(r"Not handling type DT_DOUBLE")


def _worth_showing(line: str) -> bool:
    return not _ONEDNN_FLOAT64_NOTICE.search(line)


class _QuietFunction:
    """A ``tf.function`` whose first run for each input signature is quiet.

    TensorFlow optimizes (and logs about) a graph the first time it runs it
    for new input shapes; later calls with the same shapes are plain calls.
    """

    def __init__(self, function):
        self._function = function
        self._signatures_seen: set = set()

    def __call__(self, *tensors):
        signature = tuple((tuple(t.shape), t.dtype) for t in tensors)
        if signature in self._signatures_seen:
            return self._function(*tensors)
        with captured_native_stderr(keep=_worth_showing):
            result = self._function(*tensors)
        self._signatures_seen.add(signature)
        return result


def cached_on_model(model, attribute: str, make_function):
    """Return ``model.<attribute>``, making it with ``make_function(model)`` once.

    Keeping the function on the model lets warm starts, ``partial_fit`` and
    repeated predictions reuse its trace, and it goes away with the model.

    TensorFlow counts traces per Python function and, past five, logs a
    warning about "excessive retracing". skdl traces the same Python
    function once per model, so a grid search would trigger that warning on
    every run although nothing is wrong: it is switched off here.
    """
    function = getattr(model, attribute, None)
    if function is None:
        traced = make_function(model)
        setattr(traced, _QUIET_ATTRIBUTE, True)
        function = _QuietFunction(traced)
        # Bypass Keras's attribute tracking: this is no layer or variable.
        object.__setattr__(model, attribute, function)
    return function
