"""Which test modules depend on the Keras backend.

``scripts/test.sh`` runs the whole suite on TensorFlow, then the modules in
:data:`BACKEND_TESTS` again on JAX. ``tests/test_backend_split.py`` checks
that every module is listed here, so a new one cannot miss the JAX pass
unnoticed. Run as a script, this prints the JAX pass's paths.
"""

from pathlib import Path

# Everything that builds, trains, predicts, saves or imports the estimators.
BACKEND_TESTS = {
    "test_backend_engines.py",
    "test_callbacks.py",
    "test_common.py",
    "test_cross_backend.py",
    "test_dask.py",
    "test_defaults_vs_mlp.py",
    "test_estimators.py",
    "test_fit_equivalence.py",
    "test_inputs.py",
    "test_jax_engine.py",
    "test_lazy_import.py",
    "test_outputs.py",
    "test_params.py",
    "test_persistence.py",
    "test_quiet.py",
    "test_reproducibility.py",
    "test_robustness.py",
    "test_routing.py",
    "test_scikeras_conventions.py",
    "test_sklearn_integration.py",
    "test_tabular.py",
}
# TensorFlow's own engine: its trace sharing and kernel cache.
TENSORFLOW_TESTS = {"test_fast_paths.py"}
# Pages, examples, reports, the command line, datasets: the same on any backend.
BACKEND_NEUTRAL = {
    "test_backend_split.py",
    "test_benchmarks.py",
    "test_cli.py",
    "test_datasets.py",
    "test_doc_blocks.py",
    "test_docs.py",
    "test_examples.py",
    "test_main_guard.py",
    "test_native_stderr.py",
    "test_report_browser.py",
    "test_report_compare.py",
    "test_reports.py",
}
TESTS = Path(__file__).parent


def module_names() -> set[str]:
    return {path.name for path in TESTS.glob("test_*.py")}


if __name__ == "__main__":
    present = module_names()
    print(" ".join(f"tests/{name}" for name in sorted(BACKEND_TESTS & present)))
