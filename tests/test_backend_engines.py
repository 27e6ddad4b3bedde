"""The training engines of each Keras backend, compared with one another.

skdl compiles epochs its own way on TensorFlow and JAX, and trains through
``train_on_batch`` on any other backend (``eager_epochs``). The eager path
runs under every backend, so it is compared here with the compiled one of
the backend the suite runs on: same batches, same order, same results to
rounding.
"""

import keras
import numpy as np
import pytest

from skdl import KerasClassifier, KerasRegressor
from skdl._training import eager_epochs, loop
from tests.builders import baseline_classifier, baseline_model


def _dropout_regressor(meta, optimizer="adam"):
    model = keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=optimizer, loss="mse", metrics=["mae"])
    return model


@pytest.mark.skipif(
    keras.backend.backend() == "jax",
    reason="JAX's train_step takes the state as an argument: JAX has only its engine",
)
@pytest.mark.parametrize(
    "make_estimator",
    [
        lambda: KerasRegressor(model=baseline_model, optimizer="sgd"),
        lambda: KerasRegressor(model=_dropout_regressor),
        lambda: KerasClassifier(model=baseline_classifier),
    ],
    ids=["sgd", "dropout", "classifier"],
)
def test_eager_path_trains_as_the_compiled_one(
    make_estimator, regression_data, classification_data, monkeypatch
):
    X, y = (
        classification_data
        if isinstance(make_estimator(), KerasClassifier)
        else regression_data
    )
    X = X.astype(np.float32)
    params = dict(epochs=3, batch_size=7, random_state=0, fit__validation_split=0.2)
    compiled = make_estimator().set_params(**params).fit(X, y)
    monkeypatch.setattr(loop, "backend_engine", lambda: eager_epochs)
    eager = make_estimator().set_params(**params).fit(X, y)

    assert compiled.history_.keys() == eager.history_.keys()
    for name, values in compiled.history_.items():
        np.testing.assert_allclose(eager.history_[name], values, rtol=1e-4)
    for ours, theirs in zip(
        eager.model_.get_weights(), compiled.model_.get_weights(), strict=True
    ):
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
