"""A worker process: one library, timing what the suite asks for.

The suite keeps one worker per library alive and sends it requests in turn,
so that the libraries' measurements interleave (a busy spell on the machine
hits them all alike) while each library keeps its own process.
"""

import gc
import os
import sys
import time
import traceback
import warnings

import numpy as np

from benchmarks.workloads import FIT_WORKLOADS, WINE_GRID

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
        versions = {"python": sys.version.split()[0], "numpy": np.__version__}
        import sklearn

        versions["scikit-learn"] = sklearn.__version__
        if self.library != "sklearn":
            import keras
            import tensorflow as tf

            versions["tensorflow"] = tf.__version__
            versions["keras"] = keras.__version__
        if self.library == "scikeras":
            import scikeras

            versions["scikeras"] = scikeras.__version__
        if self.library.startswith("skdl"):
            import skdl

            versions["skdl"] = getattr(skdl, "__version__", "dev")
        return {"pid": os.getpid(), "versions": versions}

    def fit(self, workload: str, epochs: int) -> dict:
        workload = FIT_WORKLOADS[workload]
        X, y = self.data(workload)
        seconds, _, score = self.adapter.fit(workload, X, y, epochs)
        gc.collect()
        return {"seconds": seconds, "score": score}

    def one_epoch_fits(self, count: int) -> list[float]:
        X, y = self.data(SMALL)
        return [self.adapter.fit(SMALL, X, y, 1)[0] for _ in range(count)]

    def latency(self, rows: int, budget_s: float, max_calls: int) -> list[float]:
        X, y = self.data(SMALL)
        if self._predictor is None:
            self._predictor = self.adapter.fit(SMALL, X, y, 1)[1]
        inputs = self.adapter.inputs(np.resize(X, (rows, X.shape[1])))
        self.adapter.predict(self._predictor, inputs)  # warm-up, not timed
        times = []
        deadline = time.perf_counter() + budget_s
        while len(times) < max_calls and (
            len(times) < 3 or time.perf_counter() < deadline
        ):
            start = time.perf_counter()
            self.adapter.predict(self._predictor, inputs)
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

    def wine_search(self, quick: bool) -> dict:
        seconds, best, score = self.adapter.wine_search(
            epochs=WINE_GRID["quick_epochs" if quick else "epochs"],
            n_splits=WINE_GRID["quick_n_splits" if quick else "n_splits"],
        )
        gc.collect()
        return {"seconds": seconds, "best": best, "score": score}


def serve(connection, library: str, log_path: str) -> None:
    """Answer ``(method, kwargs)`` requests until None arrives."""
    # TensorFlow's native logs go to a file, not the suite's console.
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 2)
    sys.stderr = open(log_path, "a", buffering=1)  # noqa: SIM115
    warnings.simplefilter("ignore")
    try:
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
