"""A progress line for a running search: fits done, time elapsed, time left."""

import threading
import time
from contextlib import contextmanager


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return (
        f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    )


class ProgressLine:
    """Draws ``[#####     ] 12/80 fits  0:42 elapsed  ~3:58 left``.

    On a terminal the line is redrawn in place; elsewhere (a log, a pipe) a
    new line is written only every ``log_every`` seconds and at the end.

    Parameters
    ----------
    total : int
        How many fits the search makes (candidates x folds).
    stream : file
        Where to draw, normally ``sys.stderr``.
    width : int, default=30
        Characters in the bar.
    log_every : float, default=10
        Seconds between lines when ``stream`` is not a terminal.
    """

    def __init__(self, total, stream, *, width=30, log_every=10.0):
        self.total = total
        self.stream = stream
        self.width = width
        self.log_every = log_every
        self.started = time.monotonic()
        self._interactive = getattr(stream, "isatty", lambda: False)()
        self._last_done = -1
        self._last_logged = float("-inf")

    def text(self, done: int, now: float | None = None) -> str:
        """The line for ``done`` fits finished."""
        elapsed = (now if now is not None else time.monotonic()) - self.started
        filled = self.width * done // self.total if self.total else self.width
        bar = "#" * filled + " " * (self.width - filled)
        line = f"[{bar}] {done}/{self.total} fits  {_clock(elapsed)} elapsed"
        if 0 < done < self.total:
            line += f"  ~{_clock(elapsed / done * (self.total - done))} left"
        return line

    def update(self, done: int, *, final: bool = False):
        """Redraw for ``done`` fits finished, if anything changed."""
        now = time.monotonic()
        if self._interactive:
            if done != self._last_done or final:
                self.stream.write("\r" + self.text(done, now))
                if final:
                    self.stream.write("\n")
                self.stream.flush()
        elif final or (
            done != self._last_done and now - self._last_logged >= self.log_every
        ):
            self.stream.write(self.text(done, now) + "\n")
            self.stream.flush()
            self._last_logged = now
        self._last_done = done


@contextmanager
def watching(count, progress: ProgressLine, interval: float = 0.25):
    """Update ``progress`` from ``count()`` in a background thread for the block."""
    stop = threading.Event()

    def poll():
        while not stop.wait(interval):
            progress.update(count())

    thread = threading.Thread(target=poll, name="skdl-progress", daemon=True)
    progress.update(0)
    thread.start()
    try:
        yield progress
    finally:
        stop.set()
        thread.join()
        progress.update(count(), final=True)
