"""The red-wine grid search with skdl in a fresh process, for one ``n_jobs``.

``python -m benchmarks.grid_jobs --n-jobs -1 [--quick]`` runs the search
twice: the first pays for starting joblib's worker processes and tracing,
the second reuses them, as later searches in a session do. Between the two
it asks every worker how many threads it runs and how TensorFlow's thread
pools are set; around the second it also counts the CPU time of this process
and of the workers, which says how much work the search cost whatever else
the machine was doing. It prints one JSON object.
"""

import argparse
import json
import os
import sys
import warnings


def thread_report() -> dict:
    """This process: its id, its OS threads and TensorFlow's pool settings."""
    import tensorflow as tf

    threads = None
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("Threads:"):
                    threads = int(line.split()[1])
    except OSError:
        pass
    return {
        "pid": os.getpid(),
        "os_threads": threads,
        "tf_intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "tf_inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
    }


def cpu_seconds(pids) -> float | None:
    """User and system CPU time of these processes so far (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        for pid in pids:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    except OSError:
        return None
    return total


def _fit_then_report(_):
    """A tiny fit first, so that TensorFlow's thread pools exist when counted."""
    import numpy as np

    from skdl import KerasRegressor

    X = np.random.default_rng(0).normal(size=(20, 3))
    KerasRegressor(hidden_layer_sizes=(4,), epochs=1, random_state=0).fit(X, X[:, 0])
    return thread_report()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n-jobs", type=int, required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--searches", type=int, default=2)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")

    from joblib import Parallel, delayed

    import skdl  # noqa: F401  (imports TensorFlow quietly)
    from benchmarks.libraries import Skdl
    from benchmarks.workloads import WINE_GRID

    seconds = []
    workers = []
    cpu = None
    for search in range(args.searches):
        if search == args.searches - 1:
            reports = Parallel(n_jobs=args.n_jobs)(
                delayed(_fit_then_report)(i) for i in range(4)
            )
            workers = list({report["pid"]: report for report in reports}.values())
            pids = {os.getpid()} | {worker["pid"] for worker in workers}
            cpu = cpu_seconds(pids)
        search = Skdl().grid_search(
            WINE_GRID,
            epochs=WINE_GRID.epochs_for(args.quick),
            n_splits=WINE_GRID.n_splits_for(args.quick),
            n_jobs=args.n_jobs,
        )
        seconds.append(search["seconds"])
    if cpu is not None:
        after = cpu_seconds(pids)
        cpu = None if after is None else after - cpu
    json.dump(
        {
            "n_jobs": args.n_jobs,
            "seconds": seconds,
            "cpu_seconds_last_search": cpu,
            "best": search["best"],
            "score": search["score"],
            "workers": workers,
            "cpu_count": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
