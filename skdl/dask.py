"""Run skdl's searches on a Dask cluster, on one machine or on many.

A scikit-learn search fits its candidates and folds through joblib, and
joblib's ``"dask"`` backend sends those fits to the workers of a Dask
cluster. :func:`dask_backend` sets that up for the common cases::

    from skdl.dask import dask_backend

    if __name__ == "__main__":
        with dask_backend("local"):  # or "tcp://scheduler:8786"
            search.fit(X, y)

A local cluster's worker processes start by importing your script, running
its top-level code again: in a script, start the cluster under
``if __name__ == "__main__":`` (:func:`local_cluster` raises a
``RuntimeError`` saying so otherwise).

skdl's estimators need nothing special on the workers: fitted and unfitted
ones pickle (builders defined in ``__main__`` travel by value), a fit gives
the same network in a worker as in your process for the same
``random_state``, and a long-lived worker does not grow with each fit. What a
worker process does need is a thread count that matches its share of the
machine: TensorFlow otherwise starts thread pools as large as the whole
machine in every worker. :func:`worker_environment` gives those settings,
and :func:`local_cluster` starts workers with them, one process per GPU
when asked.

Needs the ``dask`` extra (``python -m pip install ".[dask]"`` in skdl's
checkout); ``import skdl`` does not import this module.
"""

import logging
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager

import joblib

from skdl._main_guard import refuse_unguarded_start

__all__ = ["dask_backend", "local_cluster", "worker_environment"]

# Each library's own thread pools: OpenMP, MKL and OpenBLAS (NumPy and
# scikit-learn), then TensorFlow's pools within an op and across ops.
_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
)
_LOOPBACK = "127.0.0.1"


def _import_distributed():
    try:
        import distributed
    except ImportError as error:
        raise ImportError(
            "skdl.dask needs Dask's distributed scheduler: install skdl's dask "
            "extra (python -m pip install '.[dask]' in skdl's checkout)"
        ) from error
    return distributed


def _start_method() -> str:
    """How Dask starts worker processes: "spawn" unless configured otherwise."""
    import dask

    return dask.config.get("distributed.worker.multiprocessing-method", "spawn")


def worker_environment(threads: int = 1, *, gpu: int | str | None = None) -> dict:
    """Environment variables for a worker process that trains Keras models.

    TensorFlow sizes its thread pools from the whole machine, so several
    worker processes on one machine each start as many threads as there
    are cores and slow each other down. Set these variables in a worker's
    environment before it starts (``LocalCluster(env=...)``, or the
    environment of ``dask worker``) to give each process ``threads``
    threads instead.

    Parameters
    ----------
    threads : int, default=1
        Threads each pool of the worker may use: its share of the machine's
        cores (cores divided by worker processes).
    gpu : int or str, default=None
        The one GPU this worker uses (its index or UUID): sets
        ``CUDA_VISIBLE_DEVICES`` to it, and ``TF_FORCE_GPU_ALLOW_GROWTH`` so
        that TensorFlow takes GPU memory as needed instead of all of it.
        None leaves the worker's devices as they are.

    Returns
    -------
    environment : dict of str to str
        Variable names and values.

    Examples
    --------
    >>> from skdl.dask import worker_environment
    >>> environment = worker_environment(2)
    >>> environment["TF_NUM_INTRAOP_THREADS"], environment["OMP_NUM_THREADS"]
    ('2', '2')
    >>> worker_environment(gpu=1)["CUDA_VISIBLE_DEVICES"]
    '1'
    """
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}.")
    environment = dict.fromkeys(_THREAD_VARIABLES, str(threads))
    if gpu is not None:
        environment["CUDA_VISIBLE_DEVICES"] = str(gpu)
        environment["TF_FORCE_GPU_ALLOW_GROWTH"] = "true"
    return environment


def _devices(gpus) -> list | None:
    if gpus is None:
        return None
    if isinstance(gpus, bool):
        raise TypeError(f"gpus must be a number of GPUs or their ids, got {gpus!r}.")
    if isinstance(gpus, int):
        if gpus < 1:
            raise ValueError(f"gpus must be at least 1, got {gpus}.")
        return list(range(gpus))
    if isinstance(gpus, Sequence) and not isinstance(gpus, str):
        devices = list(gpus)
        if devices and len(set(map(str, devices))) == len(devices):
            return devices
    raise ValueError(
        f"gpus must be a number of GPUs or a list of distinct GPU ids, got {gpus!r}."
    )


def local_cluster(
    n_workers: int | None = None,
    *,
    threads_per_worker: int = 1,
    gpus: int | Sequence | None = None,
    **worker_options,
):
    """Start a Dask cluster of worker processes on this machine.

    Each worker is a process of its own with ``threads_per_worker`` threads
    and the matching :func:`worker_environment`, so that the processes do
    not oversubscribe the cores. The scheduler and the workers listen on
    the loopback interface only, and the dashboard is off.

    Parameters
    ----------
    n_workers : int, default=None
        Worker processes. None gives one per ``threads_per_worker`` cores of
        this machine, or one per GPU with ``gpus``.
    threads_per_worker : int, default=1
        Fits each worker runs at once, and the threads of its TensorFlow,
        OpenMP and BLAS pools.
    gpus : int or list, default=None
        GPUs to train on: a number (the first ``gpus`` devices) or a list of
        device indices or UUIDs. Each device gets one worker process that
        sees only that device. None starts CPU workers, from which the
        machine's GPUs are hidden, so that several processes never share
        one GPU.
    **worker_options
        Passed to ``distributed.LocalCluster`` (``memory_limit``,
        ``dashboard_address=":8787"``, ``host``...) or, with ``gpus``, to
        the scheduler (``host``, ``dashboard_address``) and each worker's
        ``distributed.Nanny`` (everything else).

    Raises
    ------
    RuntimeError
        When called from a script's top level outside
        ``if __name__ == "__main__":``. The worker processes start by
        importing the script, and would run that code again before they
        have finished starting.

    Returns
    -------
    cluster : distributed.LocalCluster or distributed.SpecCluster
        The running cluster; use it as a context manager, or ``close()`` it.

    Examples
    --------
    >>> from distributed import Client
    >>> from skdl.dask import local_cluster
    >>> with local_cluster(2) as cluster, Client(cluster) as client:  # doctest: +SKIP
    ...     print(len(client.scheduler_info()["workers"]))
    2
    """
    distributed = _import_distributed()
    if _start_method() != "fork":
        refuse_unguarded_start("A local Dask cluster started")
    devices = _devices(gpus)
    if devices is not None and n_workers not in (None, len(devices)):
        raise ValueError(
            f"n_workers={n_workers} with {len(devices)} GPUs: GPU clusters have "
            f"one worker per GPU; leave n_workers out."
        )
    environment = worker_environment(threads_per_worker)
    if n_workers is None:
        n_workers = max(1, joblib.cpu_count() // threads_per_worker)
    if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
        raise ValueError(f"n_workers must be a positive integer, got {n_workers!r}.")
    host = worker_options.pop("host", _LOOPBACK)
    dashboard_address = worker_options.pop("dashboard_address", None)
    if devices is None:
        # CPU workers: a GPU they could see would be shared by all of them.
        environment["CUDA_VISIBLE_DEVICES"] = ""
        return distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=threads_per_worker,
            processes=True,
            host=host,
            dashboard_address=dashboard_address,
            env={**environment, **worker_options.pop("env", {})},
            **worker_options,
        )
    extra_environment = worker_options.pop("env", {})
    workers = {
        f"gpu-{device}": {
            "cls": distributed.Nanny,
            "options": {
                "nthreads": threads_per_worker,
                "host": host,
                "env": {
                    **worker_environment(threads_per_worker, gpu=device),
                    **extra_environment,
                },
                **worker_options,
            },
        }
        for device in devices
    }
    scheduler = {
        "cls": distributed.Scheduler,
        "options": {"host": host, "dashboard_address": dashboard_address},
    }
    # Quiet as LocalCluster is: warnings and errors only.
    return distributed.SpecCluster(
        workers=workers, scheduler=scheduler, silence_logs=logging.WARNING
    )


@contextmanager
def dask_backend(
    scheduler: str = "local",
    *,
    n_workers: int | None = None,
    threads_per_worker: int = 1,
    gpus: int | Sequence | None = None,
    scatter: list | None = None,
    timeout: float = 60,
) -> Iterator:
    """Run the block's searches (and any joblib work) on a Dask cluster.

    Inside the block, searches and ``cross_validate`` send their fits to
    the cluster's workers; ``n_jobs=None`` and ``n_jobs=-1`` both use every
    worker thread. On leaving the block the client is closed, and a local
    cluster is shut down.

    In a script, use ``"local"`` under ``if __name__ == "__main__":``: the
    local cluster's worker processes start by importing the script, and run
    its top-level code again (see :func:`local_cluster`).

    Parameters
    ----------
    scheduler : str, default="local"
        ``"local"`` starts a :func:`local_cluster` on this machine for the
        block; anything else is the address of a running scheduler
        (``"tcp://10.0.0.5:8786"``), whose workers were started with their
        own settings (see :func:`worker_environment`).
    n_workers : int, default=None
        With ``"local"``: worker processes, as :func:`local_cluster` takes
        them.
    threads_per_worker : int, default=1
        With ``"local"``: fits each worker runs at once.
    gpus : int or list, default=None
        With ``"local"``: the GPUs, one worker each.
    scatter : list, default=None
        Large arguments of the fits (``[X, y]``) to send to every worker
        once, instead of with every batch of fits.
    timeout : float, default=60
        Seconds to wait for the scheduler to answer and, with an address,
        for its first worker; then ``OSError`` (``TimeoutError``) is raised
        instead of waiting on.

    Yields
    ------
    client : distributed.Client
        The client the fits go through.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> from skdl import KerasRegressor
    >>> from skdl.dask import dask_backend
    >>> search = GridSearchCV(KerasRegressor(random_state=0),
    ...                       {"optimizer": ["sgd", "adam"]}, n_jobs=-1)
    >>> if __name__ == "__main__":  # doctest: +SKIP
    ...     with dask_backend("local", n_workers=2):
    ...         search.fit(X, y)
    """
    distributed = _import_distributed()
    with ExitStack() as stack:
        if scheduler == "local":
            cluster = stack.enter_context(
                local_cluster(
                    n_workers, threads_per_worker=threads_per_worker, gpus=gpus
                )
            )
            client = stack.enter_context(
                distributed.Client(cluster, timeout=timeout, set_as_default=False)
            )
        else:
            if n_workers is not None or gpus is not None:
                raise ValueError(
                    "n_workers and gpus start a local cluster; the workers of "
                    f"the scheduler at {scheduler} are started with its own."
                )
            client = stack.enter_context(
                distributed.Client(scheduler, timeout=timeout, set_as_default=False)
            )
            client.wait_for_workers(1, timeout=timeout)
        stack.enter_context(
            joblib.parallel_config(
                backend="dask",
                n_jobs=-1,
                client=_BroadcastingClient(client),
                scatter=scatter,
            )
        )
        yield client


class _BroadcastingClient:
    """A ``distributed.Client`` whose ``scatter`` copies data to every worker.

    joblib's Dask backend scatters each large argument of the fits (``X``,
    ``y``, the folds' indices) to one worker. When that worker dies the data
    is lost with it, and every fit that needs it is cancelled. With a copy
    on every worker, the fits of a lost worker run again elsewhere.
    """

    def __init__(self, client):
        self._client = client

    def __getattr__(self, name):
        return getattr(self._client, name)

    def scatter(self, data, **options):
        options["broadcast"] = True
        return self._client.scatter(data, **options)
