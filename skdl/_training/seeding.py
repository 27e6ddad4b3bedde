"""Reproducible model building that leaves no global random state behind.

Keras draws the seeds of unseeded initializers and dropout layers from
Python's ``random`` module, and unseeded ``keras.random`` calls from a global
``SeedGenerator``; user builders may also use NumPy's global generator.
:func:`seeded` sets all of these from one integer while a model is built and
puts every one of them back afterwards. Training itself needs no global
state: skdl shuffles with its own ``numpy.random.Generator`` and dropout draws
from the seed generators created during the build.

TensorFlow's own global seed is left alone: Keras's layers and ``keras.random``
never draw from it, and setting it (``tf.random.set_seed``) empties
TensorFlow's cache of instantiated functions, so that every compiled function
would pay its graph optimization again on every fit. A builder that draws
from ``tf.random`` directly should draw from ``keras.random`` instead, with a
seed or without one (then from Keras's global seed generator, seeded here).

Unlike scikeras, TensorFlow's op determinism is never switched on: it is a
process-wide flag, and CPU kernels of dense networks are deterministic anyway.

Two pieces of Keras's global state have no public accessor and are read and
restored through ``keras.src.backend.common.global_state`` (guarded by
tests): Keras's global seed generator (``keras.utils.set_random_seed``
replaces it, and also reseeds TensorFlow, Python and NumPy for good), and the
counters that number layer names.

Python's ``random`` is process-wide: a thread that draws from it while
another builds a model (a Dask worker's event loop sampling a message to
compress, for one) changes the seeds Keras draws for that build. Keras has
no public way to give it another source, so skdl's own network passes its
layers explicit seeds; a user's builder that must be reproducible in such a
process should seed its initializers and dropout layers itself.
"""

import random
import threading
from collections import defaultdict
from contextlib import contextmanager

import numpy as np
from keras.src.backend.common import global_state
from sklearn.utils import check_random_state

# The global generators are process-wide: two threads seeding at once would
# interleave their draws, so seeded sections run one at a time.
_SEED_LOCK = threading.RLock()
# The names under which Keras keeps its global seed generator
# (keras.src.random.seed_generator) and its layer-name counters
# (keras.src.utils.naming); tests/test_reproducibility.py checks them.
KERAS_SEED_GENERATOR = "global_seed_generator"
KERAS_NAME_UIDS = "object_name_uids"


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
        keras_generator = global_state.get_global_attribute(KERAS_SEED_GENERATOR)
        name_uids = global_state.get_global_attribute(KERAS_NAME_UIDS)
        try:
            random.seed(seed)
            np.random.seed(seed)
            global_state.set_global_attribute(KERAS_SEED_GENERATOR, None)
            # Layer names restart from where they were: a new name each build
            # (dense_1, dense_2, ...) makes TensorFlow cache new kernels each
            # fit, and a long-lived process grows by megabytes per fit.
            global_state.set_global_attribute(
                KERAS_NAME_UIDS, defaultdict(int, name_uids or {})
            )
            yield
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)
            global_state.set_global_attribute(KERAS_SEED_GENERATOR, keras_generator)
            global_state.set_global_attribute(KERAS_NAME_UIDS, name_uids)


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
