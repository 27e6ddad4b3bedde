"""skdl's JAX engine: shared compilations, precision, custom train steps.

These run in the JAX pass of ``scripts/test.sh`` (``KERAS_BACKEND=jax``);
the engine is JAX's own, so under another backend there is nothing to test.
"""

import subprocess
import sys

import keras
import numpy as np
import pytest

from skdl import KerasRegressor
from tests.builders import baseline_model

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "jax",
    reason="the JAX engine runs in the JAX pass of scripts/test.sh",
)


@pytest.fixture
def jax_epochs():
    from skdl._training import jax_epochs

    jax_epochs.clear_shared()
    return jax_epochs


def test_models_of_one_architecture_share_one_compilation(jax_epochs, regression_data):
    X, y = regression_data
    params = dict(model=baseline_model, epochs=3, batch_size=8)
    KerasRegressor(**params, random_state=0).fit(X, y)
    functions = dict(jax_epochs._SHARED)
    shared = KerasRegressor(**params, random_state=1).fit(X, y)
    # The second model reused the first one's functions, none was added.
    assert dict(jax_epochs._SHARED) == functions

    jax_epochs.clear_shared()
    alone = KerasRegressor(**params, random_state=1).fit(X, y)
    assert shared.history_ == alone.history_
    for ours, theirs in zip(
        shared.model_.get_weights(), alone.model_.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(ours, theirs)


def test_float64_trains_in_float64_without_switching_x64_on(regression_data):
    import jax

    X, y = regression_data
    assert not jax.config.jax_enable_x64
    regressor = KerasRegressor(model=baseline_model, epochs=2, random_state=0)
    regressor.fit(X.astype(np.float64), y)
    assert {w.dtype for w in regressor.model_.get_weights()} == {np.dtype("float64")}
    assert regressor.predict(X).dtype == np.float64
    assert not jax.config.jax_enable_x64

    regressor.fit(X.astype(np.float32), y)
    assert {w.dtype for w in regressor.model_.get_weights()} == {np.dtype("float32")}


class _FrozenModel(keras.Model):
    """Takes Keras's stateless JAX train step but never applies the update."""

    def train_step(self, state, data):
        logs, new_state = super().train_step(state, data)
        trainable, _, _, _ = state
        return logs, (trainable, *new_state[1:])


def _frozen_regressor(meta):
    inputs = keras.Input((meta["n_features_in_"],))
    model = _FrozenModel(inputs, keras.layers.Dense(1)(inputs))
    model.compile(optimizer="sgd", loss="mse")
    return model


def test_a_custom_stateless_train_step_is_honoured(regression_data):
    X, y = regression_data
    regressor = KerasRegressor(model=_frozen_regressor, epochs=2, random_state=0)
    regressor.initialize(X, y)
    before = regressor.model_.get_weights()
    regressor.partial_fit(X, y)
    for ours, theirs in zip(regressor.model_.get_weights(), before, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    # It did run: the loss was computed and logged.
    assert np.isfinite(regressor.history_["loss"][0])


def test_many_fits_need_no_tensorflow(tmp_path):
    # Without TensorFlow installed (blocked here), fits go on past the point
    # where TensorFlow's kernel cache would be emptied.
    script = tmp_path / "fits.py"
    script.write_text(
        "import sys\n"
        "sys.modules['tensorflow'] = None\n"
        "import numpy as np, skdl\n"
        "X, y = np.arange(20.0).reshape(10, 2), np.arange(10.0)\n"
        "for seed in range(60):\n"
        "    skdl.KerasRegressor(hidden_layer_sizes=(3, 3), epochs=1,\n"
        "                        random_state=seed).fit(X, y)\n"
        "print('fits', seed + 1)\n"
    )
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "fits 60" in result.stdout
