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

TensorFlow's global seed is set without ``tf.random.set_seed``: that also
empties TensorFlow's cache of instantiated kernels and functions (so that
stateful random kernels restart), and every compiled function, skdl's and the
user's, then pays its graph optimization again, about 0.2 s each. The cache
is emptied only when something drew from the global seed, so that stateful
random ops seeded by it start afresh in the next seeded block.
"""

import random
import threading
from collections import defaultdict
from contextlib import contextmanager

import keras
import numpy as np
from keras.src.backend.common import global_state
from keras.src.random import seed_generator as keras_seed_generator
from sklearn.utils import check_random_state

from skdl._training.compiled import clear_kernel_cache

# The global generators are process-wide: two threads seeding at once would
# interleave their draws, so seeded sections run one at a time.
_SEED_LOCK = threading.RLock()
_KERAS_SEED_GENERATOR = "global_seed_generator"
_KERAS_NAME_UIDS = "object_name_uids"
_THREAD = threading.local()


class _ThreadRandom:
    """Python's ``random`` module, except in a thread inside :func:`seeded`.

    Keras draws the seeds of unseeded initializers and dropout layers from
    the ``random`` module, which all threads share: any other thread drawing
    from it during a build (a Dask worker's event loop, tornado's timer
    jitter) would change the weights. A thread inside :func:`seeded` draws
    from its own generator instead; other threads are not affected.
    """

    def __getattr__(self, name):
        return getattr(getattr(_THREAD, "random", None) or random, name)


_THREAD_RANDOM = _ThreadRandom()


class _TensorFlowGlobalSeed:
    """Set and restore TensorFlow's eager global seed, as ``tf.random.set_seed``.

    The context keeps the seed and a ``random.Random`` that hands out the
    operation seeds of ops seeded from it; both are put back exactly.
    """

    def __init__(self):
        from tensorflow.python.eager import context

        self._context = context.context()
        # No generator until a seed is first set.
        self._saved = (self._context._seed, getattr(self._context, "_rng", None))
        self._seeded_rng = None

    def set(self, seed: int) -> None:
        self._seeded_rng = random.Random(seed)
        self._fresh_state = self._seeded_rng.getstate()
        self._context._seed = seed
        self._context._rng = self._seeded_rng

    def restore(self) -> None:
        drawn = (
            self._context._rng is not self._seeded_rng
            or self._seeded_rng.getstate() != self._fresh_state
        )
        self._context._seed, self._context._rng = self._saved
        if drawn:
            clear_kernel_cache()


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
        keras_random = keras_seed_generator.python_random
        thread_random = getattr(_THREAD, "random", None)
        name_uids = global_state.get_global_attribute(_KERAS_NAME_UIDS)
        tf_seed = (
            _TensorFlowGlobalSeed() if keras.backend.backend() == "tensorflow" else None
        )
        try:
            random.seed(seed)
            np.random.seed(seed)
            global_state.set_global_attribute(_KERAS_SEED_GENERATOR, None)
            _THREAD.random = random.Random(seed)
            keras_seed_generator.python_random = _THREAD_RANDOM
            # Layer names restart from where they were: a new name each build
            # (dense_1, dense_2, ...) makes TensorFlow cache new kernels each
            # fit, and a long-lived process grows by megabytes per fit.
            global_state.set_global_attribute(
                _KERAS_NAME_UIDS, defaultdict(int, name_uids or {})
            )
            if tf_seed is not None:
                tf_seed.set(seed)
            yield
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)
            global_state.set_global_attribute(_KERAS_SEED_GENERATOR, keras_generator)
            _THREAD.random = thread_random
            keras_seed_generator.python_random = keras_random
            global_state.set_global_attribute(_KERAS_NAME_UIDS, name_uids)
            if tf_seed is not None:
                tf_seed.restore()


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
