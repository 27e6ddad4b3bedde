"""Reproducible model building that leaves no global random state behind.

Keras draws the seeds of unseeded initializers and dropout layers from
Python's ``random`` module, and unseeded ``keras.random`` calls from a global
``SeedGenerator``; user builders may also use NumPy's or TensorFlow's global
generators. :func:`seeded` sets all of these from one integer while a model is
built and puts every one of them back afterwards. Training itself needs no
global state: skdl shuffles with its own ``numpy.random.Generator`` and dropout
draws from the seed generators created during the build.

Unlike scikeras, TensorFlow's op determinism is never switched on: it is a
process-wide flag, and CPU kernels of dense networks are deterministic anyway.
"""

import random
import threading
from contextlib import contextmanager

import keras
import numpy as np
from keras.src.backend.common import global_state
from sklearn.utils import check_random_state

# The global generators are process-wide: two threads seeding at once would
# interleave their draws, so seeded sections run one at a time.
_SEED_LOCK = threading.RLock()
_KERAS_SEED_GENERATOR = "global_seed_generator"


def _tf_global_seed():
    import tensorflow as tf
    from tensorflow.python.eager import context

    return tf, context.global_seed()


@contextmanager
def seeded(seed: int):
    """Seed every global generator a model build may use, then restore them.

    Parameters
    ----------
    seed : int
        The seed.
    """
    with _SEED_LOCK:
        python_state = random.getstate()
        numpy_state = np.random.get_state()
        keras_generator = global_state.get_global_attribute(_KERAS_SEED_GENERATOR)
        tf_module, tf_seed = (
            _tf_global_seed()
            if keras.backend.backend() == "tensorflow"
            else (None, None)
        )
        try:
            random.seed(seed)
            np.random.seed(seed)
            global_state.set_global_attribute(_KERAS_SEED_GENERATOR, None)
            if tf_module is not None:
                tf_module.random.set_seed(seed)
            yield
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)
            global_state.set_global_attribute(_KERAS_SEED_GENERATOR, keras_generator)
            if tf_module is not None:
                tf_module.random.set_seed(tf_seed)


def integer_seed(random_state) -> int:
    """Turn a scikit-learn ``random_state`` into the integer seed of a fit.

    An ``int`` is used as it is. A ``RandomState`` instance, and ``None``
    (NumPy's global generator), give one draw, as in scikit-learn
    estimators: ``np.random.seed`` makes unseeded fits repeatable, and no
    other global generator is consumed.
    """
    if isinstance(random_state, (int, np.integer)):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
