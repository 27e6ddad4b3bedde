"""A network saved under one Keras backend loads under the other.

The estimator is fitted here, under the backend this suite runs on, then
loaded in a fresh interpreter running Keras on the other backend (JAX for
TensorFlow and TensorFlow for JAX), from both ``skdl.load`` and pickle.
"""

import os
import pickle
import subprocess
import sys

import keras
import numpy as np
import pytest

from skdl import KerasClassifier, KerasRegressor

OTHER_BACKEND = {"tensorflow": "jax", "jax": "tensorflow"}.get(keras.backend.backend())

_LOAD_AND_PREDICT = """
import pickle, sys
import numpy as np
import skdl, keras
assert keras.backend.backend() == sys.argv[1], keras.backend.backend()
X = np.load(sys.argv[2])
loaded = skdl.load(sys.argv[3])
with open(sys.argv[4], "rb") as file:
    unpickled = pickle.load(file)
np.save(sys.argv[5], np.stack([loaded.predict_proba(X) if hasattr(loaded, "predict_proba")
                               else loaded.predict(X) for loaded in (loaded, unpickled)]))
"""


@pytest.mark.skipif(OTHER_BACKEND is None, reason="TensorFlow and JAX are compared")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cls", [KerasRegressor, KerasClassifier])
def test_saved_under_one_backend_predicts_the_same_under_the_other(
    cls, dtype, regression_data, classification_data, tmp_path
):
    X, y = classification_data if cls is KerasClassifier else regression_data
    X = X.astype(dtype)
    estimator = cls(epochs=3, random_state=0).fit(X, y)
    estimator.save(tmp_path / "estimator.skdl")
    with open(tmp_path / "estimator.pickle", "wb") as file:
        pickle.dump(estimator, file)
    np.save(tmp_path / "X.npy", X)
    expected = (
        estimator.predict_proba(X) if cls is KerasClassifier else estimator.predict(X)
    )

    environment = {**os.environ, "KERAS_BACKEND": OTHER_BACKEND}
    subprocess.run(
        [sys.executable, "-c", _LOAD_AND_PREDICT, OTHER_BACKEND]
        + [str(tmp_path / name) for name in ("X.npy", "estimator.skdl")]
        + [str(tmp_path / name) for name in ("estimator.pickle", "out.npy")],
        env=environment,
        check=True,
        capture_output=True,
    )
    loaded, unpickled = np.load(tmp_path / "out.npy")
    # Another backend's kernels: equal to rounding in the network's precision.
    tolerance = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(loaded, expected, rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(unpickled, expected, rtol=tolerance, atol=tolerance)
