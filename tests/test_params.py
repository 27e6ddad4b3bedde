"""Parameters: validated at fit, unused ones reported with a suggestion."""

import keras
import numpy as np
import pytest
from sklearn.base import clone

from skdl import KerasClassifier, KerasRegressor
from skdl.exceptions import UnusedParameterWarning
from tests.builders import tutorial_baseline_model


def test_init_only_stores(regression_data):
    reg = KerasRegressor(epochs=-5, nb_epoch=100)
    assert reg.get_params()["nb_epoch"] == 100 and reg.epochs == -5


def test_tutorial_typo_nb_epoch_is_reported(regression_data):
    X, y = regression_data
    reg = KerasRegressor(model=tutorial_baseline_model, nb_epoch=100, batch_size=5)
    with pytest.raises(
        ValueError, match=r"Unknown parameter 'nb_epoch'.*Did you mean 'epochs'"
    ):
        reg.fit(X, y)


def test_typo_gets_closest_name(binary_data):
    X, y = binary_data
    with pytest.raises(ValueError, match="Did you mean 'hidden_layer_sizes'"):
        KerasClassifier(hiden_layer_sizes=(5,)).fit(X, y)


def test_unknown_routing_prefix_is_reported(binary_data):
    X, y = binary_data
    with pytest.raises(ValueError, match="Unknown parameter 'optimiser__momentum'"):
        KerasClassifier(optimiser__momentum=0.9).fit(X, y)


def test_builder_arguments_are_not_unknown(regression_data):
    X, y = regression_data

    def builder(meta, width=4):
        return tutorial_baseline_model()

    KerasRegressor(model=builder, width=8, epochs=1).fit(X, y)
    with pytest.raises(
        ValueError, match="Unknown parameter 'widht'.*Did you mean 'width'"
    ):
        KerasRegressor(model=builder, widht=8, epochs=1).fit(X, y)


def test_network_parameter_unused_by_builder_warns(regression_data):
    X, y = regression_data
    reg = KerasRegressor(
        model=tutorial_baseline_model, hidden_layer_sizes=(3,), epochs=1
    )
    with pytest.warns(UnusedParameterWarning, match="hidden_layer_sizes"):
        reg.fit(X, y)


def test_compile_parameter_ignored_by_compiling_builder_raises(regression_data):
    X, y = regression_data

    def compiles_itself():
        return tutorial_baseline_model("adam")

    with pytest.raises(ValueError, match="optimizer='sgd' is not used"):
        KerasRegressor(model=compiles_itself, optimizer="sgd", epochs=1).fit(X, y)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"epochs": 0}, "'epochs' parameter"),
        ({"batch_size": 0}, "'batch_size' parameter"),
        ({"dropout": 1.5}, "'dropout' parameter"),
        ({"learning_rate": -1.0}, "'learning_rate' parameter"),
        ({"verbose": 5}, "'verbose' parameter"),
        ({"optimizer": "adamax_typo"}, "adamax_typo"),
        ({"fit__nonsense": 1}, "Unknown training option"),
    ],
)
def test_invalid_values_raise_at_fit(params, message, binary_data):
    X, y = binary_data
    with pytest.raises(ValueError, match=message):
        KerasClassifier(epochs=1).set_params(**params).fit(X, y)


def test_set_params_rejects_unknown_names_and_accepts_routed():
    clf = KerasClassifier()
    with pytest.raises(ValueError, match="Invalid parameter"):
        clf.set_params(nb_epoch=3)
    clf.set_params(optimizer__momentum=0.9)
    assert clone(clf).get_params()["optimizer__momentum"] == 0.9


def test_a_search_may_set_a_builder_argument_not_given_to_the_constructor():
    from sklearn.model_selection import GridSearchCV

    def builder(meta, units=2):
        model = keras.Sequential(
            [keras.Input((meta["n_features_in_"],)), keras.layers.Dense(units)]
        )
        model.add(keras.layers.Dense(1))
        return model

    X = np.random.default_rng(0).normal(size=(30, 3))
    y = X.sum(axis=1)
    search = GridSearchCV(
        KerasRegressor(builder, epochs=2, random_state=0), {"units": [3, 5]}, cv=2
    ).fit(X, y)
    assert search.best_estimator_.model_.layers[0].units in (3, 5)
    assert search.best_estimator_.get_params()["units"] in (3, 5)
    # A name that neither the estimator nor its builder takes is still an error.
    with pytest.raises(ValueError, match="Invalid parameter 'unitz'"):
        KerasRegressor(builder).set_params(unitz=3)
