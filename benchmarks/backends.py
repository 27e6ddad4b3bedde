"""Issue 13's targets, per Keras backend: ``python -m benchmarks backends``.

The workload is the seed's tutorial grid: diabetes (442 x 10) in a
``Pipeline`` of ``StandardScaler`` and the 10-20-6-1 relu regressor, batch 5,
50 epochs, ``GridSearchCV`` over the optimizer (SGD, Adam) with ``KFold(10)``,
then the refit. Each participant runs in a fresh process of its own, one
after another so that none competes with another for the cores, with
``KERAS_BACKEND`` set before anything imports Keras:

- ``sklearn``: scikit-learn's ``MLPRegressor`` on the same grid (SGD at 0.01,
  Adam at 0.001, no momentum, no L2 penalty, no early stopping);
- ``skdl@tensorflow`` and ``skdl@jax``: skdl's ``KerasRegressor``;
- ``keras@tensorflow`` and ``keras@jax``: raw Keras, ``model.fit``. Its grid
  (the same search written out) only with ``--keras-grid``: on TensorFlow it
  takes minutes. Without it, single fits of the grid's Adam candidate.

In each process: the grid search cold (the first thing the process does:
tracing and compiling included) and warm (median of the next searches); a
single fit of the Adam candidate on the first fold; the warm training step
(the time of a long fit less a short one, per mini-batch step); and predict on
one row, its first call and the warm median (with Keras, its fast calls
``predict_on_batch`` and ``model(x)`` too). skdl on TensorFlow also repeats
three measurements of the full suite, to compare with ``latest.json``.

A participant that fails (skdl's JAX engine is not merged yet) shows
"failed: <reason>". The results go to ``benchmarks/results/backends.json``
(``backends-quick.json`` with ``--quick``), which the docs page shows.
"""

import argparse
import datetime
import json
import math
import os
import statistics
import subprocess
import sys
import time
import traceback
import warnings
from pathlib import Path

from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler

from benchmarks.libraries import ADAPTERS, CALL_LABELS
from benchmarks.report import _seconds, _target, candidates_trained
from benchmarks.suite import machine
from benchmarks.tables import candidates_text, failure_reason, format_table
from benchmarks.worker import Worker, package_versions
from benchmarks.workloads import FIT_WORKLOADS, TUTORIAL_GRID

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PARTICIPANTS = (
    "sklearn",
    "skdl@tensorflow",
    "skdl@jax",
    "keras@tensorflow",
    "keras@jax",
)
# Issue 13's "done when", for the tutorial grid.
GOALS = {
    "grid_vs_mlp": 5.0,  # skdl on JAX at least 5x faster than the MLP
    "grid_vs_tensorflow": 2.0,  # ... and 2x faster than skdl on TensorFlow
    "predict_ms": 0.05,  # one-row predict on JAX
    "step_us": 20.0,  # warm training step on JAX
    "tensorflow_tolerance": 1.1,  # new / old above this counts as slower
}


# ------------------------------------------------------ inside a participant
class _Participant:
    """One library on one backend, measured inside its own process."""

    def __init__(self, library: str, quick: bool):
        self.library = library
        self.adapter = ADAPTERS[library]()
        self.quick = quick
        self.epochs = TUTORIAL_GRID.epochs_for(quick)
        self.n_splits = TUTORIAL_GRID.n_splits_for(quick)
        self.workload = FIT_WORKLOADS["diabetes"]
        assert self.workload.network is TUTORIAL_GRID.network
        X, y = TUTORIAL_GRID.load()
        # The grid's first fold, scaled as its pipeline scales it.
        train, test = next(iter(KFold(self.n_splits).split(X)))
        scaler = StandardScaler().fit(X[train])
        self.X_train, self.y_train = scaler.transform(X[train]), y[train]
        self.X_test = scaler.transform(X[test])

    def fit(self, epochs: int):
        """Seconds of one fit of the grid's Adam candidate, and the fitted model.

        The suite's diabetes workload is that candidate: the grid's builder
        with Adam (the MLP: solver adam at 0.001), batch 5.
        """
        estimator = self.adapter.estimator(self.workload, epochs)
        start = time.perf_counter()
        estimator.fit(self.X_train, self.y_train)
        return time.perf_counter() - start, estimator

    def grid(self, repeats: int) -> dict:
        searches = [
            self.adapter.grid_search(TUTORIAL_GRID, self.epochs, self.n_splits)
            for _ in range(1 + repeats)
        ]
        seconds = [search["seconds"] for search in searches]
        return {
            "cold_s": seconds[0],
            "warm_s": seconds[1:],
            "warm_median_s": statistics.median(seconds[1:]),
            "best": searches[-1]["best"],
            "score": searches[-1]["score"],
            "claims_hold": all(search["claims_hold"] for search in searches),
            "candidates": candidates_trained(searches[-1]["candidates"]),
        }

    def fits(self, repeats: int) -> dict:
        seconds = [self.fit(self.epochs)[0] for _ in range(1 + repeats)]
        return {
            "first_s": seconds[0],
            "warm_s": seconds[1:],
            "warm_median_s": statistics.median(seconds[1:]),
        }

    def step(self, repeats: int) -> dict:
        """Warm seconds per mini-batch step: a long fit less a short one.

        The gap is wide (100 epochs, 8,000 steps) so that the noise of a fit's
        fixed cost stays small beside the steps of a fast library.
        """
        if self.quick:
            short, long = 1, 3
        elif self.library == "keras":
            short, long = 1, 6  # Keras on TensorFlow: ~0.2 s an epoch
        else:
            short, long = 5, 105
        if self.library == "keras":
            # A new Keras model compiles its step again (a second or more on
            # JAX): time further epochs of one model instead.
            model = self.fit(short)[1].model_

            def timed(epochs):
                start = time.perf_counter()
                model.fit(
                    self.X_train,
                    self.y_train,
                    epochs=epochs,
                    batch_size=self.workload.batch_size,
                    verbose=0,
                )
                return time.perf_counter() - start
        else:
            self.fit(short)  # warm-up: the architecture seen, traces kept

            def timed(epochs):
                return self.fit(epochs)[0]

        steps = math.ceil(len(self.X_train) / self.workload.batch_size)
        per_step = []
        for _ in range(repeats):
            short_s = timed(short)
            long_s = timed(long)
            # Not clipped at 0: a negative value says the noise won.
            per_step.append((long_s - short_s) / ((long - short) * steps))
        return {
            "warm_median_us": statistics.median(per_step) * 1e6,
            "warm_us": [value * 1e6 for value in per_step],
            "epochs": [short, long],
            "steps_per_epoch": steps,
        }

    def predict(self, budget_s: float, max_calls: int) -> dict:
        """One-row predict: the first call after a fit, then the warm median."""
        fitted = self.fit(1)[1]
        row = self.X_test[:1]
        results = {}
        for call in self.adapter.predict_calls:
            predict = self.adapter.predictor(fitted, call)
            start = time.perf_counter()
            predict(row)
            first = time.perf_counter() - start
            times = []
            deadline = time.perf_counter() + budget_s
            while len(times) < max_calls and (
                len(times) < 5 or time.perf_counter() < deadline
            ):
                start = time.perf_counter()
                predict(row)
                times.append(time.perf_counter() - start)
            results[call] = {
                "first_ms": first * 1000,
                "warm_median_ms": statistics.median(times) * 1000,
                "calls": len(times),
            }
        return results

    def suite_figures(self, repeats: int) -> dict:
        """skdl's diabetes fit, 1-epoch fit and predict as the full suite times them."""
        worker = Worker("skdl")
        fit = [worker.fit("diabetes", FIT_WORKLOADS["diabetes"].epochs)["seconds"]]
        fit += [
            worker.fit("diabetes", FIT_WORKLOADS["diabetes"].epochs)["seconds"]
            for _ in range(repeats)
        ]
        one_epoch = worker.one_epoch_fits(1 + 2 * repeats)
        latency = worker.latency(rows=1, budget_s=1.0, max_calls=1000)
        return {
            "diabetes_fit_s": statistics.median(fit[1:]),
            "one_epoch_fit_s": statistics.median(one_epoch[1:]),
            "predict_1_row_ms": statistics.median(latency) * 1000,
        }


def measure(library: str, quick: bool, repeats: int, keras_grid: bool) -> dict:
    """Everything for one participant, in this process."""
    warnings.simplefilter("ignore")
    participant = _Participant(library, quick)
    result = {}
    # The grid first: its first search is the process's first fit.
    if library != "keras" or keras_grid:
        result["grid"] = participant.grid(repeats)
    result["fit"] = participant.fits(repeats)
    result["step"] = participant.step(max(repeats, 1) if quick else 3)
    result["predict"] = participant.predict(
        budget_s=0.3 if quick else 1.0, max_calls=100 if quick else 2000
    )
    if library == "skdl" and not quick and _backend() == "tensorflow":
        result["suite"] = participant.suite_figures(repeats)
    result["versions"] = package_versions(library)
    result["backend"] = _backend() if library != "sklearn" else None
    return result


def _backend() -> str | None:
    if "keras" not in sys.modules:
        return None
    import keras

    return keras.backend.backend()


def _child(args) -> int:
    library = args.child.split("@")[0]
    try:
        result = measure(library, args.quick, args.repeats, args.keras_grid)
    except BaseException:
        print(json.dumps({"error": traceback.format_exc()}))
        return 1
    print(json.dumps(result))
    return 0


# ------------------------------------------------------------- the parent
def run_participant(
    participant: str, args, progress=print, timeout_s: float = 900
) -> dict:
    """One participant in a fresh process; its results, or its failure."""
    library, _, backend = participant.partition("@")
    env = dict(os.environ)
    env.pop("KERAS_BACKEND", None)
    if backend:
        env["KERAS_BACKEND"] = backend
    command = [sys.executable, "-m", "benchmarks.backends", f"--child={participant}"]
    command += [f"--repeats={args.repeats}"]
    command += ["--quick"] * args.quick + ["--keras-grid"] * args.keras_grid
    started = time.perf_counter()
    try:
        completed = subprocess.run(
            command,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"failed": f"timed out after {timeout_s:.0f} s"}
    lines = completed.stdout.strip().splitlines()
    try:
        answer = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        answer = {"error": completed.stderr[-4000:] or f"exit {completed.returncode}"}
    if "error" in answer:
        reason = failure_reason(answer["error"], 200)
        progress(f"!! {participant} failed: {reason}")
        return {"failed": reason, "error": answer["error"][-4000:]}
    answer["process_s"] = time.perf_counter() - started
    return answer


def _get(results: dict, participant: str, *keys):
    value = results.get(participant, {})
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _unmeasured(name: str, goal: str, results: dict, participants) -> dict:
    """A target without its figures: missed if a participant failed, else open."""
    for participant in participants:
        reason = results.get(participant, {}).get("failed")
        if reason:
            return _target(name, goal, None, False, f"{participant} failed: {reason}")
    missing = [p for p in participants if p not in results]
    return _target(
        name, goal, None, None, f"not measured ({', '.join(missing)} not run)"
    )


def targets(results: dict, baseline: dict | None) -> list[dict]:
    """Issue 13's "done when", each with its value and verdict (None: unmeasured)."""
    found = []
    jax_grid = _get(results, "skdl@jax", "grid")
    for peer, key, name in (
        ("sklearn", "grid_vs_mlp", "tutorial grid on JAX vs the MLP"),
        ("skdl@tensorflow", "grid_vs_tensorflow", "tutorial grid on JAX vs TF"),
    ):
        goal = f">= {GOALS[key]:.0f}x faster (warm; cold shown)"
        peer_grid = _get(results, peer, "grid")
        if jax_grid is None or peer_grid is None:
            found.append(_unmeasured(name, goal, results, ["skdl@jax", peer]))
            continue
        warm = peer_grid["warm_median_s"] / jax_grid["warm_median_s"]
        cold = peer_grid["cold_s"] / jax_grid["cold_s"]
        found.append(
            _target(
                name,
                goal,
                {"warm_ratio": warm, "cold_ratio": cold},
                warm >= GOALS[key],
                f"{peer} / skdl@jax = {warm:.1f}x warm, {cold:.1f}x cold",
            )
        )
    name, goal = "predict 1 row on JAX", f"<= {GOALS['predict_ms']} ms (warm median)"
    ms = _get(results, "skdl@jax", "predict", "predict", "warm_median_ms")
    if ms is None:
        found.append(_unmeasured(name, goal, results, ["skdl@jax"]))
    else:
        first = _get(results, "skdl@jax", "predict", "predict", "first_ms")
        found.append(
            _target(
                name,
                goal,
                {"warm_ms": ms, "first_ms": first},
                ms <= GOALS["predict_ms"],
                f"{ms:.3f} ms warm, first call {first:.1f} ms",
            )
        )
    name, goal = "warm training step on JAX", f"<= {GOALS['step_us']:.0f} us"
    us = _get(results, "skdl@jax", "step", "warm_median_us")
    if us is None:
        found.append(_unmeasured(name, goal, results, ["skdl@jax"]))
    else:
        found.append(
            _target(
                name,
                goal,
                {"step_us": us},
                us <= GOALS["step_us"],
                f"{us:.1f} us per step of batch {TUTORIAL_GRID.batch_size}",
            )
        )
    found.append(_tensorflow_target(results, baseline))
    return found


def tensorflow_comparison(results: dict, baseline: dict | None) -> list[dict]:
    """skdl on TensorFlow now against the suite's committed figures."""
    suite = _get(results, "skdl@tensorflow", "suite")
    if suite is None or baseline is None:
        return []
    old = {
        "diabetes_fit_s": _get(baseline, "fits", "diabetes", "libraries", "skdl"),
        "one_epoch_fit_s": _get(baseline, "fixed_cost", "skdl"),
        "predict_1_row_ms": _get(baseline, "latency", "1", "libraries", "skdl"),
    }
    keys = {
        "diabetes_fit_s": "median_s",
        "one_epoch_fit_s": "one_epoch_fit_s",
        "predict_1_row_ms": "median_ms",
    }
    rows = []
    for name, entry in old.items():
        if entry is None:
            continue
        ratio = suite[name] / entry[keys[name]]
        rows.append(
            {
                "measurement": name,
                "old": entry[keys[name]],
                "new": suite[name],
                "ratio": ratio,
                "slower": ratio > GOALS["tensorflow_tolerance"],
            }
        )
    return rows


def _tensorflow_target(results: dict, baseline: dict | None) -> dict:
    name = "skdl on TensorFlow no slower than latest.json"
    goal = (
        f"new / old <= {GOALS['tensorflow_tolerance']} on what this measures "
        "(the full suite checks the rest: --baseline)"
    )
    rows = tensorflow_comparison(results, baseline)
    if not rows:
        target = _unmeasured(name, goal, results, ["skdl@tensorflow"])
        if target["met"] is None:
            target["detail"] = (
                "not compared (skdl@tensorflow not run, --quick, or no baseline)"
            )
        return target
    return _target(
        name,
        goal,
        {row["measurement"]: row["ratio"] for row in rows},
        not any(row["slower"] for row in rows),
        ", ".join(f"{row['measurement']} {row['ratio']:.2f}" for row in rows),
    )


# --------------------------------------------------------------- the table
def verdict_text(met: bool | None) -> str:
    return {True: "met", False: "NOT met", None: "not measured"}[met]


def table(results: dict) -> tuple[list[str], list[list[str]]]:
    """One row per participant (and per Keras fast call), cold beside warm."""
    header = [
        "participant",
        "grid cold",
        "grid warm",
        "fit cold",
        "fit warm",
        "step (warm)",
        "predict 1 row, first",
        "predict 1 row, warm",
    ]
    rows = []
    for participant in PARTICIPANTS:
        if participant not in results:
            continue
        entry = results[participant]
        if "failed" in entry:
            reason = failure_reason(entry["failed"])
            rows.append([participant, f"failed: {reason}"] + ["-"] * (len(header) - 2))
            continue
        grid, fit = entry.get("grid"), entry["fit"]
        no_grid = "not run (--keras-grid)"
        predict = entry["predict"]
        rows.append(
            [
                participant,
                _seconds(grid["cold_s"]) if grid else no_grid,
                _seconds(grid["warm_median_s"]) if grid else no_grid,
                # After the grid, the first single fit is not a cold one.
                _seconds(fit["first_s"]) if grid is None else "(grid first)",
                _seconds(fit["warm_median_s"]),
                f"{entry['step']['warm_median_us']:.1f} us",
                f"{predict['predict']['first_ms']:.2f} ms",
                f"{predict['predict']['warm_median_ms']:.3f} ms",
            ]
        )
        for call, values in predict.items():
            if call == "predict":
                continue
            rows.append(
                [f"{participant}: {CALL_LABELS[call]}"]
                + ["-"] * 5
                + [f"{values['first_ms']:.2f} ms", f"{values['warm_median_ms']:.3f} ms"]
            )
    return header, rows


def format_text(summary: dict) -> str:
    results = summary["results"]
    parts = [
        f"{summary['meta']['workload']}\n" + format_table(*table(results)),
    ]
    trained = []
    for participant, entry in results.items():
        grid = entry.get("grid") if isinstance(entry, dict) else None
        if grid:
            verdict = "as named" if grid["claims_hold"] else "NOT as named"
            trained.append(
                f"  {participant} ({verdict}, best {grid['best']}, R2 "
                f"{grid['score']:.3f}): {candidates_text(grid['candidates'])}"
            )
    if trained:
        parts.append("Grid candidates trained with:\n" + "\n".join(trained))
    comparison = summary.get("tensorflow_comparison") or []
    if comparison:
        parts.append(
            "skdl on TensorFlow against latest.json (new / old):\n"
            + "\n".join(
                f"  [{'SLOWER' if row['slower'] else 'ok'}] {row['measurement']}: "
                f"{row['old']:.4g} -> {row['new']:.4g} ({row['ratio']:.2f})"
                for row in comparison
            )
        )
    parts.append(
        "Issue 13 targets:\n"
        + "\n".join(
            f"  [{verdict_text(t['met'])}] {t['name']} ({t['goal']}): {t['detail']}"
            for t in summary["targets"]
        )
    )
    return "\n\n".join(parts)


# ------------------------------------------------------------------- main
def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks backends",
        description="Issue 13's targets on the tutorial grid, per Keras backend, "
        "each participant in a fresh process.",
    )
    parser.add_argument(
        "--participants",
        default=",".join(PARTICIPANTS),
        help="comma-separated, among " + ", ".join(PARTICIPANTS),
    )
    parser.add_argument(
        "--repeats",
        type=lambda value: max(int(value), 1),
        default=2,
        help="warm repetitions, at least 1 (default 2)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="2 epochs, 2 folds: a smoke test"
    )
    parser.add_argument(
        "--keras-grid",
        action="store_true",
        help="raw Keras runs the whole grid too (minutes on TensorFlow)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=RESULTS,
        help="folder for backends.json (default: benchmarks/results, which also "
        "rewrites docs/benchmarks.rst)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=RESULTS / "latest.json",
        help="the suite's results to compare skdl on TensorFlow with",
    )
    parser.add_argument(
        "--no-docs",
        action="store_true",
        help="leave docs/benchmarks.rst alone",
    )
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.participants = [p for p in args.participants.split(",") if p]
    unknown = sorted(set(args.participants) - set(PARTICIPANTS))
    if unknown:
        parser.error(f"unknown participants {unknown}; choose among {PARTICIPANTS}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.child:
        return _child(args)
    started = time.perf_counter()
    results = {}
    for participant in args.participants:
        print(f"{participant} ...", flush=True)
        results[participant] = run_participant(participant, args)
    baseline = None
    if args.baseline and args.baseline.exists():
        baseline = json.loads(args.baseline.read_text())
    command = "python -m benchmarks backends" + (" " + " ".join(argv) if argv else "")
    epochs = TUTORIAL_GRID.epochs_for(args.quick)
    summary = {
        "meta": {
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": command,
            "quick": args.quick,
            "workload": TUTORIAL_GRID.describe(
                epochs, TUTORIAL_GRID.n_splits_for(args.quick)
            ),
            "machine": machine(),
            "load_average": os.getloadavg(),
            "baseline": str(args.baseline) if baseline else None,
            "duration_s": time.perf_counter() - started,
            "note": os.environ.get(
                "SKDL_BENCHMARK_NOTE",
                "Each participant ran alone, one after another.",
            ),
        },
        "results": results,
        "tensorflow_comparison": tensorflow_comparison(results, baseline),
        "goals": GOALS,
    }
    summary["targets"] = targets(results, baseline)
    print()
    print(format_text(summary))
    name = "backends-quick" if args.quick else "backends"
    path = args.out / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=1, default=float) + "\n")
    written = [path]
    if not args.quick and not args.no_docs and args.out == RESULTS:
        from benchmarks.__main__ import write_docs_page

        written.append(write_docs_page())
    print("\nwrote " + ", ".join(str(p) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
