"""Every tutorial example runs end to end and gives the tutorial's outcome.

The examples run in this process (``runpy``), from a temporary working
directory where they save their figures, and the assertions read the
variables the scripts leave behind. Every example runs at full length, as a
user runs it; one test checks that ``SKDL_EXAMPLES_QUICK=1``, the documented
switch the docs build uses, does cut the training short.
"""

import runpy
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

EXAMPLES = Path(__file__).parents[1] / "examples"
TESTED = {
    "plot_linear_function",
    "plot_ice_cream_revenue",
    "plot_perceptron",
    "plot_sonar",
    "plot_digits",
    "plot_bike_sharing",
    "plot_red_wine_grid_search",
    "plot_hyperparameter_search",
    "plot_mixed_dataframe",
    "plot_digits_cnn",
    "plot_text_classifier",
    "plot_two_inputs",
}


@pytest.fixture
def run_example(monkeypatch, tmp_path):
    def run(name, *, quick):
        if quick:
            monkeypatch.setenv("SKDL_EXAMPLES_QUICK", "1")
        else:
            monkeypatch.delenv("SKDL_EXAMPLES_QUICK", raising=False)
        monkeypatch.chdir(tmp_path)
        try:
            namespace = runpy.run_path(
                str(EXAMPLES / f"{name}.py"), run_name="__main__"
            )
        finally:
            plt.close("all")
        figures = list((tmp_path / "figures").glob("*.png"))
        assert figures and all(f.stat().st_size > 10_000 for f in figures)
        return namespace

    return run


def test_every_example_has_a_test():
    assert {path.stem for path in EXAMPLES.glob("plot_*.py")} == TESTED


def test_linear_function_predicts_x_plus_one(run_example):
    example = run_example("plot_linear_function", quick=False)
    assert example["predictions"] == pytest.approx([12, 13, 14], abs=0.1)
    assert example["weight"] == pytest.approx(1, abs=0.01)


def test_quick_switch_cuts_the_epochs(run_example):
    example = run_example("plot_linear_function", quick=True)
    assert len(example["regressor"].history_["loss"]) == 300


def test_ice_cream_fits_better_than_the_mean(run_example):
    example = run_example("plot_ice_cream_revenue", quick=False)
    assert example["training_mse"] < example["baseline_mse"]
    assert len(example["history"]["loss"]) == 100


def test_perceptron_reaches_085_test_accuracy(run_example, capsys):
    example = run_example("plot_perceptron", quick=False)
    assert example["test_accuracy"] >= 0.85
    assert 0 < example["test_loss"] < 0.4
    probabilities = example["pass_probability"]
    assert ((probabilities > 0) & (probabilities < 1)).all()
    assert "confident" in capsys.readouterr().out


@pytest.mark.slow
def test_sonar_cross_validates_and_reloads(run_example):
    example = run_example("plot_sonar", quick=False)
    assert len(example["cv_scores"]) == 10
    assert example["cv_scores"].mean() >= 0.75
    assert len(example["history"]["val_loss"]) == 130
    assert example["same_predictions"]


def test_digits_classifies_the_test_set(run_example, capsys):
    example = run_example("plot_digits", quick=False)
    assert example["test_accuracy"] >= 0.9
    assert "precision" in capsys.readouterr().out


def test_bike_sharing_beats_the_mean_and_stops_early(run_example):
    example = run_example("plot_bike_sharing", quick=False)
    assert example["test_mae"] < 0.8 * example["baseline_mae"]
    assert example["network"].n_iter_ < 300


@pytest.mark.slow
def test_red_wine_grid_search_tries_both_optimizers(run_example):
    example = run_example("plot_red_wine_grid_search", quick=False)
    tutorial = example["tutorial_search"]
    tried = {params["mlp__optimizer"] for params in tutorial.cv_results_["params"]}
    assert tried == {"SGD", "Adam"}
    assert np.isfinite(tutorial.best_score_)
    ready_made = example["ready_made_search"]
    assert len(tutorial.cv_results_["split9_test_score"]) == 2
    assert len(ready_made.cv_results_["params"]) == 8
    assert np.isfinite(ready_made.cv_results_["mean_test_score"]).all()
    # Predicting the mean quality scores an MSE of about 0.65.
    assert -ready_made.best_score_ < 0.65


@pytest.mark.slow
def test_hyperparameter_searches(run_example):
    example = run_example("plot_hyperparameter_search", quick=False)
    random_search = example["random_search"]
    assert len(random_search.cv_results_["params"]) == 10
    searched = set(random_search.best_params_)
    assert {"network__n_hidden", "network__n_neurons", "network__dropout"} <= searched
    # Always answering "no diabetes" scores 0.65 on this data.
    assert random_search.best_score_ > 0.65
    halving_search = example["halving_search"]
    assert list(halving_search.n_resources_) == [10, 30, 90]
    assert list(halving_search.n_candidates_) == [9, 3, 1]


@pytest.mark.slow
def test_mixed_dataframe_goes_straight_into_the_network(run_example):
    example = run_example("plot_mixed_dataframe", quick=False)
    scores = {name: values.mean() for name, values in example["scores"].items()}
    network = scores["KerasClassifier on the DataFrame"]
    # Half the days are busy: 0.5 is guessing. The network, given the raw
    # frame, scores with the one-hot + scaler + MLP pipeline (within fold noise).
    assert network > 0.8
    assert network > scores["ColumnTransformer + MLPClassifier"] - 0.03
    fitted = example["network"]
    assert fitted.is_categorical_.sum() == 7
    assert "hail" not in fitted.categories_[-1]
    assert fitted.predict(example["stormy_day"])[0] in {"busy", "quiet"}


@pytest.mark.slow
def test_digits_cnn_beats_the_dense_network(run_example):
    example = run_example("plot_digits_cnn", quick=False)
    search = example["search"]
    assert sorted(search.cv_results_["param_filters"]) == [4, 8, 16]
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert example["cnn_accuracy"] > example["dense_accuracy"]
    assert example["best"].predict(example["images"][:5]).shape == (5,)
    # The mistakes shown are out-of-fold predictions, as good as the search's.
    assert (example["predicted"] == example["y"]).mean() > 0.95


@pytest.mark.slow
def test_text_classifier_sees_negation(run_example):
    example = run_example("plot_text_classifier", quick=False)
    search = example["search"]
    assert sorted(search.cv_results_["param_filters"]) == [4, 16, 32]
    assert example["token_ids"].dtype == np.int32
    scores = {name: values.mean() for name, values in example["scores"].items()}
    sequence = scores["token ids + Embedding + Conv1D"]
    bigrams = scores["TF-IDF (1-2 grams) + KerasClassifier"]
    unigrams = scores["TF-IDF (words) + LogisticRegression"]
    # Single words cannot tell "not good" from "good": the adjective alone is
    # right for the 60% of reviews without a negation.
    assert 0.5 < unigrams < 0.7
    # Word pairs see "not good" but not "not very good"; width-3
    # convolutions over the token ids see both.
    assert bigrams > unigrams + 0.1
    assert sequence > bigrams
    assert sequence > 0.95
    assert list(
        example["best"].predict(
            example["to_token_ids"](
                ["the battery is not very good", "the battery is not very bad"]
            )
        )
    ) == ["negative", "positive"]


@pytest.mark.slow
def test_two_input_model_in_a_grid_search(run_example):
    example = run_example("plot_two_inputs", quick=False)
    search = example["search"]
    assert sorted(search.cv_results_["param_units"]) == [4, 16, 64]
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    # Predicting the mean number of rentals scores an R² of 0.
    assert search.best_score_ > 0.6
    X_test = example["X_test"]
    assert set(X_test.inputs) == {"weather", "calendar"}
    assert example["predicted"].shape == (len(example["y_test"]),)
    assert example["test_r2"] > 0.6
    assert example["ready_made_scores"].mean() > 0.6
