"""How the report shows values: parameters, missing ones, p-values."""

import numpy as np


def present(value) -> bool:
    """False for the NaN that stands for a parameter a candidate does not have."""
    return not (isinstance(value, float) and np.isnan(value))


def shown(value, spec="") -> str:
    if not present(value):
        return ""
    value = plain(value)
    return format(value, spec) if spec else str(value)


def p_value(p_value) -> str:
    if not present(p_value):
        return ""
    if p_value < 0.001:
        return "<0.001"
    return f"{p_value:.2g}"


def plain(value):
    if isinstance(value, np.generic):
        return value.item()
    return value


def short_names(parameters) -> dict:
    """Drop the step prefix of the parameters: ``mlp__epochs`` -> ``epochs``.

    The prefix goes when all prefixed parameters share it and no two names
    would become the same (``estimator`` of a merged report has none).
    """
    prefixes = {name.partition("__")[0] for name in parameters if "__" in name}
    if len(prefixes) != 1:
        return {name: name for name in parameters}
    prefix = prefixes.pop() + "__"
    short = {name: name.removeprefix(prefix) for name in parameters}
    if len(set(short.values())) < len(short):
        return {name: name for name in parameters}
    return short
