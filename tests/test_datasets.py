"""Tests for skdl.datasets: the shipped loaders and the exam-score generator.

Expected values (shapes, first rows, class counts, sums) were read off the
original files once; the tests themselves need only the installed package.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import Bunch

import skdl.datasets
from skdl.datasets import (
    load_bike_sharing,
    load_ice_cream,
    load_pima_diabetes,
    load_sonar,
    load_wine_quality,
    make_exam_scores,
)

WINE_FEATURES = [
    "fixed acidity",
    "volatile acidity",
    "citric acid",
    "residual sugar",
    "chlorides",
    "free sulfur dioxide",
    "total sulfur dioxide",
    "density",
    "pH",
    "sulphates",
    "alcohol",
]
PIMA_FEATURES = [
    "pregnancies",
    "glucose",
    "blood_pressure",
    "skin_thickness",
    "insulin",
    "bmi",
    "diabetes_pedigree",
    "age",
]
BIKE_DAY_FEATURES = [
    "season",
    "yr",
    "mnth",
    "holiday",
    "weekday",
    "workingday",
    "weathersit",
    "temp",
    "atemp",
    "hum",
    "windspeed",
]
BIKE_HOUR_FEATURES = BIKE_DAY_FEATURES[:3] + ["hr"] + BIKE_DAY_FEATURES[3:]


class LoaderCase(NamedTuple):
    load: Callable
    kwargs: dict
    shape: tuple[int, int]
    target_name: str
    target_kind: str  # numpy dtype kind of the target array
    descr_words: list[str]  # licence and citation the DESCR must name


LOADERS = {
    "sonar": LoaderCase(
        load_sonar, {}, (208, 60), "label", "O", ["CC BY 4.0", "Gorman"]
    ),
    "wine": LoaderCase(
        load_wine_quality, {}, (1599, 11), "quality", "i", ["CC BY 4.0", "Cortez"]
    ),
    "pima": LoaderCase(
        load_pima_diabetes, {}, (768, 8), "outcome", "i", ["Smith", "public research"]
    ),
    "bike_day": LoaderCase(
        load_bike_sharing,
        {"frequency": "day"},
        (730, 11),
        "cnt",
        "i",
        ["CC BY 4.0", "Fanaee-T"],
    ),
    "bike_hour": LoaderCase(
        load_bike_sharing,
        {"frequency": "hour"},
        (17379, 12),
        "cnt",
        "i",
        ["CC BY 4.0", "Fanaee-T"],
    ),
    "ice_cream": LoaderCase(
        load_ice_cream, {}, (10, 2), "revenue", "f", ["tutorial", "MIT"]
    ),
}


@pytest.fixture(params=list(LOADERS))
def case(request) -> LoaderCase:
    return LOADERS[request.param]


def test_public_api():
    assert sorted(skdl.datasets.__all__) == [
        "load_bike_sharing",
        "load_ice_cream",
        "load_pima_diabetes",
        "load_sonar",
        "load_wine_quality",
        "make_exam_scores",
    ]


def test_loader_returns_bunch_of_arrays(case):
    bunch = case.load(**case.kwargs)
    shape = case.shape

    assert isinstance(bunch, Bunch)
    assert isinstance(bunch.data, np.ndarray)
    assert bunch.data.shape == shape
    assert bunch.data.dtype == np.float64
    assert isinstance(bunch.target, np.ndarray)
    assert bunch.target.shape == (shape[0],)
    assert bunch.target.dtype.kind == case.target_kind
    assert len(bunch.feature_names) == shape[1]
    assert bunch.frame is None
    assert not np.isnan(bunch.data).any()
    # Users may edit the arrays in place, as with sklearn's loaders.
    assert bunch.data.flags.writeable and bunch.target.flags.writeable
    for word in case.descr_words:
        assert word in bunch.DESCR


def test_loader_return_X_y(case):
    bunch = case.load(**case.kwargs)
    X, y = case.load(**case.kwargs, return_X_y=True)

    assert_array_equal(X, bunch.data)
    assert_array_equal(y, bunch.target)


def test_loader_as_frame(case):
    bunch = case.load(**case.kwargs, as_frame=True)
    n_samples, n_features = case.shape

    assert isinstance(bunch.data, pd.DataFrame)
    assert list(bunch.data.columns) == bunch.feature_names
    assert (bunch.data.dtypes == np.float64).all()
    assert isinstance(bunch.target, pd.Series)
    assert bunch.target.name == case.target_name
    assert bunch.frame.shape == (n_samples, n_features + 1)
    pd.testing.assert_frame_equal(
        bunch.frame, pd.concat([bunch.data, bunch.target], axis=1)
    )
    assert_array_equal(bunch.data.to_numpy(), case.load(**case.kwargs).data)

    X, y = case.load(**case.kwargs, as_frame=True, return_X_y=True)
    pd.testing.assert_frame_equal(X, bunch.data)
    pd.testing.assert_series_equal(y, bunch.target)


@pytest.mark.parametrize("flag", ["return_X_y", "as_frame"])
def test_loader_rejects_non_boolean_flags(flag):
    with pytest.raises(ValueError, match=flag):
        load_sonar(**{flag: "yes"})


def test_load_sonar_values():
    bunch = load_sonar()

    assert bunch.feature_names == [f"band_{band}" for band in range(1, 61)]
    assert_array_equal(bunch.target_names, ["M", "R"])
    labels, counts = np.unique(bunch.target, return_counts=True)
    assert_array_equal(labels, ["M", "R"])
    assert_array_equal(counts, [111, 97])
    assert bunch.data.min() >= 0.0 and bunch.data.max() <= 1.0
    assert_allclose(bunch.data[0, :3], [0.02, 0.0371, 0.0428])
    assert bunch.target[0] == "R" and bunch.target[-1] == "M"
    assert_allclose(bunch.data[-1, -1], 0.0115)


def test_load_wine_quality_values():
    bunch = load_wine_quality()

    assert bunch.feature_names == WINE_FEATURES
    assert "target_names" not in bunch
    first_row = [7.4, 0.7, 0, 1.9, 0.076, 11, 34, 0.9978, 3.51, 0.56, 9.4]
    assert_allclose(bunch.data[0], first_row)
    assert bunch.target[0] == 5
    qualities, counts = np.unique(bunch.target, return_counts=True)
    assert_array_equal(qualities, [3, 4, 5, 6, 7, 8])
    assert_array_equal(counts, [10, 53, 681, 638, 199, 18])


def test_load_pima_diabetes_values():
    bunch = load_pima_diabetes()

    assert bunch.feature_names == PIMA_FEATURES
    assert_array_equal(bunch.target_names, ["tested_negative", "tested_positive"])
    assert_array_equal(np.bincount(bunch.target), [500, 268])
    assert_allclose(bunch.data[0], [6, 148, 72, 35, 0, 33.6, 0.627, 50])
    assert bunch.target[0] == 1
    # Zeros code missing values; the loader must keep them as they are.
    assert_array_equal((bunch.data == 0).sum(axis=0), [111, 5, 35, 227, 374, 11, 0, 0])
    assert "missing" in bunch.DESCR


@pytest.mark.parametrize(
    "frequency, feature_names, first_row, first_counts, total",
    [
        (
            "day",
            BIKE_DAY_FEATURES,
            [1, 0, 1, 0, 6, 0, 2, 0.344167, 0.363625, 0.805833, 0.160446],
            [985, 801, 1349],
            3_291_136,
        ),
        (
            "hour",
            BIKE_HOUR_FEATURES,
            [1, 0, 1, 0, 0, 6, 0, 1, 0.24, 0.2879, 0.81, 0],
            [16, 40, 32],
            3_292_679,
        ),
    ],
)
def test_load_bike_sharing_values(
    frequency, feature_names, first_row, first_counts, total
):
    bunch = load_bike_sharing(frequency=frequency)

    assert bunch.feature_names == feature_names
    assert_allclose(bunch.data[0], first_row)
    assert_array_equal(bunch.target[:3], first_counts)
    assert bunch.target.sum() == total


def test_load_bike_sharing_leaves_out_leaking_columns():
    frame = load_bike_sharing(frequency="hour", as_frame=True).frame
    for column in ["instant", "dteday", "casual", "registered"]:
        assert column not in frame.columns
    assert list(frame.columns) == BIKE_HOUR_FEATURES + ["cnt"]


def test_load_bike_sharing_rejects_unknown_frequency():
    with pytest.raises(ValueError, match="frequency") as excinfo:
        load_bike_sharing(frequency="week")
    assert "'day'" in str(excinfo.value) and "'hour'" in str(excinfo.value)


def test_load_ice_cream_values():
    bunch = load_ice_cream()

    assert bunch.feature_names == ["day_of_week", "temperature"]
    assert_array_equal(bunch.data[:, 0], [2, 6, 1, 3, 2, 5, 7, 4, 3, 1])
    assert_array_equal(bunch.data[:, 1], [22, 33, 20, 25, 24, 30, 35, 28, 26, 21])
    expected_revenue = [1.51, 2.22, 1.37, 1.77, 1.64, 2.04, 2.42, 1.90, 1.75, 1.45]
    assert_allclose(bunch.target, expected_revenue)


def test_loaders_return_fresh_arrays():
    first = load_ice_cream()
    first.data[0, 0] = -1.0
    assert load_ice_cream().data[0, 0] == 2.0


# make_exam_scores


def test_make_exam_scores_shape_dtype_and_range():
    X, y = make_exam_scores(n_samples=250, random_state=0)

    assert X.shape == (250, 2) and X.dtype == np.float64
    assert y.shape == (250,) and y.dtype == np.int64
    assert X.min() >= 0.0 and X.max() <= 100.0
    assert set(np.unique(y)) == {0, 1}


def test_make_exam_scores_default_size():
    X, y = make_exam_scores(random_state=0)
    assert X.shape == (100, 2) and y.shape == (100,)


def test_make_exam_scores_is_reproducible():
    X1, y1 = make_exam_scores(n_samples=50, random_state=42)
    X2, y2 = make_exam_scores(n_samples=50, random_state=np.random.RandomState(42))
    X3, _ = make_exam_scores(n_samples=50, random_state=43)

    assert_array_equal(X1, X2)
    assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_make_exam_scores_without_noise_is_linearly_separable():
    X, y = make_exam_scores(n_samples=300, noise=0.0, random_state=0)
    assert_array_equal(y, (X.mean(axis=1) >= 60).astype(np.int64))


def test_make_exam_scores_single_sample():
    X, y = make_exam_scores(n_samples=1, random_state=0)
    assert X.shape == (1, 2) and y.shape == (1,)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 0}, "n_samples"),
        ({"n_samples": -5}, "n_samples"),
        ({"n_samples": 2.5}, "n_samples"),
        ({"noise": -1.0}, "noise"),
    ],
)
def test_make_exam_scores_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_exam_scores(**kwargs)


@pytest.mark.parametrize("n_samples", [100, 1000])
def test_make_exam_scores_suits_a_single_sigmoid_neuron(n_samples):
    """The documented claim: logistic regression scores about 0.88."""
    accuracies = []
    for seed in range(10):
        X, y = make_exam_scores(n_samples=n_samples, random_state=seed)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.3, random_state=seed
        )
        model = make_pipeline(StandardScaler(), LogisticRegression())
        accuracies.append(model.fit(X_train, y_train).score(X_test, y_test))

    assert 0.80 <= np.mean(accuracies) <= 0.96
