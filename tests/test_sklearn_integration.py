"""skdl estimators inside scikit-learn's tools behave like any estimator."""

import copy
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import (
    BaggingClassifier,
    StackingClassifier,
    VotingClassifier,
)
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdl import KerasClassifier, KerasRegressor
from tests.builders import tutorial_baseline_model

FAST = {"epochs": 100, "hidden_layer_sizes": (16,), "learning_rate": 0.01}


def test_estimator_types():
    assert is_classifier(KerasClassifier())
    assert is_regressor(KerasRegressor())
    assert not is_regressor(KerasClassifier())
    assert KerasClassifier().__sklearn_tags__().estimator_type == "classifier"


def test_cross_val_score_stratifies(classification_data):
    # Sorted labels: unstratified 3-fold would hold out one whole class per
    # fold and score 0; stratified folds see every class.
    X, y = classification_data
    order = np.argsort(y, kind="stable")
    scores = cross_val_score(
        KerasClassifier(random_state=0, **FAST), X[order], y[order], cv=3
    )
    assert scores.min() > 0.6


def test_roc_auc_scoring(binary_data):
    X, y = binary_data
    scores = cross_val_score(
        KerasClassifier(random_state=0, **FAST), X, y, cv=3, scoring="roc_auc"
    )
    assert np.isfinite(scores).all() and scores.mean() > 0.8


@pytest.mark.parametrize(
    "make_ensemble",
    [
        lambda clf: VotingClassifier(
            [("keras", clf), ("logreg", LogisticRegression())], voting="soft"
        ),
        lambda clf: StackingClassifier(
            [("keras", clf)], final_estimator=LogisticRegression(), cv=3
        ),
        lambda clf: CalibratedClassifierCV(clf, cv=3),
        lambda clf: BaggingClassifier(clf, n_estimators=2, random_state=0),
    ],
    ids=["voting", "stacking", "calibrated", "bagging"],
)
def test_meta_estimators(make_ensemble, binary_data):
    X, y = binary_data
    ensemble = make_ensemble(KerasClassifier(random_state=0, **FAST)).fit(X, y)
    proba = ensemble.predict_proba(X)
    assert proba.shape == (len(X), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert ensemble.score(X, y) > 0.8


@pytest.mark.parametrize("labels", [["cat", "dog", "emu"], [10, 20, 30]])
def test_string_and_integer_labels(classification_data, labels):
    X, y = classification_data
    y_labels = np.asarray(labels)[y]
    clf = KerasClassifier(random_state=0, **FAST).fit(X, y_labels)
    assert list(clf.classes_) == labels
    assert set(clf.predict(X)) <= set(labels)
    assert clf.predict(X).dtype == y_labels.dtype
    assert clf.predict_proba(X).shape == (len(X), 3)
    assert clf.score(X, y_labels) > 0.7


@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
@pytest.mark.parametrize(
    "copy_estimator",
    [clone, copy.deepcopy, lambda est: pickle.loads(pickle.dumps(est))],
    ids=["clone", "deepcopy", "pickle"],
)
def test_copies(copy_estimator, fitted, regression_data):
    X, y = regression_data
    reg = KerasRegressor(model=tutorial_baseline_model, epochs=5, random_state=0)
    if fitted:
        reg.fit(X, y)
    copied = copy_estimator(reg)
    assert copied.get_params().keys() == reg.get_params().keys()
    if fitted and copy_estimator is not clone:
        np.testing.assert_array_equal(copied.predict(X), reg.predict(X))
    copied.fit(X, y)
    assert copied.predict(X).shape == (len(X),)


def test_pandas_feature_names(regression_data):
    X, y = regression_data
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    reg = KerasRegressor(epochs=3, random_state=0).fit(frame, y)
    assert list(reg.feature_names_in_) == list(frame.columns)
    assert reg.n_features_in_ == X.shape[1]
    with pytest.warns(UserWarning, match="fitted with feature names"):
        reg.predict(X)
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        reg.predict(frame[frame.columns[::-1]])


def test_wrong_number_of_features(regression_data):
    X, y = regression_data
    reg = KerasRegressor(epochs=2).fit(X, y)
    with pytest.raises(ValueError, match="X has 4 features, but KerasRegressor is"):
        reg.predict(X[:, :4])


@pytest.mark.parametrize("n_jobs", [1, -1])
def test_grid_search_over_network_parameters(n_jobs, regression_data):
    X, y = regression_data
    pipe = Pipeline(
        [("standardize", StandardScaler()), ("mlp", KerasRegressor(random_state=0))]
    )
    grid = {
        "mlp__optimizer": ["sgd", "adam"],
        "mlp__hidden_layer_sizes": [(8,), (16, 8)],
        "mlp__epochs": [5, 10],
    }
    search = GridSearchCV(pipe, grid, cv=KFold(2), n_jobs=n_jobs).fit(X, y)
    assert len(search.cv_results_["params"]) == 8
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_params_["mlp__optimizer"] in ("sgd", "adam")


def test_grid_search_reaches_a_builders_optimizer(regression_data):
    # The tutorial's builder takes `optimizer`: the grid value must reach it.
    X, y = regression_data
    seen = []

    def builder(optimizer="adam"):
        seen.append(optimizer)
        return tutorial_baseline_model(optimizer)

    search = GridSearchCV(
        KerasRegressor(model=builder, epochs=2),
        {"optimizer": ["SGD", "Adam"]},
        cv=2,
    ).fit(X, y)
    assert set(seen) == {"SGD", "Adam"}
    assert type(search.best_estimator_.model_.optimizer).__name__ in ("SGD", "Adam")
