"""The ready-made network on raw tables: scaling, categorical columns, raw targets."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes
from sklearn.model_selection import KFold, cross_val_score
from sklearn.preprocessing import StandardScaler

import skdl
from skdl import KerasClassifier, KerasRegressor
from skdl._training.introspect import compiled_functions
from skdl.exceptions import UnusedParameterWarning
from skdl.networks import TabularEncoding, robust_statistics
from tests.builders import tutorial_baseline_model

FAST = {"epochs": 40, "learning_rate": 0.01, "random_state": 0}


def mixed_frame(n=120, seed=0):
    """Numbers, a pandas category, a text and a boolean column, and a target
    that depends on the categorical columns as much as on the number."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "size": rng.normal(50, 20, n),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n)),
            "town": rng.choice(["Oslo", "Rome", "Lima", "Pune"], n).astype(object),
            "member": rng.random(n) > 0.5,
        }
    )
    signal = (
        (frame["size"] - 50) / 20
        + np.where(frame["colour"] == "red", 2.0, -1.0)
        + frame["town"].map({"Oslo": 1.0, "Rome": -1.0, "Lima": 0.5, "Pune": -0.5})
        + np.where(frame["member"], 0.5, -0.5)
    )
    return frame, signal.to_numpy()


def encoding_layer(estimator) -> TabularEncoding:
    return estimator.model_.get_layer("tabular_encoding")


# ------------------------------------------------------------ categorical columns
def test_categorical_columns_from_dtype_are_embedded():
    X, signal = mixed_frame()
    clf = KerasClassifier(**FAST).fit(X, signal > 0)
    assert clf.is_categorical_.tolist() == [False, True, True, True]
    assert [levels.tolist() for levels in clf.categories_] == [
        ["blue", "green", "red"],
        ["Lima", "Oslo", "Pune", "Rome"],
        [False, True],
    ]
    layer = encoding_layer(clf)
    # One embedding per categorical column, one row per level plus the
    # row for missing and unknown values.
    assert [tuple(table.shape) for table in layer.embeddings] == [
        (4, 4),
        (5, 5),
        (3, 3),
    ]
    assert clf.feature_names_in_.tolist() == ["size", "colour", "town", "member"]
    assert clf.score(X, signal > 0) > 0.9


def test_the_network_learns_from_categories_alone():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"grade": rng.choice(["a", "b", "c", "d"], 200)})
    y = X["grade"].map({"a": 10.0, "b": 20.0, "c": 40.0, "d": 80.0}).to_numpy()
    reg = KerasRegressor(**FAST).fit(X, y)
    levels = pd.DataFrame({"grade": ["a", "b", "c", "d"]})
    np.testing.assert_allclose(reg.predict(levels), [10, 20, 40, 80], atol=3)


def test_unknown_and_missing_categories_are_handled():
    X, signal = mixed_frame()
    reg = KerasRegressor(**FAST).fit(X, signal)
    row = X.iloc[:1].copy()
    unknown = row.copy()
    unknown["town"] = "Paris"
    missing = row.copy()
    missing["town"] = None
    # No town was missing in training: an unknown or missing town adds the
    # zero embedding, and both give one prediction.
    assert np.isfinite(reg.predict(unknown)).all()
    np.testing.assert_array_equal(reg.predict(unknown), reg.predict(missing))
    assert reg.predict(unknown)[0] != reg.predict(row)[0]
    colour = row.copy()
    colour["colour"] = pd.Categorical(["purple"])
    assert np.isfinite(reg.predict(colour)).all()


def test_missing_categories_in_training_get_their_own_embedding():
    X, signal = mixed_frame()
    X["town"] = X["town"].where(X.index % 5 != 0, None)
    signal = np.where(X["town"].isna(), 5.0, signal)
    reg = KerasRegressor(**FAST).fit(X, signal)
    assert reg.categories_[1].tolist() == ["Lima", "Oslo", "Pune", "Rome"]
    missing = X[X["town"].isna()]
    assert np.mean(np.abs(reg.predict(missing) - 5.0)) < 1.0


def test_missing_numbers_still_get_a_clear_error():
    X, signal = mixed_frame()
    X.loc[3, "size"] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        KerasRegressor(**FAST).fit(X, signal)


@pytest.mark.parametrize(
    "categorical_features",
    [["colour", "town", "member"], [False, True, True, True], [1, 2, 3]],
    ids=["names", "mask", "indices"],
)
def test_categorical_features_by_name_mask_or_index(categorical_features):
    X, signal = mixed_frame()
    by_dtype = KerasRegressor(**FAST).fit(X, signal)
    chosen = KerasRegressor(categorical_features=categorical_features, **FAST)
    chosen.fit(X, signal)
    assert chosen.is_categorical_.tolist() == [False, True, True, True]
    np.testing.assert_array_equal(chosen.predict(X), by_dtype.predict(X))


def test_integer_columns_of_an_array_can_be_categorical(rng):
    codes = rng.integers(0, 3, 150)
    X = np.column_stack([rng.normal(size=150), codes * 100.0])
    y = np.array([5.0, -5.0, 1.0])[codes]
    reg = KerasRegressor(categorical_features=[1], **FAST).fit(X, y)
    assert reg.categories_[0].tolist() == [0.0, 100.0, 200.0]
    assert reg.score(X, y) > 0.95


def test_categorical_features_none_treats_every_column_as_numeric():
    X, signal = mixed_frame()
    numeric = X.assign(member=X["member"].astype(float)).drop(
        columns=["colour", "town"]
    )
    reg = KerasRegressor(categorical_features=None, **FAST).fit(numeric, signal)
    assert reg.is_categorical_ is None and reg.categories_ is None


def test_predict_checks_feature_names_and_count():
    X, signal = mixed_frame()
    reg = KerasRegressor(**FAST).fit(X, signal)
    with pytest.raises(ValueError, match="order"):
        reg.predict(X[["colour", "size", "town", "member"]])
    with pytest.raises(ValueError, match="X has 3 features"):
        reg.predict(X.iloc[:, :3].to_numpy())


def test_a_users_model_does_not_take_categorical_features():
    X, y = np.random.default_rng(0).normal(size=(20, 2)), np.arange(20.0)
    reg = KerasRegressor(
        model=tutorial_baseline_model, categorical_features=[0], epochs=1
    )
    with pytest.warns(UnusedParameterWarning, match="categorical_features"):
        reg.fit(X, y)
    assert reg.is_categorical_ is None


def test_round_trips_are_exact(tmp_path):
    X, signal = mixed_frame()
    clf = KerasClassifier(**FAST).fit(X, signal > 0)
    unseen = X.iloc[:5].assign(town=["Paris", None, "Oslo", "Rome", "Lima"])
    expected = clf.predict_proba(unseen)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(clf)).predict_proba(unseen), expected
    )
    clf.save(tmp_path / "mixed.skdl")
    loaded = skdl.load(tmp_path / "mixed.skdl")
    np.testing.assert_array_equal(loaded.predict_proba(unseen), expected)
    assert [c.tolist() for c in loaded.categories_] == [
        c.tolist() for c in clf.categories_
    ]


# ------------------------------------------------------------------ scaling
def test_robust_statistics_resist_outliers_and_constant_columns():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(10, 2, 1000), np.full(1000, 7.0)])
    clean_center, clean_spread = robust_statistics(X)
    assert clean_center[0] == pytest.approx(X[:, 0].mean(), abs=0.02)
    assert clean_spread[0] == pytest.approx(X[:, 0].std(), rel=0.06)
    X[:5, 0] = 1e6
    X[5:10, 0] = -1e6
    center, spread = robust_statistics(X)
    # Plain statistics would be about 0 and 1e5; clipped, they barely move.
    assert X[:, 0].std() > 5e4
    assert center[0] == pytest.approx(clean_center[0], abs=0.05)
    assert spread[0] == pytest.approx(clean_spread[0], rel=0.1)
    assert (center[1], spread[1]) == (7.0, 1.0)


def test_rounding_noise_is_not_scaled_up():
    """A constant column after a StandardScaler is noise of about 1e-16."""
    rng = np.random.default_rng(0)
    X = np.column_stack([np.full(200, 3.7), rng.normal(size=200)])
    X = StandardScaler().fit_transform(X + rng.normal(size=(200, 2)) * 1e-15)
    center, spread = robust_statistics(X)
    assert spread[0] == 1.0
    assert spread[1] == pytest.approx(0.95, abs=0.05)


def test_rare_binary_column_keeps_its_standard_deviation():
    column = np.r_[np.ones(5), np.zeros(995)].reshape(-1, 1)
    center, spread = robust_statistics(column)
    assert center[0] == pytest.approx(column.mean())
    assert spread[0] == pytest.approx(column.std())


def test_weighted_statistics_equal_repeated_samples(rng):
    X = rng.normal(size=(31, 3))
    weights = rng.integers(0, 4, 31)
    repeated = np.repeat(X, weights, axis=0)
    for weighted, plain in zip(
        robust_statistics(X, weights), robust_statistics(repeated), strict=True
    ):
        np.testing.assert_allclose(weighted, plain, rtol=1e-12)


def test_the_network_scales_its_own_inputs():
    """Any per-column affine change of units gives the same network input, so a
    StandardScaler in front changes nothing (to rounding)."""
    X, y = load_diabetes(return_X_y=True)
    raw_units = X * np.arange(1, 11) * 1000 + 50
    raw = KerasRegressor(**FAST).fit(raw_units, y)
    scaled = KerasRegressor(**FAST).fit(StandardScaler().fit_transform(X), y)
    layer = encoding_layer(raw)
    low, high = np.quantile(raw_units, [0.01, 0.99], axis=0, method="inverted_cdf")
    clipped = np.clip(raw_units, low, high)
    np.testing.assert_allclose(layer.center.value, clipped.mean(axis=0))
    np.testing.assert_allclose(layer.spread.numpy(), clipped.std(axis=0))
    np.testing.assert_allclose(
        raw.predict(raw_units),
        scaled.predict(StandardScaler().fit_transform(X)),
        rtol=1e-6,
    )


# ------------------------------------------------------------------ targets
def test_regressor_trains_on_the_standardized_target(regression_data):
    X, y = regression_data
    small = KerasRegressor(**FAST).fit(X, y)
    large = KerasRegressor(**FAST).fit(X, 1000 * y + 300)
    # The network sees the same standardized target: same losses, and
    # predictions mapped back to each target's units.
    np.testing.assert_allclose(large.history_["loss"], small.history_["loss"])
    np.testing.assert_allclose(large.predict(X), 1000 * small.predict(X) + 300)
    np.testing.assert_allclose(large.loss_scale_, [1000 * y.std()])
    np.testing.assert_allclose(small.loss_scale_, [y.std()])


def test_users_models_see_the_target_as_given(regression_data):
    X, y = regression_data
    reg = KerasRegressor(model=tutorial_baseline_model, epochs=2).fit(X, 100 * y)
    assert reg.loss_scale_ is None
    raw_outputs = reg.model_.predict(X, verbose=0).ravel()
    # Equal to float32 rounding: the target was not standardized (100x).
    np.testing.assert_allclose(reg.predict(X), raw_outputs, rtol=1e-4, atol=1e-8)


def test_integer_targets_keep_a_linear_output(rng):
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(int)  # type_of_target calls this "binary"
    reg = KerasRegressor(**FAST).fit(X, y)
    assert reg.model_.layers[-1].activation.__name__ == "linear"


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
def test_default_settings_train_on_raw_units(optimizer):
    """scikit-learn's diabetes data as it comes (target 25 to 346)."""
    X, y = load_diabetes(return_X_y=True)
    folds = KFold(5, shuffle=True, random_state=0)
    scores = cross_val_score(
        KerasRegressor(optimizer=optimizer, random_state=0), X * 100, y, cv=folds
    )
    assert np.isfinite(scores).all()
    assert scores.mean() > 0.35


# ------------------------------------------------------------------ speed
def test_folds_share_one_compiled_training_step():
    X, signal = mixed_frame()
    first = KerasRegressor(epochs=2, random_state=0).fit(X.iloc[:80], signal[:80])
    second = KerasRegressor(epochs=2, random_state=0).fit(X.iloc[40:], signal[40:])
    assert (
        compiled_functions(first.model_)["train_epoch"]
        is compiled_functions(second.model_)["train_epoch"]
    )
    # Shared, yet each model runs on its own scaling statistics.
    assert float(encoding_layer(first).center.numpy()[0]) != pytest.approx(
        float(encoding_layer(second).center.numpy()[0])
    )


def test_seeds_of_different_random_states_share_one_training_step():
    X, signal = mixed_frame()
    params = {"epochs": 2, "dropout": 0.1}
    first = KerasRegressor(random_state=0, **params).fit(X, signal)
    second = KerasRegressor(random_state=1, **params).fit(X, signal)
    assert (
        compiled_functions(first.model_)["train_epoch"]
        is compiled_functions(second.model_)["train_epoch"]
    )
    assert not np.array_equal(first.predict(X), second.predict(X))


# ---------------------------------------------------------------- seeding
def test_a_seeded_network_is_the_unseeded_one_after_random_seed():
    import random

    from skdl.networks import build_dense_network, output_spec

    spec = output_spec("binary", 2)
    options = {"hidden_layer_sizes": (6, 4), "dropout": 0.2}
    seeded = build_dense_network(3, spec, seed=11, **options)
    state = random.getstate()
    try:
        random.seed(11)
        unseeded = build_dense_network(3, spec, **options)
    finally:
        random.setstate(state)
    for ours, keras_own in zip(seeded.weights, unseeded.weights, strict=True):
        np.testing.assert_array_equal(ours.numpy(), keras_own.numpy())


def test_embeddings_are_seeded_and_the_seed_is_saved():
    X = np.array([[0.0, 1.0], [10.0, 2.0], [20.0, 0.0]])
    tables = []
    for _ in range(2):
        layer = TabularEncoding.from_data(X, categorical_cardinalities={1: 3}, seed=4)
        layer(X)
        tables.append(layer.embeddings[0].numpy())
    np.testing.assert_array_equal(tables[0], tables[1])
    assert TabularEncoding.from_config(layer.get_config()).seed == 4
