"""Import TensorFlow, Keras and scikeras without their start-up chatter.

TensorFlow's C++ runtime writes straight to file descriptor 2 while it loads
("Could not find cuda drivers", "This TensorFlow binary is optimized ..."),
before any Python logging setting can reach it. skdl's own import must print
nothing, so the first import runs with descriptor 2 captured; if the import
fails, what the runtime wrote is replayed so nothing needed for a diagnosis
is lost.
"""

import sys

from skdl._native_stderr import captured_native_stderr


def import_quietly() -> None:
    """Import the deep-learning stack once, with its native logs silenced."""
    if "tensorflow" in sys.modules and "scikeras" in sys.modules:
        return
    with captured_native_stderr():
        import keras  # noqa: F401
        import scikeras  # noqa: F401

        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            # Device discovery logs too (cuInit on machines without a GPU).
            tf.config.list_physical_devices()


import_quietly()
