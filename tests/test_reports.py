"""CVReport and HistoryRecorder: tables, learning curves, figures, HTML."""

import gc
import os
import re

import numpy as np
import pytest
from matplotlib.collections import PathCollection
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import Ridge
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    KFold,
    RandomizedSearchCV,
    cross_validate,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdl import KerasClassifier, KerasRegressor
from skdl.reports import CVReport, HistoryRecorder


@pytest.fixture(scope="module")
def ridge_search(regression_data):
    X, y = regression_data
    search = GridSearchCV(
        Ridge(),
        {"alpha": [0.01, 1.0, 100.0], "fit_intercept": [True, False]},
        cv=4,
        scoring={"r2": "r2", "mae": "neg_mean_absolute_error"},
        refit="mae",
        return_train_score=True,
    )
    return search.fit(X, y)


@pytest.fixture(scope="module")
def keras_search(regression_data):
    """A real search of skdl networks, recorded across worker processes."""
    X, y = regression_data
    pipeline = Pipeline(
        [
            ("standardize", StandardScaler()),
            ("mlp", KerasRegressor(hidden_layer_sizes=(8,), random_state=0)),
        ]
    )
    recorder = HistoryRecorder("neg_mean_squared_error")
    search = GridSearchCV(
        pipeline,
        {"mlp__epochs": [3, 5], "mlp__optimizer": ["sgd", "adam"]},
        cv=KFold(3),
        scoring=recorder,
        n_jobs=2,
        return_train_score=True,
    )
    return search.fit(X, y), recorder


def test_table_has_one_row_per_candidate_with_every_scorer(ridge_search):
    report = CVReport.from_search(ridge_search)
    table = report.table
    assert len(table) == 6
    assert {"alpha", "fit_intercept"} <= set(table.columns)
    for scorer in ("r2", "mae"):
        for column in ("mean_test", "std_test", "rank_test", "mean_train", "std_train"):
            np.testing.assert_allclose(
                table[f"{column}_{scorer}"],
                ridge_search.cv_results_[f"{column}_{scorer}"],
            )
    assert {"mean_fit_time", "std_fit_time", "mean_score_time"} <= set(table.columns)
    assert report.scorer == "mae"  # the search's refit metric ranks
    assert report.best_params == ridge_search.best_params_
    assert report.best_score == pytest.approx(ridge_search.best_score_)


def test_fold_scores_are_the_split_scores(ridge_search):
    folds = CVReport.from_search(ridge_search).fold_scores
    assert len(folds) == 6 * 4 * 2 * 2  # candidates x folds x scorers x sets
    row = folds.query(
        "candidate == 2 and fold == 1 and scorer == 'r2' and set == 'test'"
    )
    assert row["score"].item() == ridge_search.cv_results_["split1_test_r2"][2]


def test_markdown_lists_candidates_best_first(ridge_search):
    markdown = CVReport.from_search(ridge_search).to_markdown().splitlines()
    assert markdown[0].startswith("| rank | alpha | fit_intercept | test r2 |")
    assert len(markdown) == 2 + 6
    ranks = [int(line.split("|")[1]) for line in markdown[2:]]
    assert ranks == sorted(ranks)
    best = ridge_search.best_params_
    assert f"| 1 | {best['alpha']} | {best['fit_intercept']} |" in markdown[2]


def test_repr_html_is_the_table(ridge_search):
    html = CVReport.from_search(ridge_search)._repr_html_()
    assert html.startswith("<table") and html.count("<tr") == 7
    assert 'class="best"' in html


def test_recorder_keeps_every_fold_history_across_processes(keras_search):
    search, recorder = keras_search
    report = CVReport.from_search(search)  # finds the recorder in `scoring`
    assert recorder.n_recorded == 4 * 3  # train scores did not double-record
    assert report.has_learning_curves
    for params, histories in zip(
        search.cv_results_["params"], report._histories, strict=True
    ):
        assert len(histories) == 3
        assert all(len(h["loss"]) == params["mlp__epochs"] for h in histories)
    # The recorder scored as asked: the search's scores are negative MSEs.
    assert (search.cv_results_["mean_test_score"] < 0).all()
    assert report.scorer_label("score") == "neg_mean_squared_error"


def test_recorder_matches_plain_scoring(regression_data):
    X, y = regression_data
    plain = GridSearchCV(Ridge(), {"alpha": [0.1, 10]}, cv=3, scoring="r2").fit(X, y)
    recorded = GridSearchCV(
        Ridge(), {"alpha": [0.1, 10]}, cv=3, scoring=HistoryRecorder("r2")
    ).fit(X, y)
    np.testing.assert_allclose(
        plain.cv_results_["mean_test_score"], recorded.cv_results_["mean_test_score"]
    )


def test_recorder_directory_is_removed_with_it():
    recorder = HistoryRecorder()
    directory = recorder.directory
    assert os.path.isdir(directory)
    del recorder
    gc.collect()
    assert not os.path.exists(directory)


def test_figures_show_each_view(keras_search):
    search, _ = keras_search
    figures = CVReport.from_search(search).plot()
    assert set(figures) == {
        "score_by_parameter",
        "heatmaps",
        "learning_curves",
        "fit_times",
    }
    by_parameter = figures["score_by_parameter"].axes
    assert [ax.get_xlabel() for ax in by_parameter] == ["epochs", "optimizer"]
    # Every fold of every candidate is a dot: 4 candidates x 3 folds.
    dots = sum(
        len(collection.get_offsets())
        for collection in by_parameter[0].collections
        if isinstance(collection, PathCollection)
    )
    assert dots == 12
    curves = figures["learning_curves"].axes
    assert len(curves) == 4  # one metric (loss) x the four candidates
    assert all(len(ax.get_lines()) == 3 for ax in curves)  # a line per fold
    assert len(figures["fit_times"].axes[0].patches) == 4


def test_html_is_self_contained(keras_search, tmp_path):
    search, _ = keras_search
    path = tmp_path / "report.html"
    page = CVReport.from_search(search, title="Wine <test>").to_html(path)
    assert path.read_text(encoding="utf-8") == page
    assert "<title>Wine &lt;test&gt;</title>" in page
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) == 4 and all(
        s.startswith("data:image/png;base64,") for s in sources
    )
    assert not re.search(r"(href|src)=\"(https?:)?//", page)
    assert "Content-Security-Policy" in page


def test_without_histories_the_page_says_how_to_get_them(ridge_search):
    report = CVReport.from_search(ridge_search)
    assert not report.has_learning_curves
    assert "learning_curves" not in report.plot()
    assert "HistoryRecorder" in report.to_html()


def test_from_cross_validate_uses_fold_estimators(classification_data):
    X, y = classification_data
    results = cross_validate(
        KerasClassifier(hidden_layer_sizes=(8,), epochs=4, random_state=0),
        X,
        y,
        cv=3,
        scoring=["accuracy", "f1_macro"],
        return_estimator=True,
    )
    report = CVReport.from_cross_validate(results, params={"epochs": 4})
    assert report.scorers == ["accuracy", "f1_macro"]
    assert report.best_score == pytest.approx(results["test_accuracy"].mean())
    assert report.best_params == {"epochs": 4}
    assert [len(h["loss"]) for h in report._histories[0]] == [4, 4, 4]
    assert "| 1 | 4 |" in report.to_markdown()


def test_halving_search_rows_carry_their_resources(regression_data):
    X, y = regression_data
    search = HalvingGridSearchCV(
        Ridge(), {"alpha": [0.01, 0.1, 1, 10]}, factor=2, cv=3, random_state=0
    ).fit(X, y)
    report = CVReport.from_search(search)
    np.testing.assert_array_equal(
        report.table["n_resources"], search.cv_results_["n_resources"]
    )
    assert "resources" in report.to_markdown().splitlines()[0]


def test_randomized_search_report(regression_data):
    X, y = regression_data
    search = RandomizedSearchCV(
        Ridge(), {"alpha": np.logspace(-3, 3, 20)}, n_iter=5, cv=3, random_state=0
    ).fit(X, y)
    assert len(CVReport.from_search(search).table) == 5


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda: CVReport.from_search(GridSearchCV(Ridge(), {"alpha": [1]})),
            "fit the search",
        ),
        (lambda: CVReport.from_cross_validate({"scores": [1]}), "cross_validate"),
    ],
)
def test_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make()
