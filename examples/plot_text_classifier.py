"""
Classifying text: token ids and TF-IDF features
===============================================

Two ways to hand text to a Keras model from scikit-learn:

- **token ids**: each review becomes a row of integers, one per word (0
  pads the short ones), read by an ``Embedding`` and a 1-D convolution that
  sees words in their order;
- **TF-IDF features**: a ``TfidfVectorizer`` in a ``Pipeline`` turns the
  raw strings into a SciPy sparse matrix, which ``KerasClassifier`` takes
  as it is (it never densifies the whole matrix).

No text data set ships with skdl and the examples download nothing, so the
reviews here are **synthetic**: short product reviews generated from
templates, with a fixed seed. Their sentiment hinges on negation ("not
good", "not very bad"), which a bag of single words cannot see.
"""

# %%
# A synthetic corpus
# ------------------
# A review says one thing about one part of a product: positive or negative
# adjective, maybe an intensifier, maybe negated. "not very good" is
# negative and "not very bad" positive: the label depends on three words in
# order, more than word pairs can tell.
import os
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from skdl import KerasClassifier

# Tests and the docs build set SKDL_EXAMPLES_QUICK=1 to train for fewer epochs.
QUICK = os.environ.get("SKDL_EXAMPLES_QUICK") == "1"
EPOCHS = 3 if QUICK else 30

POSITIVE = ["good", "great", "excellent", "solid", "lovely", "reliable"]
NEGATIVE = ["bad", "poor", "awful", "flimsy", "terrible", "disappointing"]
PARTS = ["battery", "screen", "price", "case", "sound", "delivery", "keyboard"]
OPENERS = ["", "honestly", "well", "i think", "after a week", "to be fair"]
VERBS = ["is", "was", "seems", "feels"]
INTENSIFIERS = ["", "", "very", "really", "quite"]
CLOSERS = ["", "", "overall", "for the money", "so far", "i would say"]


def make_reviews(n_reviews, seed):
    """Reviews and their labels ("positive" or "negative")."""
    rng = np.random.default_rng(seed)
    reviews, labels = [], []
    for _ in range(n_reviews):
        positive = rng.random() < 0.5
        negated = rng.random() < 0.4
        words = [
            rng.choice(OPENERS),
            "the",
            rng.choice(PARTS),
            rng.choice(VERBS),
            "not" if negated else "",
            rng.choice(INTENSIFIERS),
            rng.choice(POSITIVE if positive else NEGATIVE),
            rng.choice(CLOSERS),
        ]
        reviews.append(" ".join(word for word in words if word))
        labels.append("positive" if positive != negated else "negative")
    return np.array(reviews), np.array(labels)


reviews, labels = make_reviews(1500, seed=0)
for review, label in zip(reviews[:5], labels[:5], strict=True):
    print(f"{label:8s} | {review}")

# %%
# Token ids
# ---------
# A vocabulary of every word in the templates (id 0 is the padding), and
# each review as a row of ids, padded at the end to the longest review.
words = sorted({word for review in reviews for word in review.split()})
VOCABULARY = {word: index for index, word in enumerate(words, start=1)}
MAX_LENGTH = max(len(review.split()) for review in reviews)


def to_token_ids(texts):
    ids = np.zeros((len(texts), MAX_LENGTH), dtype="int32")
    for row, text in enumerate(texts):
        tokens = [VOCABULARY[word] for word in text.split()][:MAX_LENGTH]
        ids[row, : len(tokens)] = tokens
    return ids


token_ids = to_token_ids(reviews)
print("token ids:", token_ids.shape, token_ids.dtype)
print(reviews[0], "->", token_ids[0])


# %%
# A convolution over the word vectors
# -----------------------------------
# ``keras.Input(..., dtype="int32")`` keeps the ids integer all the way to
# the ``Embedding``. A convolution of width 3 reads three words at a time,
# "not very good" included; the global max keeps what it found anywhere in
# the review. ``filters`` is a parameter of the estimator, for the search.
def sequence_model(meta, filters=16):
    tokens = keras.Input((MAX_LENGTH,), dtype="int32")
    vectors = keras.layers.Embedding(len(VOCABULARY) + 1, 16)(tokens)
    features = keras.layers.Conv1D(filters, 3, activation="relu", padding="same")(
        vectors
    )
    pooled = keras.layers.GlobalMaxPooling1D()(features)
    output = keras.layers.Dense(meta["n_classes_"], activation="softmax")(pooled)
    model = keras.Model(tokens, output)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    return model


folds = StratifiedKFold(3, shuffle=True, random_state=0)
search = GridSearchCV(
    KerasClassifier(model=sequence_model, filters=16, epochs=EPOCHS, random_state=0),
    {"filters": [4, 16, 32]},
    cv=folds,
)
search.fit(token_ids, labels)
for filters, score in zip(
    search.cv_results_["param_filters"],
    search.cv_results_["mean_test_score"],
    strict=True,
):
    print(f"filters={filters:2d}: accuracy {score:.3f}")
print("best:", search.best_params_)

# %%
# TF-IDF features, and a baseline
# -------------------------------
# Word pairs (``ngram_range=(1, 2)``) let the network see "not good", but
# not "not very good". The baseline, a logistic regression on single words,
# sees only which words occur: the adjective, and whether "not" is there.
pipelines = {
    "TF-IDF (1-2 grams) + KerasClassifier": make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2)),
        KerasClassifier(epochs=EPOCHS, random_state=0),
    ),
    "TF-IDF (words) + LogisticRegression": make_pipeline(
        TfidfVectorizer(), LogisticRegression()
    ),
}
# The search's per-fold scores of its best candidate, on the same folds.
scores = {
    "token ids + Embedding + Conv1D": np.array(
        [
            search.cv_results_[f"split{fold}_test_score"][search.best_index_]
            for fold in range(folds.get_n_splits())
        ]
    )
}
for name, pipeline in pipelines.items():
    scores[name] = cross_val_score(pipeline, reviews, labels, cv=folds)
for name, values in scores.items():
    print(f"{name:38s} accuracy {values.mean():.3f} ± {values.std():.3f}")

# %%
# New reviews
# -----------
best = search.best_estimator_
new_reviews = [
    "the battery is not very good",
    "the battery is not very bad",
    "honestly the screen was really lovely",
    "the price is not great for the money",
]
for review, label in zip(
    new_reviews, best.predict(to_token_ids(new_reviews)), strict=True
):
    print(f"{label:8s} | {review}")

# %%
# The scores
# ----------
figures = Path("figures")
figures.mkdir(exist_ok=True)
fig, ax = plt.subplots(figsize=(8, 3))
names = list(scores)
for row, name in enumerate(names):
    ax.plot(scores[name], [row] * len(scores[name]), "o", alpha=0.5)
    ax.plot(scores[name].mean(), row, "k|", markersize=20)
ax.axvline(0.5, color="grey", ls=":", label="chance")
ax.set_yticks(range(len(names)), names)
ax.set_xlabel("accuracy on each of 3 folds (bar: mean)")
ax.set_title("Sentiment of synthetic reviews with negations")
ax.legend(loc="center")
fig.tight_layout()
fig.savefig(figures / "text_classifier_scores.png", dpi=120)
