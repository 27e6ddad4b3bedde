"""The data a training loop runs on, whatever the Keras backend.

:class:`Dataset` holds inputs, targets and sample weights as NumPy arrays (or
SciPy sparse matrices), possibly nested in lists or dicts for models with
several inputs or outputs; :func:`map_arrays` walks such structures.
"""

from dataclasses import dataclass

import numpy as np

from skdl._training.sparse import SparseRows, is_sparse


@dataclass
class Dataset:
    """Arrays ready for the network: inputs, targets and sample weights.

    ``x`` and ``y`` are each an array, or a list or dict of arrays (a model
    with several inputs or outputs), all with samples along the first axis.
    """

    x: object
    y: object
    sample_weight: np.ndarray

    def __len__(self) -> int:
        return len(self.sample_weight)

    def subset(self, index) -> "Dataset":
        return Dataset(
            map_arrays(lambda array: array[index], self.x),
            map_arrays(lambda array: array[index], self.y),
            self.sample_weight[index],
        )


def map_arrays(function, structure):
    """``function`` applied to every array of an array, list or dict of arrays.

    A SciPy sparse matrix, or its tensors (:class:`SparseRows`), is one array.
    """
    if isinstance(structure, SparseRows):
        return function(structure)
    if isinstance(structure, dict):
        return {name: function(value) for name, value in structure.items()}
    if isinstance(structure, list | tuple):
        return [function(value) for value in structure]
    return function(structure)


def has_sparse(structure) -> bool:
    """Whether any array of ``structure`` is a SciPy sparse matrix."""
    found = []
    map_arrays(lambda array: found.append(is_sparse(array)), structure)
    return any(found)


def as_floats(logs) -> dict[str, float]:
    return {name: float(value) for name, value in logs.items()}
