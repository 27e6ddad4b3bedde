"""Run the benchmark sections and collect their raw measurements.

Sections, in the order they run:

- ``fixed_cost``: 1-epoch fits of the diabetes network in fresh workers; the
  first is the first fit in the process, the rest show the fixed cost of a
  fit once the architecture has been seen.
- ``latency``: ``predict`` on 1 and on 1000 rows, and each library's faster
  public calls (Keras's ``predict_on_batch`` and ``model(x)``).
- ``fits``: the tutorial workloads and the large one, every library in turn,
  each workload in fresh workers: the first repetition is the cold figure
  (first fit in the process, tracing and compiling included), the median of
  the others the warm one.
- ``wine``: the red-wine 10-fold grid search end to end, ``n_jobs=1``, in
  fresh workers: the first search is cold, the others warm.
- ``jobs``: skdl's red-wine search with ``n_jobs=1`` and ``n_jobs=-1``, each
  in a fresh process, and the thread pools of joblib's workers.
- ``memory``: resident memory after 0, 50, 100 and 200 fits, in fresh workers.

Each library's worker runs Keras on the library's backend (``skdl_jax`` and
``keras_jax`` on JAX); a library that fails is left out from then on and its
failure recorded, so that the table says "failed: <reason>" for it.
"""

import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.libraries import ADAPTERS
from benchmarks.workloads import FIT_WORKLOADS, WINE_GRID

SECTIONS = ("fixed_cost", "fits", "wine", "latency", "jobs", "memory")
ALL_LIBRARIES = (
    "skdl",
    "skdl_jit",
    "skdl_float32",
    "skdl_jax",
    "keras",
    "keras_jax",
    "scikeras",
    "sklearn",
)
JAX_LIBRARIES = ("skdl_jax", "keras_jax")
# Which libraries each section compares (among those asked for).
SECTION_LIBRARIES = {
    "fixed_cost": (
        "skdl",
        "skdl_jit",
        "skdl_jax",
        "keras",
        "keras_jax",
        "scikeras",
        "sklearn",
    ),
    "fits": ALL_LIBRARIES,
    "wine": (
        "skdl",
        "skdl_jit",
        "skdl_jax",
        "keras",
        "keras_jax",
        "scikeras",
        "sklearn",
    ),
    "latency": ("skdl", "skdl_jax", "keras", "keras_jax", "scikeras", "sklearn"),
    "jobs": ("skdl",),
    "memory": ("skdl", "skdl_jit", "keras"),
}


@dataclass
class Settings:
    """What to run, and how many times."""

    quick: bool = False
    libraries: tuple[str, ...] = ALL_LIBRARIES
    sections: tuple[str, ...] = SECTIONS
    workloads: tuple[str, ...] = tuple(FIT_WORKLOADS)
    log_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp()))

    @property
    def fixed_cost_fits(self) -> int:
        return 4 if self.quick else 16

    def fit_repeats(self, workload) -> int:
        """Warm repetitions, after the cold one."""
        return 1 if self.quick else workload.repeats

    @property
    def wine_repeats(self) -> int:
        """Warm searches, after the cold one."""
        return 1 if self.quick else WINE_GRID.repeats

    @property
    def latency_rounds(self) -> tuple[int, float, int]:
        """Rounds, seconds per round and call, most calls per round."""
        return (1, 0.3, 30) if self.quick else (5, 1.0, 200)

    @property
    def jobs_repeats(self) -> int:
        return 1 if self.quick else 2

    @property
    def memory_checkpoints(self) -> list[int]:
        return [0, 5, 10, 20] if self.quick else [0, 50, 100, 200]

    def libraries_for(self, section: str) -> list[str]:
        return [name for name in SECTION_LIBRARIES[section] if name in self.libraries]


class Workers:
    """One worker process per library, answering requests one at a time.

    A worker that fails to start (its library does not import, say) is left
    out: ``failed`` maps its library to the error.
    """

    def __init__(self, libraries, log_dir: Path, tag: str = ""):
        from benchmarks.worker import serve

        context = multiprocessing.get_context("spawn")
        self._connections = {}
        self._processes = {}
        for library in libraries:
            parent, child = context.Pipe()
            log_path = str(log_dir / f"worker-{library}{tag}.log")
            process = context.Process(
                target=serve, args=(child, library, log_path), daemon=True
            )
            process.start()
            self._connections[library] = parent
            self._processes[library] = process
        # Start-up (importing TensorFlow or JAX) runs in parallel.
        self.info = {}
        self.failed = {}
        for library in libraries:
            self._connections[library].send(("ping", {}))
        for library in libraries:
            try:
                self.info[library] = self._answer(library)
            except RuntimeError as error:
                self.failed[library] = f"start: {error}"

    @property
    def libraries(self) -> list[str]:
        return list(self.info)

    def ask(self, library: str, method: str, **kwargs):
        self._connections[library].send((method, kwargs))
        return self._answer(library)

    def ask_each(self, libraries, method: str, **kwargs) -> dict:
        """Send to every library at once, then collect the answers."""
        for library in libraries:
            self._connections[library].send((method, kwargs))
        return {library: self._answer(library) for library in libraries}

    def _answer(self, library: str):
        try:
            status, value = self._connections[library].recv()
        except (EOFError, OSError):
            code = self._processes[library].exitcode
            raise RuntimeError(
                f"The {library} worker exited (exit code {code})"
            ) from None
        if status != "ok":
            raise RuntimeError(f"The {library} worker failed:\n{value}")
        return value

    def close(self) -> None:
        for library, connection in self._connections.items():
            try:
                connection.send(None)
            except OSError:
                pass
            self._processes[library].join(timeout=30)
            if self._processes[library].is_alive():
                self._processes[library].terminate()


class _Session:
    """What the sections share: settings, failures, and what workers said."""

    def __init__(self, settings: Settings, progress):
        self.settings = settings
        self.progress = progress
        self.failures = {}
        self.versions = {}
        self.backends = {}

    def workers(self, libraries, tag: str = "") -> Workers | None:
        """Fresh workers for the libraries that have not failed yet."""
        libraries = [lib for lib in libraries if lib not in self.failures]
        if not libraries:
            return None
        workers = Workers(libraries, self.settings.log_dir, tag=tag)
        for library, info in workers.info.items():
            self.versions.setdefault(library, info["versions"])
            self.backends.setdefault(library, info["backend"])
        for library, error in workers.failed.items():
            self.failures[library] = error
            self.progress(f"!! {library} failed to start; left out:\n{error}")
        return workers

    def ask(self, workers, library, method, **kwargs):
        """Ask a worker; on failure, note it and leave the library out from then on."""
        if library in self.failures:
            return None
        try:
            return workers.ask(library, method, **kwargs)
        except RuntimeError as error:
            self.failures[library] = f"{method}: {error}"
            self.progress(
                f"!! {library} failed in {method}; left out from now on:\n{error}"
            )
            return None


def run(settings: Settings, progress=print) -> dict:
    """Run the chosen sections; return every raw measurement as plain data."""
    started = time.perf_counter()
    results = {
        "settings": {"quick": settings.quick, "libraries": list(settings.libraries)}
    }
    session = _Session(settings, progress)
    results["failures"] = session.failures
    pooled = sorted(
        {
            name
            for section in ("fixed_cost", "latency")
            if section in settings.sections
            for name in settings.libraries_for(section)
        },
        key=ALL_LIBRARIES.index,
    )
    workers = session.workers(pooled) if pooled else None
    try:
        if "fixed_cost" in settings.sections:
            results["fixed_cost"] = _fixed_cost(workers, session)
        if "latency" in settings.sections:
            results["latency"], results["latency_calls"] = _latency(workers, session)
    finally:
        if workers is not None:
            workers.close()
    if "fits" in settings.sections:
        results["fits"] = _fits(session)
    if "wine" in settings.sections:
        results["wine"] = _wine(session)
    if "jobs" in settings.sections and settings.libraries_for("jobs"):
        results["jobs"] = _jobs(settings, progress)
    if "memory" in settings.sections:
        results["memory"] = _memory(session)
    results["versions"] = session.versions
    results["backends"] = session.backends
    results["duration_s"] = time.perf_counter() - started
    return results


def _fixed_cost(workers, session) -> dict:
    libraries = session.settings.libraries_for("fixed_cost")
    libraries = [lib for lib in libraries if workers and lib in workers.libraries]
    times = {library: [] for library in libraries}
    # The first fit in each (fresh) worker, then the others in turns.
    for _ in range(session.settings.fixed_cost_fits):
        for library in libraries:
            answer = session.ask(workers, library, "one_epoch_fits", count=1)
            times[library] += answer or []
    times = _without_failed(times, session.failures)
    session.progress("fixed cost: " + _medians(times, skip_first=True))
    return times


def _without_failed(entries: dict, failures: dict) -> dict:
    return {
        library: value for library, value in entries.items() if library not in failures
    }


def _fits(session) -> dict:
    settings = session.settings
    results = {}
    for name in settings.workloads:
        workload = FIT_WORKLOADS[name]
        epochs = workload.epochs_for(settings.quick)
        # Fresh workers for each workload: the first fit is a cold one.
        workers = session.workers(settings.libraries_for("fits"), tag=f"-{name}")
        if workers is None:
            continue
        libraries = workers.libraries
        runs = {library: [] for library in libraries}
        try:
            for _ in range(1 + settings.fit_repeats(workload)):
                for library in libraries:
                    answer = session.ask(
                        workers, library, "fit", workload=name, epochs=epochs
                    )
                    if answer is not None:
                        runs[library].append(answer)
        finally:
            workers.close()
        runs = _without_failed(runs, session.failures)
        results[name] = {"epochs": epochs, "runs": runs, "first_is_cold": True}
        times = {lib: [run["seconds"] for run in rs] for lib, rs in runs.items()}
        session.progress(
            f"{name} ({epochs} epochs): " + _medians(times, skip_first=True)
        )
    return results


def _wine(session) -> dict:
    settings = session.settings
    # Fresh workers: the first search is a cold one.
    workers = session.workers(settings.libraries_for("wine"), tag="-wine")
    libraries = workers.libraries if workers is not None else []
    runs = {library: [] for library in libraries}
    try:
        for _ in range(1 + settings.wine_repeats):
            for library in libraries:
                answer = session.ask(
                    workers, library, "grid_search", grid="wine", quick=settings.quick
                )
                if answer is not None:
                    runs[library].append(answer)
    finally:
        if workers is not None:
            workers.close()
    runs = _without_failed(runs, session.failures)
    times = {lib: [run["seconds"] for run in rs] for lib, rs in runs.items()}
    session.progress("red-wine grid search: " + _medians(times, skip_first=True))
    for library, library_runs in runs.items():
        if not all(run.get("claims_hold", True) for run in library_runs):
            session.progress(
                f"!! {library}'s red-wine candidates did not all train with the "
                "optimizer they name"
            )
    return {
        "epochs": WINE_GRID.epochs_for(settings.quick),
        "n_splits": WINE_GRID.n_splits_for(settings.quick),
        "runs": runs,
        "first_is_cold": True,
    }


def _latency(workers, session) -> tuple[dict, dict]:
    """Default ``predict`` times, and those of the libraries' faster calls."""
    settings = session.settings
    libraries = settings.libraries_for("latency")
    libraries = [lib for lib in libraries if workers and lib in workers.libraries]
    calls = {library: ADAPTERS[library].predict_calls for library in libraries}
    rounds, budget, max_calls = settings.latency_rounds
    results, extra = {}, {}
    for rows in (1, 1000):
        times = {
            library: {call: [] for call in calls[library]} for library in libraries
        }
        for _ in range(rounds):
            for library in libraries:
                for call in calls[library]:
                    answer = session.ask(
                        workers,
                        library,
                        "latency",
                        rows=rows,
                        budget_s=budget,
                        max_calls=max_calls,
                        call=call,
                    )
                    times[library][call] += answer or []
        times = _without_failed(times, session.failures)
        results[str(rows)] = {lib: by_call["predict"] for lib, by_call in times.items()}
        extra[str(rows)] = {
            lib: {call: t for call, t in by_call.items() if call != "predict"}
            for lib, by_call in times.items()
            if len(by_call) > 1
        }
        session.progress(
            f"predict {rows} row(s): " + _medians(results[str(rows)], unit="ms")
        )
        for lib, by_call in extra[str(rows)].items():
            session.progress(f"  {lib}: " + _medians(by_call, unit="ms"))
    return results, extra


def _jobs(settings, progress) -> dict:
    runs = {"1": [], "-1": []}
    for _ in range(settings.jobs_repeats):
        for n_jobs in (1, -1):
            command = [
                sys.executable,
                "-m",
                "benchmarks.grid_jobs",
                f"--n-jobs={n_jobs}",
            ]
            if settings.quick:
                command.append("--quick")
            completed = subprocess.run(
                command,
                capture_output=True,
                text=True,
                check=False,
                cwd=Path(__file__).resolve().parent.parent,
            )
            if completed.returncode != 0:
                raise RuntimeError(
                    f"{' '.join(command)} failed:\n{completed.stderr[-4000:]}"
                )
            runs[str(n_jobs)].append(
                json.loads(completed.stdout.strip().splitlines()[-1])
            )
    seconds = {n: [run["seconds"][-1] for run in rs] for n, rs in runs.items()}
    progress("grid search n_jobs (warm search): " + _medians(seconds))
    return runs


def _memory(session) -> dict:
    settings, progress = session.settings, session.progress
    workers = session.workers(settings.libraries_for("memory"), tag="-memory")
    if workers is None or not workers.libraries:
        return {}
    libraries = workers.libraries
    try:
        checkpoints = settings.memory_checkpoints
        # Memory, not time: both libraries may run at once.
        readings = workers.ask_each(libraries, "memory", checkpoints=checkpoints)
    finally:
        workers.close()
    progress(
        "RSS MB after "
        + "/".join(map(str, checkpoints))
        + " fits: "
        + ", ".join(
            f"{lib} " + "/".join(f"{mb:.0f}" for mb in values if mb is not None)
            for lib, values in readings.items()
        )
    )
    return {"checkpoints": checkpoints, "rss_mb": readings}


def _medians(times: dict, *, skip_first: bool = False, unit: str = "s") -> str:
    import numpy as np

    scale = 1000 if unit == "ms" else 1
    parts = []
    for library, values in times.items():
        values = values[1:] if skip_first and len(values) > 1 else values
        parts.append(f"{library} {np.median(values) * scale:.3g} {unit}")
    return ", ".join(parts)


def machine() -> dict:
    """What the numbers were measured on."""
    import platform

    info = {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
    }
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    info["processor"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info
