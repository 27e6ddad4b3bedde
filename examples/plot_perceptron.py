"""
A perceptron: one sigmoid neuron predicts who passes an exam
============================================================

The perceptron tutorial's network is a single neuron: a weighted sum of two
exam scores passed through a sigmoid, read as the probability of passing a
third exam. It is logistic regression, trained by gradient descent: Adam with
a learning rate of 0.01, the binary cross-entropy loss, 1000 epochs, on 70%
of the students; the other 30% measure it.

The tutorial's own data are not redistributable, so
:func:`skdl.datasets.make_exam_scores` generates a synthetic stand-in of
1000 students: two scores in [0, 100], and a pass mark on their mean blurred
by noise, so that no straight line separates the classes perfectly and about
0.88 accuracy is the best a single neuron can do.
"""

# %%
# The data
# --------
import os
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdl import KerasClassifier
from skdl.datasets import make_exam_scores

# Tests and the docs build set SKDL_EXAMPLES_QUICK=1 to train for fewer epochs.
QUICK = os.environ.get("SKDL_EXAMPLES_QUICK") == "1"

X, y = make_exam_scores(n_samples=1000, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
print(f"{len(X_train)} students to train on, {len(X_test)} to test on")

# %%
# One neuron
# ----------
# The scores are standardized first: a sigmoid on raw scores of 0-100
# saturates, and gradient descent crawls.


def perceptron():
    return keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")]
    )


model = Pipeline(
    [
        ("standardize", StandardScaler()),
        (
            "perceptron",
            KerasClassifier(
                model=perceptron,
                optimizer="adam",
                learning_rate=0.01,
                loss="binary_crossentropy",
                metrics=["accuracy"],
                epochs=200 if QUICK else 1000,
                random_state=0,
            ),
        ),
    ]
)
model.fit(X_train, y_train)

# %%
# Test accuracy and loss
# ----------------------
test_accuracy = model.score(X_test, y_test)
test_loss = log_loss(y_test, model.predict_proba(X_test))
print(f"test accuracy: {test_accuracy:.3f}, test loss: {test_loss:.3f}")

# %%
# Predictions with confidence
# ---------------------------
# ``predict_proba`` gives the probability of each class, in the order of
# ``classes_`` (0 = failed, 1 = passed).
new_students = np.array([[45.0, 85.0], [60.0, 62.0], [80.0, 75.0], [35.0, 40.0]])
pass_probability = model.predict_proba(new_students)[:, 1]
for scores, probability in zip(new_students, pass_probability, strict=True):
    verdict = "pass" if probability >= 0.5 else "fail"
    confidence = max(probability, 1 - probability)
    print(f"scores {scores}: {verdict} ({confidence:.0%} confident)")

# %%
# The decision boundary and the training curve
# --------------------------------------------
history = model.named_steps["perceptron"].history_
grid_1, grid_2 = np.meshgrid(np.linspace(0, 100, 101), np.linspace(0, 100, 101))
grid_probability = model.predict_proba(np.c_[grid_1.ravel(), grid_2.ravel()])[:, 1]
fig, (ax_boundary, ax_curve) = plt.subplots(1, 2, figsize=(11, 4.5))
contour = ax_boundary.contourf(
    grid_1, grid_2, grid_probability.reshape(grid_1.shape), levels=20, cmap="RdBu"
)
fig.colorbar(contour, ax=ax_boundary, label="probability of passing")
ax_boundary.scatter(
    *X_test[y_test == 1].T, facecolor="white", edgecolor="black", s=18, label="passed"
)
ax_boundary.scatter(*X_test[y_test == 0].T, color="black", marker="x", label="failed")
ax_boundary.legend(loc="lower left")
ax_boundary.set(xlabel="exam 1", ylabel="exam 2", title="Test students")
ax_curve.plot(history["loss"], label="loss")
ax_curve.plot(history["accuracy"], label="accuracy")
ax_curve.set(xlabel="epoch", title="Training")
ax_curve.legend()
fig.tight_layout()
Path("figures").mkdir(exist_ok=True)
fig.savefig("figures/perceptron.png")
