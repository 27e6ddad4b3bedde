"""The fast paths change speed, never results.

A fit that reuses another model's trace (through a template of the
architecture) trains exactly as a fit that traces its own, in one thread or
several; predictions equal Keras's own ``model.predict``; memory stays flat
over many fits; and all of it stands on public TensorFlow and Keras.
"""

import os
import subprocess
import sys
import threading
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

import skdl
from skdl import KerasClassifier, KerasRegressor
from skdl._keras_import import thread_limit
from skdl._training import compiled
from skdl._training.precision import float_precision
from tests.builders import tutorial_baseline_model


@pytest.fixture(autouse=True)
def no_shared_traces():
    compiled.clear_shared_traces()
    yield
    compiled.clear_shared_traces()


def traces(estimator) -> dict:
    """What serves each compiled function of a fitted estimator.

    The architecture's shared templates, or the model's own trace.
    """
    functions = getattr(estimator.model_, compiled._MODEL_ATTRIBUTE)
    return {name: function.trace for (name, *_), function in functions.items()}


def own_and_shared(cls, X, y, **params):
    """A fit that traces its own functions, and one reusing another model's."""
    own = cls(**params).fit(X, y)
    compiled.clear_shared_traces()
    # Another model of the architecture traces first, with other weights.
    template = cls(**{**params, "random_state": 12345}).fit(X, y)
    shared = cls(**params).fit(X, y)
    assert traces(shared)["train_epoch"] is traces(template)["train_epoch"]
    assert traces(shared)["train_epoch"] is not traces(own)["train_epoch"]
    return own, shared


def assert_same_fit(first, second, X):
    assert first.history_ == second.history_
    np.testing.assert_array_equal(first.predict(X), second.predict(X))


@pytest.mark.parametrize(
    "params",
    [
        {"hidden_layer_sizes": (8, 4), "dropout": 0.2},
        {"hidden_layer_sizes": (6,), "optimizer": "sgd", "alpha": 0.0},
    ],
    ids=["dropout", "sgd"],
)
def test_shared_trace_trains_exactly_like_its_own(params, binary_data):
    X, y = binary_data
    own, shared = own_and_shared(
        KerasClassifier, X, y, epochs=4, batch_size=8, random_state=0, **params
    )
    assert_same_fit(own, shared, X)
    np.testing.assert_array_equal(own.predict_proba(X), shared.predict_proba(X))


def test_shared_trace_with_validation_and_early_stopping(regression_data):
    X, y = regression_data
    own, shared = own_and_shared(
        KerasRegressor,
        X,
        y,
        early_stopping=True,
        n_iter_no_change=2,
        epochs=15,
        batch_size=16,
        random_state=0,
    )
    assert "val_loss" in shared.history_
    assert_same_fit(own, shared, X)


def test_tutorial_builder_shares_and_matches(regression_data):
    X, y = regression_data
    own, shared = own_and_shared(
        KerasRegressor, X, y, model=tutorial_baseline_model, epochs=3, random_state=0
    )
    assert_same_fit(own, shared, X)


def test_learning_rate_is_a_variable_not_part_of_the_trace(regression_data):
    X, y = regression_data
    params = {"epochs": 3, "batch_size": 10, "random_state": 0}
    own = KerasRegressor(learning_rate=0.01, **params).fit(X, y)
    compiled.clear_shared_traces()
    template = KerasRegressor(learning_rate=0.001, **params).fit(X, y)
    shared = KerasRegressor(learning_rate=0.01, **params).fit(X, y)
    assert traces(shared)["train_epoch"] is traces(template)["train_epoch"]
    assert_same_fit(own, shared, X)


def test_partial_fit_continues_on_a_shared_trace(classification_data):
    X, y = classification_data
    fits = []
    for with_template in (False, True):
        compiled.clear_shared_traces()
        if with_template:
            template = KerasClassifier(random_state=9).partial_fit(X, y)
        clf = KerasClassifier(random_state=0, batch_size=20)
        for _ in range(3):
            clf.partial_fit(X, y)
        fits.append(clf)
    assert traces(fits[1])["train_epoch"] is traces(template)["train_epoch"]
    assert fits[0].history_ == fits[1].history_
    assert len(fits[0].history_["loss"]) == 3


def test_predictions_are_keras_own_and_models_stay_apart(regression_data):
    X, y = regression_data
    first = KerasRegressor(epochs=3, random_state=0).fit(X, y)
    before = first.predict(X)
    second = KerasRegressor(epochs=3, random_state=1).fit(X, y)
    assert not np.allclose(second.predict(X), before)
    assert traces(second)["forward"] is traces(first)["forward"]
    np.testing.assert_array_equal(first.predict(X), before)
    batched = KerasRegressor(epochs=1, random_state=1, predict__batch_size=7)
    batched.fit(X, y)
    for estimator in (first, second, batched):
        np.testing.assert_allclose(
            estimator.predict(X), keras_predict(estimator, X), rtol=1e-12
        )
        np.testing.assert_allclose(
            estimator.predict(X[:1]), keras_predict(estimator, X[:1]), rtol=1e-12
        )


def keras_predict(estimator, X):
    """Keras's own ``model.predict``, in the model's float precision.

    A regressor's ready-made network predicts the standardized target; the
    estimator's target encoder maps that back to the target's units.
    """
    with float_precision(estimator.X_dtype_.name):
        outputs = estimator.model_.predict(X, verbose=0)
    if hasattr(estimator.target_encoder_, "values"):
        return estimator.target_encoder_.values(outputs).ravel()
    return outputs.ravel()


def test_float32_and_float64_do_not_share(regression_data):
    X, y = regression_data
    wide = KerasRegressor(epochs=1, random_state=0).fit(X, y)
    narrow = KerasRegressor(epochs=1, random_state=0).fit(X.astype(np.float32), y)
    assert traces(wide)["train_epoch"] is not traces(narrow)["train_epoch"]
    assert narrow.predict(X).dtype == np.float32


@pytest.mark.parametrize(
    "change",
    [
        {"activation": "tanh"},
        {"optimizer": "sgd"},
        {"alpha": 0.01},
        {"dropout": 0.3},
        {"hidden_layer_sizes": (9,)},
        {"loss": "mean_absolute_error"},
        {"metrics": ["mae"]},
        {"optimizer__beta_1": 0.5},
    ],
)
def test_what_the_trace_bakes_in_is_not_shared(change, regression_data):
    X, y = regression_data
    params = {"hidden_layer_sizes": (8,), "epochs": 1, "random_state": 0}
    first = KerasRegressor(**params).fit(X, y)
    second = KerasRegressor(**{**params, **change}).fit(X, y)
    assert traces(second)["train_epoch"] is not traces(first)["train_epoch"]


class CustomSequential(keras.Sequential):
    """A user's model class: its Python code could hold anything."""


def _custom_model():
    model = CustomSequential([keras.Input((5,)), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    return model


def _lambda_model():
    model = keras.Sequential(
        [keras.Input((5,)), keras.layers.Lambda(lambda x: 2 * x), keras.layers.Dense(1)]
    )
    model.compile(loss="mse", optimizer="adam")
    return model


@pytest.mark.parametrize("builder", [_custom_model, _lambda_model])
def test_user_classes_and_lambdas_get_traces_of_their_own(builder, regression_data):
    X, y = regression_data
    fits = [KerasRegressor(model=builder, epochs=2, random_state=0).fit(X, y)]
    fits.append(KerasRegressor(model=builder, epochs=2, random_state=0).fit(X, y))
    assert traces(fits[0])["train_epoch"] is not traces(fits[1])["train_epoch"]
    assert_same_fit(fits[0], fits[1], X)


def test_classifier_probabilities_are_keras_own(classification_data):
    X, y = classification_data
    compiled.clear_shared_traces()
    KerasClassifier(epochs=2, random_state=5).fit(X, y).predict(X)  # the template
    clf = KerasClassifier(epochs=2, random_state=0).fit(X, y)
    with float_precision("float64"):
        keras_own = clf.model_.predict(X, verbose=0)
    np.testing.assert_allclose(clf.predict_proba(X), keras_own, rtol=1e-12)


# ------------------------------------------------------ templates, threads
def unshared_fit(monkeypatch, cls, X, y, **params):
    """A fit whose model traces its own functions, as a user's class does."""
    with monkeypatch.context() as patch:
        patch.setattr(compiled, "model_key", lambda model: None)
        fitted = cls(**params).fit(X, y)
    assert isinstance(traces(fitted)["train_epoch"], compiled._Trace)
    return fitted


def test_shared_trace_trains_the_models_own_variables(monkeypatch, binary_data):
    X, y = binary_data
    params = {"hidden_layer_sizes": (8,), "dropout": 0.2, "epochs": 4}
    params.update(batch_size=8)
    first = KerasClassifier(random_state=5, **params).fit(X, y)
    weights = first.model_.get_weights()
    probabilities = first.predict_proba(X)
    initial = KerasClassifier(random_state=0, **params).initialize(X, y)
    second = KerasClassifier(random_state=0, **params).fit(X, y)
    assert traces(second)["train_epoch"] is traces(first)["train_epoch"]
    # The first model is left as it was; the second one trained.
    for before, after in zip(weights, first.model_.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(first.predict_proba(X), probabilities)
    kernel = second.model_.trainable_weights[0]
    assert not np.array_equal(kernel, initial.model_.trainable_weights[0])
    # Bit for bit what the model's own trace gives.
    unshared = unshared_fit(
        monkeypatch, KerasClassifier, X, y, random_state=0, **params
    )
    assert_same_fit(second, unshared, X)
    np.testing.assert_array_equal(second.predict_proba(X), unshared.predict_proba(X))


def test_shared_validation_and_xla_match_unshared(monkeypatch, regression_data):
    X, y = regression_data
    for extra in ({"early_stopping": True}, {"compile__jit_compile": True}):
        params = {"hidden_layer_sizes": (8,), "epochs": 6, "batch_size": 16}
        params.update(extra, random_state=0)
        KerasRegressor(**{**params, "random_state": 1}).fit(X, y)  # the template
        shared = KerasRegressor(**params).fit(X, y)
        unshared = unshared_fit(monkeypatch, KerasRegressor, X, y, **params)
        assert not isinstance(traces(shared)["train_epoch"], compiled._Trace)
        assert_same_fit(shared, unshared, X)


class WeightsSeen(keras.callbacks.Callback):
    """A callback that looks at the model between epochs."""

    def __init__(self):
        super().__init__()
        self.kernels = []

    def on_epoch_end(self, epoch, logs=None):
        self.kernels.append(self.model.trainable_weights[0].numpy().copy())


def test_callbacks_see_the_model_and_change_no_result(monkeypatch, regression_data):
    X, y = regression_data
    params = {"hidden_layer_sizes": (8,), "epochs": 4, "batch_size": 10}
    params.update(random_state=0)
    copies = []
    copy = compiled._Template.copy

    def counted(self, state, *, into_template):
        copies.append(into_template)
        copy(self, state, into_template=into_template)

    monkeypatch.setattr(compiled._Template, "copy", counted)
    # No callback looks at the model: its state stays in a template for the
    # whole fit, copied in and out once.
    alone = KerasRegressor(**params).fit(X, y)
    assert copies == [True, False]
    copies.clear()
    # A callback looks: every epoch brings the model up to date.
    seen = WeightsSeen()
    watched = KerasRegressor(callbacks=[seen], **params).fit(X, y)
    assert copies == []
    assert len(seen.kernels) == 4
    assert not np.array_equal(seen.kernels[0], seen.kernels[1])
    np.testing.assert_array_equal(
        seen.kernels[-1], watched.model_.trainable_weights[0].numpy()
    )
    assert traces(watched)["train_epoch"] is traces(alone)["train_epoch"]
    assert_same_fit(alone, watched, X)
    unshared = unshared_fit(monkeypatch, KerasRegressor, X, y, **params)
    assert_same_fit(alone, unshared, X)


@pytest.mark.parametrize("watched", [False, True], ids=["alone", "watched"])
def test_threads_training_one_architecture_match_sequential_fits(
    watched, regression_data
):
    X, y = regression_data
    params = {"hidden_layer_sizes": (8,), "dropout": 0.1, "epochs": 5}
    params.update(batch_size=10)
    if watched:
        # A callback that looks at the model: a template for each call.
        params["fit__callbacks"] = [WeightsSeen]
    sequential = [
        KerasRegressor(random_state=seed, **params).fit(X, y) for seed in (0, 1)
    ]
    compiled.clear_shared_traces()
    both_hold_a_template = threading.Barrier(2, timeout=60)
    borrow = compiled._Architecture.borrow
    waited = set()

    def borrow_and_wait(self, model, sample):
        # The first call of each thread keeps its template until the other
        # thread holds one too: two templates of one architecture at once.
        template = borrow(self, model, sample)
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            both_hold_a_template.wait()
        return template

    fits = {}

    def fit(seed):
        fits[seed] = KerasRegressor(random_state=seed, **params).fit(X, y)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compiled._Architecture, "borrow", borrow_and_wait)
        threads = [threading.Thread(target=fit, args=(seed,)) for seed in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    architecture = traces(fits[0])["train_epoch"]
    assert architecture is traces(fits[1])["train_epoch"]
    assert architecture._templates == 2
    for seed in (0, 1):
        assert_same_fit(fits[seed], sequential[seed], X)


def test_many_threads_wait_for_a_free_template(monkeypatch, regression_data):
    X, y = regression_data
    monkeypatch.setattr(compiled, "_MAX_TEMPLATES", 1)
    params = {"hidden_layer_sizes": (8,), "epochs": 3, "batch_size": 10}
    expected = KerasRegressor(random_state=0, **params).fit(X, y).predict(X)
    results = []

    def fit():
        results.append(KerasRegressor(random_state=0, **params).fit(X, y).predict(X))

    threads = [threading.Thread(target=fit) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(results) == 3
    for predicted in results:
        np.testing.assert_array_equal(predicted, expected)


def test_an_unshareable_template_falls_back_to_own_traces(monkeypatch, regression_data):
    X, y = regression_data
    params = {"hidden_layer_sizes": (8,), "epochs": 2, "random_state": 0}
    usual = KerasRegressor(**params).fit(X, y)
    compiled.clear_shared_traces()

    def no_clone(model, **kwargs):
        raise ValueError("this model cannot be cloned")

    monkeypatch.setattr(keras.models, "clone_model", no_clone)
    fallback = KerasRegressor(**params).fit(X, y)
    assert_same_fit(usual, fallback, X)
    assert isinstance(traces(fallback)["train_epoch"], compiled._Trace)
    assert isinstance(traces(fallback)["forward"], compiled._Trace)


# ---------------------------------------------------------------- memory
def test_refits_reuse_variable_names(regression_data):
    # TensorFlow keeps a kernel per variable name, forever: fits must not
    # bring new names (dense_7/kernel...) into a long-lived process.
    X, y = regression_data

    def names(estimator):
        return [v.value.name for v in compiled.state_variables(estimator.model_)]

    first = KerasRegressor(hidden_layer_sizes=(8,), epochs=1, random_state=0)
    second = KerasRegressor(hidden_layer_sizes=(8,), epochs=1, random_state=1)
    assert names(first.fit(X, y)) == names(second.fit(X, y))


@pytest.mark.slow
def test_memory_stays_flat_over_many_fits(regression_data):
    import gc

    import psutil

    X, y = regression_data
    process = psutil.Process()

    def fits(count):
        for seed in range(count):
            params = {"hidden_layer_sizes": (8,), "dropout": 0.1, "epochs": 1}
            KerasRegressor(random_state=seed, **params).fit(X, y).predict(X)
        gc.collect()
        return process.memory_info().rss / 2**20

    before = fits(20)
    after = fits(200)
    # Unbounded, each fit left ~0.5 MiB of TensorFlow kernels behind.
    assert after - before < 20, f"memory grew {after - before:.1f} MiB over 200 fits"


def test_float64_runs_print_nothing():
    code = (
        "import numpy as np\n"
        "from skdl import KerasRegressor\n"
        "X = np.random.rand(30, 3)\n"
        "for seed in range(3):\n"
        "    reg = KerasRegressor(epochs=2, validation_split=0.2, random_state=seed)\n"
        "    reg.fit(X, X[:, 0]).predict(X)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "" and result.stderr == ""


# ------------------------------------------------- public TensorFlow only
_INTERNALS = (
    "_call_flat",
    "context()._seed",
    "._rng",
    "python_random",
    "clear_kernel_cache",
    "tensorflow.python",
    "_omit_frequent_tracing_warning",
)


def test_skdl_uses_no_tensorflow_internals():
    root = Path(skdl.__file__).parent
    found = [
        f"{path.relative_to(root)}: {internal}"
        for path in sorted(root.rglob("*.py"))
        for internal in _INTERNALS
        if internal in path.read_text()
    ]
    assert found == []


def test_concrete_functions_list_what_they_capture():
    # compiled.py checks a shared trace reads nothing but the template's
    # state through ConcreteFunction.captured_inputs: this fails the day an
    # upgrade renames it or stops listing captured variables there.
    variable = tf.Variable(1.0)
    constant = tf.constant(2.0)
    traced = tf.function(lambda x: x * variable + constant)
    concrete = traced.get_concrete_function(tf.TensorSpec([], tf.float32))
    captured = {id(tensor) for tensor in concrete.captured_inputs}
    assert id(variable.handle) in captured and len(captured) == 2
    other = tf.Variable(3.0)
    over_variables = tf.function(lambda v, x: x * v)
    concrete = over_variables.get_concrete_function(
        variable, tf.TensorSpec([], tf.float32)
    )
    assert list(concrete.captured_inputs) == []
    assert float(concrete(other, tf.constant(2.0))) == 6.0


def test_fit_leaves_tensorflow_global_seed_alone(regression_data):
    X, y = regression_data
    tf.random.set_seed(123)
    expected = [float(tf.random.uniform([])) for _ in range(2)]
    tf.random.set_seed(123)
    drawn = [float(tf.random.uniform([]))]
    KerasRegressor(epochs=1, random_state=0, dropout=0.1).fit(X, y)
    drawn.append(float(tf.random.uniform([])))
    assert drawn == expected


def _builder_using_keras_random():
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(1)])
    kernel = model.layers[-1].kernel
    # Unseeded: drawn from Keras's global seed generator, which skdl seeds.
    kernel.assign(keras.random.uniform(kernel.shape, dtype=kernel.dtype))
    model.compile(loss="mse", optimizer="adam")
    return model


def test_builders_drawing_from_keras_random_stay_reproducible(regression_data):
    X, y = regression_data
    params = {"model": _builder_using_keras_random}
    first = KerasRegressor(random_state=3, **params).initialize(X, y)
    second = KerasRegressor(random_state=3, **params).initialize(X, y)
    other = KerasRegressor(random_state=4, **params).initialize(X, y)
    np.testing.assert_array_equal(
        first.model_.get_weights()[0], second.model_.get_weights()[0]
    )
    assert not np.array_equal(
        first.model_.get_weights()[0], other.model_.get_weights()[0]
    )


# ---------------------------------------------------------------- threads
@pytest.mark.parametrize(
    "environ, expected",
    [
        ({}, None),
        ({"OMP_NUM_THREADS": "1"}, 1),
        ({"OMP_NUM_THREADS": "3"}, 3),
        ({"OMP_NUM_THREADS": "0"}, None),
        ({"OMP_NUM_THREADS": "two"}, None),
        ({"OMP_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "4"}, None),
    ],
)
def test_thread_limit_follows_omp_num_threads(environ, expected):
    assert thread_limit(environ) == expected


def test_joblib_workers_get_small_tensorflow_pools():
    # joblib sets OMP_NUM_THREADS to each worker's share of the cores.
    code = (
        "import tensorflow as tf\n"
        "import skdl\n"
        "print(tf.config.threading.get_intra_op_parallelism_threads(),"
        " tf.config.threading.get_inter_op_parallelism_threads())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    # TensorFlow was imported first: skdl leaves its pools alone.
    assert result.stdout.split() == ["0", "0"]
    # skdl loads TensorFlow when its estimators are first used (as unpickling
    # one does in a joblib worker), before the user's own import.
    code = code.replace(
        "import tensorflow as tf\nimport skdl",
        "from skdl import KerasRegressor\nimport tensorflow as tf",
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert result.stdout.split() == ["1", "1"]


# -------------------------------------------------------------------- XLA
@pytest.mark.parametrize(
    "n_samples, batch_size",
    [(100, 10), (100, 7), (5, 8)],
    ids=["full-batches", "last-batch-smaller", "one-small-batch"],
)
def test_jit_compile_trains_like_the_usual_loop(n_samples, batch_size, regression_data):
    X, y = regression_data
    X, y = X[:n_samples], y[:n_samples]
    params = {"hidden_layer_sizes": (8,), "epochs": 5, "batch_size": batch_size}
    usual = KerasRegressor(random_state=0, **params).fit(X, y)
    xla = KerasRegressor(random_state=0, compile__jit_compile=True, **params).fit(X, y)
    assert xla.model_.jit_compile and not usual.model_.jit_compile
    # XLA fuses operations: equal to rounding, not to the last bit.
    np.testing.assert_allclose(xla.history_["loss"], usual.history_["loss"], rtol=1e-9)
    np.testing.assert_allclose(xla.predict(X), usual.predict(X), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(xla.predict(X), keras_predict(xla, X), rtol=1e-12)


def test_jit_compile_is_reproducible_and_shares_its_compilation(binary_data):
    X, y = binary_data
    params = {
        "hidden_layer_sizes": (8,),
        "dropout": 0.2,
        "epochs": 4,
        "batch_size": 8,
        "compile__jit_compile": True,
    }
    own, shared = own_and_shared(KerasClassifier, X, y, random_state=0, **params)
    assert traces(shared)["train_full_batches_xla"] is not None
    assert_same_fit(own, shared, X)
    np.testing.assert_allclose(
        shared.predict_proba(X)[:, 1], keras_predict(shared, X), rtol=1e-12
    )


class _PythonIdentity(keras.layers.Layer):
    """Runs Python inside the step: XLA cannot compile it."""

    def call(self, inputs):
        outputs = tf.numpy_function(lambda a: a, [inputs], inputs.dtype)
        outputs.set_shape(inputs.shape)
        return outputs


def _uncompilable_model():
    model = keras.Sequential(
        [keras.Input((5,)), _PythonIdentity(), keras.layers.Dense(1)]
    )
    model.compile(loss="mse", optimizer="adam", jit_compile=True)
    return model


def test_jit_compile_falls_back_when_xla_cannot_compile(regression_data):
    X, y = regression_data
    with pytest.warns(RuntimeWarning, match="XLA could not compile"):
        reg = KerasRegressor(model=_uncompilable_model, epochs=3, random_state=0)
        reg.fit(X, y)
    assert len(reg.history_["loss"]) == 3
    assert np.isfinite(reg.predict(X)).all()


def test_a_model_predicted_often_gets_its_own_forward_trace(regression_data):
    X, y = regression_data
    params = {"hidden_layer_sizes": (8,), "epochs": 2}
    other = KerasRegressor(random_state=1, **params).fit(X, y)
    served = KerasRegressor(random_state=0, **params).fit(X, y)
    other.predict(X[:1])
    shared = served.predict(X)
    assert traces(served)["forward"] is traces(other)["forward"]
    for _ in range(compiled._OWN_FORWARD_AFTER):
        served.predict(X)
    own = traces(served)["forward"]
    assert isinstance(own, compiled._Trace)
    assert own is not traces(other)["forward"]
    # The same network, read directly: the same predictions.
    np.testing.assert_array_equal(served.predict(X), shared)
