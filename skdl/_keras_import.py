"""Import Keras, and its backend, without their start-up chatter.

Keras imports the backend it runs on (``KERAS_BACKEND``, or Keras's config
file): TensorFlow only when that is TensorFlow. TensorFlow's C++ runtime
writes straight to file descriptor 2 while it loads ("Could not find cuda
drivers", "This TensorFlow binary is optimized ..."), before any Python
logging setting can reach it. skdl's own import must print nothing, so the
first import runs with descriptor 2 captured; if the import fails, what the
runtime wrote is replayed so nothing needed for a diagnosis is lost.

TensorFlow sizes its thread pools to the whole machine. joblib's worker
processes (``GridSearchCV(n_jobs=-1)``...) each get ``OMP_NUM_THREADS`` set to
their share of the cores, which NumPy's BLAS and scikit-learn follow; so does
TensorFlow here, when Keras runs on it, skdl is the first to import it and
TensorFlow's own ``TF_NUM_INTRAOP_THREADS``/``TF_NUM_INTEROP_THREADS`` are
not set. Otherwise every worker would run a full-size pool and the workers
would fight over the cores.
"""

import os
import sys
from contextlib import contextmanager

from skdl._native_stderr import captured_native_stderr


def thread_limit(environ=os.environ) -> int | None:
    """Threads per TensorFlow pool that ``environ`` asks for, or None.

    ``OMP_NUM_THREADS`` (a positive integer) sets it, unless TensorFlow's own
    thread variables are set: those take precedence and TensorFlow reads them.
    """
    if "TF_NUM_INTRAOP_THREADS" in environ or "TF_NUM_INTEROP_THREADS" in environ:
        return None
    try:
        threads = int(environ.get("OMP_NUM_THREADS", ""))
    except ValueError:
        return None
    return threads if threads > 0 else None


def _limit_threads(tf) -> None:
    threads = thread_limit()
    if threads is None:
        return
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        # TensorFlow already runs (someone used it before importing skdl):
        # its pools are fixed by now.
        pass


def import_quietly() -> None:
    """Import Keras with its backend's native logs silenced."""
    # Keras on TensorFlow imports TensorFlow: check before importing Keras.
    tensorflow_was_loaded = "tensorflow" in sys.modules
    with captured_native_stderr():
        import keras

        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            if not tensorflow_was_loaded:
                _limit_threads(tf)
            # Device discovery logs too (cuInit on machines without a GPU).
            tf.config.list_physical_devices()


@contextmanager
def quiet_serialization():
    """Run Keras serialization with TensorFlow's start-up logs silenced.

    Keras's ``serialize_keras_object`` imports TensorFlow whenever it is
    installed, on every backend (to recognise ``tf.TensorShape``). Getting
    a model's configuration, saving or pickling it can therefore be what
    first imports TensorFlow under JAX, and TensorFlow's runtime then logs
    to file descriptor 2; this keeps that first import as quiet as skdl's.
    """
    if "tensorflow" in sys.modules:
        yield
        return
    with captured_native_stderr():
        yield


import_quietly()
