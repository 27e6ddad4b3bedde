"""Targets in, network outputs out: encoding y for Keras and decoding predictions.

A fitted encoder also supplies the metadata model builders receive in
``meta`` (the same keys as scikeras: ``classes_``, ``n_classes_``,
``n_outputs_``, ``n_outputs_expected_``, ``target_type_``).
"""

import keras
import numpy as np
from sklearn.utils.multiclass import type_of_target, unique_labels

_CATEGORICAL_LOSS_NAMES = {"categorical_crossentropy", "cce", "CategoricalCrossentropy"}


def uses_one_hot_targets(loss) -> bool:
    """Whether a Keras loss expects one-hot rows rather than class indices."""
    if isinstance(loss, str):
        return loss in _CATEGORICAL_LOSS_NAMES
    if isinstance(loss, keras.losses.CategoricalCrossentropy):
        return True
    return getattr(loss, "__name__", None) == "categorical_crossentropy"


class ClassificationTarget:
    """Class labels of a binary, multiclass or multilabel target.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        Labels seen in ``fit`` (any hashable, comparable values), or a 0/1
        indicator matrix for a multilabel target.
    classes : array-like, default=None
        Every class of the problem, when ``y`` may not show them all (as in
        ``partial_fit``).
    """

    def __init__(self, y: np.ndarray, classes=None):
        if classes is not None and y.ndim == 1:
            self.classes_ = unique_labels(np.asarray(classes))
            if not np.isin(unique_labels(y), self.classes_).all():
                unseen = np.setdiff1d(unique_labels(y), self.classes_)
                raise ValueError(
                    f"y contains labels {unseen.tolist()} that are not in "
                    f"classes={self.classes_.tolist()}."
                )
            self.target_type_ = type_of_target(self.classes_)
        else:
            self.target_type_ = type_of_target(y)
            self.classes_ = unique_labels(y) if y.ndim == 1 else np.arange(y.shape[1])
        if self.target_type_ not in ("binary", "multiclass", "multilabel-indicator"):
            raise ValueError(
                f"Unknown label type: {self.target_type_!r}. KerasClassifier "
                "handles binary, multiclass and multilabel-indicator targets."
            )
        self.n_classes_ = len(self.classes_)
        if self.n_classes_ < 2:
            raise ValueError(
                "Classifier can't train when only one class is present: y has "
                f"1 class ({self.classes_.tolist()}); it needs at least 2 classes."
            )
        self.n_outputs_ = 1
        self.n_outputs_expected_ = 1

    @property
    def is_multilabel(self) -> bool:
        return self.target_type_ == "multilabel-indicator"

    @property
    def network_outputs(self) -> int:
        """Output units of the ready-made network for this target."""
        return 1 if self.target_type_ == "binary" else self.n_classes_

    def metadata(self) -> dict:
        return {
            "classes_": self.classes_,
            "n_classes_": self.n_classes_,
            "n_outputs_": self.n_outputs_,
            "n_outputs_expected_": self.n_outputs_expected_,
            "target_type_": self.target_type_,
        }

    def encode(self, y: np.ndarray, dtype, *, one_hot: bool = False) -> np.ndarray:
        """Turn labels into what the network trains on."""
        if self.is_multilabel:
            return np.asarray(y, dtype=dtype)
        unknown = ~np.isin(y, self.classes_)
        if unknown.any():
            raise ValueError(
                f"y contains labels {np.unique(y[unknown]).tolist()} not seen "
                f"when the estimator was first fitted ({self.classes_.tolist()})."
            )
        codes = np.searchsorted(self.classes_, y)
        if one_hot:
            return np.eye(self.n_classes_, dtype=dtype)[codes]
        return codes.astype(dtype).reshape(-1, 1)

    def probabilities(self, outputs: np.ndarray) -> np.ndarray:
        """Class probabilities, one column per class, from network outputs."""
        outputs = outputs.reshape(len(outputs), -1)
        if self.target_type_ == "binary" and outputs.shape[1] == 1:
            return np.hstack([1 - outputs, outputs])
        return outputs

    def labels(self, outputs: np.ndarray) -> np.ndarray:
        """Predicted labels from network outputs."""
        probabilities = self.probabilities(outputs)
        if self.is_multilabel:
            return (probabilities > 0.5).astype(int)
        return self.classes_[np.argmax(probabilities, axis=1)]


class RegressionTarget:
    """A continuous target with one or several columns.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Targets seen in ``fit``.
    sample_weight : ndarray of shape (n_samples,), default=None
        Weights for the standardization statistics.
    standardize : bool, default=False
        Train on the standardized target ``(y - mean) / scale`` (weighted
        mean and standard deviation of each column) and map predictions
        back, so that the loss no longer depends on the target's units.
    """

    def __init__(self, y: np.ndarray, sample_weight=None, standardize=False):
        self.target_type_ = type_of_target(y, input_name="y")
        self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
        self.n_outputs_expected_ = 1
        self._one_dimensional = y.ndim == 1
        self.mean_ = self.scale_ = None
        if standardize:
            columns = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
            weights = sample_weight
            if weights is not None and not np.sum(weights) > 0:
                weights = None
            mean = np.average(columns, axis=0, weights=weights)
            variance = np.average((columns - mean) ** 2, axis=0, weights=weights)
            scale = np.sqrt(variance)
            scale[~(scale > 0)] = 1.0
            self.mean_, self.scale_ = mean, scale

    def metadata(self) -> dict:
        return {
            "n_outputs_": self.n_outputs_,
            "n_outputs_expected_": self.n_outputs_expected_,
            "target_type_": self.target_type_,
        }

    def encode(self, y: np.ndarray, dtype, *, one_hot: bool = False) -> np.ndarray:
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if n_outputs != self.n_outputs_:
            raise ValueError(
                f"y has {n_outputs} outputs, but the estimator was first "
                f"fitted with {self.n_outputs_}."
            )
        columns = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        if getattr(self, "mean_", None) is not None:
            columns = (columns - self.mean_) / self.scale_
        return columns.astype(dtype, copy=False)

    def values(self, outputs: np.ndarray) -> np.ndarray:
        outputs = outputs.reshape(len(outputs), -1)
        if getattr(self, "mean_", None) is not None:
            dtype = outputs.dtype
            outputs = (outputs * self.scale_ + self.mean_).astype(dtype, copy=False)
        return outputs.ravel() if self._one_dimensional else outputs
