"""A compiled forward pass, instead of ``keras.Model.predict``.

``Model.predict`` builds a data pipeline and a progress loop on every call
(about 50 ms even for one row); a traced ``model(x, training=False)`` costs
well under a millisecond. Large inputs are cut into batches so memory stays
bounded.
"""

import numpy as np

from skdl._training.compiled import compiled_function

_PREDICT_FUNCTION = "forward"


def _forward_function(model):
    def forward(x):
        return model(x, training=False)

    return forward


def forward(model, x: np.ndarray, batch_size: int | None = None) -> np.ndarray:
    """Return the network's outputs for ``x`` as a NumPy array.

    Parameters
    ----------
    model : keras.Model
        A built model with a single output.
    x : ndarray of shape (n_samples, n_features)
        Inputs, already in the model's float precision.
    batch_size : int, default=None
        Rows per compiled call; all rows at once when None.
    """
    import tensorflow as tf

    batch_size = batch_size or max(len(x), 1)
    outputs = []
    for start in range(0, len(x), batch_size):
        batch = tf.constant(x[start : start + batch_size])
        function = compiled_function(
            model, _PREDICT_FUNCTION, _forward_function, [batch]
        )
        outputs.append(function(batch).numpy())
    return np.concatenate(outputs, axis=0)
