"""Targets in, network outputs out: encoding y for Keras and decoding predictions.

A fitted encoder also supplies the metadata model builders receive in
``meta`` (the same keys as scikeras: ``classes_``, ``n_classes_``,
``n_outputs_``, ``n_outputs_expected_``, ``target_type_``).

Once the network is built, ``bind`` checks that its outputs suit the target
and records their layout (see ``_outputs``): the target is then encoded as
one array per output, in the model's structure, and predictions are read
back output by output.
"""

import keras
import numpy as np
from sklearn.utils.multiclass import type_of_target, unique_labels

from skdl.estimators._outputs import SINGLE, OutputLayout

_CATEGORICAL_LOSS_NAMES = {"categorical_crossentropy", "cce", "CategoricalCrossentropy"}


def uses_one_hot_targets(loss) -> bool:
    """Whether a Keras loss expects one-hot rows rather than class indices."""
    if isinstance(loss, str):
        return loss in _CATEGORICAL_LOSS_NAMES
    if isinstance(loss, keras.losses.CategoricalCrossentropy):
        return True
    return getattr(loss, "__name__", None) == "categorical_crossentropy"


class _BoundOutputs:
    """The layout of the network's outputs, recorded by ``bind`` as plain data."""

    def _layout(self) -> OutputLayout:
        # Encoders saved before several outputs existed have no layout.
        return OutputLayout(**getattr(self, "outputs_", {"structure": SINGLE}))

    def _record(self, layout: OutputLayout) -> None:
        self.outputs_ = {
            "structure": layout.structure,
            "widths": layout.widths,
            "names": layout.names,
        }


class ClassificationTarget(_BoundOutputs):
    """Class labels of a binary, multiclass, multilabel or multi-output target.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_columns)
        Labels seen in ``fit`` (any hashable, comparable values), a 0/1
        indicator matrix for a multilabel target, or one label column per
        output for a ``multiclass-multioutput`` target.
    classes : array-like, or list of array-like, default=None
        Every class of the problem (one array per column for a multi-output
        target), when ``y`` may not show them all (as in ``partial_fit``).
    """

    def __init__(self, y: np.ndarray, classes=None):
        self.target_type_ = type_of_target(y)
        if self.target_type_ == "multiclass-multioutput":
            self._init_columns(y, classes)
            return
        if classes is not None and y.ndim == 1:
            self.classes_ = _checked_classes(y, classes, "y")
            self.target_type_ = type_of_target(self.classes_)
        else:
            self.classes_ = unique_labels(y) if y.ndim == 1 else np.arange(y.shape[1])
        if self.target_type_ not in ("binary", "multiclass", "multilabel-indicator"):
            raise ValueError(
                f"Unknown label type: {self.target_type_!r}. KerasClassifier "
                "handles binary, multiclass, multilabel-indicator and "
                "multiclass-multioutput targets."
            )
        self.n_classes_ = len(self.classes_)
        _check_two_classes(self.classes_, "y")
        self.n_outputs_ = 1
        self.n_outputs_expected_ = 1

    def _init_columns(self, y, classes) -> None:
        """One output per label column, each with its own classes."""
        n_columns = y.shape[1]
        if classes is not None and len(classes) != n_columns:
            raise ValueError(
                f"classes has {len(classes)} entries, but y has {n_columns} label "
                "columns; give one array of classes per column."
            )
        self.classes_ = []
        for column in range(n_columns):
            where = f"column {column} of y"
            labels = y[:, column]
            if classes is None:
                column_classes = unique_labels(labels)
            else:
                column_classes = _checked_classes(labels, classes[column], where)
            _check_two_classes(column_classes, where)
            self.classes_.append(column_classes)
        self.n_classes_ = [len(column_classes) for column_classes in self.classes_]
        self.n_outputs_ = self.n_outputs_expected_ = n_columns

    @property
    def is_multilabel(self) -> bool:
        return self.target_type_ == "multilabel-indicator"

    @property
    def is_multioutput(self) -> bool:
        return self.target_type_ == "multiclass-multioutput"

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

    def bind(self, layout: OutputLayout, estimator: str) -> None:
        """Check that the network's outputs suit the target, and record them."""
        if self.is_multioutput:
            expected = [_label_widths(len(c)) for c in self.classes_]
            needs = f"one output per label column ({len(expected)})"
        else:
            expected = [_label_widths(self.n_classes_, self.is_multilabel)]
            needs = "a single output"
        if layout.n_heads != len(expected):
            raise ValueError(
                f"The Keras model has {layout.describe()}, but the target "
                f"({self.target_type_}, y with {self.n_outputs_} label column(s)) "
                f"needs {needs}. Change the model's outputs or the target."
            )
        for head, (width, widths) in enumerate(
            zip(layout.widths, expected, strict=True)
        ):
            if width not in widths:
                output = "The Keras model's output"
                if layout.n_heads > 1:
                    output = f"Output {head} of the Keras model"
                raise ValueError(
                    f"{output} has {width} unit(s), but the target "
                    f"({self.target_type_}) needs "
                    f"{' or '.join(map(str, widths))} there."
                )
        self._record(layout)

    def encode(self, y: np.ndarray, dtype, *, loss=None):
        """Turn labels into what the network trains on, one array per output."""
        layout = self._layout()
        one_hot = [uses_one_hot_targets(head) for head in layout.per_head(loss)]
        if self.is_multilabel:
            heads = [np.asarray(y, dtype=dtype)]
        elif self.is_multioutput:
            heads = [
                _class_codes(y[:, column], classes, dtype, hot, f"column {column} of y")
                for column, (classes, hot) in enumerate(
                    zip(self.classes_, one_hot, strict=True)
                )
            ]
        else:
            heads = [_class_codes(y, self.classes_, dtype, one_hot[0], "y")]
        return layout.arrange(heads)

    def probabilities(self, outputs):
        """Class probabilities, one column per class, from network outputs.

        A list of such arrays, one per label column, for a multi-output target.
        """
        heads = self._layout().heads(outputs)
        if self.is_multioutput:
            return [
                _class_probabilities(head, len(classes))
                for head, classes in zip(heads, self.classes_, strict=True)
            ]
        return _class_probabilities(heads[0], self.n_classes_)

    def labels(self, outputs) -> np.ndarray:
        """Predicted labels from network outputs."""
        probabilities = self.probabilities(outputs)
        if self.is_multilabel:
            return (probabilities > 0.5).astype(int)
        if self.is_multioutput:
            columns = [
                classes[np.argmax(column, axis=1)]
                for column, classes in zip(probabilities, self.classes_, strict=True)
            ]
            return np.stack(columns, axis=1)
        return self.classes_[np.argmax(probabilities, axis=1)]


def _checked_classes(labels, classes, where: str) -> np.ndarray:
    classes = unique_labels(np.asarray(classes))
    unseen = np.setdiff1d(unique_labels(labels), classes)
    if len(unseen):
        raise ValueError(
            f"{where} contains labels {unseen.tolist()} that are not in "
            f"classes={classes.tolist()}."
        )
    return classes


def _check_two_classes(classes, where: str) -> None:
    if len(classes) < 2:
        raise ValueError(
            f"Classifier can't train when only one class is present: {where} has "
            f"1 class ({classes.tolist()}); it needs at least 2 classes."
        )


def _label_widths(n_classes: int, multilabel: bool = False) -> tuple[int, ...]:
    """Output units that can predict ``n_classes`` classes (or labels)."""
    if n_classes == 2 and not multilabel:
        return (1, 2)  # one sigmoid, or a softmax over both classes
    return (n_classes,)


def _class_codes(labels, classes, dtype, one_hot: bool, where: str) -> np.ndarray:
    unknown = ~np.isin(labels, classes)
    if unknown.any():
        raise ValueError(
            f"{where} contains labels {np.unique(labels[unknown]).tolist()} not "
            f"seen when the estimator was first fitted ({classes.tolist()})."
        )
    codes = np.searchsorted(classes, labels)
    if one_hot:
        return np.eye(len(classes), dtype=dtype)[codes]
    return codes.astype(dtype).reshape(-1, 1)


def _class_probabilities(outputs: np.ndarray, n_classes: int) -> np.ndarray:
    outputs = outputs.reshape(len(outputs), -1)
    if n_classes == 2 and outputs.shape[1] == 1:
        return np.hstack([1 - outputs, outputs])
    return outputs


class RegressionTarget(_BoundOutputs):
    """A continuous target with one or several columns.

    With a model of several outputs, the target's columns are split across
    them in order, each output taking as many columns as it has units.

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

    def bind(self, layout: OutputLayout, estimator: str) -> None:
        """Check that the outputs' units add up to the target's columns."""
        if layout.n_heads == 1 and layout.widths[0] != self.n_outputs_:
            raise ValueError(
                f"The Keras model's output has {layout.widths[0]} unit(s), but the "
                f"target ({self.target_type_}) needs {self.n_outputs_}: one per "
                "column of y."
            )
        if sum(layout.widths) != self.n_outputs_:
            raise ValueError(
                f"The Keras model has {layout.describe()}, {sum(layout.widths)} "
                f"unit(s) in all, but y has {self.n_outputs_} column(s): {estimator} "
                "splits y's columns across the outputs in order, as many columns "
                "per output as it has units."
            )
        self._record(layout)

    def encode(self, y: np.ndarray, dtype, *, loss=None):
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if n_outputs != self.n_outputs_:
            raise ValueError(
                f"y has {n_outputs} outputs, but the estimator was first "
                f"fitted with {self.n_outputs_}."
            )
        columns = np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        if getattr(self, "mean_", None) is not None:
            columns = (columns - self.mean_) / self.scale_
        columns = columns.astype(dtype, copy=False)
        layout = self._layout()
        if layout.n_heads > 1:
            return layout.arrange(layout.split_columns(columns))
        return layout.arrange([columns])

    def values(self, outputs) -> np.ndarray:
        heads = self._layout().heads(outputs)
        outputs = np.hstack([head.reshape(len(head), -1) for head in heads])
        if getattr(self, "mean_", None) is not None:
            dtype = outputs.dtype
            outputs = (outputs * self.scale_ + self.mean_).astype(dtype, copy=False)
        return outputs.ravel() if self._one_dimensional else outputs
