import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.preprocessing import StandardScaler


def pytest_sessionfinish(session, exitstatus):
    # A run that collects no test must fail CI, not pass it.
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def classification_data():
    X, y = make_classification(
        n_samples=120, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="session")
def binary_data():
    X, y = make_classification(n_samples=100, n_features=5, random_state=1)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="session")
def regression_data():
    X, y = make_regression(n_samples=100, n_features=5, noise=5, random_state=0)
    return StandardScaler().fit_transform(X), (y - y.mean()) / y.std()


@pytest.fixture
def rng():
    return np.random.default_rng(0)
