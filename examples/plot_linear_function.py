"""
Learning y = x + 1 with one linear unit
=======================================

The smallest network there is: one ``Dense(1)`` unit, which computes
``w * x + b``, trained on eight points of the line y = x + 1 with the mean
squared error as the loss and the mean absolute error as a metric. After
3000 epochs it has found w = 1 and b = 1, and predicts 12, 13 and 14 for 11,
12 and 13.

The builder returns an uncompiled model, so skdl compiles it from the
estimator's ``optimizer``, ``learning_rate``, ``loss`` and ``metrics``
parameters: they can be grid-searched like any other parameter.
"""

# %%
# The data and the model
# ----------------------
import os
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np

from skdl import KerasRegressor

# Tests and the docs build set SKDL_EXAMPLES_QUICK=1 to train for fewer epochs.
QUICK = os.environ.get("SKDL_EXAMPLES_QUICK") == "1"

x = np.array([-3, 31, -11, 4, 0, 22, -2, -5], dtype=float).reshape(-1, 1)
y = x.ravel() + 1


def one_linear_unit():
    return keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])


regressor = KerasRegressor(
    model=one_linear_unit,
    optimizer="adam",
    learning_rate=0.01,
    loss="mean_squared_error",
    metrics=["mae"],
    epochs=300 if QUICK else 3000,
    random_state=0,
)
regressor.fit(x, y)

# %%
# What it learned
# ---------------
# The unit's weight and bias should both be close to 1.
weight, bias = (float(v.ravel()[0]) for v in regressor.model_.get_weights())
print(f"learned: y = {weight:.3f} * x + {bias:.3f}")

new_x = np.array([[11.0], [12.0], [13.0]])
predictions = regressor.predict(new_x)
for value, prediction in zip(new_x.ravel(), predictions, strict=True):
    print(f"x = {value:4.0f}  ->  predicted y = {prediction:.3f}")
print(f"final training MAE: {regressor.history_['mean_absolute_error'][-1]:.4f}")

# %%
# Training curve
# --------------
# ``history_`` holds the loss and metrics of every epoch, as Keras's
# ``History`` does.
fig, (ax_loss, ax_fit) = plt.subplots(1, 2, figsize=(10, 4))
ax_loss.semilogy(regressor.history_["loss"])
ax_loss.set(xlabel="epoch", ylabel="MSE (log scale)", title="Training loss")
line_x = np.linspace(-12, 32, 50).reshape(-1, 1)
ax_fit.plot(line_x, regressor.predict(line_x), label="network")
ax_fit.scatter(x, y, color="black", zorder=3, label="training points")
ax_fit.set(xlabel="x", ylabel="y", title="The learned line")
ax_fit.legend()
fig.tight_layout()
Path("figures").mkdir(exist_ok=True)
fig.savefig("figures/linear_function.png")
