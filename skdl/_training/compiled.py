"""Traced TensorFlow functions, kept on the model they were traced for."""

_QUIET_ATTRIBUTE = "_omit_frequent_tracing_warning"


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
        function = make_function(model)
        setattr(function, _QUIET_ATTRIBUTE, True)
        # Bypass Keras's attribute tracking: this is no layer or variable.
        object.__setattr__(model, attribute, function)
    return function
