"""scikeras's parameter routing, the one place skdl relies on scikeras.

scikeras defines how ``optimizer``, ``loss``, ``metrics`` and ``callbacks``
combine with routed ``optimizer__<name>``, ``loss__<name>``,
``metrics__<i>__<name>`` and ``callbacks__<name>`` parameters into Keras
objects. skdl keeps those semantics so scikeras code moves over unchanged,
but cannot subclass scikeras's ``BaseWrapper``: it defines ``_more_tags``
without ``__sklearn_tags__``, which scikit-learn 1.9's estimator checks
reject for every subclass. The helpers used live in ``scikeras._utils``;
swapping the base means reimplementing only this module.
"""

from collections.abc import Mapping

import keras
from scikeras._utils import (
    get_loss_class_function_or_string,
    get_metric_class,
    get_optimizer_class,
    route_params,
    try_to_convert_strings_to_classes,
    unflatten_params,
)

# Plain parameters that go to ``Model.compile``, as in scikeras.
_COMPILE_ARGUMENTS = {
    "optimizer",
    "loss",
    "metrics",
    "loss_weights",
    "weighted_metrics",
    "run_eagerly",
}


def _build(items, params: dict, destination: str, getter):
    items = try_to_convert_strings_to_classes(items, getter)
    routed = route_params(params, destination=destination, pass_filter=set())
    return unflatten_params(items=items, params=routed)


def compile_arguments(params: dict) -> dict:
    """``Model.compile`` arguments: Keras objects built from the parameters.

    Parameters
    ----------
    params : dict
        The estimator's ``get_params(deep=False)``.

    Returns
    -------
    dict
        ``optimizer`` (an instance), ``loss``, ``metrics`` and any other
        compile argument given plainly or as ``compile__<name>``.
    """
    kwargs = route_params(params, destination="compile", pass_filter=_COMPILE_ARGUMENTS)
    kwargs["optimizer"] = _build(
        kwargs["optimizer"], params, "optimizer", get_optimizer_class
    )
    kwargs["loss"] = _build(
        kwargs["loss"], params, "loss", get_loss_class_function_or_string
    )
    metrics = _build(kwargs["metrics"], params, "metrics", get_metric_class)
    if metrics is not None and not isinstance(metrics, (dict, list)):
        metrics = [metrics]
    kwargs["metrics"] = metrics
    return kwargs


def callbacks(params: dict) -> list:
    """Keras callbacks from ``callbacks`` and ``fit__callbacks``.

    Each may be a callback, a callback class (built with its
    ``callbacks__<name>`` parameters), or a list or dict of them.
    """
    built = []
    for destination in ("callbacks", "fit__callbacks"):
        items = params.get(destination)
        if items is None:
            continue
        routed = route_params(params, destination=destination, pass_filter=set())
        items = unflatten_params(items=items, params=routed)
        if isinstance(items, Mapping):
            items = list(items.values())
        elif not isinstance(items, (list, tuple)):
            items = [items]
        for item in items:
            nested = item if isinstance(item, (list, tuple)) else [item]
            for callback in nested:
                if not isinstance(callback, keras.callbacks.Callback):
                    raise TypeError(
                        f"{destination} must hold Keras callbacks or callback "
                        f"classes; got {type(callback).__name__}."
                    )
                built.append(callback)
    return built
