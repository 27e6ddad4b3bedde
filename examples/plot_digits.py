"""
Handwritten digits with the ready-made network
==============================================

The digit-classification tutorial trains 784 -> 64 -> 10 on MNIST, which
must be downloaded. scikit-learn ships a small stand-in that needs no
network: 1797 digits of 8 x 8 pixels (:func:`sklearn.datasets.load_digits`).
The network here is 64 -> 64 -> 10 with a softmax output, trained by plain
stochastic gradient descent in mini-batches of 32.

No model builder is needed: without ``model``, ``KerasClassifier`` builds a
dense network from ``hidden_layer_sizes`` and picks the softmax output and
the cross-entropy loss from the target, as ``MLPClassifier`` does.
"""

# %%
# The data
# --------
import os
from pathlib import Path

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.metrics import ConfusionMatrixDisplay, classification_report
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdl import KerasClassifier

# Tests and the docs build set SKDL_EXAMPLES_QUICK=1 to train for fewer epochs.
QUICK = os.environ.get("SKDL_EXAMPLES_QUICK") == "1"

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

# %%
# The network: 64 -> 64 -> 10, SGD
# --------------------------------
model = Pipeline(
    [
        ("standardize", StandardScaler()),
        (
            "network",
            KerasClassifier(
                hidden_layer_sizes=(64,),
                optimizer="sgd",
                learning_rate=0.05,
                batch_size=32,
                epochs=5 if QUICK else 30,
                random_state=0,
            ),
        ),
    ]
)
model.fit(X_train, y_train)
y_predicted = model.predict(X_test)
test_accuracy = model.score(X_test, y_test)
print(f"test accuracy: {test_accuracy:.3f}\n")
print(classification_report(y_test, y_predicted, digits=3))

# %%
# Which digits it confuses
# ------------------------
fig, ax = plt.subplots(figsize=(6, 6))
ConfusionMatrixDisplay.from_predictions(y_test, y_predicted, ax=ax, colorbar=False)
ax.set_title(f"Digits test set: accuracy {test_accuracy:.3f}")
fig.tight_layout()
Path("figures").mkdir(exist_ok=True)
fig.savefig("figures/digits_confusion_matrix.png")
