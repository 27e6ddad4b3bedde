"""The ready-made network, user builders, routing, weights and training state."""

import keras
import numpy as np
import pytest
from sklearn.datasets import make_multilabel_classification

from skdl import KerasClassifier, KerasRegressor
from tests.builders import tutorial_baseline_model

FAST = {"epochs": 30, "learning_rate": 0.01, "random_state": 0}


def output_layer(estimator):
    """The last Dense layer (regressors end in a fixed target-scale layer)."""
    dense = [layer for layer in estimator.model_.layers if hasattr(layer, "units")]
    return dense[-1]


# ------------------------------------------------------------ ready-made network
def test_binary_network(binary_data):
    X, y = binary_data
    clf = KerasClassifier(hidden_layer_sizes=(8, 4), **FAST).fit(X, y)
    dense_units = [
        layer.units for layer in clf.model_.layers if hasattr(layer, "units")
    ]
    assert dense_units == [8, 4, 1]
    assert output_layer(clf).activation.__name__ == "sigmoid"
    assert clf.predict_proba(X).shape == (len(X), 2)
    assert clf.score(X, y) > 0.85


def test_multiclass_network(classification_data):
    X, y = classification_data
    clf = KerasClassifier(**FAST).fit(X, y)
    assert output_layer(clf).units == 3
    assert output_layer(clf).activation.__name__ == "softmax"
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1, rtol=1e-9)
    assert clf.score(X, y) > 0.8


def test_multilabel_network():
    X, Y = make_multilabel_classification(n_samples=80, n_classes=3, random_state=0)
    clf = KerasClassifier(**FAST).fit(X / X.max(), Y)
    assert clf.target_type_ == "multilabel-indicator"
    assert clf.predict(X / X.max()).shape == Y.shape
    assert set(np.unique(clf.predict(X / X.max()))) <= {0, 1}
    assert clf.predict_proba(X / X.max()).shape == Y.shape


def test_single_and_multi_output_regression(regression_data):
    X, y = regression_data
    single = KerasRegressor(**FAST).fit(X, y)
    assert single.predict(X).shape == (len(X),)
    assert single.score(X, y) > 0.8
    Y = np.column_stack([y, -y])
    multi = KerasRegressor(**FAST).fit(X, Y)
    assert output_layer(multi).units == 2
    assert multi.model_.layers[1].name == "tabular_encoding"
    assert multi.predict(X).shape == (len(X), 2)
    assert multi.score(X, Y) > 0.8


def test_float_precision_follows_input(regression_data):
    X, y = regression_data
    reg64 = KerasRegressor(epochs=2).fit(X, y)
    reg32 = KerasRegressor(epochs=2).fit(X.astype(np.float32), y)
    assert output_layer(reg64).kernel.dtype == "float64"
    assert reg64.predict(X).dtype == np.float64
    assert output_layer(reg32).kernel.dtype == "float32"
    assert keras.config.floatx() == "float32"


def test_dropout_and_alpha_reach_the_network(binary_data):
    X, y = binary_data
    clf = KerasClassifier(dropout=0.3, alpha=0.01, epochs=2).fit(X, y)
    dropouts = [
        layer for layer in clf.model_.layers if "Dropout" in type(layer).__name__
    ]
    assert [layer.rate for layer in dropouts] == [0.3]
    assert clf.model_.layers[2].kernel_regularizer.l2 == pytest.approx(0.01)


def test_early_stopping_stops_and_records_validation(regression_data):
    X, y = regression_data
    reg = KerasRegressor(
        early_stopping=True, n_iter_no_change=3, tol=10.0, epochs=100, random_state=0
    ).fit(X, y)
    assert "val_loss" in reg.history_
    assert reg.n_iter_ < 100


# ------------------------------------------------------------------ user builders
def sequential_uncompiled(meta):
    return keras.Sequential(
        [keras.Input((meta["n_features_in_"],)), keras.layers.Dense(meta["n_classes_"])]
        + [keras.layers.Softmax()]
    )


def functional_compiled(meta, compile_kwargs):
    inputs = keras.Input((meta["n_features_in_"],))
    outputs = keras.layers.Dense(meta["n_classes_"], activation="softmax")(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(**compile_kwargs)
    return model


class TinySubclassed(keras.Model):
    def __init__(self, n_classes, **kwargs):
        super().__init__(**kwargs)
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.out = keras.layers.Dense(n_classes, activation="softmax")

    def call(self, inputs):
        return self.out(self.hidden(inputs))


def subclassed(meta):
    return TinySubclassed(meta["n_classes_"])


@pytest.mark.parametrize(
    "builder", [sequential_uncompiled, functional_compiled, subclassed]
)
def test_user_builders(builder, classification_data):
    X, y = classification_data
    clf = KerasClassifier(model=builder, **{**FAST, "epochs": 200}).fit(X, y)
    assert clf.model_.compiled
    assert clf.score(X, y) > 0.6
    assert clf.predict_proba(X).shape == (len(X), 3)


def test_builder_receives_meta_and_own_arguments(classification_data):
    X, y = classification_data
    received = {}

    def builder(meta, hidden_units, compile_kwargs, activation="relu"):
        received.update(meta=meta, hidden_units=hidden_units, activation=activation)
        received["compile_kwargs"] = compile_kwargs
        return keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(hidden_units, activation=activation),
                keras.layers.Dense(meta["n_classes_"], activation="softmax"),
            ]
        )

    KerasClassifier(
        model=builder, hidden_units=7, model__activation="tanh", epochs=1
    ).fit(X, y)
    meta = received["meta"]
    assert meta["n_features_in_"] == X.shape[1]
    assert list(meta["classes_"]) == [0, 1, 2]
    assert meta["n_classes_"] == 3
    assert meta["target_type_"] == "multiclass"
    assert meta["n_outputs_expected_"] == 1
    assert received["hidden_units"] == 7
    assert received["activation"] == "tanh"
    assert isinstance(received["compile_kwargs"]["optimizer"], keras.optimizers.Adam)


def test_routed_optimizer_loss_and_predict_parameters(classification_data):
    X, y = classification_data
    clf = KerasClassifier(
        optimizer="sgd",
        optimizer__momentum=0.5,
        optimizer__learning_rate=0.05,
        loss="sparse_categorical_crossentropy",
        predict__batch_size=7,
        fit__batch_size=16,
        epochs=2,
    ).fit(X, y)
    optimizer = clf.model_.optimizer
    assert isinstance(optimizer, keras.optimizers.SGD)
    assert optimizer.momentum == 0.5
    assert float(optimizer.learning_rate) == pytest.approx(0.05)
    assert clf.predict(X).shape == (len(X),)


def test_learning_rate_applies_to_named_optimizer(binary_data):
    X, y = binary_data
    clf = KerasClassifier(optimizer="rmsprop", learning_rate=0.02, epochs=1).fit(X, y)
    assert float(clf.model_.optimizer.learning_rate) == pytest.approx(0.02)


def test_optimizer_instance_is_not_shared_between_fits(binary_data):
    X, y = binary_data
    optimizer = keras.optimizers.Adam(0.01)
    clf = KerasClassifier(optimizer=optimizer, epochs=1)
    first = clf.fit(X, y).model_.optimizer
    second = clf.fit(X, y).model_.optimizer
    assert first is not optimizer and second is not first
    assert clf.optimizer is optimizer


def test_prebuilt_model_is_copied_not_trained(regression_data):
    X, y = regression_data
    given = tutorial_baseline_model()
    given.build((None, X.shape[1]))
    before = [w.copy() for w in given.get_weights()]
    reg = KerasRegressor(model=given, epochs=3).fit(X, y)
    assert reg.model_ is not given
    for old, new in zip(before, given.get_weights(), strict=True):
        np.testing.assert_array_equal(old, new)


def test_callbacks_and_routed_callback_parameters(regression_data):
    X, y = regression_data
    reg = KerasRegressor(
        callbacks=[keras.callbacks.EarlyStopping],
        callbacks__monitor="loss",
        callbacks__patience=0,
        callbacks__min_delta=1e9,
        epochs=50,
    ).fit(X, y)
    assert len(reg.history_["loss"]) < 50


def test_callbacks_given_to_fit_are_called(regression_data):
    X, y = regression_data
    seen_epochs = []
    recorder = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: seen_epochs.append(epoch)
    )
    KerasRegressor(epochs=3).fit(X, y, callbacks=[recorder])
    assert seen_epochs == [0, 1, 2]


def test_metrics_in_history(regression_data):
    X, y = regression_data
    reg = KerasRegressor(metrics=["mae"], epochs=4, validation_split=0.25).fit(X, y)
    # Keras logs "mae" under its full name.
    expected = {"loss", "mean_absolute_error", "val_loss", "val_mean_absolute_error"}
    assert set(reg.history_) == expected
    assert all(len(values) == 4 for values in reg.history_.values())


# --------------------------------------------------------------- weights, state
def test_class_weight_does_not_modify_sample_weight(binary_data):
    X, y = binary_data
    sample_weight = np.ones(len(y))
    KerasClassifier(class_weight={0: 1.0, 1: 3.0}, epochs=1).fit(
        X, y, sample_weight=sample_weight
    )
    np.testing.assert_array_equal(sample_weight, np.ones(len(y)))


def test_class_weight_shifts_predictions(binary_data):
    X, y = binary_data
    plain = KerasClassifier(**FAST).fit(X, y)
    weighted = KerasClassifier(class_weight={0: 1.0, 1: 20.0}, **FAST).fit(X, y)
    assert (weighted.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()


def test_sample_weight_two_means_repeated_row(regression_data):
    X, y = regression_data
    weights = np.r_[np.full(10, 2.0), np.ones(len(y) - 10)]
    repeated = KerasRegressor(**FAST).fit(np.r_[X[:10], X], np.r_[y[:10], y])
    weighted = KerasRegressor(**FAST).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(weighted.predict(X), repeated.predict(X), rtol=1e-6)


def test_warm_start_continues_from_trained_weights(regression_data):
    X, y = regression_data
    reg = KerasRegressor(warm_start=True, **FAST).fit(X, y)
    model, loss_after_first = reg.model_, reg.history_["loss"][-1]
    reg.fit(X, y)
    assert reg.model_ is model
    assert reg.history_["loss"][0] < loss_after_first * 1.5
    assert len(reg.history_["loss"]) == FAST["epochs"]


def test_partial_fit_trains_one_epoch_at_a_time(classification_data):
    X, y = classification_data
    clf = KerasClassifier(random_state=0)
    clf.partial_fit(X[:10], y[:10], classes=[0, 1, 2])
    assert clf.n_classes_ == 3
    for _ in range(3):
        clf.partial_fit(X, y)
    assert len(clf.history_["loss"]) == 4
    with pytest.raises(TypeError, match="one epoch"):
        clf.partial_fit(X, y, epochs=3)


def test_initialize_builds_without_training(regression_data):
    X, y = regression_data
    reg = KerasRegressor(random_state=0).initialize(X, y)
    assert reg.predict(X).shape == (len(X),)
    assert reg.history_ == {}
    fitted = KerasRegressor(random_state=0, epochs=1).fit(X, y)
    assert not np.allclose(reg.predict(X), fitted.predict(X))


def test_two_softmax_units_for_two_classes_get_a_matching_loss(binary_data):
    X, y = binary_data

    def two_unit_network(meta):
        return keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(2, activation="softmax"),
            ]
        )

    classifier = KerasClassifier(model=two_unit_network, epochs=20, random_state=0)
    classifier.fit(X, y)
    assert classifier.model_.loss == "sparse_categorical_crossentropy"
    probabilities = classifier.predict_proba(X)
    assert probabilities.shape == (len(X), 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1)
    assert classifier.score(X, y) > 0.7
