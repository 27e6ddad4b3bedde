"""Run the benchmark sections and collect their raw measurements.

Sections, in the order they run:

- ``fixed_cost``: 1-epoch fits of the diabetes network in fresh workers; the
  first is the first fit in the process, the rest show the fixed cost of a
  fit once the architecture has been seen.
- ``fits``: the tutorial workloads and the large one, every library in turn,
  repeated; the first repetition of each is reported apart (it traces).
- ``wine``: the red-wine 10-fold grid search end to end, ``n_jobs=1``.
- ``latency``: ``predict`` on 1 and on 1000 rows.
- ``jobs``: skdl's red-wine search with ``n_jobs=1`` and ``n_jobs=-1``, each
  in a fresh process, and the thread pools of joblib's workers.
- ``memory``: resident memory after 0, 50, 100 and 200 fits, in fresh workers.
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

from benchmarks.workloads import FIT_WORKLOADS, WINE_GRID

SECTIONS = ("fixed_cost", "fits", "wine", "latency", "jobs", "memory")
ALL_LIBRARIES = ("skdl", "skdl_jit", "skdl_float32", "keras", "scikeras", "sklearn")
# Which libraries each section compares (among those asked for).
SECTION_LIBRARIES = {
    "fixed_cost": ("skdl", "skdl_jit", "keras", "scikeras", "sklearn"),
    "fits": ALL_LIBRARIES,
    "wine": ("skdl", "skdl_jit", "keras", "scikeras", "sklearn"),
    "latency": ("skdl", "keras", "scikeras", "sklearn"),
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
        return 1 if self.quick else workload.repeats

    @property
    def wine_repeats(self) -> int:
        return 1 if self.quick else WINE_GRID["repeats"]

    @property
    def latency_rounds(self) -> tuple[int, float, int]:
        """Rounds, seconds per round and library, most calls per round."""
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
    """One worker process per library, answering requests one at a time."""

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
        # Start-up (importing TensorFlow) runs in parallel.
        self.info = self.ask_each(list(libraries), "ping")

    def ask(self, library: str, method: str, **kwargs):
        self._connections[library].send((method, kwargs))
        return self._answer(library)

    def ask_each(self, libraries, method: str, **kwargs) -> dict:
        """Send to every library at once, then collect the answers."""
        for library in libraries:
            self._connections[library].send((method, kwargs))
        return {library: self._answer(library) for library in libraries}

    def _answer(self, library: str):
        status, value = self._connections[library].recv()
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


def _ask(workers, library, method, failures, progress, **kwargs):
    """Ask a worker; on failure, note it and leave that library out from then on."""
    if library in failures:
        return None
    try:
        return workers.ask(library, method, **kwargs)
    except RuntimeError as error:
        failures[library] = f"{method}: {error}"
        progress(f"!! {library} failed in {method}; left out from now on:\n{error}")
        return None


def run(settings: Settings, progress=print) -> dict:
    """Run the chosen sections; return every raw measurement as plain data."""
    started = time.perf_counter()
    results = {
        "settings": {"quick": settings.quick, "libraries": list(settings.libraries)}
    }
    failures = results["failures"] = {}
    step = {"failures": failures, "progress": progress}
    pooled = sorted(
        {
            name
            for section in settings.sections
            if section not in ("jobs", "memory")
            for name in settings.libraries_for(section)
        },
        key=ALL_LIBRARIES.index,
    )
    workers = Workers(pooled, settings.log_dir) if pooled else None
    try:
        if workers is not None:
            results["versions"] = {
                name: info["versions"] for name, info in workers.info.items()
            }
        if "fixed_cost" in settings.sections:
            results["fixed_cost"] = _fixed_cost(workers, settings, **step)
        if "fits" in settings.sections:
            results["fits"] = _fits(workers, settings, **step)
        if "wine" in settings.sections:
            results["wine"] = _wine(workers, settings, **step)
        if "latency" in settings.sections:
            results["latency"] = _latency(workers, settings, **step)
    finally:
        if workers is not None:
            workers.close()
    if "jobs" in settings.sections and settings.libraries_for("jobs"):
        results["jobs"] = _jobs(settings, progress)
    if "memory" in settings.sections:
        results["memory"] = _memory(settings, progress)
    results["duration_s"] = time.perf_counter() - started
    return results


def _fixed_cost(workers, settings, failures, progress) -> dict:
    libraries = settings.libraries_for("fixed_cost")
    times = {library: [] for library in libraries}
    # The first fit in each (fresh) worker, then the others in turns.
    for _ in range(settings.fixed_cost_fits):
        for library in libraries:
            answer = _ask(
                workers, library, "one_epoch_fits", failures, progress, count=1
            )
            times[library] += answer or []
    times = _without_failed(times, failures)
    progress("fixed cost: " + _medians(times, skip_first=True))
    return times


def _without_failed(entries: dict, failures: dict) -> dict:
    return {
        library: value for library, value in entries.items() if library not in failures
    }


def _fits(workers, settings, failures, progress) -> dict:
    libraries = settings.libraries_for("fits")
    results = {}
    for name in settings.workloads:
        workload = FIT_WORKLOADS[name]
        epochs = workload.epochs_for(settings.quick)
        runs = {library: [] for library in libraries}
        for _ in range(1 + settings.fit_repeats(workload)):
            for library in libraries:
                answer = _ask(
                    workers,
                    library,
                    "fit",
                    failures,
                    progress,
                    workload=name,
                    epochs=epochs,
                )
                if answer is not None:
                    runs[library].append(answer)
        runs = _without_failed(runs, failures)
        results[name] = {"epochs": epochs, "runs": runs}
        times = {lib: [run["seconds"] for run in rs] for lib, rs in runs.items()}
        progress(f"{name} ({epochs} epochs): " + _medians(times, skip_first=True))
    return results


def _wine(workers, settings, failures, progress) -> dict:
    libraries = settings.libraries_for("wine")
    runs = {library: [] for library in libraries}
    for _ in range(settings.wine_repeats):
        for library in libraries:
            answer = _ask(
                workers,
                library,
                "wine_search",
                failures,
                progress,
                quick=settings.quick,
            )
            if answer is not None:
                runs[library].append(answer)
    runs = _without_failed(runs, failures)
    times = {lib: [run["seconds"] for run in rs] for lib, rs in runs.items()}
    progress("red-wine grid search: " + _medians(times))
    return {
        "epochs": WINE_GRID["quick_epochs" if settings.quick else "epochs"],
        "n_splits": WINE_GRID["quick_n_splits" if settings.quick else "n_splits"],
        "runs": runs,
    }


def _latency(workers, settings, failures, progress) -> dict:
    libraries = settings.libraries_for("latency")
    rounds, budget, max_calls = settings.latency_rounds
    results = {}
    for rows in (1, 1000):
        times = {library: [] for library in libraries}
        for _ in range(rounds):
            for library in libraries:
                answer = _ask(
                    workers,
                    library,
                    "latency",
                    failures,
                    progress,
                    rows=rows,
                    budget_s=budget,
                    max_calls=max_calls,
                )
                times[library] += answer or []
        times = _without_failed(times, failures)
        results[str(rows)] = times
        progress(f"predict {rows} row(s): " + _medians(times, unit="ms"))
    return results


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


def _memory(settings, progress) -> dict:
    libraries = settings.libraries_for("memory")
    if not libraries:
        return {}
    workers = Workers(libraries, settings.log_dir, tag="-memory")
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
