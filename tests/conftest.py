import contextlib

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


# What importing scikeras replaces on Keras's classes, for the whole process.
SCIKERAS_PATCHES = [
    ("Model", "__reduce__"),
    ("Model", "__deepcopy__"),
    ("losses.Loss", "__reduce__"),
    ("metrics.Metric", "__reduce__"),
    ("optimizers.Optimizer", "__reduce__"),
]
_MISSING = object()


@contextlib.contextmanager
def keras_as_it_was():
    """Put back Keras's methods that importing scikeras inside the block patched."""
    import keras

    def owner(path):
        cls = keras
        for part in path.split("."):
            cls = getattr(cls, part)
        return cls

    patches = [(owner(path), name) for path, name in SCIKERAS_PATCHES]
    before = [vars(cls).get(name, _MISSING) for cls, name in patches]
    try:
        yield
    finally:
        for (cls, name), value in zip(patches, before, strict=True):
            if value is _MISSING:
                if name in vars(cls):
                    delattr(cls, name)
            else:
                setattr(cls, name, value)
