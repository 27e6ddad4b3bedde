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
import os
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdl import KerasRegressor
from skdl.datasets import load_wine_quality

# Tests and the docs build set SKDL_EXAMPLES_QUICK=1 to train for fewer epochs,
# on 3 folds instead of 10.
QUICK = os.environ.get("SKDL_EXAMPLES_QUICK") == "1"
EPOCHS = [2, 4] if QUICK else [50, 100]
N_SPLITS = 3 if QUICK else 10

X, y = load_wine_quality(return_X_y=True)


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


def print_results(title, search):
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


# %%
# The tutorial: a search over the builder's optimizer
# ---------------------------------------------------
# The builder names ``optimizer``, so the grid's value reaches it.
pipeline = Pipeline(
    [
        ("standardize", StandardScaler()),
        (
            "mlp",
            KerasRegressor(
                model=baseline_model, epochs=EPOCHS[0], batch_size=32, random_state=0
            ),
        ),
    ]
)
tutorial_search = GridSearchCV(
    pipeline,
    {"mlp__optimizer": ["SGD", "Adam"]},
    cv=KFold(n_splits=N_SPLITS),
    scoring="neg_mean_squared_error",
    n_jobs=-1,
)
tutorial_search.fit(X, y)
print_results(
    f"Tutorial builder, KFold({N_SPLITS}) over the optimizer:", tutorial_search
)

# %%
# The ready-made network: layer sizes and epochs too
# --------------------------------------------------
# Without a builder, ``hidden_layer_sizes`` and the training parameters are
# all the estimator's own.
pipeline = Pipeline(
    [
        ("standardize", StandardScaler()),
        ("mlp", KerasRegressor(batch_size=32, random_state=0)),
    ]
)
ready_made_search = GridSearchCV(
    pipeline,
    {
        "mlp__optimizer": ["SGD", "Adam"],
        "mlp__hidden_layer_sizes": [(20, 6), (64, 32)],
        "mlp__epochs": EPOCHS,
    },
    cv=KFold(n_splits=N_SPLITS),
    scoring="neg_mean_squared_error",
    n_jobs=-1,
)
ready_made_search.fit(X, y)
print_results(
    f"Ready-made network, KFold({N_SPLITS}) over optimizer, layers, epochs:",
    ready_made_search,
)

# %%
# Every candidate's cross-validated error
# ---------------------------------------
# The bars are the mean MSE over the folds, the lines one standard
# deviation; the dashed line is the error of predicting the mean quality.
results = ready_made_search.cv_results_
labels = [
    f"{p['mlp__optimizer']} {p['mlp__hidden_layer_sizes']} {p['mlp__epochs']} ep."
    for p in results["params"]
]
fig, ax = plt.subplots(figsize=(8, 4.5))
ax.barh(labels, -results["mean_test_score"], xerr=results["std_test_score"])
ax.axvline(np.var(y), color="gray", linestyle="--", label="predicting the mean")
ax.set(xlabel=f"{N_SPLITS}-fold CV mean squared error", title="Ready-made network")
ax.legend()
fig.tight_layout()
Path("figures").mkdir(exist_ok=True)
fig.savefig("figures/red_wine_grid_search.png")
