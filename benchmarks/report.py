"""Turn raw measurements into medians, ratios, targets, a plot, a JSON file.

Every ratio is "other library's median time / skdl's median time": above 1,
skdl is faster. Warm figures are medians of the repetitions after the first;
the first, in a fresh worker (it traces and compiles), is the cold figure.
``tables.py`` lays the summary out as text and tables.
"""

import json
import math
from pathlib import Path

import numpy as np

from benchmarks.libraries import LABELS
from benchmarks.workloads import FIT_WORKLOADS, WINE_GRID

TUTORIAL_WORKLOADS = ("diabetes", "sonar", "digits")
# Issue 13's goal for skdl's one-row predict under JAX.
JAX_PREDICT_GOAL_MS = 0.05


def _median(values):
    return float(np.median(values)) if len(values) else None


def _warm(values):
    """The repetitions after the first (all of them if there is only one)."""
    return values[1:] if len(values) > 1 else values


def _ratio(other, skdl):
    if other is None or skdl is None or skdl <= 0:
        return None
    return other / skdl


def _seconds(value):
    if value is None:
        return "-"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def _times(value):
    return "-" if value is None else f"{value:.1f}x"


# ------------------------------------------------------------- summaries
def summarize(raw: dict, meta: dict) -> dict:
    """The JSON document: medians and ratios, with the raw times kept."""
    summary = {"meta": meta}
    if "fits" in raw:
        summary["fits"] = _summarize_fits(raw["fits"])
    if "wine" in raw:
        summary["wine"] = _summarize_wine(raw["wine"])
    if "latency" in raw:
        summary["latency"] = _summarize_latency(
            raw["latency"], raw.get("latency_calls", {})
        )
    if "fixed_cost" in raw:
        summary["fixed_cost"] = _summarize_fixed_cost(
            raw["fixed_cost"], raw.get("fits")
        )
    if "memory" in raw and raw["memory"]:
        summary["memory"] = _summarize_memory(raw["memory"])
    if "jobs" in raw:
        summary["jobs"] = _summarize_jobs(raw["jobs"])
    summary["targets"] = targets(summary)
    summary["failures"] = raw.get("failures", {})
    return summary


def _summarize_fits(fits: dict) -> dict:
    summary = {}
    for name, entry in fits.items():
        libraries = {}
        for library, runs in entry["runs"].items():
            seconds = [run["seconds"] for run in runs]
            libraries[library] = {
                "median_s": _median(_warm(seconds)),
                "first_s": seconds[0],
                "times_s": seconds,
                "score": _median([run["score"] for run in runs]),
            }
            if entry.get("first_is_cold"):
                libraries[library]["cold_s"] = seconds[0]
        skdl = libraries.get("skdl", {}).get("median_s")
        summary[name] = {
            "title": FIT_WORKLOADS[name].title,
            "epochs": entry["epochs"],
            "batch_size": FIT_WORKLOADS[name].batch_size,
            "libraries": libraries,
            "ratios": {
                library: _ratio(values["median_s"], skdl)
                for library, values in libraries.items()
                if library != "skdl"
            },
        }
    return summary


def _summarize_wine(wine: dict) -> dict:
    cold = wine.get("first_is_cold", False)
    libraries = {}
    for library, runs in wine["runs"].items():
        seconds = [run["seconds"] for run in runs]
        libraries[library] = {
            # Before cold searches were measured apart, every search counted.
            "median_s": _median(_warm(seconds) if cold else seconds),
            "times_s": seconds,
            "score": _median([run["score"] for run in runs]),
            "best": runs[-1]["best"],
        }
        if cold:
            libraries[library]["cold_s"] = seconds[0]
        if "candidates" in runs[-1]:
            libraries[library]["claims_hold"] = all(
                run.get("claims_hold", False) for run in runs
            )
            libraries[library]["candidates"] = candidates_trained(
                runs[-1]["candidates"]
            )
    skdl = libraries.get("skdl", {}).get("median_s")
    return {
        "title": WINE_GRID.describe(wine["epochs"], wine["n_splits"]),
        "epochs": wine["epochs"],
        "n_splits": wine["n_splits"],
        "libraries": libraries,
        "ratios": {
            library: _ratio(values["median_s"], skdl)
            for library, values in libraries.items()
            if library != "skdl"
        },
    }


def candidates_trained(candidates: dict) -> dict:
    """Per candidate, the optimizers and epoch counts its fits trained with."""
    return {
        candidate: {
            "optimizers": sorted({fit["optimizer"] for fit in fits}),
            "epochs": sorted({fit["epochs"] for fit in fits if fit["epochs"]}),
        }
        for candidate, fits in candidates.items()
    }


def _latency_entry(values) -> dict:
    return {"median_ms": _median(values) * 1000, "calls": len(values)}


def _summarize_latency(latency: dict, calls: dict) -> dict:
    summary = {}
    for rows, times in latency.items():
        libraries = {
            library: _latency_entry(values) for library, values in times.items()
        }
        skdl = libraries.get("skdl", {}).get("median_ms")
        summary[rows] = {
            "libraries": libraries,
            "ratios": {
                library: _ratio(values["median_ms"], skdl)
                for library, values in libraries.items()
                if library != "skdl"
            },
            # Faster public calls than predict, where a library has them.
            "calls": {
                library: {call: _latency_entry(v) for call, v in by_call.items()}
                for library, by_call in calls.get(rows, {}).items()
            },
        }
    return summary


def _summarize_fixed_cost(times: dict, fits: dict | None) -> dict:
    summary = {}
    for library, seconds in times.items():
        one_epoch = _median(_warm(seconds))
        entry = {
            "first_fit_s": seconds[0],
            "one_epoch_fit_s": one_epoch,
            "times_s": seconds,
            "epoch_s": None,
            "fixed_cost_s": None,
        }
        # One epoch's time, from the diabetes workload's longer fits.
        diabetes = (fits or {}).get("diabetes")
        if diabetes and library in diabetes["runs"] and diabetes["epochs"] > 1:
            long_fit = _median(
                _warm([run["seconds"] for run in diabetes["runs"][library]])
            )
            epoch = max((long_fit - one_epoch) / (diabetes["epochs"] - 1), 0.0)
            entry["epoch_s"] = epoch
            entry["fixed_cost_s"] = max(one_epoch - epoch, 0.0)
        summary[library] = entry
    return summary


def _summarize_memory(memory: dict) -> dict:
    checkpoints = memory["checkpoints"]
    summary = {"checkpoints": checkpoints, "libraries": {}}
    for library, readings in memory["rss_mb"].items():
        if any(value is None for value in readings):
            summary["libraries"][library] = {"rss_mb": readings}
            continue
        total = checkpoints[-1] - checkpoints[0]
        steady = checkpoints[-1] - checkpoints[1]
        summary["libraries"][library] = {
            "rss_mb": readings,
            "growth_mb_per_fit": (readings[-1] - readings[0]) / total,
            "steady_growth_mb_per_fit": (readings[-1] - readings[1]) / steady,
        }
    return summary


def _summarize_jobs(jobs: dict) -> dict:
    def stats(runs, index):
        return _median([run["seconds"][index] for run in runs])

    one, all_cores = jobs["1"], jobs["-1"]
    warm_1, warm_all = stats(one, -1), stats(all_cores, -1)
    cold_1, cold_all = stats(one, 0), stats(all_cores, 0)
    workers = all_cores[-1]["workers"]
    cpu_1 = _median([run["cpu_seconds_last_search"] or 0.0 for run in one])
    cpu_all = _median([run["cpu_seconds_last_search"] or 0.0 for run in all_cores])
    return {
        "cpu_count": all_cores[-1]["cpu_count"],
        "load_average": float(
            np.mean([run["load_average"][0] for run in one + all_cores])
        ),
        "cpu_n_jobs_1_s": cpu_1,
        "cpu_n_jobs_all_s": cpu_all,
        "cpu_ratio": _ratio(cpu_1, cpu_all),
        "n_jobs_1_s": warm_1,
        "n_jobs_all_s": warm_all,
        "speedup": _ratio(warm_1, warm_all),
        "first_search_n_jobs_1_s": cold_1,
        "first_search_n_jobs_all_s": cold_all,
        "first_search_speedup": _ratio(cold_1, cold_all),
        "workers": workers,
        "main_process": one[-1]["workers"],
        "raw": jobs,
    }


# ---------------------------------------------------------------- targets
def _target(name, goal, value, met, detail):
    return {"name": name, "goal": goal, "value": value, "met": met, "detail": detail}


def targets(summary: dict) -> list[dict]:
    """The issue's targets, each with its measured value and verdict."""
    found = []
    latency = summary.get("latency", {}).get("1")
    if latency and "skdl" in latency["libraries"]:
        ms = latency["libraries"]["skdl"]["median_ms"]
        vs = latency["ratios"].get("scikeras")
        found.append(
            _target(
                "predict 1 row",
                "<= 1 ms and >= 50x faster than scikeras",
                {"skdl_ms": ms, "scikeras_ratio": vs},
                ms <= 1.0 and (vs is None or vs >= 50),
                f"skdl {ms:.3f} ms"
                + (f"; scikeras {vs:.0f}x slower" if vs is not None else ""),
            )
        )
    if latency and "skdl_jax" in latency["libraries"]:
        ms = latency["libraries"]["skdl_jax"]["median_ms"]
        found.append(
            _target(
                "predict 1 row under JAX",
                f"<= {JAX_PREDICT_GOAL_MS} ms",
                {"skdl_jax_ms": ms},
                ms <= JAX_PREDICT_GOAL_MS,
                f"skdl JAX {ms:.3f} ms",
            )
        )
    fixed = summary.get("fixed_cost", {}).get("skdl")
    if fixed:
        value = fixed["fixed_cost_s"]
        shown = value if value is not None else fixed["one_epoch_fit_s"]
        found.append(
            _target(
                "fixed cost per fit (architecture seen before)",
                "<= 0.15 s",
                {"fixed_cost_s": value, "one_epoch_fit_s": fixed["one_epoch_fit_s"]},
                shown <= 0.15,
                f"1-epoch fit {fixed['one_epoch_fit_s']:.3f} s"
                + (
                    f", of which {fixed['epoch_s']:.3f} s is the epoch itself"
                    if fixed["epoch_s"] is not None
                    else ""
                ),
            )
        )
    fits = summary.get("fits", {})
    for name in TUTORIAL_WORKLOADS:
        if name not in fits or "skdl" not in fits[name]["libraries"]:
            continue
        ratios = fits[name]["ratios"]
        keras, scikeras = ratios.get("keras"), ratios.get("scikeras")
        checks = [r for r in (keras, scikeras) if r is not None]
        found.append(
            _target(
                f"{name} fit vs scikeras and Keras",
                ">= 3x faster",
                {"keras_ratio": keras, "scikeras_ratio": scikeras},
                bool(checks) and min(checks) >= 3,
                ", ".join(
                    f"{LABELS[lib]} / skdl = {ratios[lib]:.1f}"
                    for lib in ("keras", "scikeras")
                    if ratios.get(lib) is not None
                ),
            )
        )
        medians = {lib: v["median_s"] for lib, v in fits[name]["libraries"].items()}
        for variant in ("skdl", "skdl_jit"):
            mlp = _ratio(medians.get("sklearn"), medians.get(variant))
            if mlp is None:
                continue
            found.append(
                _target(
                    f"{name} fit vs sklearn MLP, {LABELS[variant]} (goal)",
                    "match or beat (ratio >= 1)",
                    {"sklearn_ratio": mlp},
                    mlp >= 1,
                    f"MLP / {LABELS[variant]} = {mlp:.2f}",
                )
            )
    for name, entry in fits.items():
        if not FIT_WORKLOADS[name].large or "keras" not in entry["ratios"]:
            continue
        ratio = entry["ratios"]["keras"]
        if ratio is None:
            continue
        found.append(
            _target(
                f"large workload ({name}) vs Keras",
                "no slower (ratio >= 1)",
                {"keras_ratio": ratio},
                ratio >= 1,
                f"Keras / skdl = {ratio:.2f}",
            )
        )
    wine = summary.get("wine", {}).get("libraries", {})
    checked = {lib: v["claims_hold"] for lib, v in wine.items() if "claims_hold" in v}
    if checked:
        found.append(
            _target(
                "red-wine candidates train with the optimizer they name",
                "every fit of every library",
                checked,
                all(checked.values()),
                ", ".join(
                    f"{LABELS[lib]} {'yes' if held else 'NO'}"
                    for lib, held in checked.items()
                ),
            )
        )
    memory = summary.get("memory", {}).get("libraries", {}).get("skdl")
    if memory and "growth_mb_per_fit" in memory:
        growth = memory["growth_mb_per_fit"]
        steady = memory["steady_growth_mb_per_fit"]
        fits_done = summary["memory"]["checkpoints"][-1]
        found.append(
            _target(
                "memory growth per fit",
                f"< 0.5 MB per fit over {fits_done} fits",
                {"growth_mb_per_fit": growth, "steady_growth_mb_per_fit": steady},
                growth < 0.5,
                f"{growth:.3f} MB/fit from 0 to {fits_done} fits, "
                f"{steady:.3f} MB/fit after the first "
                f"{summary['memory']['checkpoints'][1]}",
            )
        )
    jobs = summary.get("jobs")
    if jobs:
        workers = jobs["workers"]
        share = max(1, (jobs["cpu_count"] or 1) // max(1, len(workers)))
        pools = [worker["tf_intra_op_threads"] for worker in workers]
        limited = all(0 < pool <= share for pool in pools)
        speedup = jobs["speedup"]
        found.append(
            _target(
                "GridSearchCV n_jobs=-1 vs n_jobs=1",
                ">= 1.6x throughput, TF pools sized to each worker's share",
                {
                    "speedup": speedup,
                    "cpu_ratio": jobs.get("cpu_ratio"),
                    "worker_intra_op_threads": pools,
                },
                speedup is not None and speedup >= 1.6 and limited,
                f"{_times(speedup)} wall time on {jobs['cpu_count']} cores at load "
                f"average {jobs['load_average']:.1f} (first search in a fresh "
                f"process {_times(jobs['first_search_speedup'])}); CPU time "
                f"n_jobs=1 / n_jobs=-1 = {jobs.get('cpu_ratio') or math.nan:.2f}; "
                f"worker TF intra-op pools {pools} (0 = one thread per core)",
            )
        )
    return found


# ------------------------------------------------------------------- files
def write_json(summary: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=1, default=_plain) + "\n")


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def compare(summary: dict, baseline: dict, path: str, tolerance: float = 1.1) -> dict:
    """skdl's warm medians and cold figures (TensorFlow) against an earlier run's.

    A row counts as slower when new / old exceeds ``tolerance``: on a shared
    machine, a few percent either way is noise.
    """
    from benchmarks.tables import cold_rows, warm_rows

    def labelled(run):
        return [(row.label, row) for row in warm_rows(run)] + [
            (f"{row.label} (cold)", row) for row in cold_rows(run)
        ]

    old = {label: row.values for label, row in labelled(baseline)}
    rows = []
    for label, row in labelled(summary):
        for library in ("skdl", "skdl_jit", "skdl_float32"):
            new_s = row.values.get(library)
            old_s = old.get(label, {}).get(library)
            if new_s is None or old_s is None:
                continue
            ratio = new_s / old_s
            rows.append(
                {
                    "label": label,
                    "library": library,
                    "old_s": old_s,
                    "new_s": new_s,
                    "ratio": ratio,
                    "slower": ratio > tolerance,
                }
            )
    return {"path": path, "tolerance": tolerance, "rows": rows}


def plot(summary: dict, path: Path) -> None:
    """Median times per workload and library (log scale), one bar each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from benchmarks.tables import plot_values

    labels, libraries, values = plot_values(summary)
    width = 0.8 / max(len(libraries), 1)
    figure, axes = plt.subplots(figsize=(11, 0.6 * len(labels) + 1.8))
    positions = np.arange(len(labels))
    for index, (lib, bars) in enumerate(zip(libraries, values, strict=True)):
        axes.barh(positions + index * width, bars, height=width, label=LABELS[lib])
    axes.set_yticks(positions + width * (len(libraries) - 1) / 2)
    axes.set_yticklabels(labels)
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.set_xlabel("median wall time, seconds (log scale; shorter is faster)")
    quick = (
        " (--quick: smoke test, not representative)" if summary["meta"]["quick"] else ""
    )
    axes.set_title(f"skdl benchmarks{quick}")
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    axes.grid(axis="x", which="both", alpha=0.3)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
