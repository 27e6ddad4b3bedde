"""The same random_state gives the same network; fit leaves no global trace."""

import random
import subprocess
import sys
import threading

import keras
import numpy as np
import pytest
from keras.src.backend.common import global_state as keras_global_state
from sklearn.datasets import make_classification

from skdl import KerasClassifier, KerasRegressor
from skdl._training import seeding

FIT_AND_PRINT = """
import numpy as np
from sklearn.datasets import make_classification
from skdl import KerasClassifier
X, y = make_classification(n_samples=60, n_features=4, random_state=0)
clf = KerasClassifier(hidden_layer_sizes=(8,), dropout=0.2, epochs=5,
                      batch_size=8, random_state=42).fit(X, y)
print(repr(clf.predict_proba(X).tolist()))
# Raises if the fit switched TensorFlow's op determinism on (without a seed).
import tensorflow as tf
tf.random.uniform([1])
"""


def global_state():
    return (
        random.getstate(),
        keras.config.floatx(),
        keras.config.dtype_policy().name,
        keras_global_state.get_global_attribute(seeding.KERAS_SEED_GENERATOR),
        dict(keras_global_state.get_global_attribute(seeding.KERAS_NAME_UIDS) or {}),
    )


def test_same_random_state_same_predictions(binary_data):
    X, y = binary_data
    params = {"dropout": 0.2, "epochs": 5, "batch_size": 8, "random_state": 3}
    first = KerasClassifier(**params).fit(X, y).predict_proba(X)
    second = KerasClassifier(**params).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    other = KerasClassifier(**{**params, "random_state": 4}).fit(X, y)
    assert not np.array_equal(first, other.predict_proba(X))


def test_same_random_state_in_fresh_processes():
    outputs = [
        subprocess.run(
            [sys.executable, "-c", FIT_AND_PRINT],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for _ in range(2)
    ]
    assert outputs[0] == outputs[1] and outputs[0].startswith("[[")


def test_fit_leaves_global_state_unchanged(regression_data):
    X, y = regression_data
    numpy_before = np.random.get_state()[1].tolist()
    before = global_state()
    KerasRegressor(random_state=0, dropout=0.1, epochs=2).fit(X, y)
    assert np.random.get_state()[1].tolist() == numpy_before
    KerasRegressor(random_state=None, epochs=2).fit(X.astype(np.float32), y)
    assert global_state() == before


def test_unseeded_fits_draw_from_numpy_global_generator(binary_data):
    # As in scikit-learn: random_state=None uses NumPy's global generator.
    X, y = binary_data
    np.random.seed(7)
    first = KerasClassifier(epochs=2).fit(X, y).predict_proba(X)
    np.random.seed(7)
    second = KerasClassifier(epochs=2).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize(
    "seeds", [(0, None), (None, 0)], ids=["seeded-first", "unseeded-first"]
)
def test_seeded_and_unseeded_fits_in_any_order(seeds, binary_data):
    X, y = binary_data
    for seed in seeds:
        clf = KerasClassifier(dropout=0.1, epochs=2, random_state=seed).fit(X, y)
        assert clf.predict(X).shape == (len(X),)


def test_unseeded_fits_differ(binary_data):
    X, y = binary_data
    first = KerasClassifier(epochs=1).fit(X, y).predict_proba(X)
    second = KerasClassifier(epochs=1).fit(X, y).predict_proba(X)
    assert not np.array_equal(first, second)


def test_random_state_instance_is_accepted(binary_data):
    X, y = binary_data
    first = KerasClassifier(random_state=np.random.RandomState(5), epochs=2).fit(X, y)
    second = KerasClassifier(random_state=np.random.RandomState(5), epochs=2).fit(X, y)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


# ------------------------------------------------ Keras state without accessors
def test_keras_global_seed_generator_is_where_skdl_seeds_it():
    # No public accessor: seeding reads and restores it in Keras's global
    # state. This fails the day Keras keeps it elsewhere.
    keras.random.uniform(())  # creates the global generator if needed
    generator = keras_global_state.get_global_attribute(seeding.KERAS_SEED_GENERATOR)
    assert isinstance(generator, keras.random.SeedGenerator)
    draws = []
    for _ in range(2):
        with seeding.seeded(7):
            draws.append(float(keras.random.uniform(())))
            inside = keras_global_state.get_global_attribute(
                seeding.KERAS_SEED_GENERATOR
            )
            assert inside is not generator
    assert draws[0] == draws[1]
    assert (
        keras_global_state.get_global_attribute(seeding.KERAS_SEED_GENERATOR)
        is generator
    )


def test_layer_names_restart_where_skdl_restores_them():
    # Same: the counters behind "dense_3" live in Keras's global state.
    names = []
    for _ in range(2):
        with seeding.seeded(0):
            names.append(keras.layers.Dense(1).name)
            uids = keras_global_state.get_global_attribute(seeding.KERAS_NAME_UIDS)
            assert uids["dense"] >= 1
    assert names[0] == names[1]


def _users_builder(meta):
    # Unseeded: Keras draws the layers' seeds from Python's random.
    model = keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def test_the_ready_made_network_does_not_depend_on_other_threads_drawing():
    # Python's random is process-wide and Keras draws its default seeds from
    # it: skdl's network passes explicit seeds instead.
    X, y = make_classification(
        n_samples=40,
        n_features=4,
        n_informative=3,
        n_classes=3,
        n_redundant=0,
        n_clusters_per_class=1,
        random_state=0,
    )
    params = {"hidden_layer_sizes": (8, 4), "dropout": 0.2, "random_state": 0}
    expected = KerasClassifier(**params).initialize(X, y).model_.get_weights()
    stop = threading.Event()

    def draw():
        while not stop.is_set():
            random.random()

    thread = threading.Thread(target=draw, daemon=True)
    thread.start()
    try:
        for _ in range(3):
            weights = KerasClassifier(**params).initialize(X, y).model_.get_weights()
            for got, want in zip(weights, expected, strict=True):
                np.testing.assert_array_equal(got, want)
    finally:
        stop.set()
        thread.join()


def test_a_users_builder_is_built_again_when_another_thread_drew():
    X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    expected = KerasClassifier(model=_users_builder, random_state=0).initialize(X, y)
    go, drawn = threading.Event(), threading.Event()

    def draw_once():
        go.wait(60)
        random.random()
        drawn.set()

    thread = threading.Thread(target=draw_once, daemon=True)
    thread.start()
    calls = []

    def disturbed_once(meta):
        calls.append(1)
        if len(calls) == 1:
            # The other thread draws before Keras draws the layers' seeds.
            go.set()
            drawn.wait(60)
        return _users_builder(meta)

    clf = KerasClassifier(model=disturbed_once, random_state=0).initialize(X, y)
    thread.join()
    assert len(calls) == 2
    for got, want in zip(
        clf.model_.get_weights(), expected.model_.get_weights(), strict=True
    ):
        np.testing.assert_array_equal(got, want)


def test_builders_that_seed_random_themselves_are_built_once():
    X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    calls = []

    def builder(meta):
        calls.append(1)
        random.seed(1)
        return _users_builder(meta)

    stop = threading.Event()
    thread = threading.Thread(target=lambda: stop.wait(60), daemon=True)
    thread.start()
    try:
        KerasClassifier(model=builder, random_state=0).initialize(X, y)
    finally:
        stop.set()
        thread.join()
    assert calls == [1]


def test_a_build_other_threads_always_disturb_warns(monkeypatch):
    X, y = make_classification(n_samples=40, n_features=4, random_state=0)
    usual = KerasClassifier(model=_users_builder, random_state=0).initialize(X, y)
    monkeypatch.setattr(seeding._DrawRecorder, "replay_ends_in", lambda *a: False)
    stop = threading.Event()
    thread = threading.Thread(target=lambda: stop.wait(60), daemon=True)
    thread.start()
    try:
        with pytest.warns(RuntimeWarning, match="Other threads drew"):
            clf = KerasClassifier(model=_users_builder, random_state=0)
            clf.initialize(X, y)
    finally:
        stop.set()
        thread.join()
    # Each build started from the same layer names.
    assert clf.model_.layers[0].name == usual.model_.layers[0].name
