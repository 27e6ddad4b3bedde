"""
A table with text and categorical columns, as it comes
======================================================

Real tables mix numbers with categories: a season, a weekday, a weather
label, a yes/no flag. scikit-learn's MLP needs them one-hot encoded and the
numbers standardized first, in a ``ColumnTransformer``. skdl's ready-made
network takes the DataFrame as it is: it gives every categorical column
(pandas ``category``, string or boolean dtype) an embedding and learns the
scaling of the numeric columns from the training data, inside the network.

The question: was a day busy for Capital Bikeshare (more rentals than on
the median day)? The daily data of 2011-2012 are bundled with skdl (see
``load_bike_sharing().DESCR``); here their coded calendar and weather
columns are turned into the labelled categories a real table would have.
"""

# %%
# The table
# ---------
import calendar
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skdl import KerasClassifier
from skdl.datasets import load_bike_sharing

# Tests and the docs build set SKDL_EXAMPLES_QUICK=1 to train for fewer epochs.
QUICK = os.environ.get("SKDL_EXAMPLES_QUICK") == "1"

bikes = load_bike_sharing(frequency="day", as_frame=True)
codes = bikes.data
X = pd.DataFrame(
    {
        "season": pd.Categorical(
            codes["season"].map({1: "winter", 2: "spring", 3: "summer", 4: "fall"})
        ),
        "year": codes["yr"].map({0: "2011", 1: "2012"}).astype("string"),
        "month": pd.Categorical(
            codes["mnth"].astype(int).map(lambda m: calendar.month_abbr[m])
        ),
        "weekday": pd.Categorical(
            codes["weekday"].astype(int).map(lambda d: calendar.day_abbr[(d - 1) % 7])
        ),
        "holiday": codes["holiday"] == 1,
        "working_day": codes["workingday"] == 1,
        "weather": pd.Categorical(
            codes["weathersit"].map(
                {1: "clear", 2: "mist", 3: "light rain or snow", 4: "heavy rain"}
            )
        ),
        "temperature": codes["temp"] * 41,  # degrees Celsius
        "humidity": codes["hum"] * 100,  # percent
        "wind": codes["windspeed"] * 67,  # km/h
    }
)
y = np.where(bikes.target > bikes.target.median(), "busy", "quiet")
print(X.dtypes.to_string())
print(X.head(3).to_string())

# %%
# Three models, the same folds
# ----------------------------
# The network gets the DataFrame straight away; ``categorical_features``
# defaults to ``"from_dtype"``, as in ``HistGradientBoostingClassifier``. The
# MLP needs its ``ColumnTransformer``.
categorical = make_column_selector(dtype_include=["category", "string", "bool"])
numeric = make_column_selector(dtype_include="number")
models = {
    "KerasClassifier on the DataFrame": KerasClassifier(
        epochs=20 if QUICK else 200, random_state=0
    ),
    "ColumnTransformer + MLPClassifier": make_pipeline(
        ColumnTransformer(
            [
                ("categories", OneHotEncoder(handle_unknown="ignore"), categorical),
                ("numbers", StandardScaler(), numeric),
            ]
        ),
        MLPClassifier(max_iter=20 if QUICK else 200, random_state=0),
    ),
    "HistGradientBoostingClassifier": HistGradientBoostingClassifier(
        categorical_features="from_dtype", random_state=0
    ),
}
folds = StratifiedKFold(5, shuffle=True, random_state=0)
scores = {}
for name, model in models.items():
    scores[name] = cross_val_score(model, X, y, cv=folds)
    print(f"{name:36s} accuracy {scores[name].mean():.3f} ± {scores[name].std():.3f}")

# %%
# What the network learned about the categories
# ---------------------------------------------
# The fitted estimator records which columns it treated as categorical and
# their levels; a level never seen in training (or a missing value) is
# accepted at predict time.
network = KerasClassifier(epochs=20 if QUICK else 200, random_state=0).fit(X, y)
print(dict(zip(network.feature_names_in_, network.is_categorical_, strict=True)))
print(network.categories_[-1])  # the weather labels seen in training
stormy_day = X.iloc[[0]].assign(weather="hail")
print("a day of unseen weather:", network.predict(stormy_day)[0])

# %%
# The scores
# ----------
figures = Path("figures")
figures.mkdir(exist_ok=True)
fig, ax = plt.subplots(figsize=(7, 3))
names = list(scores)
for row, name in enumerate(names):
    ax.plot(scores[name], [row] * len(scores[name]), "o", alpha=0.5)
    ax.plot(scores[name].mean(), row, "k|", markersize=20)
ax.set_yticks(range(len(names)), names)
ax.set_xlabel("accuracy on each of 5 folds (bar: mean)")
ax.set_title("Busy day or quiet day, from a mixed table")
fig.tight_layout()
fig.savefig(figures / "mixed_dataframe_scores.png", dpi=120)
