"""Models with a list or dict of outputs: one (scikeras's style) or several."""

import functools
import pickle

import keras
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score
from sklearn.multioutput import MultiOutputClassifier
from sklearn.utils.validation import check_is_fitted

import skdl
from skdl import KerasClassifier, KerasRegressor
from skdl._training.introspect import compiled_functions
from tests.builders import scikeras_style_classifier

N_FEATURES = 4


def _features(n_samples=120, seed=0):
    return np.random.default_rng(seed).normal(size=(n_samples, N_FEATURES))


def _network(units, activations, structure, names=("out",)):
    """A builder: one hidden layer, then heads of ``units`` as a list or dict."""
    # A partial of a module-level function: picklable, unlike a closure.
    return functools.partial(_build_network, units, activations, structure, names)


def _build_network(units, activations, structure, names):
    inputs = keras.Input((N_FEATURES,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    heads = [
        keras.layers.Dense(width, activation=activation, name=name)(hidden)
        for width, activation, name in zip(units, activations, names, strict=True)
    ]
    if structure == "dict":
        heads = dict(zip(names, heads, strict=True))
    elif structure == "bare":
        (heads,) = heads
    return keras.Model(inputs, heads)


def _round_trips(estimator, tmp_path):
    """The estimator after pickle, and after save and skdl.load."""
    path = tmp_path / "estimator.skdl"
    estimator.save(path)
    return [pickle.loads(pickle.dumps(estimator)), skdl.load(path)]


# ------------------------------------------------------------ list of one
@pytest.mark.parametrize("structure", ["list", "dict"])
def test_classifier_with_one_output_in_a_list_or_dict_is_the_bare_model(structure):
    X = _features()
    y = np.array(["cat", "dog", "eel"])[np.argmax(X[:, :3], axis=1)]
    params = dict(epochs=5, random_state=0)
    bare = KerasClassifier(_network([3], ["softmax"], "bare"), **params).fit(X, y)
    wrapped = KerasClassifier(_network([3], ["softmax"], structure), **params)
    wrapped.fit(X, y)
    assert wrapped.predict(X).shape == (120,)
    assert wrapped.predict_proba(X).shape == (120, 3)
    np.testing.assert_array_equal(wrapped.classes_, ["cat", "dog", "eel"])
    np.testing.assert_allclose(wrapped.predict_proba(X), bare.predict_proba(X))
    np.testing.assert_array_equal(wrapped.predict(X), bare.predict(X))
    assert wrapped.history_.keys() == bare.history_.keys()
    np.testing.assert_allclose(wrapped.history_["loss"], bare.history_["loss"])


def test_binary_classifier_with_a_sigmoid_in_a_list():
    X = _features()
    y = (X[:, 0] > 0).astype(int)
    clf = KerasClassifier(
        _network([1], ["sigmoid"], "list"),
        learning_rate=0.05,
        epochs=40,
        random_state=0,
    ).fit(X, y)
    assert clf.predict(X).shape == (120,)
    assert clf.predict_proba(X).shape == (120, 2)
    assert clf.score(X, y) > 0.85


@pytest.mark.parametrize("one_dimensional", [True, False])
def test_regressor_with_one_output_in_a_list(one_dimensional):
    X = _features()
    y = X @ np.array([1.0, -2.0, 0.5, 0.0])
    if not one_dimensional:
        y = np.column_stack([y, -y])
    units = 1 if one_dimensional else 2
    reg = KerasRegressor(
        _network([units], [None], "list"), learning_rate=0.01, epochs=60, random_state=0
    ).fit(X, y)
    assert reg.predict(X).shape == y.shape
    assert reg.score(X, y) > 0.9


def test_scikeras_style_builder_in_cross_validation():
    X = _features(150)
    y = np.argmax(X[:, :3], axis=1)
    clf = KerasClassifier(
        scikeras_style_classifier, batch_size=16, epochs=30, random_state=0
    )
    assert cross_val_score(clf, X, y, cv=3).mean() > 0.8


def test_list_of_one_survives_pickle_and_load(tmp_path):
    X = _features()
    y = (X[:, 0] > 0).astype(int)
    clf = KerasClassifier(scikeras_style_classifier, epochs=3, random_state=0)
    clf.fit(X, y)
    for copy in _round_trips(clf, tmp_path):
        np.testing.assert_array_equal(copy.predict_proba(X), clf.predict_proba(X))
        copy.partial_fit(X, y)  # and trains on


# -------------------------------------------------------- regression heads
def _three_targets(X):
    """Columns a network can learn, distinct enough to tell them apart."""
    return np.column_stack([X[:, 0], -2 * X[:, 1], X[:, 2] + X[:, 3]])


def _column_scores(y, predicted):
    residual = ((y - predicted) ** 2).sum(axis=0)
    return 1 - residual / ((y - y.mean(axis=0)) ** 2).sum(axis=0)


def test_regression_columns_are_split_across_list_outputs_in_order(tmp_path):
    X = _features(200)
    y = _three_targets(X)
    reg = KerasRegressor(
        _network([2, 1], [None, None], "list", names=("first", "second")),
        learning_rate=0.01,
        epochs=80,
        random_state=0,
    ).fit(X, y)
    predicted = reg.predict(X)
    assert predicted.shape == (200, 3)
    # Each column learned by its own output: every one is well predicted.
    assert (_column_scores(y, predicted) > 0.9).all()
    assert {"loss", "first_loss", "second_loss"} <= set(reg.history_)
    for copy in _round_trips(reg, tmp_path):
        np.testing.assert_array_equal(copy.predict(X), predicted)


def test_dict_outputs_take_columns_in_sorted_name_order():
    X = _features(200)
    y = _three_targets(X)
    # "b" is declared first, but Keras orders a dict by name: "a" takes
    # columns 0 and 1, "b" column 2.
    reg = KerasRegressor(
        _network([1, 2], [None, None], "dict", names=("b", "a")),
        learning_rate=0.01,
        epochs=80,
        random_state=0,
    ).fit(X, y)
    assert (_column_scores(y, reg.predict(X)) > 0.9).all()
    heads = reg.model_(X[:5].astype("float32"))
    head_outputs = {name: keras.ops.convert_to_numpy(t) for name, t in heads.items()}
    np.testing.assert_allclose(
        reg.predict(X[:5]),
        np.hstack([head_outputs["a"], head_outputs["b"]]),
        rtol=1e-5,
    )


def test_loss_and_metrics_per_output_reach_keras_compile():
    X = _features(80)
    y = _three_targets(X)
    reg = KerasRegressor(
        _network([2, 1], [None, None], "dict", names=("a", "b")),
        loss={"a": "mean_absolute_error", "b": "mean_squared_error"},
        metrics={"b": ["mean_absolute_error"]},
        epochs=3,
        random_state=0,
    ).fit(X, y)
    losses = {name: loss.__name__ for name, loss in reg.model_.loss.items()}
    assert losses == {"a": "mean_absolute_error", "b": "mean_squared_error"}
    assert {"a_loss", "b_loss", "b_mean_absolute_error"} <= set(reg.history_)
    assert not any(name.startswith("a_mean") for name in reg.history_)
    # The second output's loss is a mean squared error: its MAE metric is
    # computed separately and differs from it.
    assert reg.history_["b_loss"] != reg.history_["b_mean_absolute_error"]


def test_multi_output_training_stays_on_the_fused_epoch_path():
    X = _features(80)
    reg = KerasRegressor(
        _network([2, 1], [None, None], "list", names=("first", "second")),
        batch_size=16,
        epochs=2,
        random_state=0,
    ).fit(X, _three_targets(X))
    # The compiled functions a fit leaves behind.
    assert "train_epoch" in compiled_functions(reg.model_)
    keras_own = np.hstack(reg.model_.predict(X, verbose=0))
    np.testing.assert_allclose(reg.predict(X), keras_own, rtol=1e-5, atol=1e-6)


# ------------------------------------------------- multiclass-multioutput
def _two_label_columns(X):
    smoker = np.where(X[:, 0] > 0, "yes", "no")
    colour = np.array(["blue", "green", "red"])[np.argmax(X[:, 1:4], axis=1)]
    return np.column_stack([smoker, colour])


def test_multiclass_multioutput_like_multioutput_classifier(tmp_path):
    X = _features(300)
    y = _two_label_columns(X)
    clf = KerasClassifier(
        _network([1, 3], ["sigmoid", "softmax"], "list", names=("smoker", "colour")),
        batch_size=32,
        learning_rate=0.01,
        epochs=60,
        random_state=0,
    ).fit(X, y)
    reference = MultiOutputClassifier(KerasClassifier(epochs=1, random_state=0))
    reference.fit(X, y)
    assert clf.predict(X).shape == reference.predict(X).shape == (300, 2)
    assert [p.shape for p in clf.predict_proba(X)] == [(300, 2), (300, 3)]
    assert [p.shape for p in reference.predict_proba(X)] == [(300, 2), (300, 3)]
    for ours, theirs in zip(clf.classes_, reference.classes_, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    assert clf.n_classes_ == [2, 3]
    for probabilities in clf.predict_proba(X):
        np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    assert set(np.unique(clf.predict(X)[:, 1])) <= {"blue", "green", "red"}
    assert clf.score(X, y) > 0.8  # subset accuracy: both labels right
    assert {"smoker_loss", "colour_loss"} <= set(clf.history_)
    for copy in _round_trips(clf, tmp_path):
        np.testing.assert_array_equal(copy.predict(X), clf.predict(X))
        np.testing.assert_array_equal(copy.classes_[1], clf.classes_[1])


def test_builder_meta_describes_each_label_column():
    X = _features(60)
    y = _two_label_columns(X)
    seen = {}

    def builder(meta, compile_kwargs):
        seen.update(meta)
        return scikeras_style_classifier(meta, compile_kwargs)

    clf = KerasClassifier(builder, epochs=2, random_state=0).fit(X, y)
    assert seen["target_type_"] == "multiclass-multioutput"
    assert seen["n_outputs_"] == seen["n_outputs_expected_"] == 2
    assert seen["n_classes_"] == [2, 3]
    np.testing.assert_array_equal(seen["classes_"][1], ["blue", "green", "red"])
    assert [p.shape for p in clf.predict_proba(X)] == [(60, 2), (60, 3)]


def test_multioutput_partial_fit_takes_classes_per_column():
    X = _features(60)
    y = _two_label_columns(X)
    classes = [["no", "yes"], ["blue", "green", "red", "white"]]
    clf = KerasClassifier(
        _network([2, 4], ["softmax", "softmax"], "list", names=("a", "b")),
        random_state=0,
    )
    clf.partial_fit(X, y, classes=classes)
    np.testing.assert_array_equal(clf.classes_[1], classes[1])
    assert clf.predict_proba(X)[1].shape == (60, 4)


def test_multioutput_class_weight_is_balanced_or_one_dict_per_column():
    X = _features(60)
    y = _two_label_columns(X)
    builder = _network([1, 3], ["sigmoid", "softmax"], "list", names=("a", "b"))
    per_column = [{"no": 1.0, "yes": 2.0}, {"blue": 1.0, "green": 1.0, "red": 3.0}]
    for class_weight in ("balanced", per_column):
        clf = KerasClassifier(builder, class_weight=class_weight, epochs=2)
        assert clf.fit(X, y).predict(X).shape == (60, 2)
    with pytest.raises(ValueError, match="list of dicts"):
        KerasClassifier(builder, class_weight={"yes": 2.0}, epochs=2).fit(X, y)


# ------------------------------------------------------------ bad targets
BAD_TARGETS = [
    pytest.param(
        KerasRegressor(_network([2], [None], "list")),
        lambda X: X[:, 0],
        ["output has 2 unit(s)", "(continuous) needs 1"],
        id="list-of-one-units",
    ),
    # (estimator, y, words the message must hold)
    pytest.param(
        KerasRegressor(_network([2, 1], [None, None], "list", names=("a", "b"))),
        lambda X: X[:, :2],
        ["2 output(s) as a list", "3 unit(s) in all", "y has 2 column(s)"],
        id="regression-units",
    ),
    pytest.param(
        KerasClassifier(_network([1, 3], ["sigmoid", "softmax"], "dict", ("a", "b"))),
        lambda X: (X[:, 0] > 0).astype(int),
        ["2 output(s) as a dict", "binary", "a single output"],
        id="two-outputs-one-label",
    ),
    pytest.param(
        KerasClassifier(_network([3], ["softmax"], "list")),
        _two_label_columns,
        ["1 output(s) as a list", "one output per label column (2)"],
        id="one-output-two-labels",
    ),
    pytest.param(
        KerasClassifier(
            _network([1, 2], ["sigmoid", "softmax"], "list", names=("a", "b"))
        ),
        _two_label_columns,
        ["Output 1", "2 unit(s)", "needs 3"],
        id="too-few-classes-in-a-head",
    ),
    pytest.param(
        KerasClassifier(),
        _two_label_columns,
        ["2 label columns", "ready-made network", "MultiOutputClassifier"],
        id="ready-made-network",
    ),
]


@pytest.mark.parametrize(("estimator", "make_y", "words"), BAD_TARGETS)
def test_targets_not_matching_the_outputs_are_refused_before_training(
    estimator, make_y, words
):
    X = _features(30)
    fitted_epochs = []
    estimator.set_params(
        epochs=1,
        callbacks=[
            keras.callbacks.LambdaCallback(
                on_epoch_end=lambda epoch, logs: fitted_epochs.append(epoch)
            )
        ],
    )
    with pytest.raises(ValueError) as error:
        estimator.fit(X, make_y(X))
    for word in words:
        assert word in str(error.value)
    assert fitted_epochs == []
    with pytest.raises(NotFittedError):
        check_is_fitted(estimator)


@pytest.mark.parametrize("container", [dict, list])
def test_targets_as_one_array_per_output_are_refused_with_the_fix(container):
    X = _features(30)
    columns = {"a": X[:, 0], "b": X[:, 1]}
    y = columns if container is dict else list(columns.values())
    reg = KerasRegressor(_network([1, 1], [None, None], "dict", names=("a", "b")))
    with pytest.raises(TypeError, match=r"np\.column_stack"):
        reg.fit(X, y)
    # The supported way: the same targets as columns.
    stacked = np.column_stack([columns["a"], columns["b"]])
    assert reg.set_params(epochs=1).fit(X, stacked).predict(X).shape == (30, 2)


def test_targets_per_output_are_refused_with_dict_inputs_too():
    def two_heads(meta):
        inputs = keras.Input((3,), name="a")
        return keras.Model(
            {"a": inputs},
            [keras.layers.Dense(1)(inputs), keras.layers.Dense(1)(inputs)],
        )

    rng = np.random.default_rng(0)
    X = {"a": rng.normal(size=(20, 3))}
    per_output = [rng.normal(size=20), rng.normal(size=20)]
    reg = KerasRegressor(two_heads, epochs=1)
    with pytest.raises(TypeError, match="np.column_stack"):
        reg.fit(X, per_output)
    assert not hasattr(reg, "model_")
