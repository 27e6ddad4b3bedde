"""The benchmark suite runs and writes results of the documented shape.

Only the structure is checked: timings depend on the machine. Beside it,
what makes the comparison fair: each library's grid candidates train with
the optimizer they name, and the JAX columns run with Keras on JAX.
"""

import dataclasses
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import keras_as_it_was

ROOT = Path(__file__).resolve().parent.parent
HAS_JAX = importlib.util.find_spec("jax") is not None
needs_jax = pytest.mark.skipif(not HAS_JAX, reason="the JAX columns need jax")


@pytest.fixture(autouse=True, scope="module")
def _keras_left_unpatched():
    # scikeras runs in this process here; its import patches Keras's
    # pickling process-wide, which the other test modules must not see.
    with keras_as_it_was():
        yield


def _run(*args, timeout=600):
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_quick_benchmark_writes_json_plot_and_page(tmp_path):
    page = tmp_path / "docs" / "benchmarks.rst"
    _run(
        "--quick",
        "--sections=fixed_cost,latency",
        "--libraries=skdl,sklearn",
        f"--out={tmp_path}",
        f"--docs={page}",
    )
    results = json.loads((tmp_path / "quick.json").read_text())
    assert {"meta", "fixed_cost", "latency", "targets", "failures"} <= set(results)
    assert results["failures"] == {}
    meta = results["meta"]
    assert meta["quick"] is True
    assert meta["libraries"] == ["skdl", "sklearn"]
    assert meta["machine"]["cpu_count"] >= 1
    assert "tensorflow" in meta["versions"] and "scikit-learn" in meta["versions"]
    assert "keras" in meta["versions"]
    assert meta["backends"] == {"skdl": "tensorflow", "sklearn": None}

    for rows in ("1", "1000"):
        latency = results["latency"][rows]
        assert set(latency["libraries"]) == {"skdl", "sklearn"}
        assert latency["libraries"]["skdl"]["median_ms"] > 0
        assert latency["libraries"]["skdl"]["calls"] >= 3
        assert latency["ratios"]["sklearn"] > 0
    fixed = results["fixed_cost"]["skdl"]
    assert fixed["first_fit_s"] > 0 and fixed["one_epoch_fit_s"] > 0
    assert len(fixed["times_s"]) >= 2

    names = {target["name"] for target in results["targets"]}
    assert {"predict 1 row", "fixed cost per fit (architecture seen before)"} <= names
    for target in results["targets"]:
        assert set(target) == {"name", "goal", "value", "met", "detail"}
        assert isinstance(target["met"], bool)

    assert (tmp_path / "quick.png").stat().st_size > 0
    text = page.read_text()
    assert text.startswith(".. _benchmarks:") and "\nBenchmarks\n==========" in text
    assert ".. image:: ../quick.png" in text and ".. list-table::" in text


def test_the_docs_page_is_the_generated_one():
    # docs/benchmarks.rst is written by benchmarks/page.py from the committed
    # run; an edit by hand, or a change of the generator without writing the
    # page again, shows here.
    from benchmarks import page

    results = ROOT / "benchmarks" / "results"
    summary = json.loads((results / "latest.json").read_text())
    backends = results / "backends.json"
    text = page.format_rst(
        summary,
        "../benchmarks/results/latest.png",
        summary["meta"]["command"],
        backends=json.loads(backends.read_text()) if backends.exists() else None,
    )
    assert (ROOT / "docs" / "benchmarks.rst").read_text() == text, (
        "docs/benchmarks.rst is not what benchmarks/page.py writes from "
        "benchmarks/results/latest.json: write it again with format_rst"
    )
    # A "-" cell is text, not a bullet; the job lines are plain text.
    assert "\n     - -\n" not in text and "\n::\n" not in text


def test_the_docs_page_says_what_the_committed_run_did_not_measure():
    from benchmarks import page

    summary = json.loads((ROOT / "benchmarks" / "results" / "latest.json").read_text())
    text = page.format_rst(summary, "latest.png", "python -m benchmarks")
    # The JAX columns, cold fits and Keras's fast calls came after this run.
    assert "skdl JAX" in text and "Keras JAX" in text
    assert "not measured yet" in text
    assert "model.predict_on_batch(x)" in text
    # Its scikeras red-wine figure trained Adam in every candidate: said so.
    assert "trained Adam in every candidate" in text


# ------------------------------------------------------------- fairness
def _tiny_grid():
    """The tutorial grid on 60 rows, 1 epoch, 2 folds: seconds, not minutes."""
    from benchmarks.workloads import TUTORIAL_GRID

    X, y = TUTORIAL_GRID.load()
    return dataclasses.replace(
        TUTORIAL_GRID, loader=lambda: (X[:60], y[:60]), batch_size=20
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("library", ["scikeras", "keras", "skdl", "sklearn"])
def test_grid_candidates_train_with_the_optimizer_they_name(library):
    from benchmarks.libraries import ADAPTERS

    result = ADAPTERS[library]().grid_search(_tiny_grid(), epochs=1, n_splits=2)
    candidates = result["candidates"]
    assert len(candidates) == 2 and result["claims_hold"]
    trained = {
        candidate: {fit["optimizer"].lower() for fit in fits}
        for candidate, fits in candidates.items()
    }
    assert all(len(optimizers) == 1 for optimizers in trained.values())
    assert sorted(min(optimizers) for optimizers in trained.values()) == ["adam", "sgd"]
    for candidate, optimizers in trained.items():
        assert f"'{min(optimizers)}'" in candidate.lower()
    assert all(fit["epochs"] == 1 for fits in candidates.values() for fit in fits)


def test_scikeras_ignores_the_optimizer_of_a_builder_that_compiles_its_own():
    # The configuration the suite had: scikeras's optimizer parameter never
    # reaches a builder that compiles its own model. The check catches it.
    from scikeras.wrappers import KerasRegressor

    from benchmarks.libraries import Scikeras

    class SelfCompiling(Scikeras):
        def grid_model(self, grid, epochs):
            return KerasRegressor(
                model=grid.network,
                optimizer="adam",
                epochs=epochs,
                batch_size=grid.batch_size,
                verbose=0,
            )

    result = SelfCompiling().grid_search(_tiny_grid(), epochs=1, n_splits=2)
    sgd = result["candidates"]["{'optimizer': 'SGD'}"]
    assert {fit["optimizer"] for fit in sgd} == {"Adam"}
    assert result["claims_hold"] is False


# ------------------------------------------------------------ the tables
def test_cells_say_failed_and_not_measured_yet():
    from benchmarks import tables

    summary = {
        "meta": {"libraries": ["skdl", "skdl_jax"]},
        "failures": {
            "skdl_jax": "fit: The skdl_jax worker failed:\nTraceback (most recent "
            "call last):\n  ...\nImportError: cannot import name 'jax_epochs'"
        },
        "fits": {
            "diabetes": {
                "epochs": 50,
                "batch_size": 5,
                "libraries": {"skdl": {"median_s": 0.5, "cold_s": 1.5, "score": 0.5}},
            }
        },
    }
    header, rows = tables.table_rows(summary, always=("keras_jax",))
    assert header == ["measurement", "skdl", "skdl JAX", "Keras JAX"]
    assert rows[0][1:] == [
        "500 ms",
        "failed: ImportError: cannot import name 'jax_epochs'",
        "not measured yet",
    ]
    _, cold = tables.times_table(summary, tables.cold_rows(summary))
    assert cold[0][1] == "1.50 s"
    _, ratios = tables.ratios_table(summary, always=("keras_jax",))
    assert ratios[0][1:] == ["-"]  # skdl / skdl JAX: JAX failed


# ------------------------------------------------------------------ JAX
@needs_jax
def test_jax_columns_run_keras_on_jax_and_report_failures(tmp_path):
    # Keras's own model.fit runs on JAX; skdl's JAX engine may not exist yet,
    # in which case its column must say why.
    completed = _run(
        "--quick",
        "--sections=latency",
        "--libraries=skdl_jax,keras_jax",
        f"--out={tmp_path}",
        "--no-plot",
    )
    results = json.loads((tmp_path / "quick.json").read_text())
    assert results["meta"]["backends"]["keras_jax"] == "jax"
    assert "jax" in results["meta"]["versions"]
    one_row = results["latency"]["1"]
    assert one_row["libraries"]["keras_jax"]["median_ms"] > 0
    fast = one_row["calls"]["keras_jax"]
    assert set(fast) == {"predict_on_batch", "call"}
    assert all(entry["median_ms"] > 0 for entry in fast.values())
    if "skdl_jax" in results["failures"]:
        assert "failed: " in completed.stdout
    else:
        assert results["meta"]["backends"]["skdl_jax"] == "jax"
        assert one_row["libraries"]["skdl_jax"]["median_ms"] > 0


@needs_jax
def test_backends_measures_each_participant_in_its_own_process(tmp_path):
    completed = _run(
        "backends",
        "--quick",
        "--repeats=1",
        "--participants=sklearn,keras@jax,skdl@jax",
        f"--out={tmp_path}",
    )
    summary = json.loads((tmp_path / "backends-quick.json").read_text())
    results = summary["results"]
    assert results["keras@jax"]["backend"] == "jax"
    assert "jax" in results["keras@jax"]["versions"]
    assert results["sklearn"]["backend"] is None
    grid = results["sklearn"]["grid"]
    assert grid["cold_s"] > 0 and grid["warm_median_s"] > 0 and grid["claims_hold"]
    keras = results["keras@jax"]
    assert "grid" not in keras  # only with --keras-grid
    assert keras["fit"]["first_s"] > 0
    # Per step, from 1- and 3-epoch fits here: too short to be positive surely.
    assert np.isfinite(keras["step"]["warm_median_us"])
    assert set(keras["predict"]) == {"predict", "predict_on_batch", "call"}
    skdl = results["skdl@jax"]
    assert ("failed" in skdl) or skdl["grid"]["warm_median_s"] > 0
    if "failed" in skdl:
        assert f"failed: {skdl['failed']}" in completed.stdout
    names = [target["name"] for target in summary["targets"]]
    assert names == [
        "tutorial grid on JAX vs the MLP",
        "tutorial grid on JAX vs TF",
        "predict 1 row on JAX",
        "warm training step on JAX",
        "skdl on TensorFlow no slower than latest.json",
    ]
    assert "Issue 13 targets:" in completed.stdout
    assert np.isfinite(summary["meta"]["duration_s"])
