"""A compiled forward pass, instead of ``keras.Model.predict``.

``Model.predict`` builds a data pipeline and a progress loop on every call
(about 50 ms even for one row); a traced ``model(x, training=False)`` costs
well under a millisecond. Large inputs are cut into batches so memory stays
bounded.
"""

import numpy as np

from skdl._training.compiled import compiled_function
from skdl._training.loop import map_arrays

_PREDICT_FUNCTION = "forward"


def _forward_function(model):
    def forward(x):
        return model(x, training=False)

    return forward


def forward(model, x: np.ndarray, batch_size: int | None = None):
    """Return the network's outputs for ``x`` as NumPy arrays.

    Parameters
    ----------
    model : keras.Model
        A built model.
    x : ndarray of shape (n_samples, n_features)
        Inputs, already in the model's float precision.
    batch_size : int, default=None
        Rows per compiled call; all rows at once when None.

    Returns
    -------
    outputs : ndarray, or list or dict of ndarrays
        In the structure of the model's outputs: an array for a single
        output, a list or dict of arrays for a list or dict of outputs.
    """
    import tensorflow as tf

    batch_size = batch_size or max(len(x), 1)
    batches = []
    for start in range(0, len(x), batch_size):
        batch = tf.constant(x[start : start + batch_size])
        function = compiled_function(
            model, _PREDICT_FUNCTION, _forward_function, [batch]
        )
        batches.append(map_arrays(lambda tensor: tensor.numpy(), function(batch)))
    first = batches[0]
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
