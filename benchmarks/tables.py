"""A run's summary as tables and text: warm and cold times, ratios, predict calls.

Every cell says what it knows: a time; ``-`` where the measurement does not
include the library; "failed: <reason>" where the library failed before it;
"not measured yet" where the run did not measure it at all (a library it was
not asked for, or a figure older runs did not record).
"""

import math
import re
from dataclasses import dataclass

from benchmarks.libraries import ADAPTERS, CALL_LABELS, DESCRIPTIONS, LABELS
from benchmarks.report import _ratio, _seconds, _times
from benchmarks.suite import ALL_LIBRARIES, SECTION_LIBRARIES

ORDER = ALL_LIBRARIES
RATIO_COLUMNS = (
    ("keras", "skdl", "Keras / skdl"),
    ("scikeras", "skdl", "scikeras / skdl"),
    ("sklearn", "skdl", "MLP / skdl"),
    ("sklearn", "skdl_jit", "MLP / skdl jit"),
    ("skdl", "skdl_jax", "skdl / skdl JAX"),
    ("sklearn", "skdl_jax", "MLP / skdl JAX"),
)
NOT_MEASURED = "not measured yet"


@dataclass
class Row:
    """One measurement: its label, its section and each library's seconds."""

    label: str
    section: str
    values: dict
    # False where the run recorded no such figure for any library.
    measured: bool = True


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")


def failure_reason(message: str, width: int = 70) -> str:
    """The gist of a failure: the exception that started it.

    Of a chained traceback ("The above exception was the direct cause..."),
    the first exception line, the root cause; else the last line.
    """
    lines = [line.rstrip() for line in str(message).splitlines() if line.strip()]
    raised = [line for line in lines if _EXCEPTION_LINE.match(line)]
    reason = raised[0] if raised else (lines[-1].strip() if lines else "unknown error")
    return reason if len(reason) <= width else reason[: width - 3] + "..."


# ------------------------------------------------------------------ rows
def warm_rows(summary: dict) -> list[Row]:
    """Median wall times of the warm repetitions, per measurement."""
    rows = []
    for name, entry in summary.get("fits", {}).items():
        label = f"{name}: {entry['epochs']} epochs, batch {entry['batch_size']}"
        medians = {lib: v["median_s"] for lib, v in entry["libraries"].items()}
        rows.append(Row(label, "fits", medians))
    wine = summary.get("wine")
    if wine:
        rows.append(
            Row(
                _wine_label(wine),
                "wine",
                {lib: v["median_s"] for lib, v in wine["libraries"].items()},
            )
        )
    for count, entry in summary.get("latency", {}).items():
        label = f"predict {count} row" + ("s" if count != "1" else "")
        medians = {lib: v["median_ms"] / 1000 for lib, v in entry["libraries"].items()}
        rows.append(Row(label, "latency", medians))
    fixed = summary.get("fixed_cost")
    if fixed:
        rows.append(
            Row(
                "1-epoch fit, architecture seen before",
                "fixed_cost",
                {lib: v["one_epoch_fit_s"] for lib, v in fixed.items()},
            )
        )
    return rows


def cold_rows(summary: dict) -> list[Row]:
    """First fit (or search) in a fresh process, tracing and compiling included."""
    rows = []
    fixed = summary.get("fixed_cost")
    if fixed:
        rows.append(
            Row(
                "diabetes: 1 epoch, first fit in a fresh process",
                "fixed_cost",
                {lib: v["first_fit_s"] for lib, v in fixed.items()},
            )
        )
    for name, entry in summary.get("fits", {}).items():
        label = f"{name}: {entry['epochs']} epochs, batch {entry['batch_size']}"
        colds = {lib: v.get("cold_s") for lib, v in entry["libraries"].items()}
        measured = any(value is not None for value in colds.values())
        rows.append(Row(label, "fits", colds, measured))
    wine = summary.get("wine")
    if wine:
        colds = {lib: v.get("cold_s") for lib, v in wine["libraries"].items()}
        measured = any(value is not None for value in colds.values())
        rows.append(Row(_wine_label(wine), "wine", colds, measured))
    return rows


def timed_rows(summary: dict) -> list[tuple[str, dict]]:
    """(row label, {library: median seconds}) for every warm measurement."""
    return [(row.label, row.values) for row in warm_rows(summary)]


def _wine_label(wine: dict) -> str:
    fits = 2 * wine["n_splits"]
    return f"red-wine grid search: {fits} fits of {wine['epochs']} epochs + refit"


# ----------------------------------------------------------------- cells
def columns(summary: dict, always=()) -> list[str]:
    """The libraries to show: those asked for or measured, and ``always``."""
    asked = set(summary["meta"].get("libraries", ()))
    present = {
        lib for row in warm_rows(summary) + cold_rows(summary) for lib in row.values
    }
    shown = asked | present | set(always)
    return [lib for lib in ORDER if lib in shown]


def _state(summary: dict, library: str, row: Row) -> str | None:
    """Why ``library`` has no figure in ``row`` (None if it has one)."""
    if row.values.get(library) is not None:
        return None
    if library not in SECTION_LIBRARIES.get(row.section, ()):
        return "-"
    if library not in summary["meta"].get("libraries", ()):
        return NOT_MEASURED
    failures = summary.get("failures", {})
    if library in failures:
        return f"failed: {failure_reason(failures[library])}"
    if not row.measured:
        return NOT_MEASURED
    return "-"


def cell(summary: dict, library: str, row: Row) -> str:
    return _state(summary, library, row) or _seconds(row.values[library])


def ratio_cell(summary: dict, top: str, bottom: str, row: Row) -> str:
    states = [_state(summary, lib, row) for lib in (top, bottom)]
    if states == [None, None]:
        return _times(_ratio(row.values[top], row.values[bottom]))
    if NOT_MEASURED in states:
        return NOT_MEASURED
    return "-"


# ---------------------------------------------------------------- tables
def times_table(summary: dict, rows: list[Row], always=()) -> tuple[list, list]:
    """Header and rows: one column per library."""
    libraries = columns(summary, always)
    header = ["measurement"] + [LABELS[lib] for lib in libraries]
    table = [
        [row.label] + [cell(summary, lib, row) for lib in libraries] for row in rows
    ]
    return header, table


def table_rows(summary: dict, always=()) -> tuple[list, list]:
    """The main table: warm medians per library."""
    return times_table(summary, warm_rows(summary), always)


def ratios_table(summary: dict, always=()) -> tuple[list, list]:
    """Ratios of warm medians, then of cold figures, between libraries."""
    libraries = columns(summary, always)
    ratios = [
        (top, bottom, title)
        for top, bottom, title in RATIO_COLUMNS
        if top in libraries and bottom in libraries
    ]
    header = ["measurement"] + [title for _, _, title in ratios]
    table = []
    for kind, rows in (("warm", warm_rows(summary)), ("cold", cold_rows(summary))):
        for row in rows:
            table.append(
                [f"{row.label} ({kind})"]
                + [ratio_cell(summary, top, bottom, row) for top, bottom, _ in ratios]
            )
    return header, table


def calls_table(summary: dict, always=()) -> tuple[list, list]:
    """Each library's predict, and its faster public calls, on 1 and 1000 rows."""
    latency = summary.get("latency", {})
    counts = list(latency) or ["1", "1000"]
    header = ["call"] + [
        f"{count} row" + ("s" if count != "1" else "") for count in counts
    ]
    table = []
    for lib in columns(summary, always):
        if lib not in SECTION_LIBRARIES["latency"]:
            continue
        for call in ADAPTERS[lib].predict_calls:
            cells = []
            for count in counts:
                entry = latency.get(count, {})
                if call == "predict":
                    value = entry.get("libraries", {}).get(lib, {}).get("median_ms")
                    measured = count in latency
                else:
                    by_call = entry.get("calls", {}).get(lib, {})
                    value = by_call.get(call, {}).get("median_ms")
                    measured = "calls" in entry
                row = Row("", "latency", {lib: value and value / 1000}, measured)
                cells.append(cell(summary, lib, row))
            table.append([f"{LABELS[lib]}: {CALL_LABELS[call]}"] + cells)
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


# ------------------------------------------------------------------ text
def legend(summary: dict, always=()) -> list[str]:
    """What each column and each workload is."""
    lines = [f"{LABELS[lib]}: {DESCRIPTIONS[lib]}" for lib in columns(summary, always)]
    lines += [
        f"{name}: {entry['title']}" for name, entry in summary.get("fits", {}).items()
    ]
    if "wine" in summary:
        lines.append(summary["wine"]["title"])
    return lines


def backends_line(summary: dict) -> str:
    """Which Keras backend each library ran on."""
    recorded = summary["meta"].get("backends")
    if not recorded:
        return (
            "Keras backend: TensorFlow for every Keras-based library (this run "
            "predates the JAX columns and did not record it)."
        )
    return "Keras backend per library: " + ", ".join(
        f"{LABELS[lib]} {backend or 'none'}" for lib, backend in recorded.items()
    )


def trained_lines(summary: dict) -> list[str]:
    """What each red-wine candidate trained with, per library."""
    lines = []
    for lib, values in summary.get("wine", {}).get("libraries", {}).items():
        if "candidates" not in values:
            continue
        verdict = "as named" if values["claims_hold"] else "NOT as named"
        lines.append(
            f"  {LABELS[lib]} ({verdict}): {candidates_text(values['candidates'])}"
        )
    return lines


def candidates_text(candidates: dict) -> str:
    """Each candidate and what its fits trained with (see candidates_trained)."""
    return "; ".join(
        f"{candidate} -> {'/'.join(trained['optimizers'])}"
        + (
            f", {'/'.join(map(str, trained['epochs']))} epochs"
            if trained["epochs"]
            else ""
        )
        for candidate, trained in candidates.items()
    )


def format_text(summary: dict) -> str:
    """Everything a terminal reader needs: the tables, extras, the targets."""
    parts = [
        "Warm: median wall times of the repetitions after the first\n"
        + format_table(*table_rows(summary))
    ]
    if cold_rows(summary):
        parts.append(
            "Cold: the first fit (or search) in a fresh process\n"
            + format_table(*times_table(summary, cold_rows(summary)))
        )
    ratio_header, ratios = ratios_table(summary)
    if len(ratio_header) > 1:
        parts.append(
            "Ratios (above 1, the second library is faster)\n"
            + format_table(ratio_header, ratios)
        )
    if summary.get("latency"):
        parts.append(
            "Predict, median per call: the default call and the faster ones\n"
            + format_table(*calls_table(summary))
        )
    parts.append("\n".join(legend(summary) + [backends_line(summary)]))
    fits = summary.get("fits", {})
    if fits:
        scores = [
            f"  {name}: "
            + ", ".join(
                f"{LABELS[lib]} {v['score']:.3f}"
                for lib, v in entry["libraries"].items()
            )
            for name, entry in fits.items()
        ]
        parts.append(
            "Training-set score (R2 or accuracy), a sanity check:\n" + "\n".join(scores)
        )
    trained = trained_lines(summary)
    if trained:
        parts.append("Red-wine candidates trained with:\n" + "\n".join(trained))
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
        parts.append(f"FAILED: {LABELS[library]}: {failure_reason(message, 500)}")
    for caveat in summary["meta"].get("caveats", []):
        parts.append(f"CAVEAT: {caveat}")
    baseline = summary.get("baseline")
    if baseline:
        parts.append(baseline_text(baseline))
    parts.append(
        "Targets:\n"
        + (
            "\n".join(
                f"  [{'met' if t['met'] else 'NOT met'}] {t['name']} ({t['goal']}): "
                f"{t['detail']}"
                for t in summary["targets"]
            )
            or "  (none among the sections run)"
        )
    )
    return "\n\n".join(parts)


def baseline_text(baseline: dict) -> str:
    """skdl's warm medians against an earlier run's (see report.compare)."""
    lines = [
        f"skdl against {baseline['path']} (new / old; above "
        f"{baseline['tolerance']:.2f} counts as slower):"
    ]
    for row in baseline["rows"]:
        flag = "SLOWER" if row["slower"] else "ok"
        lines.append(
            f"  [{flag}] {row['label']} ({LABELS[row['library']]}): "
            f"{_seconds(row['old_s'])} -> {_seconds(row['new_s'])} "
            f"({row['ratio']:.2f})"
        )
    return "\n".join(lines)


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


def plot_values(summary: dict) -> tuple[list[str], list[str], list[list[float]]]:
    """Row labels, library columns and warm seconds (NaN where missing)."""
    rows = warm_rows(summary)
    present = {lib for row in rows for lib in row.values}
    libraries = [lib for lib in ORDER if lib in present]
    values = [[row.values.get(lib) or math.nan for row in rows] for lib in libraries]
    return [row.label for row in rows], libraries, values
