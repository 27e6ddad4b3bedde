"""Keep TensorFlow's native log lines that say nothing to skdl's users off stderr.

TensorFlow's C++ runtime writes straight to file descriptor 2 ("Could not find
cuda drivers" while it loads; "Not handling type DT_DOUBLE" from the oneDNN
graph rewrite each time a float64 function is first run), where no Python
logging setting reaches it. :func:`captured_native_stderr` points descriptor 2
at a temporary file for the length of a block and afterwards writes back the
lines worth showing, so that nothing needed for a diagnosis is lost: after an
exception, everything is written back.

Descriptor 2 belongs to the whole process, so blocks run one at a time.
"""

import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_FD_LOCK = threading.RLock()


def _keep_nothing(line: str) -> bool:
    return False


@contextmanager
def captured_native_stderr(
    keep: Callable[[str], bool] = _keep_nothing,
) -> Iterator[None]:
    """Capture what is written to descriptor 2, then replay the lines to ``keep``.

    Parameters
    ----------
    keep : callable, default=keep nothing
        Called with each captured line (its newline included); the lines it
        returns True for are written to stderr when the block ends. When the
        block raises, every line is written back.
    """
    with _FD_LOCK, tempfile.TemporaryFile(mode="w+b") as capture:
        sys.stderr.flush()
        saved_fd = os.dup(2)
        os.dup2(capture.fileno(), 2)
        failed = False
        try:
            yield
        except BaseException:
            failed = True
            raise
        finally:
            os.dup2(saved_fd, 2)
            os.close(saved_fd)
            capture.seek(0)
            lines = capture.read().decode(errors="replace").splitlines(keepends=True)
            shown = "".join(line for line in lines if failed or keep(line))
            if shown:
                sys.stderr.write(shown)
                sys.stderr.flush()
