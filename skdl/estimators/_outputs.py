"""The network's outputs: one tensor, a list of tensors, or a dict of them.

A model's *heads* are its outputs in a fixed order: the list's order, or the
dict's names sorted (the order Keras itself flattens a dict in, and the
order of the ``<name>_loss`` entries in ``history_``). Targets are encoded as
one array per head and arranged in the model's structure; predictions are
read back head by head in the same order.
"""

import numpy as np

SINGLE, LIST, DICT = "single", "list", "dict"


class OutputLayout:
    """How a model's outputs are structured, and the units of each.

    Parameters
    ----------
    structure : {"single", "list", "dict"}
        A plain tensor, a list of tensors, or a dict of tensors.
    widths : list of int, default=()
        Units of each head (the last axis; 1 for a 1-D output).
    names : list of str or None
        The dict's keys in head order, for a dict structure.
    """

    def __init__(self, structure: str, widths=(), names=None):
        self.structure = structure
        self.widths = [int(width) for width in widths]
        self.names = None if names is None else [str(name) for name in names]

    @classmethod
    def of_model(cls, model, inputs) -> "OutputLayout":
        """The layout of ``model``'s outputs for symbolic ``inputs``.

        ``inputs`` are ``keras.KerasTensor`` s in the structure the model
        takes (one, or a list or dict for several inputs).
        """
        spec = model.compute_output_spec(inputs)
        if isinstance(spec, dict):
            names = sorted(spec)
            return cls(DICT, [_units(spec[name]) for name in names], names)
        if isinstance(spec, list | tuple):
            return cls(LIST, [_units(head) for head in spec])
        return cls(SINGLE, [_units(spec)])

    @property
    def n_heads(self) -> int:
        return len(self.widths)

    def describe(self) -> str:
        """The outputs in words, for error messages."""
        if self.structure == SINGLE:
            return f"one output of {self.widths[0]} unit(s)"
        labels = self.names or [f"#{index}" for index in range(self.n_heads)]
        pairs = zip(labels, self.widths, strict=True)
        heads = ", ".join(f"{label}: {width}" for label, width in pairs)
        return f"{self.n_heads} output(s) as a {self.structure} ({heads} unit(s))"

    def arrange(self, heads: list):
        """Per-head arrays in the structure the model's outputs have."""
        if self.structure == DICT:
            return dict(zip(self.names, heads, strict=True))
        if self.structure == LIST:
            return list(heads)
        return heads[0]

    def heads(self, outputs) -> list:
        """The model's outputs (array, list or dict) as a list in head order."""
        # By the structure of ``outputs``, not the layout's: Keras returns a
        # functional model's list of one output as the bare tensor.
        if isinstance(outputs, dict):
            return [np.asarray(outputs[name]) for name in self.names]
        if isinstance(outputs, list | tuple):
            return [np.asarray(head) for head in outputs]
        return [np.asarray(outputs)]

    def per_head(self, value) -> list:
        """A compile argument (a loss) given once, as a list or as a dict, per head."""
        n_heads = max(self.n_heads, 1)
        if isinstance(value, dict):
            return [value.get(name) for name in (self.names or [None] * n_heads)]
        if isinstance(value, list | tuple):
            return list(value)
        return [value] * n_heads

    def split_columns(self, columns: np.ndarray) -> list:
        """Consecutive column blocks of ``columns``, one per head, by width."""
        edges = np.cumsum(self.widths)[:-1]
        return np.split(columns, edges, axis=1)


def _units(tensor) -> int:
    return 1 if len(tensor.shape) < 2 else int(tensor.shape[-1])


def refuse_targets_per_output(X, y, estimator: str) -> None:
    """Refuse ``y`` given as a dict, or list, of one array per output.

    Keras takes such targets, but scikit-learn cannot slice them for
    cross-validation: skdl takes one 2-D array and splits its columns.
    """
    per_output = isinstance(y, dict)
    if isinstance(y, list | tuple) and y and all(hasattr(v, "shape") for v in y):
        n_samples = _n_samples_or_none(X)
        lengths = {len(v) if len(v.shape) else None for v in y}
        per_output = len(y) != n_samples and lengths == {n_samples}
    if per_output:
        raise TypeError(
            f"{estimator} takes y as one array, not a {type(y).__name__} of "
            "arrays, one per output: stack the targets as columns "
            "(np.column_stack), in the order of the model's outputs (a dict's "
            "names sorted). Their columns are split across the outputs by units "
            "(regression), or one label column per output (classification)."
        )


def _n_samples_or_none(X) -> int | None:
    """Samples in ``X`` (an array, a dict or list of arrays), or None."""
    if hasattr(X, "shape"):
        return X.shape[0]
    parts = list(X.values()) if isinstance(X, dict) else X
    if isinstance(parts, list | tuple) and parts and hasattr(parts[0], "shape"):
        return parts[0].shape[0]
    return None
