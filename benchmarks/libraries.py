"""One adapter per library: fit a workload, predict, run a grid search.

Each adapter runs in a worker process of its own (see ``worker.py``), so that
one library's process-wide settings never reach another's: scikeras's seeded
fits switch TensorFlow's op determinism on for the whole process, every
Keras-based library keeps traced functions and kernels around, and Keras
reads its backend (``KERAS_BACKEND``, see ``Adapter.backend``) once, when it
is first imported.

scikeras runs without ``random_state`` for that reason; the others are
seeded. The time of a fit is the wall time of the library's own ``fit`` call
on data already in memory. Each library is configured the way its own users
must configure it: a scikeras grid over the optimizer goes through a builder
that takes scikeras's ``compile_kwargs`` (see ``workloads.scikeras_builder``),
and every grid search records what each candidate actually trained with.
"""

import time

import numpy as np
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from benchmarks.workloads import scikeras_builder

LABELS = {
    "skdl": "skdl",
    "skdl_jit": "skdl jit",
    "skdl_float32": "skdl f32",
    "skdl_jax": "skdl JAX",
    "keras": "Keras",
    "keras_jax": "Keras JAX",
    "scikeras": "scikeras",
    "sklearn": "MLP",
}
DESCRIPTIONS = {
    "skdl": "skdl's KerasRegressor/KerasClassifier with its defaults (TensorFlow)",
    "skdl_jit": "skdl, the network compiled with jit_compile=True (XLA)",
    "skdl_float32": "skdl given float32 arrays (it computes in the input's precision)",
    "skdl_jax": "skdl with its defaults under KERAS_BACKEND=jax, in a process of "
    "its own",
    "keras": "raw Keras on TensorFlow: model.fit and model.predict with their defaults",
    "keras_jax": "raw Keras under KERAS_BACKEND=jax: model.fit and model.predict "
    "with their defaults (XLA-compiled, Keras's default there)",
    "scikeras": "scikeras 0.13's KerasRegressor/KerasClassifier (TensorFlow)",
    "sklearn": "scikit-learn's MLPRegressor/MLPClassifier",
}
# Ways to predict, beside each library's ``predict``: its fastest public call.
CALL_LABELS = {
    "predict": "predict",
    "predict_on_batch": "model.predict_on_batch(x)",
    "call": "model(x, training=False)",
}


def _score(task, y, predicted) -> float:
    if task == "regression":
        return float(r2_score(y, np.ravel(predicted)))
    return float(accuracy_score(y, predicted))


def claim_holds(claimed, trained) -> bool:
    """Whether a candidate's optimizer (or MLP solver) is the one it trained with."""
    return str(claimed).lower() == str(trained).lower()


class _CandidateRecorder:
    """GridSearchCV's scoring (R^2, as a regressor's ``score``) that also notes
    what each candidate's fitted step trained with.

    Only for ``n_jobs=1``: the notes stay in this process.
    """

    def __init__(self, adapter, grid_keys):
        self.adapter = adapter
        self.grid_keys = sorted({key.removeprefix("mlp__") for key in grid_keys})
        self.candidates = {}

    def __call__(self, pipeline, X, y):
        step = pipeline[-1]
        params = {key: step.get_params()[key] for key in self.grid_keys}
        claimed = params.get("optimizer", params.get("solver"))
        _record(self.candidates, params, claimed, self.adapter.trained_with(step))
        return float(r2_score(y, np.ravel(pipeline.predict(X))))


def _record(candidates: dict, params: dict, claimed, trained: dict) -> None:
    """Note what one fit of the candidate ``params`` trained with."""
    trained["as_named"] = claim_holds(claimed, trained["optimizer"])
    candidates.setdefault(str(params), []).append(trained)


class Adapter:
    """What every library's adapter offers the worker."""

    name = ""
    # The Keras backend the worker process runs (its KERAS_BACKEND); None for
    # a library without Keras.
    backend = "tensorflow"
    # Ways to predict that the latency section times (see CALL_LABELS).
    predict_calls = ("predict",)

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

    def predictor(self, estimator, call: str):
        """A function of X that predicts with ``estimator`` through ``call``."""
        if call != "predict":
            raise ValueError(f"{self.name} has no {call!r} call")
        return lambda X: self.predict(estimator, X)

    def grid_search(self, grid, epochs: int, n_splits: int, n_jobs: int = 1) -> dict:
        """``grid``'s search end to end; its time, best candidate and score.

        With ``n_jobs=1``, ``candidates`` maps each candidate to what its fits
        trained with (optimizer, epochs), one entry per fold, and ``claims_hold``
        says whether every fit trained with the optimizer its candidate names.
        """
        X, y = grid.load()
        params = self.grid_params(grid)
        parts = params if isinstance(params, list) else [params]
        keys = {key for part in parts for key in part}
        recorder = _CandidateRecorder(self, keys) if n_jobs == 1 else None
        search = GridSearchCV(
            Pipeline(
                [
                    ("standardize", StandardScaler()),
                    ("mlp", self.grid_model(grid, epochs)),
                ]
            ),
            params,
            cv=KFold(n_splits),
            n_jobs=n_jobs,
            scoring=recorder,
            # A failed fit would be a short one: fail the measurement instead.
            error_score="raise",
        )
        start = time.perf_counter()
        search.fit(X, y)
        seconds = time.perf_counter() - start
        best = {k.removeprefix("mlp__"): v for k, v in search.best_params_.items()}
        result = {"seconds": seconds, "best": str(best)}
        result["score"] = float(search.best_score_)
        if recorder is not None:
            result["candidates"] = recorder.candidates
            result["claims_hold"] = _claims_hold(recorder.candidates)
        return result

    def grid_model(self, grid, epochs: int):
        raise NotImplementedError

    def grid_params(self, grid):
        return {"mlp__optimizer": list(grid.optimizers)}

    def trained_with(self, step) -> dict:
        """The optimizer a fitted Keras-based step trained with, and its epochs."""
        history = getattr(step, "history_", None) or {}
        return {
            "optimizer": type(step.model_.optimizer).__name__,
            "epochs": len(history.get("loss", [])) or None,
        }


def _claims_hold(candidates: dict) -> bool:
    return all(fit["as_named"] for fits in candidates.values() for fit in fits)


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

    def grid_model(self, grid, epochs):
        from skdl import KerasRegressor

        # skdl passes its ``optimizer`` to a builder that names it.
        return KerasRegressor(
            model=grid.network,
            epochs=epochs,
            batch_size=grid.batch_size,
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


class SkdlJax(Skdl):
    """skdl with its defaults, its worker running Keras on JAX."""

    name = "skdl_jax"
    backend = "jax"


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
        return self.decode(self.model_.predict(X, verbose=0))

    def decode(self, output):
        output = np.asarray(output)
        if self.workload.task == "regression":
            return output.ravel()
        if self.workload.task == "binary":
            return self.classes_[(output.ravel() > 0.5).astype(int)]
        return self.classes_[output.argmax(axis=1)]


class Keras(Adapter):
    name = "keras"
    predict_calls = ("predict", "predict_on_batch", "call")

    def estimator(self, workload, epochs):
        return _KerasModel(workload, epochs)

    def predictor(self, estimator, call):
        # Keras's fast calls skip predict's data pipeline and batching loop;
        # their output is decoded as predict's is, to NumPy.
        model = estimator.model_
        if call == "predict_on_batch":
            return lambda X: estimator.decode(model.predict_on_batch(X))
        if call == "call":
            return lambda X: estimator.decode(model(X, training=False))
        return super().predictor(estimator, call)

    def grid_search(self, grid, epochs, n_splits, n_jobs=1):
        """The same search written out: scale, build, fit, score each fold."""
        X, y = grid.load()
        start = time.perf_counter()
        scores = {}
        candidates = {}
        for optimizer in grid.optimizers:
            fold_scores = []
            for train, test in KFold(n_splits).split(X):
                scaler = StandardScaler().fit(X[train])
                model = grid.network(optimizer)
                history = model.fit(
                    scaler.transform(X[train]),
                    y[train],
                    epochs=epochs,
                    batch_size=grid.batch_size,
                    verbose=0,
                )
                predicted = model.predict(scaler.transform(X[test]), verbose=0)
                fold_scores.append(r2_score(y[test], predicted.ravel()))
                trained = {
                    "optimizer": type(model.optimizer).__name__,
                    "epochs": len(history.history["loss"]),
                }
                _record(candidates, {"optimizer": optimizer}, optimizer, trained)
            scores[optimizer] = float(np.mean(fold_scores))
        # GridSearchCV's refit of the best candidate on all the data.
        best = max(scores, key=scores.get)
        scaler = StandardScaler().fit(X)
        grid.network(best).fit(
            scaler.transform(X), y, epochs=epochs, batch_size=grid.batch_size, verbose=0
        )
        seconds = time.perf_counter() - start
        return {
            "seconds": seconds,
            "best": str({"optimizer": best}),
            "score": scores[best],
            "candidates": candidates,
            "claims_hold": _claims_hold(candidates),
        }


class KerasJax(Keras):
    """Raw Keras, its worker running on JAX."""

    name = "keras_jax"
    backend = "jax"


# --------------------------------------------------------------- scikeras
class Scikeras(Adapter):
    # scikeras's predict is Keras's model.predict behind its own checks; it has
    # no faster call of its own (its fitted model_ is a Keras model: see Keras's
    # fast calls).
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

    def grid_model(self, grid, epochs):
        from scikeras.wrappers import KerasRegressor

        # scikeras hands ``optimizer`` to nothing but ``compile_kwargs``: the
        # builder has to compile with it, or the grid changes nothing.
        return KerasRegressor(
            model=scikeras_builder,
            model__network=grid.network,
            optimizer="adam",
            epochs=epochs,
            batch_size=grid.batch_size,
            verbose=0,
        )


# ---------------------------------------------------------- scikit-learn
class Sklearn(Adapter):
    name = "sklearn"
    backend = None

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

    def grid_model(self, grid, epochs):
        from sklearn.neural_network import MLPRegressor

        return MLPRegressor(
            hidden_layer_sizes=grid.hidden_layer_sizes,
            alpha=0.0,
            momentum=0.0,
            batch_size=grid.batch_size,
            max_iter=epochs,
            n_iter_no_change=epochs + 1,
            random_state=0,
        )

    def grid_params(self, grid):
        # Keras's defaults: SGD at 0.01 without momentum, Adam at 0.001.
        rates = {"sgd": 0.01, "adam": 0.001}
        return [
            {"mlp__solver": [optimizer.lower()], "mlp__learning_rate_init": [rate]}
            for optimizer in grid.optimizers
            for rate in [rates[optimizer.lower()]]
        ]

    def trained_with(self, step):
        return {"optimizer": step.solver, "epochs": int(step.n_iter_)}


ADAPTERS = {
    adapter.name: adapter
    for adapter in (
        Skdl,
        SkdlJit,
        SkdlFloat32,
        SkdlJax,
        Keras,
        KerasJax,
        Scikeras,
        Sklearn,
    )
}
