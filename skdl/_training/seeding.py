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

Python's ``random`` is process-wide, and Keras has no public way to give it
another source: a thread that draws from it while another builds a model (a
Dask worker's event loop sampling a message to compress, for one) would
change the seeds Keras draws for that build. skdl's own network passes its
layers explicit seeds; a user's builder is called through
:meth:`Seeded.call`, which notices another thread's draws and builds again.
"""

import random
import sys
import threading
import warnings
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


# The hidden instance behind the random module's functions.
_PYTHON_RANDOM = random.random.__self__
# Builds tried in search of one during which no other thread drew.
_ATTEMPTS = 5


@contextmanager
def seeded(seed: int):
    """Seed every global generator a model build may use, then restore them.

    Parameters
    ----------
    seed : int
        The seed.

    Yields
    ------
    Seeded
        Its :meth:`~Seeded.call` calls a model builder, again if another
        thread drew from Python's ``random`` meanwhile.
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
            yield Seeded(random.getstate(), np.random.get_state())
        finally:
            random.setstate(python_state)
            np.random.set_state(numpy_state)
            global_state.set_global_attribute(KERAS_SEED_GENERATOR, keras_generator)
            global_state.set_global_attribute(KERAS_NAME_UIDS, name_uids)


class Seeded:
    """A seeded section (see :func:`seeded`), from the generators' seeded states."""

    def __init__(self, python_state, numpy_state):
        self._python_state = python_state
        self._numpy_state = numpy_state

    def call(self, function, *args, **kwargs):
        """``function(*args, **kwargs)``, as if no other thread drew meanwhile.

        ``function`` starts from the seeded states of Python's and NumPy's
        generators. When other threads run, this thread's draws from Python's
        ``random`` are recorded (``sys.setprofile`` watches this thread only)
        and replayed from the seeded state: if that does not end in the
        generator's state, another thread drew too, and ``function`` is
        called again from the seeded states.
        """
        keras_generator = global_state.get_global_attribute(KERAS_SEED_GENERATOR)
        name_uids = dict(global_state.get_global_attribute(KERAS_NAME_UIDS) or {})
        for attempt in range(_ATTEMPTS):
            random.setstate(self._python_state)
            np.random.set_state(self._numpy_state)
            if attempt:
                # Put back what the failed build changed (a Keras generator it
                # created has advanced; none there: Keras makes a new one).
                global_state.set_global_attribute(KERAS_SEED_GENERATOR, keras_generator)
                global_state.set_global_attribute(
                    KERAS_NAME_UIDS, defaultdict(int, name_uids)
                )
            if threading.active_count() == 1 or sys.getprofile() is not None:
                # Alone, or a profiler owns the hook: nothing to check with.
                return function(*args, **kwargs)
            draws = _DrawRecorder()
            with draws:
                result = function(*args, **kwargs)
            if draws.replay_ends_in(self._python_state):
                return result
        warnings.warn(
            "Other threads drew from Python's random module during each of "
            f"{_ATTEMPTS} builds of the model, so its initial weights may differ "
            "from another fit with the same random_state. Pass seeds to the "
            "model's initializers and dropout layers to make it reproducible.",
            RuntimeWarning,
            stacklevel=4,
        )
        return result


class _DrawRecorder:
    """Records this thread's draws from Python's ``random`` while active."""

    def __init__(self):
        self.draws: list = []
        self.reseeded = False

    def __enter__(self):
        sys.setprofile(self._on_event)
        return self

    def __exit__(self, *exception):
        sys.setprofile(None)

    def _on_event(self, frame, event, arg):
        if event != "c_call" or getattr(arg, "__self__", None) is not _PYTHON_RANDOM:
            return
        if arg.__name__ == "getrandbits":
            # Called by random's own methods with the bit count in ``k``.
            bits = frame.f_locals.get("k")
            self.draws.append(bits if isinstance(bits, int) and bits > 0 else 32)
        elif arg.__name__ == "random":
            self.draws.append(None)
        elif arg.__name__ in ("seed", "setstate"):
            self.reseeded = True

    def replay_ends_in(self, start) -> bool:
        """Whether the recorded draws alone lead from ``start`` to random's state."""
        if self.reseeded:
            # The builder seeded random itself: its draws are its own business.
            return True
        replay = random.Random()
        replay.setstate(start)
        for bits in self.draws:
            if bits is None:
                replay.random()
            else:
                replay.getrandbits(bits)
        return replay.getstate() == random.getstate()


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
