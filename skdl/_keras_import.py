"""Import TensorFlow, Keras and scikeras without their start-up chatter.

TensorFlow's C++ runtime writes straight to file descriptor 2 while it loads
("Could not find cuda drivers", "This TensorFlow binary is optimized ..."),
before any Python logging setting can reach it. skdl's own import must print
nothing, so the first import runs with descriptor 2 pointed at a temporary
file. If the import fails, what the runtime wrote is replayed on stderr so
that nothing needed for a diagnosis is lost.
"""

import os
import sys
import tempfile
from contextlib import contextmanager


@contextmanager
def _captured_stderr_fd():
    sys.stderr.flush()
    saved_fd = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield capture
        except BaseException:
            os.dup2(saved_fd, 2)
            capture.seek(0)
            sys.stderr.write(capture.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved_fd, 2)
            os.close(saved_fd)


def import_quietly() -> None:
    """Import the deep-learning stack once, with its native logs silenced."""
    if "tensorflow" in sys.modules and "scikeras" in sys.modules:
        return
    with _captured_stderr_fd():
        import keras  # noqa: F401
        import scikeras  # noqa: F401

        if keras.backend.backend() == "tensorflow":
            import tensorflow as tf

            # Device discovery logs too (cuInit on machines without a GPU).
            tf.config.list_physical_devices()


import_quietly()
