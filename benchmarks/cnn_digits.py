"""A CNN on the digits as 8 x 8 x 1 images: skdl against scikeras and Keras.

Every library trains the same builder (two small convolutions, a dense
softmax head, Adam) on the same images for the same epochs and batch size,
and each is timed the way its users run it:

- ``skdl``: ``KerasClassifier(model=cnn, ...)``, the default call;
- ``scikeras``: scikeras 0.13's ``KerasClassifier(model=cnn, ...)``;
- ``keras``: ``model.fit`` on a freshly built model.

Cold is the first fit in the process (tracing included); warm is the median
of the following fits, each of a new model (as a grid search makes them).
So that the libraries are seen doing the same work, the training accuracy of
each fitted model is recorded too (outside the timed fit).
Run with ``.venv/bin/python -m benchmarks.cnn_digits`` (about a minute on 2
cores); the figures are printed and written to
``benchmarks/results/cnn_digits.json``.
"""

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

EPOCHS = 10
BATCH_SIZE = 32
RESULTS = Path(__file__).parent / "results" / "cnn_digits.json"


def cnn(filters=8):
    """8x8x1 -> Conv(filters, 3) -> Conv(2 * filters, 3) -> Flatten -> 10."""
    import keras

    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(filters, 3, activation="relu", padding="same"),
            keras.layers.Conv2D(2 * filters, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    return model


def images():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).reshape(-1, 8, 8, 1).astype("float32"), y


def fit_skdl(X, y, seed):
    from skdl import KerasClassifier

    return KerasClassifier(
        model=cnn, epochs=EPOCHS, batch_size=BATCH_SIZE, random_state=seed
    ).fit(X, y)


def fit_scikeras(X, y, seed):
    from scikeras.wrappers import KerasClassifier

    return KerasClassifier(
        model=cnn, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0
    ).fit(X, y)


def fit_keras(X, y, seed):
    import keras

    keras.utils.set_random_seed(seed)
    model = cnn()
    model.fit(X, y, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
    return model


def training_accuracy(fitted, X, y):
    """Accuracy of a fitted estimator (or a bare Keras model) on X."""
    if hasattr(fitted, "score"):
        return float(fitted.score(X, y))
    return float((fitted.predict(X, verbose=0).argmax(axis=1) == y).mean())


LIBRARIES = {"skdl": fit_skdl, "scikeras": fit_scikeras, "keras": fit_keras}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    import skdl.estimators  # noqa: F401  (TensorFlow's quiet start-up)

    X, y = images()
    results = {}
    for name, fit in LIBRARIES.items():
        seconds, accuracies = [], []
        for seed in range(args.repeats + 1):
            start = time.perf_counter()
            fitted = fit(X, y, seed)
            seconds.append(time.perf_counter() - start)
            accuracies.append(training_accuracy(fitted, X, y))
        results[name] = {
            "cold_s": seconds[0],
            "warm_median_s": statistics.median(seconds[1:]),
            "warm_s": seconds[1:],
            "training_accuracy_median": statistics.median(accuracies),
        }
        print(
            f"{name:9s} cold {seconds[0]:6.2f} s   warm median "
            f"{results[name]['warm_median_s']:6.2f} s   training accuracy "
            f"{results[name]['training_accuracy_median']:.3f}",
            flush=True,
        )
    for peer in ("scikeras", "keras"):
        for timing in ("cold", "warm"):
            key = "cold_s" if timing == "cold" else "warm_median_s"
            ratio = results[peer][key] / results["skdl"][key]
            results[f"{peer}_over_skdl_{timing}"] = ratio
            print(f"{peer} / skdl ({timing}): {ratio:.1f}x")
    results["settings"] = {
        "epochs": EPOCHS,
        "batch_size": BATCH_SIZE,
        "n_samples": int(len(X)),
        "repeats": args.repeats,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1) + "\n")
    return results


if __name__ == "__main__":
    np.set_printoptions(precision=3)
    main()
