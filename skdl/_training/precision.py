"""Build Keras models in the float precision of the training data.

scikit-learn's MLP computes in float64 unless it is given float32, and the
estimator checks compare results with float64 tolerances. Keras builds layers,
inputs, losses and metrics in ``keras.config.floatx()`` (float32 by default),
so while a model is built and compiled skdl sets both the default dtype policy
(thread-local in Keras) and ``floatx`` (process-wide, hence the lock) to the
data's precision, and restores them afterwards.
"""

import threading
from contextlib import contextmanager

import keras
from keras.src.backend.common import global_state

_FLOATX_LOCK = threading.RLock()
_DTYPE_POLICY = "dtype_policy"


@contextmanager
def float_precision(dtype: str):
    """Build and compile Keras objects in ``dtype`` ("float32" or "float64")."""
    with _FLOATX_LOCK:
        saved_floatx = keras.config.floatx()
        saved_policy = global_state.get_global_attribute(_DTYPE_POLICY)
        try:
            keras.config.set_floatx(dtype)
            keras.config.set_dtype_policy(dtype)
            yield
        finally:
            keras.config.set_floatx(saved_floatx)
            global_state.set_global_attribute(_DTYPE_POLICY, saved_policy)
