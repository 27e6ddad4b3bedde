"""Turn raw measurements into medians, ratios, targets, a table, a plot, a page.

Every ratio is "other library's median time / skdl's median time": above 1,
skdl is faster. Medians of the repetitions after the first; the first fit of
each workload in a worker (which traces the network) is reported apart.
"""

import json
import math
from pathlib import Path

import numpy as np

from benchmarks.libraries import DESCRIPTIONS, LABELS
from benchmarks.workloads import FIT_WORKLOADS, WINE_GRID

TUTORIAL_WORKLOADS = ("diabetes", "sonar", "digits")


def _median(values):
    return float(np.median(values)) if len(values) else None


def _warm(values):
    """The repetitions after the first (all of them if there is only one)."""
    return values[1:] if len(values) > 1 else values


def _ratio(other, skdl):
    if other is None or skdl is None or skdl <= 0:
        return None
    return other / skdl


# ------------------------------------------------------------- summaries
def summarize(raw: dict, meta: dict) -> dict:
    """The JSON document: medians and ratios, with the raw times kept."""
    summary = {"meta": meta}
    if "fits" in raw:
        summary["fits"] = _summarize_fits(raw["fits"])
    if "wine" in raw:
        summary["wine"] = _summarize_wine(raw["wine"])
    if "latency" in raw:
        summary["latency"] = _summarize_latency(raw["latency"])
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
    libraries = {}
    for library, runs in wine["runs"].items():
        seconds = [run["seconds"] for run in runs]
        libraries[library] = {
            "median_s": _median(seconds),
            "times_s": seconds,
            "score": _median([run["score"] for run in runs]),
            "best": runs[-1]["best"],
        }
    skdl = libraries.get("skdl", {}).get("median_s")
    return {
        "title": (
            f"red-wine grid search 1599x11, StandardScaler + 11-20-6-1, "
            f"optimizer in {{SGD, Adam}}, KFold({wine['n_splits']}), "
            f"batch {WINE_GRID['batch_size']}, {wine['epochs']} epochs"
        ),
        "epochs": wine["epochs"],
        "n_splits": wine["n_splits"],
        "libraries": libraries,
        "ratios": {
            library: _ratio(values["median_s"], skdl)
            for library, values in libraries.items()
            if library != "skdl"
        },
    }


def _summarize_latency(latency: dict) -> dict:
    summary = {}
    for rows, times in latency.items():
        libraries = {
            library: {"median_ms": _median(values) * 1000, "calls": len(values)}
            for library, values in times.items()
        }
        skdl = libraries.get("skdl", {}).get("median_ms")
        summary[rows] = {
            "libraries": libraries,
            "ratios": {
                library: _ratio(values["median_ms"], skdl)
                for library, values in libraries.items()
                if library != "skdl"
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


# ------------------------------------------------------------------ table
ORDER = ("skdl", "skdl_jit", "skdl_float32", "keras", "scikeras", "sklearn")
RATIO_COLUMNS = (
    ("keras", "skdl", "Keras / skdl"),
    ("scikeras", "skdl", "scikeras / skdl"),
    ("sklearn", "skdl", "MLP / skdl"),
    ("sklearn", "skdl_jit", "MLP / skdl jit"),
)


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


def timed_rows(summary: dict) -> list[tuple[str, dict]]:
    """(row label, {library: median seconds}) for every timed measurement."""
    rows = []
    for name, entry in summary.get("fits", {}).items():
        label = f"{name}: {entry['epochs']} epochs, batch {entry['batch_size']}"
        medians = {lib: v["median_s"] for lib, v in entry["libraries"].items()}
        rows.append((label, medians))
    wine = summary.get("wine")
    if wine:
        fits = 2 * wine["n_splits"]
        label = f"red-wine grid search: {fits} fits of {wine['epochs']} epochs"
        rows.append(
            (label, {lib: v["median_s"] for lib, v in wine["libraries"].items()})
        )
    for count, entry in summary.get("latency", {}).items():
        label = f"predict {count} row" + ("s" if count != "1" else "")
        medians = {lib: v["median_ms"] / 1000 for lib, v in entry["libraries"].items()}
        rows.append((label, medians))
    fixed = summary.get("fixed_cost")
    if fixed:
        rows.append(
            (
                "1-epoch fit, architecture seen before",
                {lib: v["one_epoch_fit_s"] for lib, v in fixed.items()},
            )
        )
        rows.append(
            (
                "first fit in a fresh process (1 epoch)",
                {lib: v["first_fit_s"] for lib, v in fixed.items()},
            )
        )
    return rows


def table_rows(summary: dict) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the main table: medians per library, then ratios."""
    rows = timed_rows(summary)
    present = {lib for _, medians in rows for lib in medians}
    libraries = [lib for lib in ORDER if lib in present]
    ratios = [
        (top, bottom, title)
        for top, bottom, title in RATIO_COLUMNS
        if top in present and bottom in present
    ]
    header = ["measurement"] + [LABELS[lib] for lib in libraries]
    header += [title for _, _, title in ratios]
    table = []
    for label, medians in rows:
        row = [label] + [_seconds(medians.get(lib)) for lib in libraries]
        row += [
            _times(_ratio(medians.get(top), medians.get(bottom)))
            for top, bottom, _ in ratios
        ]
        table.append(row)
    return header, table


def format_table(header, rows) -> str:
    widths = [
        max(len(str(cell)) for cell in column)
        for column in zip(header, *rows, strict=True)
    ]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


def legend(summary: dict) -> list[str]:
    """What each column and each workload is."""
    rows = timed_rows(summary)
    present = {lib for _, medians in rows for lib in medians}
    lines = [f"{LABELS[lib]}: {DESCRIPTIONS[lib]}" for lib in ORDER if lib in present]
    lines += [
        f"{name}: {entry['title']}" for name, entry in summary.get("fits", {}).items()
    ]
    if "wine" in summary:
        lines.append(summary["wine"]["title"])
    return lines


def format_text(summary: dict) -> str:
    """Everything a terminal reader needs: the table, extras, the targets."""
    parts = [format_table(*table_rows(summary))]
    parts.append("\n".join(legend(summary)))
    fits = summary.get("fits", {})
    if fits:
        scores = []
        firsts = []
        for name, entry in fits.items():
            libraries = entry["libraries"].items()
            scores.append(
                f"  {name}: "
                + ", ".join(f"{LABELS[lib]} {v['score']:.3f}" for lib, v in libraries)
            )
            firsts.append(
                f"  {name}: "
                + ", ".join(
                    f"{LABELS[lib]} {_seconds(v['first_s'])}" for lib, v in libraries
                )
            )
        parts.append(
            "Training-set score (R2 or accuracy), a sanity check:\n" + "\n".join(scores)
        )
        parts.append(
            "First fit of each workload in its worker (it traces):\n"
            + "\n".join(firsts)
        )
    memory = summary.get("memory")
    if memory:
        lines = []
        for lib, values in memory["libraries"].items():
            line = f"  {LABELS[lib]}: " + " / ".join(
                f"{mb:.0f}" for mb in values["rss_mb"]
            )
            if "growth_mb_per_fit" in values:
                line += (
                    f"  ({values['growth_mb_per_fit']:.3f} MB/fit overall, "
                    f"{values['steady_growth_mb_per_fit']:.3f} MB/fit after "
                    f"{memory['checkpoints'][1]})"
                )
            lines.append(line)
        checkpoints = "/".join(map(str, memory["checkpoints"]))
        parts.append(f"RSS in MB after {checkpoints} fits:\n" + "\n".join(lines))
    jobs = summary.get("jobs")
    if jobs:
        parts.append(jobs_text(jobs))
    for library, message in summary.get("failures", {}).items():
        parts.append(f"FAILED: {LABELS[library]}: {message.splitlines()[0]}")
    parts.append(
        "Targets:\n"
        + "\n".join(
            f"  [{'met' if t['met'] else 'NOT met'}] {t['name']} ({t['goal']}): "
            f"{t['detail']}"
            for t in summary["targets"]
        )
    )
    return "\n\n".join(parts)


def jobs_text(jobs: dict) -> str:
    workers = "; ".join(
        f"pid {w['pid']}: {w['os_threads']} threads, TF intra/inter-op pools "
        f"{w['tf_intra_op_threads']}/{w['tf_inter_op_threads']}, "
        f"OMP_NUM_THREADS={w['OMP_NUM_THREADS']}"
        for w in jobs["workers"]
    )
    cpu = ""
    if jobs.get("cpu_ratio") is not None:
        cpu = (
            f"; CPU time {jobs['cpu_n_jobs_1_s']:.1f} s vs "
            f"{jobs['cpu_n_jobs_all_s']:.1f} s (ratio {jobs['cpu_ratio']:.2f})"
        )
    return (
        "GridSearchCV, skdl's red-wine search: "
        f"n_jobs=1 {_seconds(jobs['n_jobs_1_s'])}, n_jobs=-1 "
        f"{_seconds(jobs['n_jobs_all_s'])} ({_times(jobs['speedup'])}){cpu}; "
        f"first search in a fresh process {_seconds(jobs['first_search_n_jobs_1_s'])} "
        f"vs {_seconds(jobs['first_search_n_jobs_all_s'])}; load average "
        f"{jobs['load_average']:.1f} on {jobs['cpu_count']} cores\n  workers: {workers}"
    )


# ------------------------------------------------------------------- files
def write_json(summary: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=1, default=_plain) + "\n")


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def plot(summary: dict, path: Path) -> None:
    """Median times per workload and library (log scale), one bar each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = timed_rows(summary)
    present = {lib for _, medians in rows for lib in medians}
    libraries = [lib for lib in ORDER if lib in present]
    width = 0.8 / max(len(libraries), 1)
    figure, axes = plt.subplots(figsize=(11, 0.6 * len(rows) + 1.8))
    positions = np.arange(len(rows))
    for index, lib in enumerate(libraries):
        values = [medians.get(lib) or math.nan for _, medians in rows]
        axes.barh(positions + index * width, values, height=width, label=LABELS[lib])
    axes.set_yticks(positions + width * (len(libraries) - 1) / 2)
    axes.set_yticklabels([label for label, _ in rows])
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
