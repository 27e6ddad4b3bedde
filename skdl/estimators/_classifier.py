"""KerasClassifier: a Keras network as a scikit-learn classifier."""

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets

from skdl.estimators import _docstrings
from skdl.estimators._base import BaseKerasEstimator
from skdl.estimators._outputs import refuse_targets_per_output
from skdl.estimators._targets import ClassificationTarget
from skdl.networks import output_spec


class KerasClassifier(ClassifierMixin, BaseKerasEstimator):
    _y_numeric = False

    def __init__(
        self,
        model=None,
        *,
        hidden_layer_sizes=(100,),
        activation="relu",
        dropout=0.0,
        alpha=0.0001,
        categorical_features="from_dtype",
        optimizer="adam",
        learning_rate=None,
        loss=None,
        metrics=None,
        batch_size=None,
        epochs=200,
        shuffle=True,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        callbacks=None,
        class_weight=None,
        warm_start=False,
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        super().__init__(
            model,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            dropout=dropout,
            alpha=alpha,
            categorical_features=categorical_features,
            optimizer=optimizer,
            learning_rate=learning_rate,
            loss=loss,
            metrics=metrics,
            batch_size=batch_size,
            epochs=epochs,
            shuffle=shuffle,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            callbacks=callbacks,
            warm_start=warm_start,
            random_state=random_state,
            verbose=verbose,
            **kwargs,
        )
        self.class_weight = class_weight

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def partial_fit(self, X, y, classes=None, sample_weight=None, **kwargs):
        """Train for one epoch, starting from the current weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Target labels.
        classes : array-like of shape (n_classes,), default=None
            Every class of the problem. Needed in the first call when ``y``
            may not show them all; ignored afterwards.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each sample in the loss.
        **kwargs : dict
            Training options for this call (not ``epochs``).

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, sample_weight, kwargs, classes=classes)

    def predict(self, X):
        """Predict class labels for ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels: a 0/1 indicator matrix for a multilabel target,
            one label column per output for a multiclass-multioutput one.
        """
        outputs = self._network_outputs(X)
        return self.target_encoder_.labels(outputs)

    def predict_proba(self, X):
        """Probability of each class for ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), or list of such arrays
            Class probabilities, columns in the order of ``classes_``. For a
            multiclass-multioutput target, a list with one array per label
            column, as :class:`sklearn.multioutput.MultiOutputClassifier`
            returns.
        """
        outputs = self._network_outputs(X)
        return self.target_encoder_.probabilities(outputs)

    def _validate_training_data(self, X, y, *, reset: bool):
        refuse_targets_per_output(X, y, type(self).__name__)
        X, y = super()._validate_training_data(X, y, reset=reset)
        check_classification_targets(y)
        return X, y

    def _target_encoder(self, y, classes=None, sample_weight=None):
        return ClassificationTarget(y, classes)

    def _output_spec(self, y, sample_weight):
        encoder = self.target_encoder_
        if encoder.is_multioutput:
            if self._user_builder() is None:
                raise ValueError(
                    f"y has {encoder.n_outputs_} label columns (a "
                    "multiclass-multioutput target), but the ready-made network "
                    "has a single output. Pass a model builder with one output "
                    "per column, or wrap KerasClassifier() in "
                    "sklearn.multioutput.MultiOutputClassifier."
                )
            # Only its loss is used: the default a builder receives in
            # compile_kwargs (uncompiled models get one loss per output).
            return output_spec("multiclass", max(encoder.n_classes_))
        return output_spec(encoder.target_type_, encoder.network_outputs)

    def _default_loss(self, output_width: int, default: str) -> str:
        if self.target_type_ == "multiclass-multioutput":
            # Per output: one sigmoid unit for a column of two classes, else
            # a softmax over the column's classes.
            if output_width == 1:
                return "binary_crossentropy"
            return "sparse_categorical_crossentropy"
        # Two softmax units for two classes: one probability per class.
        if self.target_type_ == "binary" and output_width == 2:
            return "sparse_categorical_crossentropy"
        return default

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``(X, y)``.

        For a ``multiclass-multioutput`` target, the subset accuracy: a sample
        counts as right when every one of its labels is, as
        :meth:`sklearn.multioutput.MultiOutputClassifier.score` computes it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Test samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Accuracy of ``self.predict(X)`` against ``y``.
        """
        if getattr(self, "target_type_", None) != "multiclass-multioutput":
            return super().score(X, y, sample_weight=sample_weight)
        correct = np.all(self.predict(X) == np.asarray(y), axis=1)
        return float(np.average(correct, weights=sample_weight))

    def _stratify_validation(self, y) -> bool:
        return y.ndim == 1


KerasClassifier.__doc__ = f"""A Keras network as a scikit-learn classifier.

    With no ``model`` it trains a ready-made dense network, in the manner of
    :class:`sklearn.neural_network.MLPClassifier`; with a model builder it
    trains any Keras model, with scikeras's calling conventions. Labels may
    be strings or integers.

    Parameters
    ----------
{_docstrings.MODEL_PARAMETER}
{_docstrings.NETWORK_PARAMETERS}
{_docstrings.TRAINING_PARAMETERS.split("    warm_start :")[0]}\
    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, multiplied into the sample weights (as
        :func:`sklearn.utils.class_weight.compute_sample_weight` computes
        them); the caller's ``sample_weight`` is not modified.
    warm_start :{_docstrings.TRAINING_PARAMETERS.split("    warm_start :")[1]}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,), or list of such arrays
        Class labels; for a multiclass-multioutput target, one array per
        label column.
    n_classes_ : int or list of int
        Number of classes (per label column for a multi-output target).
{_docstrings.FITTED_ATTRIBUTES}

    See Also
    --------
    KerasRegressor : The same for regression.
    sklearn.neural_network.MLPClassifier : scikit-learn's own network.

    Notes
    -----
    The target decides the ready-made output layer and the default loss: one
    sigmoid unit and binary cross-entropy for two classes, a softmax over the
    classes and sparse categorical cross-entropy for more, one sigmoid unit
    per label and binary cross-entropy for a multilabel indicator matrix.
    A builder's model may end in one sigmoid or two softmax units for two
    classes (an uncompiled one with two units and no ``loss`` set is trained
    with sparse categorical cross-entropy); with a categorical cross-entropy
    loss the targets are one-hot.

    A builder's model may have its output in a list (``keras.Model(inp,
    [out])``, as scikeras's documentation writes builders) or a dict of one:
    it trains and predicts as with the bare output. A
    ``multiclass-multioutput`` target (several label columns, each with its
    own classes) needs a model with one output per column (a list, or a dict
    whose names, sorted, give the columns' order), each with one unit per
    class of its column (or one sigmoid unit for a column of two classes);
    uncompiled, each output gets its default loss, and ``loss`` and
    ``metrics`` may be given per output as a list or dict, as Keras's
    ``compile`` takes them. ``predict`` then returns one label column per
    output, ``predict_proba`` a list of arrays, and ``classes_`` a list of
    arrays, as :class:`sklearn.multioutput.MultiOutputClassifier` does.
    ``class_weight`` is then ``"balanced"`` or a list of dicts, one per
    column; the weights of a sample's labels are multiplied, as
    :func:`sklearn.utils.class_weight.compute_sample_weight` does.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import cross_val_score
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdl import KerasClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), KerasClassifier(random_state=0))
    >>> bool(cross_val_score(clf, X, y, cv=3).mean() > 0.85)
    True
    """
