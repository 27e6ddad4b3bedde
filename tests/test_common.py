"""scikit-learn's estimator checks, with no expected failure."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skdl import KerasClassifier, KerasRegressor
from tests.builders import (
    baseline_classifier,
    baseline_model,
    scikeras_style_classifier,
    scikeras_style_regressor,
)

ESTIMATORS = [
    KerasClassifier(),
    KerasRegressor(),
    KerasClassifier(model=baseline_classifier),
    KerasRegressor(model=baseline_model),
    # scikeras-style builders reading ``meta`` and returning list outputs.
    KerasClassifier(model=scikeras_style_classifier),
    KerasRegressor(model=scikeras_style_regressor),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
