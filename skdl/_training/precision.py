"""Build Keras models in the float precision of the training data.

scikit-learn's MLP computes in float64 unless it is given float32, and the
estimator checks compare results with float64 tolerances. TensorFlow
computes in float64 whenever asked (on PyTorch, Keras's own ``matmul`` still
computes float64 in float32: keras-team/keras#23704). JAX computes in 32 bits
unless
64-bit types are enabled; skdl never turns on the process-wide
``jax_enable_x64``, but runs its own work on a float64 network inside JAX's
``jax.enable_x64(True)`` context (:func:`backend_precision`), which holds for
the current thread only and ends with the block. Keras builds layers,
inputs, losses and metrics in ``keras.config.floatx()`` (float32 by default),
so while a model is built and compiled skdl sets both the default dtype policy
(thread-local in Keras) and ``floatx`` (process-wide, hence the lock) to the
data's precision, and restores them afterwards.
"""

import threading
from contextlib import ExitStack, contextmanager, nullcontext

import keras
from keras.src.backend.common import global_state

_FLOATX_LOCK = threading.RLock()
_DTYPE_POLICY = "dtype_policy"


def backend_precision(dtype: str):
    """A context in which the backend computes in ``dtype``.

    Only JAX needs one, for float64: ``jax.enable_x64(True)``, for the
    current thread and the block's duration. Elsewhere nothing is done.
    """
    if dtype == "float64" and keras.backend.backend() == "jax":
        import jax

        return jax.enable_x64(True)
    return nullcontext()


@contextmanager
def float_precision(dtype: str):
    """Build and compile Keras objects in ``dtype`` ("float32" or "float64")."""
    with _FLOATX_LOCK, ExitStack() as stack:
        saved_floatx = keras.config.floatx()
        saved_policy = global_state.get_global_attribute(_DTYPE_POLICY)
        try:
            stack.enter_context(backend_precision(dtype))
            keras.config.set_floatx(dtype)
            keras.config.set_dtype_policy(dtype)
            yield
        finally:
            keras.config.set_floatx(saved_floatx)
            global_state.set_global_attribute(_DTYPE_POLICY, saved_policy)
