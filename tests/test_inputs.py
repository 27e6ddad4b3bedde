"""X beyond one table: N-D arrays, token ids, sparse matrices, several inputs."""

import keras
import numpy as np
import pandas as pd
import pytest
import scipy.sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline

from skdl import KerasClassifier, KerasRegressor, MultiInput
from skdl._training.introspect import compiled_functions

RNG = np.random.default_rng(0)


def fused_epochs_ran(estimator) -> bool:
    """Whether training ran through the one-call-per-epoch compiled function."""
    return "train_epoch" in compiled_functions(estimator.model_)


# ------------------------------------------------------------------- N-D
IMAGE_LABELS = RNG.integers(0, 2, size=120)
# Class 1 has a brighter top half: a pattern a convolution finds.
IMAGES = RNG.normal(size=(120, 8, 8, 1))
IMAGES[IMAGE_LABELS == 1, :4] += 1.0


def small_cnn(meta, filters=4):
    assert meta["X_shape_"][1:] == (8, 8, 1)
    return keras.Sequential(
        [
            keras.Input(meta["X_shape_"][1:]),
            keras.layers.Conv2D(filters, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )


def test_a_cnn_learns_images_in_a_grid_search():
    search = GridSearchCV(
        KerasClassifier(
            small_cnn, filters=4, epochs=40, learning_rate=0.01, random_state=0
        ),
        {"filters": [2, 4]},
        cv=KFold(2, shuffle=True, random_state=0),
    ).fit(IMAGES, IMAGE_LABELS)
    assert search.best_score_ > 0.85
    assert search.predict(IMAGES[:5]).shape == (5,)
    assert fused_epochs_ran(search.best_estimator_)


def test_sequences_train_an_lstm_through_cross_validation():
    X = RNG.normal(size=(40, 6, 3)).astype(np.float32)
    y = X[:, :, 0].sum(axis=1)

    def lstm():
        return keras.Sequential([keras.layers.LSTM(4), keras.layers.Dense(1)])

    scores = cross_val_score(KerasRegressor(lstm, epochs=2, random_state=0), X, y, cv=2)
    assert scores.shape == (2,) and np.isfinite(scores).all()
    regressor = KerasRegressor(lstm, epochs=2, random_state=0).fit(X, y)
    assert regressor.X_dtype_ == np.float32 and regressor.X_shape_ == (40, 6, 3)
    assert regressor.predict(X).shape == (40,)
    assert fused_epochs_ran(regressor)


class DtypeProbe(keras.layers.Layer):
    """Records the dtype of what the model's first layer receives."""

    seen: list = []

    def call(self, inputs):
        DtypeProbe.seen.append(keras.backend.standardize_dtype(inputs.dtype))
        return inputs


def token_model(vocabulary=50):
    tokens = keras.Input((6,), dtype="int32", name="tokens")
    probed = DtypeProbe()(tokens)
    embedded = keras.layers.Embedding(vocabulary, 4)(probed)
    pooled = keras.layers.GlobalAveragePooling1D()(embedded)
    return keras.Model(tokens, keras.layers.Dense(1, activation="sigmoid")(pooled))


def test_token_ids_reach_an_embedding_as_integers():
    tokens = RNG.integers(0, 50, size=(60, 6))
    labels = (tokens[:, 0] >= 25).astype(int)
    DtypeProbe.seen.clear()
    classifier = KerasClassifier(token_model, epochs=3, random_state=0)
    classifier.fit(tokens, labels).predict(tokens)
    assert DtypeProbe.seen and set(DtypeProbe.seen) == {"int32"}
    # Whole-number floats are token ids too; fractions are refused.
    classifier.fit(tokens.astype(float), labels)
    with pytest.raises(TypeError, match="takes int32 values.*non-integer float64"):
        KerasClassifier(token_model, epochs=1).fit(tokens + 0.5, labels)


def test_the_ready_made_network_flattens_nd_samples():
    X = RNG.normal(size=(30, 4, 2))
    y = X.sum(axis=(1, 2))
    flat = KerasRegressor(epochs=3, random_state=0).fit(X.reshape(30, 8), y)
    nd = KerasRegressor(epochs=3, random_state=0).fit(X, y)
    np.testing.assert_allclose(nd.predict(X), flat.predict(X.reshape(30, 8)))
    assert nd.model_.input_shape == (None, 8) and nd.X_shape_ == (30, 4, 2)


def test_predict_refuses_another_sample_shape():
    classifier = KerasClassifier(small_cnn, epochs=1).fit(
        IMAGES[:20], IMAGE_LABELS[:20]
    )
    with pytest.raises(
        ValueError,
        match=r"samples of shape \(8, 8, 3\), but KerasClassifier was fitted on "
        r"samples of shape \(8, 8, 1\)",
    ):
        classifier.predict(np.zeros((2, 8, 8, 3)))


BAD_ND = {
    "NaN": (np.where(IMAGES == IMAGES.flat[0], np.nan, IMAGES), "contains NaN"),
    "inf": (np.where(IMAGES == IMAGES.flat[0], np.inf, IMAGES), "contains infinity"),
    "complex": (IMAGES.astype(complex), "Complex data not supported"),
    "text": (np.full((120, 2, 2), "a"), "needs numeric features"),
    "no samples": (IMAGES[:0], r"0 sample\(s\)"),
    "empty samples": (IMAGES[:, :0], r"0 feature\(s\)"),
}


@pytest.mark.parametrize("case", list(BAD_ND))
@pytest.mark.parametrize("model", [None, small_cnn], ids=["ready-made", "cnn"])
def test_bad_nd_input_is_refused_clearly(case, model):
    X, message = BAD_ND[case]
    estimator = KerasClassifier(model, epochs=1)
    with pytest.raises(ValueError, match=message):
        estimator.fit(X, IMAGE_LABELS[: len(X)])
    assert not hasattr(estimator, "model_")


# ------------------------------------------------------------ several inputs
NUMBERS = RNG.normal(size=(40, 3))
FLAGS = RNG.integers(0, 2, size=(40, 2))
Y_TWO = NUMBERS.sum(axis=1) + FLAGS[:, 0]


def two_inputs(units=4):
    numbers = keras.Input((3,), name="numbers")
    flags = keras.Input((2,), name="flags")
    joined = keras.layers.Concatenate()([numbers, flags])
    hidden = keras.layers.Dense(units, activation="relu")(joined)
    return keras.Model([numbers, flags], keras.layers.Dense(1)(hidden))


def two_named_inputs():
    numbers = keras.Input((3,), name="numbers")
    flags = keras.Input((2,), name="flags", dtype="int32")
    # The integer flags go through an Embedding, as token ids would.
    embedded = keras.layers.Flatten()(keras.layers.Embedding(2, 1)(flags))
    joined = keras.layers.Concatenate()([numbers, embedded])
    return keras.Model(
        {"numbers": numbers, "flags": flags}, keras.layers.Dense(1)(joined)
    )


@pytest.mark.parametrize("builder", [two_inputs, two_named_inputs])
def test_several_inputs_as_dict_list_or_multi_input(builder):
    as_dict = {"flags": FLAGS, "numbers": NUMBERS}
    regressor = KerasRegressor(builder, epochs=3, random_state=0).fit(as_dict, Y_TWO)
    expected = regressor.predict(as_dict)
    # A list follows the order of model.inputs (sorted names for a dict model).
    in_order = [as_dict[tensor.name] for tensor in regressor.model_.inputs]
    np.testing.assert_array_equal(regressor.predict(in_order), expected)
    np.testing.assert_array_equal(
        regressor.predict(MultiInput(numbers=NUMBERS, flags=FLAGS)), expected
    )
    assert regressor.X_shape_ == {"flags": (40, 2), "numbers": (40, 3)}
    assert fused_epochs_ran(regressor)
    same = KerasRegressor(builder, epochs=3, random_state=0).fit(in_order, Y_TWO)
    np.testing.assert_allclose(same.predict(as_dict), expected)


def test_multi_input_in_a_grid_search():
    X = MultiInput(numbers=NUMBERS, flags=FLAGS)
    search = GridSearchCV(
        KerasRegressor(
            two_inputs, units=4, epochs=60, learning_rate=0.01, random_state=0
        ),
        {"units": [2, 8]},
        cv=KFold(2, shuffle=True, random_state=0),
    ).fit(X, Y_TWO)
    assert search.best_score_ > 0.5
    assert search.predict(X[:5]).shape == (5,)


def test_multi_input_slices_rows_like_scikit_learn():
    X = MultiInput(
        numbers=NUMBERS, frame=pd.DataFrame(FLAGS), ids=scipy.sparse.csr_matrix(FLAGS)
    )
    assert len(X) == 40 and X.shape == (40, 3)
    rows = X[np.array([3, 1]), ...]
    np.testing.assert_array_equal(rows["numbers"], NUMBERS[[3, 1]])
    np.testing.assert_array_equal(rows["frame"].to_numpy(), FLAGS[[3, 1]])
    np.testing.assert_array_equal(rows["ids"].toarray(), FLAGS[[3, 1]])
    assert len(X[NUMBERS[:, 0] > 0]) == (NUMBERS[:, 0] > 0).sum()
    assert len(X[[]]) == 0 and len(X[2:5]) == 3
    with pytest.raises(ValueError, match="different numbers of samples"):
        MultiInput(numbers=NUMBERS, flags=FLAGS[:3])
    with pytest.raises(IndexError, match="indexed by rows only"):
        X[:, 0]
    with pytest.raises(IndexError, match=r"X\[\[3\]\]"):
        X[3]


def _fit(builder, X, y=Y_TWO):
    return lambda: KerasRegressor(builder, epochs=1).fit(X, y)


BAD_SEVERAL = {
    "dict keys": (
        _fit(two_inputs, {"numbers": NUMBERS, "flag": FLAGS}),
        ValueError,
        r"X has inputs \['flag', 'numbers'\], but the model of KerasRegressor has "
        r"inputs \['flags', 'numbers'\]",
    ),
    "input lengths": (
        _fit(two_inputs, {"numbers": NUMBERS, "flags": FLAGS[:30]}),
        ValueError,
        r"different numbers of samples: \{'numbers': 40, 'flags': 30\}",
    ),
    "too few list items": (
        _fit(two_inputs, [NUMBERS]),
        ValueError,
        r"list of 1 arrays, but the model of KerasRegressor has 2 input\(s\)",
    ),
    "one array for two inputs": (
        _fit(two_inputs, NUMBERS),
        ValueError,
        "has 2 inputs.*but X is a single array",
    ),
    "sample shape of one input": (
        _fit(two_inputs, [NUMBERS, FLAGS[:, :1]]),
        ValueError,
        r"X\[1\] has samples of shape \(1,\), but the model's input 'flags' takes "
        r"samples of shape \(2,\)",
    ),
    "NaN in one input": (
        _fit(two_inputs, {"numbers": np.full((40, 3), np.nan), "flags": FLAGS}),
        ValueError,
        r"Input X\['numbers'\] contains NaN",
    ),
    "y length": (
        _fit(two_inputs, {"numbers": NUMBERS, "flags": FLAGS}, Y_TWO[:5]),
        ValueError,
        "inconsistent numbers of samples",
    ),
    "ready-made network": (
        _fit(None, {"numbers": NUMBERS, "flags": FLAGS}),
        TypeError,
        "ready-made network takes one table",
    ),
    "non-str dict key": (
        _fit(two_inputs, {0: NUMBERS, 1: FLAGS}),
        TypeError,
        "its key 0 is a int, not a str",
    ),
    "ragged list": (
        _fit(None, [[1.0, 2.0], [3.0]], [1.0, 2.0]),
        ValueError,
        "ragged X.*pad_sequences",
    ),
}


@pytest.mark.parametrize("case", list(BAD_SEVERAL))
def test_bad_several_inputs_fail_before_training(case):
    fit, error_type, message = BAD_SEVERAL[case]
    with pytest.raises(error_type, match=message):
        fit()


def test_bad_input_leaves_the_estimator_unfitted():
    regressor = KerasRegressor(two_inputs, epochs=1)
    with pytest.raises(ValueError):
        regressor.fit({"numbers": NUMBERS, "flag": FLAGS}, Y_TWO)
    assert not [name for name in vars(regressor) if name.endswith("_")]


def test_predict_checks_several_inputs_against_fit():
    regressor = KerasRegressor(two_inputs, epochs=1).fit([NUMBERS, FLAGS], Y_TWO)
    with pytest.raises(ValueError, match="fitted on several inputs"):
        regressor.predict(NUMBERS)
    with pytest.raises(ValueError, match=r"X\[1\] has samples of shape \(3,\)"):
        regressor.predict([NUMBERS, NUMBERS])
    with pytest.raises(ValueError, match="X has inputs"):
        regressor.predict({"numbers": NUMBERS})


# ------------------------------------------------------------------ sparse
def sparse_data(n_samples=300, n_features=400, density=0.02, seed=0):
    rng = np.random.default_rng(seed)
    X = scipy.sparse.random(
        n_samples, n_features, density=density, format="csr", random_state=rng
    )
    weights = rng.normal(size=n_features)
    return X, (X @ weights > 0).astype(int)


@pytest.mark.parametrize(
    "to_format",
    [
        scipy.sparse.csr_matrix,
        scipy.sparse.csc_matrix,
        scipy.sparse.csr_array,
        scipy.sparse.coo_matrix,
    ],
)
def test_sparse_x_trains_and_predicts(to_format):
    X, y = sparse_data()
    classifier = KerasClassifier(epochs=30, random_state=0).fit(to_format(X), y)
    assert classifier.score(to_format(X), y) > 0.9
    assert fused_epochs_ran(classifier)
    # Dense X at predict time works too.
    np.testing.assert_allclose(
        classifier.predict_proba(X.toarray()), classifier.predict_proba(X), atol=1e-6
    )


def test_sparse_and_dense_x_train_a_user_model_alike():
    X, y = sparse_data(n_features=50, density=0.2)

    def linear():
        return keras.Sequential([keras.Input((50,)), keras.layers.Dense(1)])

    params = {"epochs": 5, "batch_size": 64, "random_state": 0, "shuffle": False}
    sparse = KerasRegressor(linear, **params).fit(X, y.astype(float))
    dense = KerasRegressor(linear, **params).fit(X.toarray(), y.astype(float))
    np.testing.assert_allclose(sparse.predict(X), dense.predict(X), atol=1e-10)


def test_sparse_x_is_never_densified_whole(monkeypatch):
    X, y = sparse_data(n_samples=1000, n_features=5000, density=0.002)
    densified_rows = []
    original = scipy.sparse.csr_matrix.toarray

    def counting_toarray(self, *args, **kwargs):
        densified_rows.append(self.shape[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(scipy.sparse.csr_matrix, "toarray", counting_toarray)
    monkeypatch.setattr(scipy.sparse.csr_matrix, "todense", None)
    classifier = KerasClassifier(epochs=2, random_state=0).fit(X, y)
    classifier.predict(X)
    assert densified_rows and max(densified_rows) < len(y)


def test_sparse_x_with_xla_trains_without_it():
    X, y = sparse_data()
    classifier = KerasClassifier(
        epochs=20, batch_size=32, compile__jit_compile=True, random_state=0
    ).fit(X, y)
    assert classifier.score(X, y) > 0.9


def test_tfidf_features_in_a_pipeline():
    texts = [f"good fine great {i}" for i in range(20)]
    texts += [f"bad awful poor {i}" for i in range(20)]
    labels = [1] * 20 + [0] * 20
    pipeline = make_pipeline(
        TfidfVectorizer(), KerasClassifier(epochs=50, random_state=0)
    )
    assert pipeline.fit(texts, labels).score(texts, labels) == 1.0


def test_estimators_say_they_take_sparse_input():
    for estimator in (KerasClassifier(), KerasRegressor()):
        assert estimator.__sklearn_tags__().input_tags.sparse


def test_the_sparse_memory_benchmark_measures_a_fit(monkeypatch):
    from benchmarks import sparse_memory

    monkeypatch.setattr(sparse_memory, "N_DOCUMENTS", 200)
    monkeypatch.setattr(sparse_memory, "N_TERMS", 1000)
    monkeypatch.setattr(sparse_memory, "TERMS_PER_DOCUMENT", 20)
    result = sparse_memory.measure(epochs=1)
    assert result["shape"] == [200, 1000] and result["stored_values"] == 4000
    assert result["peak_resident_bytes"] >= result["resident_before_fit_bytes"] > 0
    assert "of the dense matrix" in sparse_memory.report(result)


@pytest.mark.parametrize(
    "make",
    [
        lambda: (KerasRegressor(epochs=2), RNG.normal(size=(20, 4, 2))),
        lambda: (KerasRegressor(epochs=2), sparse_data(20, 30, 0.2)[0]),
        lambda: (
            KerasRegressor(two_named_inputs, epochs=2),
            MultiInput(numbers=NUMBERS[:20], flags=FLAGS[:20]),
        ),
    ],
    ids=["N-D, ready-made", "sparse", "several inputs"],
)
def test_saved_estimators_take_the_same_inputs(make, tmp_path):
    from skdl import load

    regressor, X = make()
    regressor.fit(X, np.arange(20.0))
    path = tmp_path / "regressor.skdl"
    regressor.save(path)
    np.testing.assert_array_equal(load(path).predict(X), regressor.predict(X))


def test_token_ids_outside_the_declared_dtype_are_refused_not_wrapped():
    import keras

    def embedding_model(meta):
        tokens = keras.Input((4,), dtype="int32")
        embedded = keras.layers.Embedding(10, 2)(tokens)
        return keras.Model(
            tokens, keras.layers.Dense(1)(keras.layers.Flatten()(embedded))
        )

    rng = np.random.default_rng(0)
    ids = rng.integers(0, 10, (20, 4))
    reg = KerasRegressor(embedding_model, epochs=1, random_state=0).fit(ids, ids.sum(1))
    with pytest.raises(ValueError, match="outside int32's range"):
        reg.predict(ids + 2**32)
