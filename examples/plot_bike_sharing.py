"""
Bike-sharing demand from the weather
====================================

How many bikes will be rented today, given the weather? The bike-sharing
tutorial feeds four weather readings (temperature, "feels like"
temperature, humidity and wind speed) to a 64 -> 32 -> 1 network, trained
in mini-batches of 16 with early stopping on a 20% validation split, and
measures the mean absolute error on days it has not seen.

The data are the daily counts of Capital Bikeshare in Washington D.C. in
2011-2012, bundled with skdl (see ``load_bike_sharing().DESCR``). The weather
explains much of the demand, but not its growth from 2011 to 2012, which
caps how good a weather-only model can be.
"""

# %%
# The data
# --------
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skdl import KerasRegressor
from skdl.datasets import load_bike_sharing

# Tests and the docs build set SKDL_EXAMPLES_QUICK=1 to train for fewer epochs.
QUICK = os.environ.get("SKDL_EXAMPLES_QUICK") == "1"

bikes = load_bike_sharing(frequency="day", as_frame=True)
X = bikes.data[["temp", "atemp", "hum", "windspeed"]]
y = bikes.target
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)

# %%
# The network, with early stopping
# --------------------------------
# ``early_stopping=True`` holds out ``validation_fraction`` of the training
# rows, stops when their loss has not improved by ``tol`` for
# ``n_iter_no_change`` epochs, and keeps the best weights.
model = Pipeline(
    [
        ("standardize", StandardScaler()),
        (
            "network",
            KerasRegressor(
                hidden_layer_sizes=(64, 32),
                batch_size=16,
                epochs=20 if QUICK else 300,
                early_stopping=True,
                validation_fraction=0.2,
                n_iter_no_change=20,
                random_state=0,
            ),
        ),
    ]
)
model.fit(X_train, y_train)
network = model.named_steps["network"]
print(f"trained for {network.n_iter_} epochs")

# %%
# Test error
# ----------
# The baseline predicts the mean daily count of the training days.
test_mae = mean_absolute_error(y_test, model.predict(X_test))
baseline_mae = mean_absolute_error(y_test, np.full(len(y_test), y_train.mean()))
print(f"test MAE: {test_mae:.0f} bikes a day (predicting the mean: {baseline_mae:.0f})")

fig, (ax_loss, ax_fit) = plt.subplots(1, 2, figsize=(11, 4))
ax_loss.semilogy(network.history_["loss"], label="training")
ax_loss.semilogy(network.history_["val_loss"], label="validation")
ax_loss.set(xlabel="epoch", ylabel="MSE (log scale)", title="Training")
ax_loss.legend()
ax_fit.scatter(y_test, model.predict(X_test), s=10)
ax_fit.plot([0, y.max()], [0, y.max()], color="gray", linestyle="--")
ax_fit.set(xlabel="rentals", ylabel="predicted rentals", title="Test days")
fig.tight_layout()
Path("figures").mkdir(exist_ok=True)
fig.savefig("figures/bike_sharing.png")
