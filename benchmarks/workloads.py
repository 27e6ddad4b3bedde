"""The benchmark workloads: data, the tutorials' networks, training settings.

Every library trains the same network on the same data with the same epochs
and batch size: the Keras-based ones (skdl, scikeras, raw Keras) get the very
same model-building function, scikit-learn's MLP gets the same layer sizes,
activation, solver, learning rate, epochs and batch size (no L2 penalty, no
early stopping). Features are standardized once, outside the timed fits.
"""

from dataclasses import dataclass, field

import numpy as np
from sklearn.datasets import load_diabetes, load_digits
from sklearn.preprocessing import StandardScaler


# ------------------------------------------------------------ the networks
# Module-level functions, so that GridSearchCV's worker processes can
# unpickle estimators that hold them. Keras is imported inside them: the suite
# itself and scikit-learn's worker never load TensorFlow. ``jit_compile=True``
# (skdl passes builder arguments from its parameters) compiles with XLA.
# Their default, ``"auto"``, is Keras's own: no XLA for TensorFlow on a CPU,
# XLA for JAX (which would run op by op, uncompiled, with False).
def diabetes_network(optimizer="adam", jit_compile="auto"):
    """Diabetes regression, 10 -> 20 -> 6 -> 1."""
    import keras

    model = keras.Sequential(
        [
            keras.Input((10,)),
            keras.layers.Dense(20, activation="relu"),
            keras.layers.Dense(6, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(
        loss="mean_squared_error", optimizer=optimizer, jit_compile=jit_compile
    )
    return model


def sonar_network(jit_compile="auto"):
    """The sonar tutorial's classifier, 60 -> 24 -> 10 -> 1."""
    import keras

    model = keras.Sequential(
        [
            keras.Input((60,)),
            keras.layers.Dense(24, activation="relu"),
            keras.layers.Dense(10, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        loss="binary_crossentropy",
        optimizer="adam",
        metrics=["accuracy"],
        jit_compile=jit_compile,
    )
    return model


def digits_network(jit_compile="auto"):
    """The digits example's classifier, 64 -> 64 -> 10, SGD with rate 0.05."""
    import keras

    model = keras.Sequential(
        [
            keras.Input((64,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.SGD(learning_rate=0.05),
        jit_compile=jit_compile,
    )
    return model


def wine_network(optimizer="adam", jit_compile="auto"):
    """The red-wine tutorial's regressor, 11 -> 20 -> 6 -> 1.

    The tutorial's builder has no ``keras.Input``; scikeras 0.13 fails on
    such a model under Keras 3 ("Sequential model has no defined outputs"),
    so every library gets it with the input layer.
    """
    import keras

    model = keras.Sequential(
        [
            keras.Input((11,)),
            keras.layers.Dense(20, activation="relu", kernel_initializer="normal"),
            keras.layers.Dense(6, activation="relu", kernel_initializer="normal"),
            keras.layers.Dense(1, kernel_initializer="normal"),
        ]
    )
    model.compile(
        loss="mean_squared_error", optimizer=optimizer, jit_compile=jit_compile
    )
    return model


def bike_network(jit_compile="auto"):
    """The bike-sharing example's regressor, 12 -> 64 -> 32 -> 1."""
    import keras

    model = keras.Sequential(
        [
            keras.Input((12,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(loss="mean_squared_error", optimizer="adam", jit_compile=jit_compile)
    return model


# ------------------------------------------------------------------ data
def _standardized(X):
    return StandardScaler().fit_transform(np.asarray(X, dtype=np.float64))


def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    return _standardized(X), y.astype(np.float64)


def _sonar():
    from skdl.datasets import load_sonar

    X, y = load_sonar(return_X_y=True)
    return _standardized(X), np.asarray(y)


def _digits():
    X, y = load_digits(return_X_y=True)
    return _standardized(X), y


def _bike_hourly():
    from skdl.datasets import load_bike_sharing

    X, y = load_bike_sharing(frequency="hour", return_X_y=True)
    return _standardized(X), np.asarray(y, dtype=np.float64)


def load_wine():
    """The red-wine table, unscaled: the grid search's pipeline scales it."""
    from skdl.datasets import load_wine_quality

    X, y = load_wine_quality(return_X_y=True)
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)


@dataclass(frozen=True)
class Workload:
    """One training task, as every library runs it."""

    name: str
    title: str
    task: str  # "regression", "binary" or "multiclass"
    network: object
    hidden_layer_sizes: tuple[int, ...]
    epochs: int
    quick_epochs: int
    batch_size: int
    solver: str = "adam"
    learning_rate: float = 0.001
    loader: object = field(default=None, repr=False)
    repeats: int = 5
    large: bool = False

    def load(self):
        return self.loader()

    def epochs_for(self, quick: bool) -> int:
        return self.quick_epochs if quick else self.epochs


FIT_WORKLOADS = {
    workload.name: workload
    for workload in [
        Workload(
            "diabetes",
            "diabetes 442x10, 10-20-6-1, batch 5, 50 epochs",
            "regression",
            diabetes_network,
            (20, 6),
            epochs=50,
            quick_epochs=3,
            batch_size=5,
            loader=_diabetes,
        ),
        Workload(
            "sonar",
            "sonar 208x60, 60-24-10-1, batch 5, 130 epochs",
            "binary",
            sonar_network,
            (24, 10),
            epochs=130,
            quick_epochs=3,
            batch_size=5,
            loader=_sonar,
        ),
        Workload(
            "digits",
            "digits 1797x64, 64-64-10, batch 32, 30 epochs",
            "multiclass",
            digits_network,
            (64,),
            epochs=30,
            quick_epochs=2,
            batch_size=32,
            solver="sgd",
            learning_rate=0.05,
            loader=_digits,
        ),
        Workload(
            "bike_hourly",
            "bike sharing hourly 17379x12, 12-64-32-1, batch 16, 10 epochs",
            "regression",
            bike_network,
            (64, 32),
            epochs=10,
            quick_epochs=1,
            batch_size=16,
            loader=_bike_hourly,
            repeats=3,
            large=True,
        ),
    ]
}


def _diabetes_unscaled():
    """The diabetes table as scikit-learn ships it: the pipeline scales it."""
    X, y = load_diabetes(return_X_y=True)
    return X, y.astype(np.float64)


@dataclass(frozen=True)
class GridWorkload:
    """A tutorial's grid search over the optimizer, run end to end.

    ``GridSearchCV`` over a ``Pipeline`` of ``StandardScaler`` and the
    regressor, the optimizer in ``optimizers`` (Keras's defaults: SGD at 0.01
    without momentum, Adam at 0.001), ``KFold(n_splits)``, then the refit.
    """

    name: str
    title: str
    network: object  # a builder taking ``optimizer``
    hidden_layer_sizes: tuple[int, ...]
    batch_size: int
    epochs: int
    quick_epochs: int
    n_splits: int
    quick_n_splits: int
    loader: object = field(default=None, repr=False)
    optimizers: tuple[str, ...] = ("SGD", "Adam")
    repeats: int = 2

    def load(self):
        return self.loader()

    def epochs_for(self, quick: bool) -> int:
        return self.quick_epochs if quick else self.epochs

    def n_splits_for(self, quick: bool) -> int:
        return self.quick_n_splits if quick else self.n_splits

    def describe(self, epochs: int, n_splits: int) -> str:
        return (
            f"{self.title}, optimizer in {{{', '.join(self.optimizers)}}}, "
            f"KFold({n_splits}), batch {self.batch_size}, {epochs} epochs"
        )


GRID_WORKLOADS = {
    grid.name: grid
    for grid in [
        # The red-wine tutorial: 20 fits of 50 epochs in mini-batches of 32.
        GridWorkload(
            "wine",
            "red-wine grid search 1599x11, StandardScaler + 11-20-6-1",
            wine_network,
            (20, 6),
            batch_size=32,
            epochs=50,
            quick_epochs=3,
            n_splits=10,
            quick_n_splits=3,
            loader=load_wine,
        ),
        # The seed's tutorial grid, which issue 13's targets are set on.
        GridWorkload(
            "diabetes_grid",
            "diabetes grid search 442x10, StandardScaler + 10-20-6-1 relu",
            diabetes_network,
            (20, 6),
            batch_size=5,
            epochs=50,
            quick_epochs=2,
            n_splits=10,
            quick_n_splits=2,
            loader=_diabetes_unscaled,
        ),
    ]
}
WINE_GRID = GRID_WORKLOADS["wine"]
TUTORIAL_GRID = GRID_WORKLOADS["diabetes_grid"]


def scikeras_builder(network, compile_kwargs):
    """A scikeras model builder that compiles with scikeras's optimizer.

    scikeras passes its ``optimizer`` parameter (and ``optimizer__*``) to
    nothing but ``compile_kwargs``: a builder that compiles its own model
    with a fixed optimizer trains that one whatever a grid sets. A scikeras
    user grid-searching the optimizer writes the builder this way, or
    returns an uncompiled model. ``network`` arrives as ``model__network``.
    """
    return network(optimizer=compile_kwargs["optimizer"])
