"""Out of the box, the default network does not fall behind scikit-learn's MLP."""

import warnings

import pytest
from sklearn.datasets import (
    load_breast_cancer,
    load_diabetes,
    load_digits,
    load_iris,
    load_wine,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdl import KerasClassifier, KerasRegressor

# Fold-to-fold noise on these small sets is a few points of accuracy.
MARGIN = 0.03


def mean_cv_score(estimator, X, y, cv):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return cross_val_score(
            make_pipeline(StandardScaler(), estimator), X, y, cv=cv
        ).mean()


@pytest.mark.slow
@pytest.mark.parametrize(
    "load", [load_iris, load_wine, load_breast_cancer, load_digits]
)
def test_default_classifier_matches_mlp(load):
    X, y = load(return_X_y=True)
    keras_score = mean_cv_score(KerasClassifier(random_state=0), X, y, cv=3)
    mlp_score = mean_cv_score(MLPClassifier(random_state=0), X, y, cv=3)
    print(f"{load.__name__}: skdl {keras_score:.3f}, MLPClassifier {mlp_score:.3f}")
    assert keras_score >= mlp_score - MARGIN


@pytest.mark.slow
def test_default_regressor_matches_mlp():
    X, y = load_diabetes(return_X_y=True)
    cv = KFold(3, shuffle=True, random_state=0)
    keras_score = mean_cv_score(KerasRegressor(random_state=0), X, y, cv)
    mlp_score = mean_cv_score(MLPRegressor(random_state=0), X, y, cv)
    print(f"diabetes: skdl R2 {keras_score:.3f}, MLPRegressor R2 {mlp_score:.3f}")
    assert keras_score >= mlp_score - MARGIN
