"""scikeras's conventions: subclassing, encoders, and its fit options."""

import pickle

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skdl import KerasClassifier, KerasRegressor
from skdl._training.precision import backend_precision


class HiddenDimClassifier(KerasClassifier):
    """scikeras's documented subclassing pattern."""

    def __init__(self, hidden_dim=10, **kwargs):
        super().__init__(**kwargs)
        self.hidden_dim = hidden_dim

    def _keras_build_fn(self, hidden_dim, meta, compile_kwargs):
        inputs = keras.Input((meta["n_features_in_"],))
        hidden = keras.layers.Dense(hidden_dim, activation="relu")(inputs)
        outputs = keras.layers.Dense(meta["n_classes_"], activation="softmax")(hidden)
        model = keras.Model(inputs, outputs)
        model.compile(
            loss="sparse_categorical_crossentropy",
            optimizer=compile_kwargs["optimizer"],
        )
        return model


# ------------------------------------------------------------ subclassing
def test_subclass_parameter_reaches_keras_build_fn(classification_data):
    X, y = classification_data
    clf = HiddenDimClassifier(hidden_dim=7, epochs=2, random_state=0).fit(X, y)
    assert clf.model_.layers[1].units == 7
    assert clf.predict(X).shape == (len(X),)


def test_subclass_params_clone_and_set_params():
    clf = HiddenDimClassifier(hidden_dim=4, epochs=3)
    params = clf.get_params()
    assert params["hidden_dim"] == 4 and params["epochs"] == 3
    copy = clone(clf)
    assert type(copy) is HiddenDimClassifier
    assert copy.get_params() == params
    assert clf.set_params(hidden_dim=6).hidden_dim == 6


def test_subclass_grid_search_over_its_parameter(classification_data):
    X, y = classification_data
    search = GridSearchCV(
        HiddenDimClassifier(epochs=2, random_state=0),
        {"hidden_dim": [3, 5]},
        cv=2,
    ).fit(X, y)
    assert search.best_params_["hidden_dim"] in (3, 5)
    best = search.best_params_["hidden_dim"]
    assert search.best_estimator_.model_.layers[1].units == best


def test_subclass_with_model_is_refused(classification_data):
    X, y = classification_data
    clf = HiddenDimClassifier(model=lambda: None, epochs=1)
    with pytest.raises(ValueError, match="defines _keras_build_fn"):
        clf.fit(X, y)


def test_subclass_typo_still_reported(classification_data):
    X, y = classification_data
    with pytest.raises(ValueError, match="Unknown parameter 'hiden_dim'"):
        HiddenDimClassifier(hiden_dim=3, epochs=1).fit(X, y)


# --------------------------------------------------------------- encoders
class LogTargetRegressor(KerasRegressor):
    @property
    def target_encoder(self):
        return FunctionTransformer(np.log, np.exp)

    @property
    def feature_encoder(self):
        return StandardScaler()


def test_feature_and_target_encoders(regression_data):
    X, y = regression_data
    y = np.exp(y)
    reg = LogTargetRegressor(epochs=3, random_state=0).fit(X * 100 + 5, y)
    np.testing.assert_allclose(reg.feature_encoder_.mean_, (X * 100 + 5).mean(0))
    # skdl's own encoder sees log(y); predictions are mapped back with exp.
    transformer = reg.target_encoder_.transformer
    assert isinstance(transformer, FunctionTransformer)
    predictions = reg.predict(X * 100 + 5)
    assert predictions.shape == y.shape and (predictions > 0).all()
    with backend_precision(reg.X_dtype_.name):  # float64 on JAX too
        outputs = reg.model_(reg.feature_encoder_.transform(X[:3] * 100 + 5))
    outputs = keras.ops.convert_to_numpy(outputs)
    np.testing.assert_allclose(predictions[:3], np.exp(outputs.ravel()), rtol=1e-6)


def test_encoders_pickle_and_refuse_the_skdl_format(regression_data, tmp_path):
    X, y = regression_data
    reg = LogTargetRegressor(epochs=2, random_state=0).fit(X, np.exp(y))
    again = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))
    with pytest.raises(TypeError, match="custom feature_encoder.*pickle or joblib"):
        reg.save(tmp_path / "reg.skdl")


class YesNo:
    """A target transformer mapping "yes"/"no" to 1/0, with metadata."""

    def fit(self, y):
        return self

    def transform(self, y):
        return (np.asarray(y) == "yes").astype(int)

    def inverse_transform(self, codes):
        return np.where(np.asarray(codes) == 1, "yes", "no")

    def get_metadata(self):
        return {"answer_kinds_": 2}


class YesNoClassifier(KerasClassifier):
    @property
    def target_encoder(self):
        return YesNo()


def test_classifier_target_encoder_maps_labels_back(binary_data):
    X, y = binary_data
    labels = np.where(y == 1, "yes", "no")
    clf = YesNoClassifier(epochs=20, random_state=0).fit(X, labels)
    assert clf.classes_.tolist() == ["no", "yes"]
    assert clf.answer_kinds_ == 2
    assert set(clf.predict(X)) <= {"yes", "no"}
    assert clf.predict_proba(X).shape == (len(X), 2)
    assert clf.score(X, labels) > 0.7


def test_default_encoders_are_none(binary_data):
    X, y = binary_data
    clf = KerasClassifier(epochs=1, random_state=0).fit(X, y)
    assert clf.feature_encoder is None and clf.target_encoder is None
    assert not hasattr(clf, "feature_encoder_")


# ---------------------------------------------------------- fit options
def test_metrics_as_one_string(binary_data):
    X, y = binary_data
    clf = KerasClassifier(metrics="accuracy", epochs=2, random_state=0).fit(X, y)
    assert len(clf.history_["accuracy"]) == 2


def test_batch_size_minus_one_is_one_batch(binary_data):
    X, y = binary_data
    steps = []

    class CountBatches(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            steps.append(batch)

    clf = KerasClassifier(
        batch_size=-1, epochs=3, random_state=0, predict__batch_size=-1
    )
    clf.fit(X, y, callbacks=[CountBatches()])
    assert steps == [0, 0, 0]
    assert clf.predict(X).shape == (len(X),)
    with pytest.raises(InvalidParameterError, match="batch_size"):
        KerasClassifier(batch_size=-2).fit(X, y)


def test_current_epoch(binary_data):
    X, y = binary_data
    clf = KerasClassifier(epochs=3, random_state=0)
    assert clf.current_epoch == 0
    clf.fit(X, y)
    assert clf.current_epoch == 3
    clf.partial_fit(X, y)
    assert clf.current_epoch == 4


@pytest.mark.parametrize("as_parameter", [False, True])
def test_validation_data(regression_data, as_parameter):
    X, y = regression_data
    validation = (X[:20], y[:20])
    reg = KerasRegressor(epochs=3, random_state=0)
    if as_parameter:
        reg.set_params(fit__validation_data=validation).fit(X[20:], y[20:])
    else:
        reg.fit(X[20:], y[20:], validation_data=validation)
    assert len(reg.history_["val_loss"]) == 3
    # The ready-made network trains on the standardized target.
    targets = reg.target_encoder_.encode(y[:20], reg.X_dtype_)
    expected = reg.model_.evaluate(X[:20], targets, verbose=0)
    assert reg.history_["val_loss"][-1] == pytest.approx(expected, rel=1e-5)


def test_validation_data_drives_early_stopping(regression_data):
    X, y = regression_data
    reg = KerasRegressor(
        epochs=200, early_stopping=True, n_iter_no_change=2, random_state=0
    )
    reg.fit(X[20:], y[20:], validation_data=(X[:20], y[:20] * 0 + 100))
    # Nothing can fit y=100 from these features soon: validation stalls.
    assert reg.n_iter_ < 200
    assert len(reg.history_["val_loss"]) == reg.n_iter_


def test_validation_data_is_checked(regression_data):
    X, y = regression_data
    reg = KerasRegressor(epochs=1)
    with pytest.raises(TypeError, match="validation_data must be a tuple"):
        reg.fit(X, y, validation_data=X)
    with pytest.raises(ValueError, match="10 samples in X_val but 5"):
        reg.fit(X, y, validation_data=(X[:10], y[:5]))
    with pytest.raises(ValueError, match="features"):
        reg.fit(X, y, validation_data=(X[:10, :2], y[:10]))
    assert not hasattr(reg, "model_")


@pytest.mark.parametrize("as_parameter", [False, True])
def test_initial_epoch_numbers_epochs_for_callbacks(binary_data, as_parameter):
    X, y = binary_data
    seen = []
    record = keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: seen.append(epoch)
    )
    clf = KerasClassifier(epochs=2, random_state=0, callbacks=[record])
    if as_parameter:
        clf.set_params(fit__initial_epoch=5).fit(X, y)
    else:
        clf.fit(X, y, initial_epoch=5)
    # As in scikeras, ``epochs`` epochs are trained, numbered from 5.
    assert seen == [5, 6]
    assert clf.current_epoch == 2
    with pytest.raises(TypeError, match="drop `initial_epoch`"):
        clf.partial_fit(X, y, initial_epoch=1)
    with pytest.raises(ValueError, match="initial_epoch must be an integer"):
        KerasClassifier(epochs=1).fit(X, y, initial_epoch=-1)


def test_class_weight_balanced_equals_explicit_weights(binary_data):
    X, y = binary_data
    X, y = X[:70], y[:70]
    counts = np.bincount(y)
    explicit = {k: len(y) / (2 * counts[k]) for k in (0, 1)}
    balanced = KerasClassifier(class_weight="balanced", epochs=3, random_state=0)
    by_hand = KerasClassifier(class_weight=explicit, epochs=3, random_state=0)
    unweighted = KerasClassifier(epochs=3, random_state=0)
    proba = [est.fit(X, y).predict_proba(X) for est in (balanced, by_hand, unweighted)]
    np.testing.assert_allclose(proba[0], proba[1], rtol=1e-6)
    assert counts[0] != counts[1]
    assert not np.allclose(proba[0], proba[2])


class _Standardized(KerasRegressor):
    @property
    def feature_encoder(self):
        return StandardScaler()


class _OneHot(KerasRegressor):
    @property
    def feature_encoder(self):
        return OneHotEncoder()


def _linear(meta):
    inputs = keras.Input((meta["n_features_in_"],))
    return keras.Model(inputs, keras.layers.Dense(1)(inputs))


def test_feature_encoder_floats_are_not_truncated_for_integer_x():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 1000, (50, 3))
    y = StandardScaler().fit_transform(X) @ [1.0, 2.0, 3.0]
    params = {"epochs": 100, "learning_rate": 0.05, "random_state": 0}
    on_ints = _Standardized(_linear, **params).fit(X, y)
    on_floats = _Standardized(_linear, **params).fit(X.astype(float), y)
    encoded = on_ints._encode_features(X)
    assert encoded.dtype.kind == "f"
    np.testing.assert_allclose(encoded, StandardScaler().fit_transform(X))
    np.testing.assert_allclose(on_ints.predict(X), on_floats.predict(X), rtol=1e-6)


@pytest.mark.parametrize("model", [None, "builder"])
def test_a_sparse_feature_encoder_output_trains(model):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 3, (60, 3)).astype(float)
    y = (X[:, 0] == 1) * 2.0 + rng.normal(scale=0.1, size=60)

    def one_hot_builder(meta):
        inputs = keras.Input((9,))
        return keras.Model(inputs, keras.layers.Dense(1)(inputs))

    reg = _OneHot(
        one_hot_builder if model else None,
        epochs=200,
        learning_rate=0.05,
        random_state=0,
    )
    reg.fit(X, y)
    assert reg.predict(X).shape == (60,)
    assert reg.score(X, y) > 0.5
