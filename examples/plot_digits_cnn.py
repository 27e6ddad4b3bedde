"""
A convolutional network on the digits, grid-searched
====================================================

Images are where Keras earns its keep: a convolution sees that neighbouring
pixels belong together, which a dense network has to learn from scratch.
Here the 1797 digits of :func:`sklearn.datasets.load_digits` are 8 x 8 x 1
images, passed to ``KerasClassifier`` as a 4-D array (samples first, as for
every scikit-learn estimator), and ``GridSearchCV`` picks the number of
convolution filters. The ready-made dense network on the same 64 pixels, on
the same folds, is the yardstick.
"""

# %%
# The images
# ----------
import os
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    cross_val_predict,
    cross_val_score,
)

from skdl import KerasClassifier

# Tests and the docs build set SKDL_EXAMPLES_QUICK=1 to train for fewer epochs.
QUICK = os.environ.get("SKDL_EXAMPLES_QUICK") == "1"
EPOCHS = 3 if QUICK else 30

pixels, y = load_digits(return_X_y=True)
images = (pixels / 16.0).reshape(-1, 8, 8, 1)  # (1797, 8, 8, 1)
print("images:", images.shape)


# %%
# The model builder
# -----------------
# A builder as scikeras writes them: ``meta`` says how many classes there
# are; ``filters`` is a parameter of the estimator, so the search can set it.
def convolutional_network(meta, filters=8):
    model = keras.Sequential(
        [
            keras.Input(meta["X_shape_"][1:]),
            keras.layers.Conv2D(filters, 3, activation="relu", padding="same"),
            keras.layers.Conv2D(2 * filters, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    return model


# %%
# The search
# ----------
folds = StratifiedKFold(3, shuffle=True, random_state=0)
search = GridSearchCV(
    KerasClassifier(
        model=convolutional_network,
        filters=8,
        epochs=EPOCHS,
        batch_size=32,
        random_state=0,
    ),
    {"filters": [4, 8, 16]},
    cv=folds,
)
search.fit(images, y)
for filters, score in zip(
    search.cv_results_["param_filters"],
    search.cv_results_["mean_test_score"],
    strict=True,
):
    print(f"filters={filters:2d}: accuracy {score:.3f}")
print("best:", search.best_params_)

# %%
# Against the dense network
# -------------------------
# The same folds. (The search's best score is the best of three candidates,
# which flatters it a little; the gap below is larger than that.)
dense_scores = cross_val_score(
    KerasClassifier(epochs=EPOCHS, random_state=0), pixels, y, cv=folds
)
cnn_accuracy = search.best_score_
dense_accuracy = dense_scores.mean()
print(f"CNN accuracy {cnn_accuracy:.3f}, dense network {dense_accuracy:.3f}")

# %%
# What the best network gets wrong
# --------------------------------
# Each image is predicted by the network trained on the other two folds, so
# these are mistakes on images it has not seen. (``search.best_estimator_``,
# refitted on every image, is the model to keep for new ones.)
best = search.best_estimator_
predicted = cross_val_predict(clone(best), images, y, cv=folds)
wrong = np.flatnonzero(predicted != y)[:8]
fig, axes = plt.subplots(1, max(len(wrong), 1), figsize=(10, 2))
for ax, index in zip(np.atleast_1d(axes), wrong, strict=False):
    ax.imshow(images[index, :, :, 0], cmap="gray_r")
    ax.set_title(f"{y[index]} as {predicted[index]}")
for ax in np.atleast_1d(axes):
    ax.axis("off")
fig.suptitle(f"CNN {cnn_accuracy:.3f} against dense {dense_accuracy:.3f}")
fig.tight_layout()
Path("figures").mkdir(exist_ok=True)
fig.savefig("figures/digits_cnn_mistakes.png", dpi=120)
