"""A worker process: one library, timing what the suite asks for.

The suite keeps one worker per library alive and sends it requests in turn,
so that the libraries' measurements interleave (a busy spell on the machine
hits them all alike) while each library keeps its own process. A worker sets
``KERAS_BACKEND`` to its library's backend before anything imports Keras,
which reads it once, on import.
"""

import gc
import os
import sys
import time
import traceback
import warnings
from importlib import metadata

import numpy as np

from benchmarks.workloads import FIT_WORKLOADS, GRID_WORKLOADS

# Versions the results record, where installed, whichever backend runs.
PACKAGES = ("numpy", "scikit-learn", "keras", "tensorflow", "jax", "jaxlib")

# The diabetes network serves the fixed-cost, latency and memory measurements.
SMALL = FIT_WORKLOADS["diabetes"]


def rss_mb() -> float | None:
    """Resident memory of this process in MB (Linux), from /proc/self/status."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def package_versions(library: str) -> dict:
    """Python's version and the installed versions of what ``library`` uses."""
    versions = {"python": sys.version.split()[0]}
    packages = list(PACKAGES) + ["scikeras"] * (library == "scikeras")
    for package in packages:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    if library.startswith("skdl"):
        import skdl

        versions["skdl"] = getattr(skdl, "__version__", "dev")
    return versions


class Worker:
    def __init__(self, library: str):
        from benchmarks.libraries import ADAPTERS

        self.library = library
        self.adapter = ADAPTERS[library]()
        self._data = {}
        self._predictor = None

    def data(self, workload):
        if workload.name not in self._data:
            self._data[workload.name] = workload.load()
        return self._data[workload.name]

    def ping(self) -> dict:
        """This worker's process id, package versions and Keras backend."""
        versions = package_versions(self.library)
        backend = None
        if self.adapter.backend is not None:
            import keras

            # What Keras really runs on, not only what was asked.
            backend = keras.backend.backend()
        return {"pid": os.getpid(), "versions": versions, "backend": backend}

    def fit(self, workload: str, epochs: int) -> dict:
        workload = FIT_WORKLOADS[workload]
        X, y = self.data(workload)
        seconds, _, score = self.adapter.fit(workload, X, y, epochs)
        gc.collect()
        return {"seconds": seconds, "score": score}

    def one_epoch_fits(self, count: int) -> list[float]:
        X, y = self.data(SMALL)
        return [self.adapter.fit(SMALL, X, y, 1)[0] for _ in range(count)]

    def latency(
        self, rows: int, budget_s: float, max_calls: int, call: str = "predict"
    ) -> list[float]:
        """Times of ``call`` (see ``libraries.CALL_LABELS``) on ``rows`` rows."""
        X, y = self.data(SMALL)
        if self._predictor is None:
            self._predictor = self.adapter.fit(SMALL, X, y, 1)[1]
        predict = self.adapter.predictor(self._predictor, call)
        inputs = self.adapter.inputs(np.resize(X, (rows, X.shape[1])))
        predict(inputs)  # warm-up, not timed
        times = []
        deadline = time.perf_counter() + budget_s
        while len(times) < max_calls and (
            len(times) < 3 or time.perf_counter() < deadline
        ):
            start = time.perf_counter()
            predict(inputs)
            times.append(time.perf_counter() - start)
        return times

    def memory(self, checkpoints: list[int]) -> list[float | None]:
        """RSS after each number of 1-epoch fits, garbage collected first."""
        X, y = self.data(SMALL)
        readings = []
        fits = 0
        for checkpoint in checkpoints:
            while fits < checkpoint:
                self.adapter.fit(SMALL, X, y, 1)
                fits += 1
            gc.collect()
            readings.append(rss_mb())
        return readings

    def grid_search(self, grid: str, quick: bool) -> dict:
        grid = GRID_WORKLOADS[grid]
        result = self.adapter.grid_search(
            grid, epochs=grid.epochs_for(quick), n_splits=grid.n_splits_for(quick)
        )
        gc.collect()
        return result


def use_backend(library: str) -> None:
    """Set ``KERAS_BACKEND`` for ``library``; Keras must not be imported yet."""
    from benchmarks.libraries import ADAPTERS

    backend = ADAPTERS[library].backend
    if backend is None:
        return
    if "keras" in sys.modules and os.environ.get("KERAS_BACKEND") != backend:
        raise RuntimeError(
            f"Keras was imported before {library}'s worker could set "
            f"KERAS_BACKEND={backend}"
        )
    os.environ["KERAS_BACKEND"] = backend


def serve(connection, library: str, log_path: str) -> None:
    """Answer ``(method, kwargs)`` requests until None arrives."""
    # TensorFlow's native logs go to a file, not the suite's console.
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 2)
    sys.stderr = open(log_path, "a", buffering=1)  # noqa: SIM115
    warnings.simplefilter("ignore")
    try:
        use_backend(library)
        worker = Worker(library)
    except BaseException:
        connection.send(("error", traceback.format_exc()))
        return
    while True:
        request = connection.recv()
        if request is None:
            return
        method, kwargs = request
        try:
            connection.send(("ok", getattr(worker, method)(**kwargs)))
        except BaseException:
            connection.send(("error", traceback.format_exc()))
