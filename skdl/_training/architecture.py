"""Which models can share traced functions: the architecture key.

A traced training step bakes in everything its Python code read as a
constant. Two models share traces only when all of that is equal: the model
and layer classes (Keras's and skdl's own only, so no ``train_step`` or
``call`` of the user's can depend on Python state), their configurations
without names and initializers (initializers run when a variable is created,
never inside a trace), the optimizer's configuration (the learning rate
excepted: it is a variable), the loss and metrics (Keras's own only), and
the shapes and dtypes of every variable. Nothing here depends on the
backend.
"""

import json

import keras

# skdl's own layers (TabularEncoding) compute only from their config and
# variables, as Keras's do.
_TRUSTED_PACKAGES = ("keras", "skdl")
# Layers (of the trusted packages) whose seed seeds only a variable's initial
# value: Dropout's seed generator state, TabularEncoding's embeddings.
_SEEDS_ONLY_INITIALIZE = ("Dropout", "TabularEncoding")


def variable_signature(variables) -> list:
    """Shape, dtype and trainability of each variable."""
    return [(tuple(v.shape), str(v.dtype), bool(v.trainable)) for v in variables]


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
    """``config`` with layer names numbered and initializers left out.

    The seeds of the layers that only seed a variable's initial value (a
    seed generator's state, an initializer's draw) are left out too.
    """
    if isinstance(config, dict):
        if config.get("class_name") in _SEEDS_ONLY_INITIALIZE and isinstance(
            config.get("config"), dict
        ):
            layer = {key: value for key, value in config["config"].items()}
            layer.pop("seed", None)
            config = {**config, "config": layer}
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


def architecture_key(model, state) -> str | None:
    """A string equal for models one trace can serve; None if none can be sure.

    Parameters
    ----------
    model : keras.Model
        A built and compiled model.
    state : list of keras.Variable
        Its variables, its optimizer's and its metrics', in a fixed order.
    """
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
            "variables": variable_signature(state),
        }
        return json.dumps(key, sort_keys=True, default=repr)
    except Exception:  # an unusual model: it gets traces of its own
        return None


_KEY_ATTRIBUTE = "_skdl_architecture_key"
_NOT_YET = object()


def model_key(model) -> str | None:
    """:func:`architecture_key` of ``model``, worked out once and kept on it.

    Any backend's engine shares compiled functions by this key.
    """
    key = getattr(model, _KEY_ATTRIBUTE, _NOT_YET)
    if key is _NOT_YET:
        from skdl._keras_import import quiet_serialization
        from skdl._training.compiled import state_variables

        with quiet_serialization():
            key = architecture_key(model, state_variables(model))
        # Bypass Keras's attribute tracking: a string is no layer.
        object.__setattr__(model, _KEY_ATTRIBUTE, key)
    return key
