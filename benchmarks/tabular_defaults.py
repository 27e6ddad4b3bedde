"""How the ready-made network's defaults compare, on small tables as they come.

Cross-validates, on scikit-learn's own small data sets and skdl's bundled
ones, each in its raw units:

- ``skdl``: ``KerasClassifier()`` / ``KerasRegressor()`` on the raw table;
- ``skdl+scaler``: the same behind a ``StandardScaler``;
- ``skdl early stopping``: ``early_stopping=True`` on the raw table;
- ``skdl sgd``: ``optimizer="sgd"`` on the raw table;
- ``mlp+scaler``: ``MLPClassifier`` / ``MLPRegressor`` behind a
  ``StandardScaler`` (what scikit-learn's users write);

and prints mean accuracy or R² over 5 folds, and fit seconds. Run with
``.venv/bin/python -m benchmarks.tabular_defaults`` (about 10 minutes on 2
cores); ``--quick`` runs two data sets.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn import datasets as sk_datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold, cross_validate
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdl import KerasClassifier, KerasRegressor
from skdl import datasets as skdl_datasets

DATASETS = {
    "iris": (sk_datasets.load_iris, "classification"),
    "wine": (sk_datasets.load_wine, "classification"),
    "breast_cancer": (sk_datasets.load_breast_cancer, "classification"),
    "digits": (sk_datasets.load_digits, "classification"),
    "diabetes": (sk_datasets.load_diabetes, "regression"),
    "sonar": (skdl_datasets.load_sonar, "classification"),
    "pima": (skdl_datasets.load_pima_diabetes, "classification"),
    "wine_quality": (skdl_datasets.load_wine_quality, "regression"),
    "bike_sharing": (skdl_datasets.load_bike_sharing, "regression"),
}


def candidates(task: str) -> dict:
    network = KerasClassifier if task == "classification" else KerasRegressor
    mlp = MLPClassifier if task == "classification" else MLPRegressor
    return {
        "skdl": network(random_state=0),
        "skdl+scaler": make_pipeline(StandardScaler(), network(random_state=0)),
        "skdl early stopping": network(early_stopping=True, random_state=0),
        "skdl sgd": network(optimizer="sgd", random_state=0),
        "mlp+scaler": make_pipeline(StandardScaler(), mlp(random_state=0)),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    names = ["iris", "diabetes"] if args.quick else list(DATASETS)
    rows = []
    for name in names:
        loader, task = DATASETS[name]
        X, y = loader(return_X_y=True)
        if task == "classification":
            folds, scoring = StratifiedKFold(5, shuffle=True, random_state=0), None
        else:
            folds, scoring = KFold(5, shuffle=True, random_state=0), "r2"
        for label, estimator in candidates(task).items():
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                result = cross_validate(
                    estimator, X, y, cv=folds, scoring=scoring, error_score=np.nan
                )
            seconds = time.perf_counter() - start
            score = np.mean(result["test_score"])
            rows.append((name, label, score, np.mean(result["fit_time"])))
            print(
                f"{name:14s} {label:20s} {score:7.3f}  fit {seconds / 5:6.2f} s",
                flush=True,
            )
    print()
    labels = list(candidates("classification"))
    print("mean score over data sets:")
    for label in labels:
        scores = [row[2] for row in rows if row[1] == label]
        print(f"  {label:20s} {np.nanmean(scores):.3f}")


if __name__ == "__main__":
    main()
