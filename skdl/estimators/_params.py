"""Parameters: validation, routing to the builder/compile/fit, typo detection.

skdl estimators accept scikeras's calling conventions: extra keyword
arguments go to the model builder when it takes them, and prefixed ones
(``model__``, ``fit__``, ``compile__``, ``optimizer__``, ``loss__``,
``metrics__``, ``callbacks__``, ``predict__``) are routed. Anything else is a
mistake that would otherwise be silently ignored, so :func:`check_all_used`
reports it with a "did you mean" suggestion.
"""

import difflib
import inspect
from numbers import Integral, Real

import keras
from sklearn.utils._param_validation import Interval, Options, StrOptions

ROUTING_PREFIXES = frozenset(
    {"model", "fit", "compile", "optimizer", "loss", "metrics", "callbacks", "predict"}
)
# Keras ``fit`` / ``compile`` keywords scikeras accepted without a prefix.
FIT_KEYWORDS = frozenset({"validation_split", "validation_batch_size"})
# Keras ``fit`` arguments accepted by ``fit(...)`` and as ``fit__<name>`` only.
FIT_ONLY_OPTIONS = frozenset({"validation_data", "initial_epoch"})
COMPILE_KEYWORDS = frozenset({"loss_weights", "weighted_metrics", "run_eagerly"})
# Parameters only the ready-made network reads.
NETWORK_PARAMETERS = (
    "hidden_layer_sizes",
    "activation",
    "dropout",
    "alpha",
    "categorical_features",
)
# Parameters that decide how skdl compiles a model.
COMPILE_PARAMETERS = ("optimizer", "learning_rate", "loss", "metrics")
# Names a builder may ask for that are not estimator parameters.
BUILDER_EXTRAS = frozenset({"meta", "compile_kwargs", "params"})

PARAMETER_CONSTRAINTS = {
    "model": [callable, keras.Model, None],
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [str, callable],
    "dropout": [Interval(Real, 0, 1, closed="left")],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
    "optimizer": [str, type, keras.optimizers.Optimizer],
    "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
    "loss": [str, callable, keras.losses.Loss, list, tuple, dict, None],
    # One metric (``metrics="accuracy"``) as scikeras and Keras users write it.
    "metrics": [str, callable, keras.metrics.Metric, list, tuple, dict, None],
    # -1: the whole data set in one batch, as in scikeras.
    "batch_size": [
        Interval(Integral, 1, None, closed="left"),
        Options(Integral, {-1}),
        None,
    ],
    "epochs": [Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "callbacks": [list, tuple, dict, keras.callbacks.Callback, None],
    "warm_start": ["boolean"],
    "random_state": ["random_state"],
    "verbose": [Interval(Integral, 0, 2, closed="both")],
}


def _signature(function):
    try:
        return inspect.signature(function)
    except (TypeError, ValueError):  # builtins and some C callables
        return None


def builder_parameter_names(builder) -> tuple[set[str], bool]:
    """Named parameters of a builder, and whether it takes ``**kwargs``."""
    signature = _signature(builder)
    if signature is None:
        return set(), True
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    names = {p.name for p in signature.parameters.values() if p.kind in kinds}
    takes_kwargs = any(
        p.kind == inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()
    )
    return names, takes_kwargs


def routed(params: dict, prefix: str) -> dict:
    """Parameters addressed to ``prefix__name``, with the prefix removed."""
    start = prefix + "__"
    return {
        name[len(start) :]: value
        for name, value in params.items()
        if name.startswith(start) and "__" not in name[len(start) :]
    }


def builder_arguments(
    builder, params: dict, init_names: set[str], meta: dict, compile_kwargs: dict
) -> dict:
    """The keyword arguments to call a model builder with.

    A builder gets every estimator parameter and extra keyword argument it
    names (``optimizer``, ``hidden_layer_sizes``, ``dropout_rate``...), with
    ``model__<name>`` taking precedence, plus ``meta``, ``compile_kwargs``
    and ``params`` if it asks for them. A builder taking ``**kwargs`` gets the
    extras and all of these, as in scikeras.
    """
    names, takes_kwargs = builder_parameter_names(builder)
    plain = {name: value for name, value in params.items() if "__" not in name}
    plain.pop("model", None)
    extras = {"meta": meta, "compile_kwargs": compile_kwargs, "params": params}
    if takes_kwargs:
        chosen = {
            name: value for name, value in plain.items() if name not in init_names
        }
        chosen.update({name: value for name, value in plain.items() if name in names})
        chosen.update(extras)
    else:
        chosen = {name: value for name, value in plain.items() if name in names}
        chosen.update({name: value for name, value in extras.items() if name in names})
    chosen.update(routed(params, "model"))
    return chosen


def check_all_used(estimator_name: str, params: dict, init_names: set[str], builder):
    """Raise a ValueError naming any parameter nothing would use.

    Parameters
    ----------
    estimator_name : str
        For the message.
    params : dict
        ``get_params(deep=False)`` of the estimator.
    init_names : set of str
        Parameters in the estimator's ``__init__`` signature.
    builder : callable or None
        The user's model builder, or None for the ready-made network.
    """
    builder_names, builder_takes_kwargs = (
        builder_parameter_names(builder) if builder is not None else (set(), False)
    )
    known = init_names | FIT_KEYWORDS | COMPILE_KEYWORDS | builder_names | {"build_fn"}
    unused = []
    for name in params:
        if name in known:
            continue
        if "__" in name:
            if name.split("__", 1)[0] in ROUTING_PREFIXES:
                continue
        elif builder_takes_kwargs:
            continue
        unused.append(name)
    if unused:
        name = unused[0]
        candidates = sorted(known - BUILDER_EXTRAS) + [
            p + "__" for p in ROUTING_PREFIXES
        ]
        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.5)
        hint = _synonym(name) or close
        suggestion = f" Did you mean {hint[0]!r}?" if hint else ""
        used_by = (
            f"the model builder {getattr(builder, '__name__', builder)!r} does not "
            "take it"
            if builder is not None
            else "the ready-made network does not take it"
        )
        raise ValueError(
            f"Unknown parameter {name!r} for {estimator_name}: it is not a parameter "
            f"of {estimator_name}, {used_by}, and it has no routing prefix "
            f"({', '.join(sorted(p + '__' for p in ROUTING_PREFIXES))}).{suggestion}"
        )


# Old Keras wrapper names that string similarity alone does not find.
_SYNONYMS = {"nb_epoch": "epochs", "nb_epochs": "epochs", "lr": "learning_rate"}


def _synonym(name: str) -> list[str]:
    return [_SYNONYMS[name]] if name in _SYNONYMS else []
