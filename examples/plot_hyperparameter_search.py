"""
Searching a network's hyper-parameters
======================================

How many hidden layers, how many neurons, which activation, optimizer,
dropout rate, learning rate, batch size and number of epochs? With skdl each
of these is an estimator parameter, so scikit-learn's searches tune them
like any other: here a ``RandomizedSearchCV`` samples 10 combinations, and
then a ``HalvingGridSearchCV`` spends few epochs on every candidate of a
grid and more only on the best, with ``epochs`` as the resource it grows.

The task is the Pima Indians diabetes data set, bundled with skdl: eight
medical measurements of 768 women, and whether they developed diabetes.

The model builder takes ``n_hidden`` and ``n_neurons``: any argument a
builder names can be given to the estimator, and is then a parameter like
any other, which the search can set.
It returns an uncompiled model, so skdl compiles it with the estimator's
``optimizer`` and ``learning_rate`` and picks the binary cross-entropy loss
from the target.
"""

# %%
# A builder with searchable arguments
# -----------------------------------
import os
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import pandas as pd
from scipy.stats import loguniform, randint
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import (
    HalvingGridSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdl import KerasClassifier
from skdl.datasets import load_pima_diabetes

# Tests and the docs build set SKDL_EXAMPLES_QUICK=1 to train for fewer epochs.
QUICK = os.environ.get("SKDL_EXAMPLES_QUICK") == "1"

X, y = load_pima_diabetes(return_X_y=True)


def build_network(meta, n_hidden=1, n_neurons=30, activation="relu", dropout=0.0):
    model = keras.Sequential([keras.Input((meta["n_features_in_"],))])
    for _ in range(n_hidden):
        model.add(keras.layers.Dense(n_neurons, activation=activation))
        if dropout:
            model.add(keras.layers.Dropout(dropout))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    return model


pipeline = Pipeline(
    [
        ("standardize", StandardScaler()),
        (
            "network",
            KerasClassifier(
                model=build_network, n_hidden=1, n_neurons=30, random_state=0
            ),
        ),
    ]
)
cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)

# %%
# Random search
# -------------
# Lists are sampled uniformly; SciPy distributions are sampled from.
distributions = {
    "network__n_hidden": [1, 2, 3],
    "network__n_neurons": randint(8, 65),
    "network__activation": ["relu", "tanh"],
    "network__optimizer": ["adam", "sgd", "rmsprop"],
    "network__dropout": [0.0, 0.1, 0.2],
    "network__learning_rate": loguniform(1e-3, 1e-1),
    "network__batch_size": [16, 32, 64],
    "network__epochs": [5, 10] if QUICK else [20, 50, 100],
}
random_search = RandomizedSearchCV(
    pipeline,
    distributions,
    n_iter=3 if QUICK else 10,
    cv=cv,
    n_jobs=-1,
    random_state=0,
)
random_search.fit(X, y)

shown_columns = [f"param_{name}" for name in distributions] + [
    "mean_test_score",
    "std_test_score",
]
results = pd.DataFrame(random_search.cv_results_)[shown_columns]
results.columns = [name.removeprefix("param_network__") for name in results.columns]
print(results.sort_values("mean_test_score", ascending=False).to_string(index=False))
print(f"\nbest accuracy {random_search.best_score_:.3f} with")
for name, value in random_search.best_params_.items():
    print(f"  {name.removeprefix('network__')} = {value}")

# %%
# Successive halving, with epochs as the resource
# -----------------------------------------------
# Every candidate first trains for ``min_resources`` epochs; a third of them
# (``factor=3``) go on to three times as many, and so on up to
# ``max_resources``.
grid = {
    "network__n_neurons": [8, 32, 64],
    "network__learning_rate": [0.001, 0.01, 0.1],
}
halving_search = HalvingGridSearchCV(
    pipeline,
    grid,
    resource="network__epochs",
    min_resources=2 if QUICK else 10,
    max_resources=18 if QUICK else 90,
    factor=3,
    cv=cv,
    n_jobs=-1,
)
halving_search.fit(X, y)
print(
    f"\nhalving search: best accuracy {halving_search.best_score_:.3f} "
    f"with {halving_search.best_params_}"
)
print("candidates per round:", list(halving_search.n_candidates_))
print("epochs per round:    ", list(halving_search.n_resources_))

# %%
# How the candidates fared, round by round
# ----------------------------------------
# A candidate is its parameters without the resource, which grows each round.
halving_results = pd.DataFrame(halving_search.cv_results_)
candidate = halving_results["params"].map(
    lambda params: ", ".join(
        f"{name.removeprefix('network__')}={value}"
        for name, value in params.items()
        if name != "network__epochs"
    )
)
fig, ax = plt.subplots(figsize=(7, 4.5))
for label, rows in halving_results.groupby(candidate):
    ax.plot(rows["n_resources"], rows["mean_test_score"], marker="o", label=label)
ax.set(
    xlabel="epochs (the resource)",
    ylabel="mean CV accuracy",
    xscale="log",
    title="Successive halving over epochs",
)
ax.set_xticks(
    halving_search.n_resources_, [str(n) for n in halving_search.n_resources_]
)
ax.minorticks_off()
ax.legend(fontsize=6, loc="lower right")
fig.tight_layout()
Path("figures").mkdir(exist_ok=True)
fig.savefig("figures/hyperparameter_search.png")
