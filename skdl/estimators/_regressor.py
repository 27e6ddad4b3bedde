"""KerasRegressor: a Keras network as a scikit-learn regressor."""

from sklearn.base import RegressorMixin

from skdl.estimators import _docstrings
from skdl.estimators._base import BaseKerasEstimator
from skdl.estimators._outputs import refuse_targets_per_output
from skdl.estimators._targets import RegressionTarget
from skdl.networks import output_spec


class KerasRegressor(RegressorMixin, BaseKerasEstimator):
    _y_numeric = True

    def predict(self, X):
        """Predict targets for ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The input samples.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values, 1-D when the network was fitted on a 1-D target.
        """
        outputs = self._network_outputs(X)
        return self.target_encoder_.values(outputs)

    def _validate_training_data(self, X, y, *, reset: bool):
        refuse_targets_per_output(X, y, type(self).__name__)
        X, y = super()._validate_training_data(X, y, reset=reset)
        if y.dtype.kind not in "biuf":
            raise ValueError(
                f"KerasRegressor needs a numeric target, but y holds {y.dtype} "
                f"values such as {y.flat[0]!r}; for class labels use "
                "KerasClassifier."
            )
        return X, y

    def _target_encoder(self, y, classes=None, sample_weight=None):
        # The ready-made network trains on a standardized target; a user's
        # model sees the target as given, as in scikeras.
        standardize = self._user_builder() is None
        return RegressionTarget(y, sample_weight, standardize=standardize)

    def _initialize(self, X, y, classes=None, sample_weight=None) -> None:
        super()._initialize(X, y, classes, sample_weight)
        self.loss_scale_ = self.target_encoder_.scale_

    def _output_spec(self, y, sample_weight):
        # "continuous" even for integer targets that type_of_target calls
        # binary or multiclass: a regressor's outputs are linear.
        return output_spec("continuous", self.n_outputs_)

    def _stratify_validation(self, y) -> bool:
        return False


KerasRegressor.__doc__ = f"""A Keras network as a scikit-learn regressor.

    With no ``model`` it trains a ready-made dense network, in the manner of
    :class:`sklearn.neural_network.MLPRegressor`; with a model builder it
    trains any Keras model, with scikeras's calling conventions.

    Parameters
    ----------
{_docstrings.MODEL_PARAMETER}
{_docstrings.NETWORK_PARAMETERS}
{_docstrings.TRAINING_PARAMETERS}

    Attributes
    ----------
{_docstrings.FITTED_ATTRIBUTES}
    loss_scale_ : ndarray of shape (n_outputs,) or None
        The ready-made network trains on the standardized target, so the
        losses in ``history_`` are in units of this scale (a mean squared
        error times ``loss_scale_ ** 2`` is in the target's units). None for
        a user's model, which trains on the target as given.

    See Also
    --------
    KerasClassifier : The same for classification.
    sklearn.neural_network.MLPRegressor : scikit-learn's own network.

    Notes
    -----
    The default loss is the mean squared error. The ready-made network ends
    in one linear unit per target column and trains on the standardized
    target (weighted mean and standard deviation of each column); predictions
    are mapped back to the target's units.

    A builder's model may have several outputs, in a list or a dict (or one
    output in a list, as scikeras's documentation writes builders): the
    columns of a 2-D ``y`` are split across them in order (the list's order,
    or the dict's names sorted, as Keras orders them), each output taking as
    many columns as it has units, and ``predict`` puts the outputs side by
    side again. ``y`` stays one array, so that cross-validation can slice it;
    a model whose units do not add up to ``y``'s columns is refused before
    training. ``loss`` and ``metrics`` may be given per output, as a list or
    a dict, as Keras's ``compile`` takes them. Targets in any units then train
    with the optimizers' default learning rates, SGD's included. Its first
    layer standardizes numeric features (statistics robust to outliers)
    and embeds categorical columns, so raw DataFrames need no preprocessing.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdl import KerasRegressor
    >>> X = np.arange(20, dtype=float).reshape(-1, 1)
    >>> y = 2 * X.ravel() + 1
    >>> reg = make_pipeline(StandardScaler(), KerasRegressor(
    ...     hidden_layer_sizes=(), learning_rate=0.1, epochs=300, random_state=0))
    >>> reg.fit(X, y).predict([[30.0]]).round()
    array([61.])

    A DataFrame with a categorical column, in raw units, as it comes:

    >>> import pandas as pd
    >>> flats = pd.DataFrame(dict(area_m2=[30.0, 45, 60, 80, 100, 120] * 5,
    ...                           city=["Oslo", "Rome", "Lima"] * 10))
    >>> price_per_m2 = dict(Oslo=30, Rome=20, Lima=10)
    >>> rent = flats["area_m2"] * flats["city"].map(price_per_m2)
    >>> reg = KerasRegressor(random_state=0).fit(flats, rent)
    >>> reg.categories_
    [array(['Lima', 'Oslo', 'Rome'], dtype=object)]
    >>> bool(reg.score(flats, rent) > 0.9)
    True
    """
