"""The report's baseline row, its paired comparison with the best, several
estimators in one ranking and the two-parameter heat maps."""

import numpy as np
import pytest
from scipy import stats
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RepeatedKFold,
    ShuffleSplit,
    cross_val_score,
    cross_validate,
)

from skdl.reports import CVReport
from skdl.reports._compare import corrected_ttest, fold_size_ratio


def test_corrected_ttest_matches_a_hand_computation():
    differences = [0.10, 0.30, 0.20, 0.40, 0.00]
    # By hand: mean 0.2, sample variance 0.025; 5 folds, n_test/n_train 1/4.
    t_by_hand = 0.2 / np.sqrt(0.025 * (1 / 5 + 1 / 4))
    p_by_hand = 2 * stats.t.sf(t_by_hand, df=4)
    t, p_value = corrected_ttest(differences, 1 / 4)
    assert t == pytest.approx(t_by_hand) == pytest.approx(1.8856, abs=1e-4)
    assert p_value == pytest.approx(p_by_hand)
    # The uncorrected paired t-test is more confident: the correction matters.
    naive = stats.ttest_1samp(differences, 0.0)
    assert naive.pvalue < p_value


def test_corrected_ttest_degenerate_differences():
    assert corrected_ttest([0.0, 0.0, 0.0], 0.5) == (0.0, 1.0)
    assert corrected_ttest([0.5, 0.5, 0.5], 0.5)[1] == 0.0
    with pytest.raises(ValueError, match="at least 2 fold scores"):
        corrected_ttest([0.1], 0.5)


def test_fold_size_ratio_comes_from_the_folds():
    X = np.zeros((100, 1))
    assert fold_size_ratio(KFold(5).split(X)) == pytest.approx(20 / 80)
    assert fold_size_ratio(ShuffleSplit(3, test_size=0.3).split(X)) == pytest.approx(
        30 / 70
    )


@pytest.fixture(scope="module")
def ridge_search(regression_data):
    X, y = regression_data
    search = GridSearchCV(
        Ridge(),
        {"alpha": [0.01, 30.0, 3000.0]},
        cv=KFold(5, shuffle=True, random_state=0),
        scoring="neg_mean_squared_error",
    )
    return search.fit(X, y), X, y


def test_baseline_row_is_the_dummy_on_the_same_folds(ridge_search):
    search, X, y = ridge_search
    report = CVReport.from_search(search, X=X, y=y)
    table = report.table
    assert table["baseline"].dtype == bool
    assert table["baseline"].sum() == 1 and len(table) == 4
    baseline = table[table["baseline"]].iloc[0]
    expected = cross_val_score(
        DummyRegressor(strategy="mean"),
        X,
        y,
        cv=search.cv,
        scoring="neg_mean_squared_error",
    )
    assert baseline["mean_test_score"] == pytest.approx(expected.mean())
    assert np.isnan(baseline["rank_test_score"])
    # The best is a candidate, never the baseline, and the baseline is marked.
    assert report.best_params == search.best_params_
    markdown = report.to_markdown()
    assert "| baseline |" in markdown
    page = report.to_html()
    assert "DummyRegressor(strategy=&quot;mean&quot;)" in page
    assert "3 candidate(s), 5 folds each" in page  # the baseline is no candidate


def test_no_baseline_without_data(ridge_search):
    search, _, _ = ridge_search
    report = CVReport.from_search(search)
    assert not report.table["baseline"].any()
    assert "baseline" not in report.to_markdown()


def test_p_values_are_the_corrected_test_of_the_fold_differences(ridge_search):
    search, X, y = ridge_search
    report = CVReport.from_search(search, X=X, y=y)
    table = report.table
    results = search.cv_results_
    folds = [results[f"split{k}_test_score"] for k in range(5)]
    scores = np.column_stack(folds)  # candidates x folds
    best = int(np.argmin(results["rank_test_score"]))
    for candidate in range(3):
        differences = scores[candidate] - scores[best]
        if candidate == best:
            assert np.isnan(table.loc[candidate, "p_value_vs_best"])
            continue
        # 5 folds of len(X) rows: n_test / n_train from the actual folds.
        n_test = np.array([len(test) for _, test in search.cv.split(X)])
        ratio = n_test.mean() / (len(X) - n_test.mean())
        mean = differences.mean()
        t = mean / np.sqrt(differences.var(ddof=1) * (1 / 5 + ratio))
        assert table.loc[candidate, "diff_vs_best"] == pytest.approx(mean)
        assert table.loc[candidate, "p_value_vs_best"] == pytest.approx(
            2 * stats.t.sf(abs(t), df=4)
        )
    assert 0 <= table.loc[table["baseline"], "p_value_vs_best"].iloc[0] < 0.05
    assert "p vs best" in report.to_markdown()


def test_repeated_kfold_uses_every_fold_score(regression_data):
    X, y = regression_data
    cv = RepeatedKFold(n_splits=4, n_repeats=3, random_state=0)
    search = GridSearchCV(Ridge(), {"alpha": [0.01, 300.0]}, cv=cv).fit(X, y)
    report = CVReport.from_search(search, X=X, y=y)
    assert report.fold_scores["fold"].nunique() == 12
    assert report.test_train_ratio == pytest.approx(1 / 3, rel=0.02)
    results = search.cv_results_
    scores = np.array(
        [[results[f"split{k}_test_score"][c] for k in range(12)] for c in (0, 1)]
    )
    best = report.best_index
    differences = scores[1 - best] - scores[best]
    t = differences.mean() / np.sqrt(differences.var(ddof=1) * (1 / 12 + 1 / 3))
    expected = 2 * stats.t.sf(abs(t), df=11)
    assert report.table.loc[1 - best, "p_value_vs_best"] == pytest.approx(
        expected, rel=0.02
    )


def test_unreproducible_folds_are_refused(regression_data):
    X, y = regression_data
    cv = KFold(3, shuffle=True)  # new folds on every call
    search = GridSearchCV(Ridge(), {"alpha": [1.0, 2.0]}, cv=cv).fit(X, y)
    with pytest.raises(ValueError, match="fixed random_state"):
        CVReport.from_search(search, X=X, y=y)


def test_classifier_baseline_uses_the_priors(classification_data):
    X, y = classification_data
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3).fit(X, y)
    report = CVReport.from_search(search, X=X, y=y)
    assert report.baseline_name == 'baseline: DummyClassifier(strategy="prior")'
    baseline = report.table[report.table["baseline"]].iloc[0]
    assert baseline["mean_test_score"] < report.best_score


def test_from_cross_validate_with_data_has_a_baseline(regression_data):
    X, y = regression_data
    cv = KFold(4)
    results = cross_validate(Ridge(), X, y, cv=cv, scoring="r2")
    report = CVReport.from_cross_validate(results, X=X, y=y, cv=cv, scoring="r2")
    assert report.table["baseline"].tolist() == [False, True]
    assert report.table["mean_test_score"].iloc[1] == pytest.approx(
        cross_val_score(DummyRegressor(), X, y, cv=cv, scoring="r2").mean()
    )
    assert report.table["p_value_vs_best"].iloc[1] < 0.05


def test_several_searches_rank_together(regression_data):
    X, y = regression_data
    cv = KFold(4, shuffle=True, random_state=1)
    searches = {
        "ridge": GridSearchCV(Ridge(), {"alpha": [0.01, 1000.0]}, cv=cv),
        "boosting": GridSearchCV(
            HistGradientBoostingRegressor(max_iter=20),
            {"learning_rate": [0.1], "max_depth": [2, 3]},
            cv=cv,
        ),
    }
    for search in searches.values():
        search.fit(X, y)
    report = CVReport.from_searches(searches, X=X, y=y)
    table = report.table
    assert len(table) == 5 and table["baseline"].sum() == 1
    assert table["estimator"].tolist()[:4] == ["ridge"] * 2 + ["boosting"] * 2
    all_means = np.concatenate(
        [s.cv_results_["mean_test_score"] for s in searches.values()]
    )
    assert report.best_score == pytest.approx(all_means.max())
    ranks = table.loc[~table["baseline"], "rank_test_score"].to_numpy()
    # Ranked over both searches: 1 + how many candidates have a higher mean.
    assert ranks.tolist() == [1 + (all_means > mean).sum() for mean in all_means]
    # A parameter of one estimator only is blank for the other's rows.
    rows = report.summary_rows()
    ridge_row = next(r for r in rows if r.get("estimator") == "ridge")
    assert ridge_row["max_depth"] == "" and ridge_row["alpha"] in ("0.01", "1000.0")
    assert report.best_params["estimator"] in searches
    # Integer parameters stay integers next to another estimator's blanks.
    boosting_row = next(r for r in rows if r.get("estimator") == "boosting")
    assert boosting_row["max_depth"] in ("2", "3")


def test_searches_on_other_folds_are_refused(regression_data):
    X, y = regression_data
    searches = {
        "a": GridSearchCV(Ridge(), {"alpha": [1.0]}, cv=KFold(4)).fit(X, y),
        "b": GridSearchCV(
            Ridge(), {"alpha": [2.0]}, cv=KFold(4, shuffle=True, random_state=0)
        ).fit(X, y),
    }
    with pytest.raises(ValueError, match="other folds"):
        CVReport.from_searches(searches, X=X, y=y)


def test_heatmaps_for_two_varying_parameters(regression_data):
    X, y = regression_data
    search = GridSearchCV(
        Ridge(),
        {"alpha": [0.1, 1.0, 10.0], "fit_intercept": [True, False], "tol": [1e-4]},
        cv=3,
    ).fit(X, y)
    report = CVReport.from_search(search)
    assert report.heatmap_pairs() == [("alpha", "fit_intercept")]
    figure = report.plot()["heatmaps"]
    image = figure.axes[0].images[0].get_array()
    assert image.shape == (3, 2)
    means = search.cv_results_["mean_test_score"].reshape(3, 2)
    np.testing.assert_allclose(np.asarray(image), means)
    page = report.to_html()
    assert 'id="figure-heatmaps"' in page
    single = GridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=3).fit(X, y)
    assert "heatmaps" not in CVReport.from_search(single).plot()


def test_html_marks_the_baseline_and_ties(ridge_search):
    search, X, y = ridge_search
    page = CVReport.from_search(search, X=X, y=y).to_html()
    assert '<tr class="baseline">' in page
    assert "Nadeau and Bengio" in page
