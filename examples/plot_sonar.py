"""
Sonar: telling mines from rocks
===============================

The sonar tutorial's binary classifier: 60 sonar-band energies in, and out
the probability that the object is a metal cylinder (a mine, "M") rather
than a rock ("R"). The network is 60 -> 24 -> 10 -> 1 with a sigmoid output,
trained for 130 epochs in mini-batches of 5.

Three things the tutorial does, each with scikit-learn's own tools: a
stratified 10-fold cross-validation of the whole ``Pipeline`` (standardizing
inside each fold, so no test fold leaks into the scaling), one fit with a
validation set to draw the learning curves, and a save and reload of the
trained pipeline that must give identical predictions.

The labels stay the strings "M" and "R": ``KerasClassifier`` encodes them
for the network and decodes its outputs.
"""

# %%
# The data and the network
# ------------------------
import os
import pickle
import tempfile
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdl import KerasClassifier
from skdl.datasets import load_sonar

# Tests and the docs build set SKDL_EXAMPLES_QUICK=1 to train for fewer epochs.
QUICK = os.environ.get("SKDL_EXAMPLES_QUICK") == "1"
EPOCHS = 20 if QUICK else 130

X, y = load_sonar(return_X_y=True)
print(f"{X.shape[0]} sonar returns, {X.shape[1]} bands; labels {np.unique(y)}")


def sonar_network():
    model = keras.Sequential(
        [
            keras.Input((60,)),
            keras.layers.Dense(24, activation="relu"),
            keras.layers.Dense(10, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def sonar_pipeline(**training):
    classifier = KerasClassifier(
        model=sonar_network, epochs=EPOCHS, batch_size=5, random_state=0, **training
    )
    return Pipeline([("standardize", StandardScaler()), ("network", classifier)])


# %%
# Stratified 10-fold cross-validation
# -----------------------------------
cv_scores = cross_val_score(
    sonar_pipeline(),
    X,
    y,
    cv=StratifiedKFold(n_splits=10, shuffle=True, random_state=0),
    n_jobs=-1,
)
print(f"10-fold accuracy: {cv_scores.mean():.3f} (+/- {cv_scores.std():.3f})")

# %%
# Learning curves with a validation set
# -------------------------------------
# ``validation_split=0.2`` holds out the last 20% of the training rows, as in
# Keras's ``fit``; the rows are shuffled first so both classes are in it.
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
rng = np.random.default_rng(0)
order = rng.permutation(len(X_train))
model = sonar_pipeline(validation_split=0.2)
model.fit(X_train[order], y_train[order])
history = model.named_steps["network"].history_
print(f"held-out test accuracy: {model.score(X_test, y_test):.3f}")

fig, (ax_loss, ax_accuracy) = plt.subplots(1, 2, figsize=(10, 4))
for name, ax in (("loss", ax_loss), ("accuracy", ax_accuracy)):
    ax.plot(history[name], label="training")
    ax.plot(history[f"val_{name}"], label="validation")
    ax.set(xlabel="epoch", ylabel=name, title=f"Sonar network: {name}")
    ax.legend()
fig.tight_layout()
Path("figures").mkdir(exist_ok=True)
fig.savefig("figures/sonar_learning_curves.png")

# %%
# Save, reload, predict the same
# ------------------------------
# A fitted pipeline pickles like any scikit-learn estimator, network
# included. Unpickle only files you trust: pickle can run code.
with tempfile.TemporaryDirectory() as folder:
    saved = Path(folder) / "sonar_pipeline.pkl"
    saved.write_bytes(pickle.dumps(model))
    reloaded = pickle.loads(saved.read_bytes())
same_predictions = np.array_equal(
    reloaded.predict_proba(X_test), model.predict_proba(X_test)
)
print(f"reloaded model gives identical predictions: {same_predictions}")
