"""Keras objects from the ``optimizer``, ``loss``, ``metrics`` and ``callbacks``
parameters and their routed ``<destination>__<name>`` parameters.

skdl keeps scikeras's routing conventions so scikeras code moves over
unchanged; the rules, applied recursively:

- A name (``optimizer="sgd"``, ``loss="mse"``, ``metrics=["mae"]``) is looked
  up with Keras's own getters: an optimizer name gives its class, a loss name
  Keras's loss function or object, a metric name a metric object; "accuracy",
  "acc", "crossentropy" and "ce" stay names, which Keras resolves from the
  loss and the output when it compiles.
- A class is instantiated with its routed parameters: ``optimizer=SGD,
  optimizer__momentum=0.9`` builds ``SGD(momentum=0.9)``. A parameter whose
  value is a class is built the same way one level down
  (``optimizer__learning_rate=ExponentialDecay,
  optimizer__learning_rate__decay_steps=100``); ``<destination>__0``,
  ``__1``... are positional arguments.
- In a list, tuple or dict, ``<destination>__<index or key>__<name>`` goes to
  one element and ``<destination>__<name>`` to every element.
- Anything else (an instance, a function, a name Keras resolves) is used as
  given, and giving it parameters is an error.
- ``Model.compile`` also gets ``loss_weights``, ``weighted_metrics`` and
  ``run_eagerly``, and every ``compile__<name>``.
"""

import string
from collections.abc import Mapping, Sequence

import keras

# Plain parameters that go to ``Model.compile``, as in scikeras.
_COMPILE_ARGUMENTS = frozenset(
    {"optimizer", "loss", "metrics", "loss_weights", "weighted_metrics", "run_eagerly"}
)
# Metric names Keras resolves itself when compiling, from the loss and the
# output's shape (binary, categorical or sparse accuracy...).
_METRIC_NAMES_KERAS_RESOLVES = frozenset({"acc", "accuracy", "ce", "crossentropy"})


def route(params: dict, destination: str, plain=frozenset()) -> dict:
    """The parameters addressed to ``destination``, without its prefix.

    Parameters
    ----------
    params : dict
        Parameter names and values.
    destination : str
        ``"optimizer"``, ``"compile"``, ``"0"`` (a list's first element)...
    plain : set of str, default=frozenset()
        Unprefixed names that also go to ``destination``.

    Returns
    -------
    dict
        ``plain`` parameters, then ``destination__<rest>`` ones as ``<rest>``
        (which win on a clash).

    Examples
    --------
    >>> route({"optimizer__momentum": 0.9, "epochs": 3}, "optimizer")
    {'momentum': 0.9}
    >>> route({"loss": "mae", "compile__jit_compile": True}, "compile", {"loss"})
    {'loss': 'mae', 'jit_compile': True}
    """
    prefix = f"{destination}__"
    routed = {name: value for name, value in params.items() if name in plain}
    routed.update(
        (name[len(prefix) :], value)
        for name, value in params.items()
        if name.startswith(prefix)
    )
    return routed


def build(item, params: dict, path: str, shared: Mapping = None):
    """``item`` with every class in it instantiated with its routed parameters.

    Parameters
    ----------
    item : object
        A class, a list, tuple or dict of items, or anything else.
    params : dict
        The parameters routed to ``item`` (``momentum``,
        ``learning_rate__decay_steps``, ``0__name``...).
    path : str
        Where ``item`` came from (``"optimizer"``, ``"metrics__1"``), for
        error messages.
    shared : mapping, default=None
        Parameters given to the list or dict that holds ``item``, for every
        element; its own parameters win.

    Returns
    -------
    object
        The instance, a container of the same type (a dict for a mapping)
        with its elements built, or ``item`` itself.
    """
    own = {name: value for name, value in params.items() if "__" not in name}
    if isinstance(item, type):
        arguments = {
            name: build(value, route(params, name), f"{path}__{name}")
            for name, value in {**(shared or {}), **own}.items()
        }
        positional = sorted(
            (int(name), value)
            for name, value in arguments.items()
            if name[:1] in string.digits
        )
        keywords = {
            name: value
            for name, value in arguments.items()
            if name[:1] not in string.digits
        }
        try:
            return item(*(value for _, value in positional), **keywords)
        except Exception as error:
            error.add_note(
                f"Raised building {path}: {item.__name__} with the parameters "
                f"{sorted(arguments)}."
            )
            raise
    if isinstance(item, Mapping | list | tuple):
        pairs = item.items() if isinstance(item, Mapping) else enumerate(item)
        built = [
            (key, build(element, route(params, str(key)), f"{path}__{key}", own))
            for key, element in pairs
        ]
        if isinstance(item, Mapping):
            return dict(built)
        return type(item)(element for _, element in built)
    given = sorted({**(shared or {}), **own})
    if given:
        raise TypeError(
            f"{path} is {_describe(item)}, not a class, so it cannot take the "
            f"parameters {given}. Pass the class itself to have it built with "
            "its routed parameters, or configure the object and drop them."
        )
    return item


def _describe(item) -> str:
    if isinstance(item, str):
        return f"the name {item!r}"
    if callable(item) and hasattr(item, "__name__"):
        return f"the function {item.__name__}"
    return f"a {type(item).__name__} object"


def _names_resolved(items, resolve):
    """``items`` with every string replaced by ``resolve(string)``."""
    if isinstance(items, str):
        return resolve(items)
    if isinstance(items, Mapping):
        return {key: _names_resolved(item, resolve) for key, item in items.items()}
    if isinstance(items, Sequence):
        return type(items)(_names_resolved(item, resolve) for item in items)
    return items


def _optimizer_class(name: str) -> type:
    # ``keras.optimizers.get`` makes an instance; its class takes the
    # routed parameters.
    return type(keras.optimizers.get(name))


def _metric(name: str):
    if name in _METRIC_NAMES_KERAS_RESOLVES:
        return name
    return keras.metrics.get(name)


def _built(params: dict, destination: str, items, resolve):
    return build(
        _names_resolved(items, resolve), route(params, destination), destination
    )


def compile_arguments(params: dict) -> dict:
    """``Model.compile`` arguments: Keras objects built from the parameters.

    Parameters
    ----------
    params : dict
        The estimator's ``get_params(deep=False)``.

    Returns
    -------
    dict
        ``optimizer`` (an instance), ``loss``, ``metrics`` (None, a list or a
        dict) and any other compile argument given plainly or as
        ``compile__<name>``.

    Raises
    ------
    ValueError
        If Keras does not know an optimizer, loss or metric name.
    TypeError
        If routed parameters are given to something that is not a class, or
        a class does not take them.

    Examples
    --------
    >>> kwargs = compile_arguments(
    ...     {"optimizer": "sgd", "optimizer__momentum": 0.5, "loss": "mse",
    ...      "metrics": "mae", "compile__jit_compile": False}
    ... )
    >>> type(kwargs["optimizer"]).__name__, float(kwargs["optimizer"].momentum)
    ('SGD', 0.5)
    >>> kwargs["loss"].__name__, [m.name for m in kwargs["metrics"]]
    ('mean_squared_error', ['mean_absolute_error'])
    >>> kwargs["jit_compile"]
    False
    """
    kwargs = route(params, "compile", _COMPILE_ARGUMENTS)
    kwargs["optimizer"] = _built(
        params, "optimizer", kwargs.get("optimizer"), _optimizer_class
    )
    kwargs["loss"] = _built(params, "loss", kwargs.get("loss"), keras.losses.get)
    metrics = _built(params, "metrics", kwargs.get("metrics"), _metric)
    if metrics is not None and not isinstance(metrics, dict | list):
        # Keras takes a list or dict of metrics, not one metric.
        metrics = [metrics]
    kwargs["metrics"] = metrics
    return kwargs


def callbacks(params: dict) -> list:
    """Keras callbacks from ``callbacks`` and ``fit__callbacks``.

    Each may be a callback, a callback class (built with its
    ``callbacks__<name>`` or ``fit__callbacks__<name>`` parameters), or a
    list, tuple or dict of them (whose elements may be lists of them).

    Examples
    --------
    >>> import keras
    >>> [stop] = callbacks(
    ...     {"callbacks": keras.callbacks.EarlyStopping, "callbacks__patience": 2}
    ... )
    >>> stop.patience
    2
    """
    built = []
    for destination in ("callbacks", "fit__callbacks"):
        items = params.get(destination)
        if items is None:
            continue
        items = build(items, route(params, destination), destination)
        if isinstance(items, Mapping):
            items = list(items.values())
        elif not isinstance(items, list | tuple):
            items = [items]
        for item in items:
            nested = item if isinstance(item, list | tuple) else [item]
            for callback in nested:
                if not isinstance(callback, keras.callbacks.Callback):
                    raise TypeError(
                        f"{destination} must hold Keras callbacks or callback "
                        f"classes; got {type(callback).__name__}."
                    )
                built.append(callback)
    return built
