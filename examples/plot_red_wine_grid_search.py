"""
Red-wine quality: a grid search over optimizers, layer sizes and epochs
=======================================================================

The scikeras tutorial's workload with only the import changed: a Keras
regressor in a scikit-learn ``Pipeline`` behind a ``StandardScaler``,
10-fold cross-validated by ``GridSearchCV`` over the optimizer. Then the same
search with skdl's ready-made network, over layer sizes and epochs as well.

The data are the UCI red-wine quality table (1599 wines, 11 physico-chemical
features, quality 3-8), bundled with skdl; see
``skdl.datasets.load_wine_quality().DESCR`` for its source and licence.
"""

# %%
# The tutorial's model builder
# ----------------------------
# Dense(20, relu) -> Dense(6, relu) -> Dense(1), compiled with the optimizer
# the grid search hands it.
import argparse

import keras
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdl import KerasRegressor
from skdl.datasets import load_wine_quality


def baseline_model(optimizer="adam"):
    model = keras.Sequential(
        [
            keras.layers.Dense(20, activation="relu", kernel_initializer="normal"),
            keras.layers.Dense(6, activation="relu", kernel_initializer="normal"),
            keras.layers.Dense(1, kernel_initializer="normal"),
        ]
    )
    model.compile(loss="mean_squared_error", optimizer=optimizer)
    return model


def run_search(estimator, grid, X, y, *, n_splits=10, n_jobs=-1):
    """Fit a 10-fold GridSearchCV of StandardScaler + ``estimator``."""
    pipeline = Pipeline([("standardize", StandardScaler()), ("mlp", estimator)])
    search = GridSearchCV(
        pipeline,
        {f"mlp__{name}": values for name, values in grid.items()},
        cv=KFold(n_splits=n_splits),
        scoring="neg_mean_squared_error",
        n_jobs=n_jobs,
    )
    return search.fit(X, y)


def report(title, search):
    print(f"\n{title}")
    results = search.cv_results_
    for params, mean, std in zip(
        results["params"],
        results["mean_test_score"],
        results["std_test_score"],
        strict=True,
    ):
        shown = {name.removeprefix("mlp__"): value for name, value in params.items()}
        print(f"  MSE {-mean:.3f} (+/- {std:.3f})  {shown}")
    best = {k.removeprefix("mlp__"): v for k, v in search.best_params_.items()}
    print(f"  best: MSE {-search.best_score_:.3f} with {best}")


def main(epochs=(50, 100), n_splits=10, n_jobs=-1):
    X, y = load_wine_quality(return_X_y=True)

    # %%
    # The tutorial: a search over the builder's optimizer
    # ---------------------------------------------------
    tutorial = run_search(
        KerasRegressor(
            model=baseline_model, epochs=epochs[0], batch_size=32, random_state=0
        ),
        {"optimizer": ["SGD", "Adam"]},
        X,
        y,
        n_splits=n_splits,
        n_jobs=n_jobs,
    )
    report("Tutorial builder, KFold(10) over the optimizer:", tutorial)

    # %%
    # The ready-made network: layer sizes and epochs too
    # --------------------------------------------------
    ready_made = run_search(
        KerasRegressor(batch_size=32, random_state=0),
        {
            "optimizer": ["SGD", "Adam"],
            "hidden_layer_sizes": [(20, 6), (64, 32)],
            "epochs": list(epochs),
        },
        X,
        y,
        n_splits=n_splits,
        n_jobs=n_jobs,
    )
    report("Ready-made network, KFold(10) over optimizer, layers, epochs:", ready_made)
    return tutorial, ready_made


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--n-jobs", type=int, default=-1)
    args = parser.parse_args()
    main(n_jobs=args.n_jobs)
