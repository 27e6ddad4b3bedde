"""Bad input fails early and clearly; failed training leaves no half-built estimator."""

import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import keras
import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import FitFailedWarning, NotFittedError
from sklearn.model_selection import GridSearchCV, KFold

from skdl import KerasClassifier, KerasRegressor
from skdl.exceptions import TrainingDivergedError

RNG = np.random.default_rng(0)
X = RNG.normal(size=(20, 3))
Y = X.sum(axis=1)
Y_CLASSES = (Y > 0).astype(int)


def regressor(**params):
    return KerasRegressor(**{"epochs": 1, "hidden_layer_sizes": (4,), **params})


def classifier(**params):
    return KerasClassifier(**{"epochs": 1, "hidden_layer_sizes": (4,), **params})


def with_nan(array):
    array = np.array(array, dtype=float)
    array.flat[0] = np.nan
    return array


def with_inf(array):
    array = np.array(array, dtype=float)
    array.flat[0] = np.inf
    return array


@pytest.fixture(scope="module")
def fitted():
    return {
        "regressor": regressor().fit(X, Y),
        "classifier": classifier().fit(X, Y_CLASSES),
        "named": regressor().fit(pd.DataFrame(X, columns=["a", "b", "c"]), Y),
    }


def _one_output_model():
    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])


def _wrong_width_model():
    return keras.Sequential([keras.Input((3,)), keras.layers.Dense(3)])


# name -> (call, exception type, message pattern)
BAD_INPUT = {
    "NaN in X": (
        lambda f: regressor().fit(with_nan(X), Y),
        ValueError,
        "Input X contains NaN",
    ),
    "inf in X": (
        lambda f: regressor().fit(with_inf(X), Y),
        ValueError,
        "Input X contains infinity",
    ),
    "NaN in y": (
        lambda f: regressor().fit(X, with_nan(Y)),
        ValueError,
        "Input y contains NaN",
    ),
    "inf in y": (
        lambda f: regressor().fit(X, with_inf(Y)),
        ValueError,
        "Input y contains infinity",
    ),
    "NaN in sample_weight": (
        lambda f: regressor().fit(X, Y, sample_weight=with_nan(np.ones(20))),
        ValueError,
        "sample_weight contains NaN",
    ),
    "text features": (
        lambda f: regressor().fit(np.full((20, 3), "a", dtype=object), Y),
        ValueError,
        "needs numeric features.*OneHotEncoder",
    ),
    "text target for a regressor": (
        lambda f: regressor().fit(X, np.array(["a", "b"] * 10)),
        ValueError,
        "needs a numeric target.*KerasClassifier",
    ),
    "text column, categorical_features=None": (
        lambda f: regressor(categorical_features=None).fit(
            pd.DataFrame({"city": ["x"] * 20, "t": 1.0}), Y
        ),
        ValueError,
        "needs numeric features",
    ),
    "text column for a user's model": (
        lambda f: regressor(model=_one_output_model).fit(
            pd.DataFrame({"city": ["x"] * 20, "t": 1.0}), Y
        ),
        ValueError,
        "needs numeric features.*ready-made network",
    ),
    "categorical_features names an unknown column": (
        lambda f: regressor(categorical_features=["town"]).fit(
            pd.DataFrame({"city": ["x"] * 20, "t": 1.0}), Y
        ),
        ValueError,
        r"categorical_features names \['town'\].*columns are \['city', 't'\]",
    ),
    "categorical_features names columns of an array": (
        lambda f: regressor(categorical_features=["a"]).fit(X, Y),
        ValueError,
        "X has no column names",
    ),
    "categorical_features index out of range": (
        lambda f: regressor(categorical_features=[5]).fit(X, Y),
        ValueError,
        "X has 3 features",
    ),
    "categorical_features mask of the wrong length": (
        lambda f: regressor(categorical_features=[True, False]).fit(X, Y),
        ValueError,
        "boolean mask of 2 values, but X has 3 features",
    ),
    "1-D X": (
        lambda f: regressor().fit(X[:, 0], Y),
        ValueError,
        r"(?s)Expected 2D array.*reshape\(-1, 1\)",
    ),
    "4-D X with empty samples": (
        lambda f: regressor().fit(X.reshape(20, 3, 1, 1)[:, :0], Y),
        ValueError,
        r"0 feature\(s\).*empty samples",
    ),
    "no rows": (lambda f: regressor().fit(X[:0], Y[:0]), ValueError, r"0 sample\(s\)"),
    "no features": (
        lambda f: regressor().fit(X[:, :0], Y),
        ValueError,
        r"0 feature\(s\)",
    ),
    "X and y lengths": (
        lambda f: regressor().fit(X, Y[:10]),
        ValueError,
        "inconsistent numbers of samples: \\[20, 10\\]",
    ),
    "sample_weight length": (
        lambda f: regressor().fit(X, Y, sample_weight=np.ones(5)),
        ValueError,
        r"sample_weight.shape == \(5,\), expected \(20,\)",
    ),
    "complex X": (
        lambda f: regressor().fit(X.astype(complex), Y),
        ValueError,
        "Complex data not supported",
    ),
    "predict: feature count": (
        lambda f: f["regressor"].predict(X[:, :2]),
        ValueError,
        "X has 2 features, but KerasRegressor is expecting 3",
    ),
    "predict: feature names": (
        lambda f: f["named"].predict(pd.DataFrame(X, columns=["a", "b", "d"])),
        ValueError,
        "feature names should match",
    ),
    "predict: NaN": (
        lambda f: f["regressor"].predict(with_nan(X)),
        ValueError,
        "Input X contains NaN",
    ),
    "predict: 1-D": (
        lambda f: f["regressor"].predict(X[0]),
        ValueError,
        "Expected 2D array",
    ),
    "predict: text": (
        lambda f: f["regressor"].predict(np.full((2, 3), "a", dtype=object)),
        ValueError,
        "needs numeric features",
    ),
    "predict_proba: inf": (
        lambda f: f["classifier"].predict_proba(with_inf(X)),
        ValueError,
        "infinity",
    ),
    "score: lengths": (
        lambda f: f["regressor"].score(X, Y[:3]),
        ValueError,
        "inconsistent numbers of samples",
    ),
    "score: NaN": (
        lambda f: f["classifier"].score(with_nan(X), Y_CLASSES),
        ValueError,
        "Input X contains NaN",
    ),
    "partial_fit: NaN": (
        lambda f: regressor().partial_fit(with_nan(X), Y),
        ValueError,
        "Input X contains NaN",
    ),
    "partial_fit: feature count": (
        lambda f: f["regressor"].partial_fit(X[:, :2], Y),
        ValueError,
        "X has 2 features",
    ),
    "partial_fit: new class": (
        lambda f: f["classifier"].partial_fit(X, Y_CLASSES + 5),
        ValueError,
        "not seen when the estimator was first fitted",
    ),
    "predict before fit": (
        lambda f: regressor().predict(X),
        NotFittedError,
        "not fitted yet",
    ),
    "continuous target for a classifier": (
        lambda f: classifier().fit(X, Y),
        ValueError,
        "Unknown label type: continuous",
    ),
    "one class": (
        lambda f: classifier().fit(X, np.zeros(20)),
        ValueError,
        "only one class",
    ),
    "negative sample weights": (
        lambda f: regressor().fit(X, Y, sample_weight=-np.ones(20)),
        ValueError,
        "Negative values in data passed to `sample_weight`",
    ),
    "all-zero sample weights": (
        lambda f: regressor().fit(X, Y, sample_weight=np.zeros(20)),
        ValueError,
        "non-zero",
    ),
    "class_weight for unknown classes": (
        lambda f: classifier(class_weight={0: 1, 5: 2}).fit(X, Y_CLASSES),
        ValueError,
        r"class_weight names classes \[5\] that are not in y",
    ),
    "builder raises": (
        lambda f: KerasRegressor(epochs=1, model=lambda: 1 / 0).fit(X, Y),
        ZeroDivisionError,
        "division by zero",
    ),
    "builder returns a non-model": (
        lambda f: KerasRegressor(epochs=1, model=lambda: "a model").fit(X, Y),
        TypeError,
        "returned str, not a keras.Model",
    ),
    "builder output too wide": (
        lambda f: KerasRegressor(epochs=1, model=_wrong_width_model).fit(X, Y),
        ValueError,
        r"output has 3 unit\(s\), but the target \(continuous\) needs 1",
    ),
    "negative epochs": (
        lambda f: regressor(epochs=-1).fit(X, Y),
        ValueError,
        "'epochs' parameter of KerasRegressor must be an int in the range",
    ),
    "epochs as text": (
        lambda f: regressor(epochs="10").fit(X, Y),
        ValueError,
        "'epochs' parameter",
    ),
    "zero batch size": (
        lambda f: regressor(batch_size=0).fit(X, Y),
        ValueError,
        "'batch_size' parameter",
    ),
    "negative learning rate": (
        lambda f: regressor(learning_rate=-1.0).fit(X, Y),
        ValueError,
        "'learning_rate' parameter",
    ),
    "unknown activation": (
        lambda f: regressor(activation="relux").fit(X, Y),
        ValueError,
        "Unknown activation 'relux'",
    ),
    "unknown optimizer": (
        lambda f: regressor(optimizer="adamm").fit(X, Y),
        ValueError,
        "Could not interpret optimizer identifier: adamm",
    ),
    "misspelt parameter": (
        lambda f: regressor(nb_epoch=3).fit(X, Y),
        ValueError,
        "Did you mean 'epochs'",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_fails_clearly(case, fitted):
    call, error_type, message = BAD_INPUT[case]
    with pytest.raises(error_type, match=message):
        call(fitted)


def test_builder_errors_say_which_builder():
    def broken_builder():
        raise RuntimeError("no GPU here")

    with pytest.raises(RuntimeError) as raised:
        KerasRegressor(epochs=1, model=broken_builder).fit(X, Y)
    assert any("broken_builder" in note for note in raised.value.__notes__)


# Random data sets: mostly valid (tables, N-D arrays, sparse matrices, a dict
# for a two-input model), sometimes spoiled in one way. A valid one must fit
# and predict; a spoiled one must raise a clean ValueError/TypeError and leave
# the estimator unfitted, never an error from TensorFlow.
_SPOILS = ["nan", "inf", "short y", "no rows", "text", "complex", "1-D X"]


def _two_inputs(meta):
    shapes = meta["X_shape_"]
    numbers = keras.Input(shapes["numbers"][1:], name="numbers")
    flags = keras.Input((2,), name="flags")
    joined = keras.layers.Concatenate()([numbers, flags])
    # A classifier's multiclass target needs a unit per class, others one each.
    multiclass = meta["target_type_"] == "multiclass"
    units = meta["n_classes_"] if multiclass else meta["n_outputs_"]
    return keras.Model([numbers, flags], keras.layers.Dense(units)(joined))


@st.composite
def _data_sets(draw):
    kind = draw(st.sampled_from(["table", "N-D", "sparse", "dict"]))
    n_samples = draw(st.integers(2, 12))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.int64]))
    values = st.integers(-5, 5) if dtype is np.int64 else st.floats(-1e3, 1e3)
    sample_shape = {"table": (3,), "N-D": (2, 3, 1), "sparse": (4,), "dict": (3,)}
    X = draw(hnp.arrays(dtype, (n_samples, *sample_shape[kind]), elements=values))
    is_classifier = draw(st.booleans())
    if is_classifier:
        y = draw(hnp.arrays(np.int64, n_samples, elements=st.integers(0, 2)))
        y[:2] = [0, 1]  # at least two classes
    else:
        y = draw(hnp.arrays(np.float64, n_samples, elements=st.floats(-10, 10)))
    # Two chances in three of a valid data set.
    spoil = draw(st.sampled_from([None] * 2 * len(_SPOILS) + _SPOILS))
    if spoil in ("nan", "inf"):
        X = X.astype(np.float64)
        X.flat[draw(st.integers(0, X.size - 1))] = np.nan if spoil == "nan" else np.inf
    elif spoil == "short y":
        y = y[:-1]
    elif spoil == "no rows":
        X, y = X[:0], y[:0]
    elif spoil == "text":
        X = X.astype(str)
    elif spoil == "complex":
        X = X.astype(complex)
    elif spoil == "1-D X" and kind != "dict":
        X = X.reshape(-1)[:n_samples]
    model = None
    if kind == "sparse" and spoil not in ("text", "complex", "1-D X"):
        X = scipy.sparse.csr_matrix(X)
    elif kind == "dict":
        flags = np.ones((len(X), 2), dtype=np.int64)
        # "1-D X" spoils a dict by misnaming an input instead.
        flags_name = "flag" if spoil == "1-D X" else "flags"
        X, model = {"numbers": X, flags_name: flags}, _two_inputs
    return X, y, is_classifier, model, spoil


def _n_samples(X):
    return len(X["numbers"]) if isinstance(X, dict) else X.shape[0]


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data_set=_data_sets())
def test_random_data_fits_or_fails_cleanly(data_set):
    X, y, is_classifier, model, spoil = data_set
    event("spoiled" if spoil else "valid")
    make = classifier if is_classifier else regressor
    estimator = make(model=model, random_state=0, batch_size=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if spoil is not None:
            with pytest.raises((ValueError, TypeError)):
                estimator.fit(X, y)
            assert not hasattr(estimator, "model_")
            return
        estimator.fit(X, y)
        predictions = estimator.predict(X)
    assert len(predictions) == _n_samples(X)
    assert estimator.n_iter_ == 1


# --------------------------------------------------------- training faults
DIVERGING = {"optimizer": "sgd", "learning_rate": 1e3, "hidden_layer_sizes": (4,)}
X_LARGE = RNG.normal(size=(40, 3)) * 1e3
Y_LARGE = X_LARGE.sum(axis=1) * 1e3


def test_diverging_loss_stops_training_with_a_clear_error():
    estimator = KerasRegressor(epochs=50, random_state=0, **DIVERGING)
    with pytest.raises(
        TrainingDivergedError, match=r"loss became (nan|inf) in epoch \d+"
    ):
        estimator.fit(X_LARGE, Y_LARGE)
    assert not hasattr(estimator, "model_")


def test_grid_search_records_a_diverged_candidate_and_goes_on():
    search = GridSearchCV(
        KerasRegressor(
            epochs=20, hidden_layer_sizes=(4,), optimizer="sgd", random_state=0
        ),
        {"learning_rate": [1e3, 1e-3]},
        cv=KFold(2),
        error_score=np.nan,
    )
    with pytest.warns(FitFailedWarning, match="2 fits failed out of a total of 4"):
        search.fit(X_LARGE / 1e3, Y_LARGE / 1e6)
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores[0]) and np.isfinite(scores[1])


def test_raised_divergence_names_the_candidate():
    search = GridSearchCV(
        KerasRegressor(
            epochs=20, hidden_layer_sizes=(4,), optimizer="sgd", random_state=0
        ),
        {"learning_rate": [1e3]},
        cv=KFold(2),
        error_score="raise",
    )
    with pytest.raises(TrainingDivergedError, match=r"learning_rate=1000\.0"):
        search.fit(X_LARGE, Y_LARGE)


class _RaiseAtEpoch(keras.callbacks.Callback):
    def __init__(self, epoch, error):
        super().__init__()
        self.epoch, self.error = epoch, error

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise self.error


def test_interrupted_first_fit_leaves_the_estimator_unfitted():
    estimator = regressor(epochs=5, callbacks=[_RaiseAtEpoch(2, KeyboardInterrupt())])
    with pytest.raises(KeyboardInterrupt):
        estimator.fit(X, Y)
    assert not [name for name in vars(estimator) if name.endswith("_")]
    with pytest.raises(NotFittedError):
        estimator.predict(X)


@pytest.mark.parametrize("how", ["refit", "warm_start"])
def test_interrupted_fit_keeps_the_previous_fit(how):
    estimator = regressor(epochs=3, random_state=0).fit(X, Y)
    before = estimator.predict(X)
    history_before = {k: list(v) for k, v in estimator.history_.items()}
    model_before = estimator.model_
    estimator.set_params(
        callbacks=[_RaiseAtEpoch(1, KeyboardInterrupt())],
        warm_start=how == "warm_start",
    )
    with pytest.raises(KeyboardInterrupt):
        estimator.fit(X, Y)
    assert estimator.model_ is model_before
    assert estimator.history_ == history_before
    np.testing.assert_array_equal(estimator.predict(X), before)


def test_interrupted_partial_fit_restores_weights_and_optimizer():
    estimator = regressor(epochs=2, random_state=0).fit(X, Y)
    weights = [w.copy() for w in estimator.model_.get_weights()]
    iterations = int(estimator.model_.optimizer.iterations.numpy())
    estimator.set_params(callbacks=[_RaiseAtEpoch(2, KeyboardInterrupt())])
    with pytest.raises(KeyboardInterrupt):
        estimator.partial_fit(X, Y)
    for restored, saved in zip(estimator.model_.get_weights(), weights, strict=True):
        np.testing.assert_array_equal(restored, saved)
    assert int(estimator.model_.optimizer.iterations.numpy()) == iterations
    assert len(estimator.history_["loss"]) == 2


def test_failing_callback_error_propagates_with_context():
    estimator = regressor(
        epochs=5, callbacks=[_RaiseAtEpoch(1, RuntimeError("disk full"))]
    )
    with pytest.raises(RuntimeError, match="disk full") as raised:
        estimator.fit(X, Y)
    note = " ".join(raised.value.__notes__)
    assert "in epoch 2" in note and "KerasRegressor" in note
    assert not hasattr(estimator, "model_")


# ------------------------------------------------------------- concurrency
def test_predictions_from_many_threads_are_correct(fitted):
    estimator = fitted["classifier"]
    inputs = [RNG.normal(size=(n, 3)) for n in (1, 7, 20, 1, 33, 7, 2, 20)] * 4
    expected = [estimator.predict_proba(x) for x in inputs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(estimator.predict_proba, inputs))
    for got, want in zip(results, expected, strict=True):
        np.testing.assert_array_equal(got, want)


def test_fitting_in_two_threads_does_not_mix_state():
    X32 = X.astype(np.float32)
    jobs = {
        "float64 regressor": lambda: regressor(epochs=5, random_state=1).fit(X, Y),
        "float32 classifier": lambda: classifier(epochs=5, random_state=2).fit(
            X32, Y_CLASSES
        ),
    }
    sequential = {name: job().predict(X) for name, job in jobs.items()}
    barrier = threading.Barrier(2)

    def run(job):
        barrier.wait()
        return job()

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(run, job) for name, job in jobs.items()}
        threaded = {name: future.result() for name, future in futures.items()}
    assert threaded["float32 classifier"].model_.weights[0].dtype == "float32"
    assert threaded["float64 regressor"].model_.weights[0].dtype == "float64"
    for name, estimator in threaded.items():
        np.testing.assert_array_equal(estimator.predict(X), sequential[name])
