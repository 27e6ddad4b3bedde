"""The README's main job: the red-wine grid search, end to end (shortened)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).parents[1] / "examples" / "plot_red_wine_grid_search.py"


def load_example():
    spec = importlib.util.spec_from_file_location("red_wine_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_red_wine_grid_search(capsys):
    example = load_example()
    tutorial, ready_made = example.main(epochs=(2, 4), n_splits=3, n_jobs=1)

    tried = {params["mlp__optimizer"] for params in tutorial.cv_results_["params"]}
    assert tried == {"SGD", "Adam"}
    assert np.isfinite(tutorial.best_score_)
    assert len(ready_made.cv_results_["params"]) == 8
    assert np.isfinite(ready_made.cv_results_["mean_test_score"]).all()
    # Predicting the mean quality scores an MSE of about 0.65.
    assert -ready_made.best_score_ < 0.65
    output = capsys.readouterr().out
    assert "best: MSE" in output and "hidden_layer_sizes" in output
