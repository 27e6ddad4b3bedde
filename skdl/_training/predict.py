"""A compiled forward pass, instead of ``keras.Model.predict``.

``Model.predict`` builds a data pipeline and a progress loop on every call
(about 50 ms even for one row); a traced ``model(x, training=False)`` costs
well under a millisecond. Large inputs are cut into batches so memory stays
bounded.
"""

import numpy as np

from skdl._training.data import has_sparse, map_arrays
from skdl._training.loop import backend_engine
from skdl._training.sparse import densified

# Sparse inputs are predicted in batches of at most this many dense values.
_DENSE_VALUES_PER_BATCH = 4_000_000


def forward(model, x, batch_size: int | None = None):
    """Return the network's outputs for ``x`` as NumPy arrays.

    Parameters
    ----------
    model : keras.Model
        A built model.
    x : ndarray, SciPy sparse matrix, or list or dict of them
        Inputs with samples along the first axis, already in the dtypes the
        model takes. Sparse inputs are densified one batch at a time.
    batch_size : int, default=None
        Rows per compiled call; all rows at once when None, or, for sparse
        inputs, as many as fit in about 32 MB dense.

    Returns
    -------
    outputs : ndarray, or list or dict of ndarrays
        In the structure of the model's outputs: an array for a single
        output, a list or dict of arrays for a list or dict of outputs.
    """
    n_samples = _n_samples(x)
    batch_size = batch_size or _default_batch_size(x, n_samples)
    forward_batch = backend_engine().forward_batch
    batches = []
    for start in range(0, n_samples, batch_size):
        rows = slice(start, start + batch_size)
        batch = map_arrays(lambda array, rows=rows: densified(array[rows]), x)
        batches.append(forward_batch(model, batch))
    return _concatenated(batches)


def _concatenated(batches: list):
    """One array per output, from the outputs of each batch."""
    first = batches[0]
    if len(batches) == 1:
        return first
    if isinstance(first, dict):
        return {
            name: np.concatenate([batch[name] for batch in batches], axis=0)
            for name in first
        }
    if isinstance(first, list | tuple):
        return [
            np.concatenate([batch[head] for batch in batches], axis=0)
            for head in range(len(first))
        ]
    return np.concatenate(batches, axis=0)


def _n_samples(x) -> int:
    lengths = []
    map_arrays(lambda array: lengths.append(array.shape[0]), x)
    return lengths[0]


def _default_batch_size(x, n_samples: int) -> int:
    if not has_sparse(x):
        return max(n_samples, 1)
    widths = []
    map_arrays(lambda array: widths.append(int(np.prod(array.shape[1:]))), x)
    return max(1, min(n_samples, _DENSE_VALUES_PER_BATCH // max(sum(widths), 1)))
