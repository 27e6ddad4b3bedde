"""One adapter per library: fit a workload, predict, run the red-wine search.

Each adapter runs in a worker process of its own (see ``worker.py``), so that
one library's process-wide settings never reach another's: scikeras's seeded
fits switch TensorFlow's op determinism on for the whole process, and every
Keras-based library keeps traced functions and kernels around.

scikeras runs without ``random_state`` for that reason; the others are
seeded. The time of a fit is the wall time of the library's own ``fit`` call
on data already in memory.
"""

import time

import numpy as np
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from benchmarks.workloads import WINE_GRID, load_wine, wine_network

LABELS = {
    "skdl": "skdl",
    "skdl_jit": "skdl jit",
    "skdl_float32": "skdl f32",
    "keras": "Keras",
    "scikeras": "scikeras",
    "sklearn": "MLP",
}
DESCRIPTIONS = {
    "skdl": "skdl's KerasRegressor/KerasClassifier with its defaults",
    "skdl_jit": "skdl, the network compiled with jit_compile=True (XLA)",
    "skdl_float32": "skdl given float32 arrays (it computes in the input's precision)",
    "keras": "raw Keras: model.fit and model.predict with their defaults",
    "scikeras": "scikeras 0.13's KerasRegressor/KerasClassifier",
    "sklearn": "scikit-learn's MLPRegressor/MLPClassifier",
}


def _score(task, y, predicted) -> float:
    if task == "regression":
        return float(r2_score(y, np.ravel(predicted)))
    return float(accuracy_score(y, predicted))


class Adapter:
    """What every library's adapter offers the worker."""

    name = ""

    def estimator(self, workload, epochs: int):
        raise NotImplementedError

    def fit(self, workload, X, y, epochs: int):
        """Fit ``workload``; return (seconds, fitted predictor, training score)."""
        estimator = self.estimator(workload, epochs)
        X = self.inputs(X)
        start = time.perf_counter()
        estimator.fit(X, y)
        seconds = time.perf_counter() - start
        score = _score(workload.task, y, estimator.predict(X))
        return seconds, estimator, score

    def inputs(self, X):
        return X

    def predict(self, estimator, X):
        return estimator.predict(X)

    def wine_search(self, epochs: int, n_splits: int, n_jobs: int = 1):
        """The red-wine grid search; return (seconds, best optimizer, best score)."""
        X, y = load_wine()
        search = GridSearchCV(
            Pipeline(
                [("standardize", StandardScaler()), ("mlp", self.wine_model(epochs))]
            ),
            self.wine_grid(),
            cv=KFold(n_splits),
            n_jobs=n_jobs,
        )
        start = time.perf_counter()
        search.fit(X, y)
        seconds = time.perf_counter() - start
        best = {k.removeprefix("mlp__"): v for k, v in search.best_params_.items()}
        return seconds, str(best), float(search.best_score_)

    def wine_model(self, epochs: int):
        raise NotImplementedError

    def wine_grid(self) -> dict:
        return {"mlp__optimizer": WINE_GRID["optimizers"]}


# ------------------------------------------------------------------- skdl
class Skdl(Adapter):
    name = "skdl"
    # Builder arguments (skdl passes the parameters its builder names).
    extra: dict = {}

    def estimator(self, workload, epochs):
        from skdl import KerasClassifier, KerasRegressor

        cls = KerasRegressor if workload.task == "regression" else KerasClassifier
        return cls(
            model=workload.network,
            epochs=epochs,
            batch_size=workload.batch_size,
            random_state=0,
            **self.extra,
        )

    def wine_model(self, epochs):
        from skdl import KerasRegressor

        return KerasRegressor(
            model=wine_network,
            epochs=epochs,
            batch_size=WINE_GRID["batch_size"],
            random_state=0,
            **self.extra,
        )


class SkdlJit(Skdl):
    """skdl with the network compiled by XLA (``jit_compile=True``)."""

    name = "skdl_jit"
    extra = {"jit_compile": True}


class SkdlFloat32(Skdl):
    """skdl given float32 inputs: it then computes in float32, as Keras does."""

    name = "skdl_float32"

    def inputs(self, X):
        return X.astype(np.float32)


# ------------------------------------------------------------------ Keras
class _KerasModel:
    """A plain Keras model, trained with ``fit`` and its defaults."""

    def __init__(self, workload, epochs):
        self.workload = workload
        self.epochs = epochs

    def fit(self, X, y):
        self.model_ = self.workload.network()
        self.classes_ = None
        if self.workload.task != "regression":
            self.classes_, y = np.unique(y, return_inverse=True)
        self.model_.fit(
            X, y, epochs=self.epochs, batch_size=self.workload.batch_size, verbose=0
        )
        return self

    def predict(self, X):
        output = self.model_.predict(X, verbose=0)
        if self.workload.task == "regression":
            return output.ravel()
        if self.workload.task == "binary":
            return self.classes_[(output.ravel() > 0.5).astype(int)]
        return self.classes_[output.argmax(axis=1)]


class Keras(Adapter):
    name = "keras"

    def estimator(self, workload, epochs):
        return _KerasModel(workload, epochs)

    def wine_search(self, epochs, n_splits, n_jobs=1):
        """The same search written out: scale, build, fit, score each fold."""
        X, y = load_wine()
        start = time.perf_counter()
        scores = {}
        for optimizer in WINE_GRID["optimizers"]:
            fold_scores = []
            for train, test in KFold(n_splits).split(X):
                scaler = StandardScaler().fit(X[train])
                model = wine_network(optimizer)
                model.fit(
                    scaler.transform(X[train]),
                    y[train],
                    epochs=epochs,
                    batch_size=WINE_GRID["batch_size"],
                    verbose=0,
                )
                predicted = model.predict(scaler.transform(X[test]), verbose=0)
                fold_scores.append(r2_score(y[test], predicted.ravel()))
            scores[optimizer] = float(np.mean(fold_scores))
        seconds = time.perf_counter() - start
        best = max(scores, key=scores.get)
        return seconds, str({"optimizer": best}), scores[best]


# --------------------------------------------------------------- scikeras
class Scikeras(Adapter):
    name = "scikeras"

    def estimator(self, workload, epochs):
        from scikeras.wrappers import KerasClassifier, KerasRegressor

        cls = KerasRegressor if workload.task == "regression" else KerasClassifier
        # No random_state: a seeded scikeras fit switches TensorFlow's op
        # determinism on for the whole process.
        return cls(
            model=workload.network,
            epochs=epochs,
            batch_size=workload.batch_size,
            verbose=0,
        )

    def wine_model(self, epochs):
        from scikeras.wrappers import KerasRegressor

        return KerasRegressor(
            model=wine_network,
            optimizer="adam",
            epochs=epochs,
            batch_size=WINE_GRID["batch_size"],
            verbose=0,
        )


# ---------------------------------------------------------- scikit-learn
class Sklearn(Adapter):
    name = "sklearn"

    def estimator(self, workload, epochs):
        from sklearn.neural_network import MLPClassifier, MLPRegressor

        cls = MLPRegressor if workload.task == "regression" else MLPClassifier
        # The worker ignores ConvergenceWarning: reaching max_iter is the plan.
        return cls(
            hidden_layer_sizes=workload.hidden_layer_sizes,
            solver=workload.solver,
            learning_rate_init=workload.learning_rate,
            momentum=0.0,
            alpha=0.0,
            batch_size=workload.batch_size,
            max_iter=epochs,
            # Never stop early: train exactly `epochs` epochs.
            n_iter_no_change=epochs + 1,
            random_state=0,
        )

    def wine_model(self, epochs):
        from sklearn.neural_network import MLPRegressor

        return MLPRegressor(
            hidden_layer_sizes=(20, 6),
            alpha=0.0,
            momentum=0.0,
            batch_size=WINE_GRID["batch_size"],
            max_iter=epochs,
            n_iter_no_change=epochs + 1,
            random_state=0,
        )

    def wine_grid(self):
        # Keras's defaults: SGD at 0.01 without momentum, Adam at 0.001.
        return [
            {"mlp__solver": ["sgd"], "mlp__learning_rate_init": [0.01]},
            {"mlp__solver": ["adam"], "mlp__learning_rate_init": [0.001]},
        ]


ADAPTERS = {
    adapter.name: adapter
    for adapter in (Skdl, SkdlJit, SkdlFloat32, Keras, Scikeras, Sklearn)
}
