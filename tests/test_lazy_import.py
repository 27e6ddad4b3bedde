"""skdl's light parts load without TensorFlow or Keras; estimators load them on use.

Each check runs in a fresh interpreter, so what this test session has
imported already cannot hide an import.
"""

import importlib.util
import os
import subprocess
import sys
import time

import pytest

_HEAVY = ("tensorflow", "keras", "scikeras")


def run(code, **environment):
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **environment},
    )


def heavy_modules_after(code, **environment) -> list[str]:
    result = run(
        code + "\nimport sys\n"
        f"print('HEAVY:', *[m for m in {_HEAVY!r} if m in sys.modules])",
        **environment,
    )
    return result.stdout.rpartition("HEAVY:")[2].split()


@pytest.mark.parametrize(
    "code",
    [
        "import skdl",
        "import skdl.datasets",
        "import skdl.reports",
        "from skdl.reports import CVReport, HistoryRecorder",
        "import skdl.cli",
        "from skdl.cli import main\nmain(['datasets'])",
    ],
)
def test_light_imports_do_not_load_keras(code):
    assert heavy_modules_after(code) == []


def test_help_does_not_load_keras():
    code = (
        "from skdl.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert heavy_modules_after(code) == []


def test_estimators_load_keras_on_first_use_quietly():
    code = (
        "import skdl, sys\n"
        "assert 'keras' not in sys.modules\n"
        "from skdl import KerasRegressor, load\n"
        "assert KerasRegressor.__module__ == 'skdl.estimators._regressor'\n"
        "assert callable(load) and 'keras' in sys.modules\n"
        # scikeras patches Keras's pickling process-wide when imported.
        "assert 'scikeras' not in sys.modules\n"
    )
    result = run(code)
    # TensorFlow's C++ start-up lines still go through skdl's capture.
    assert result.stdout == "" and result.stderr == ""


@pytest.mark.skipif(
    importlib.util.find_spec("jax") is None, reason="needs JAX installed"
)
def test_estimators_on_jax_do_not_load_tensorflow():
    code = (
        "import skdl\n"
        "regressor = skdl.KerasRegressor(hidden_layer_sizes=(3,), optimizer='sgd')\n"
        "classifier = skdl.KerasClassifier(epochs=2)\n"
        "regressor.get_params(), classifier.get_params(), repr(regressor)\n"
        "import keras\n"
        "assert keras.backend.backend() == 'jax', keras.backend.backend()\n"
    )
    assert heavy_modules_after(code, KERAS_BACKEND="jax") == ["keras"]


def test_unknown_attribute_is_an_attribute_error():
    result = run(
        "import skdl\ntry:\n    skdl.KerasRegresor\nexcept AttributeError as e:\n"
        "    print(e)"
    )
    assert "no attribute 'KerasRegresor'" in result.stdout


def _best_time(command, repeats=3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def test_skdl_datasets_command_is_fast():
    listing = _best_time([sys.executable, "-m", "skdl", "datasets"])
    # What the listing cannot avoid: Python, pandas and scikit-learn's utils
    # (the loaders return Bunches). On an idle machine the listing takes
    # about 1.2 s; on a busy one both take longer, so the budget grows with
    # the machine's own cost of those imports. TensorFlow alone adds 3 s+.
    floor = _best_time([sys.executable, "-c", "import pandas, sklearn.utils"])
    assert listing < max(1.5, 1.5 * floor + 0.5), (listing, floor)
