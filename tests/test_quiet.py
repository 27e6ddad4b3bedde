"""Importing skdl and a verbose=0 fit and predict print nothing."""

import subprocess
import sys


def run(code):
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )


def test_import_prints_nothing():
    result = run("import skdl")
    assert result.stdout == "" and result.stderr == ""


def test_quiet_fit_and_predict_print_nothing():
    result = run(
        "import numpy as np\n"
        "from skdl import KerasClassifier, KerasRegressor\n"
        "X = np.random.rand(30, 3); y = (X[:, 0] > 0.5).astype(int)\n"
        "KerasClassifier(epochs=2).fit(X, y).predict_proba(X)\n"
        "KerasRegressor(epochs=2, validation_split=0.2).fit(X, X[:, 1]).predict(X)\n"
    )
    assert result.stdout == "" and result.stderr == ""


def test_verbose_training_reports_progress():
    result = run(
        "import numpy as np\n"
        "from skdl import KerasRegressor\n"
        "X = np.random.rand(30, 3)\n"
        "KerasRegressor(epochs=2, verbose=2).fit(X, X[:, 0])\n"
    )
    assert "Epoch 2/2" in result.stdout
