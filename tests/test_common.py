"""scikit-learn's estimator checks, with no expected failure."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skdl import KerasClassifier, KerasRegressor
from tests.builders import baseline_classifier, baseline_model

ESTIMATORS = [
    KerasClassifier(),
    KerasRegressor(),
    KerasClassifier(model=baseline_classifier),
    KerasRegressor(model=baseline_model),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
