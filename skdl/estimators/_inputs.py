"""Input handling: what ``X`` may be, and turning it into network inputs.

Validation follows scikit-learn (``validate_data``: feature names, feature
count, finite numbers); the ready-made network's categorical columns become
integer codes first (see ``_categorical``).
"""

import contextlib

import numpy as np
from sklearn.utils.validation import column_or_1d, validate_data

from skdl.estimators._categorical import (
    categorical_mask,
    encode_categories,
    learn_categories,
)

_FLOAT_DTYPES = (np.float64, np.float32)


class InputsMixin:
    """``X`` and ``y`` checks shared by skdl's estimators."""

    def _validate_training_data(self, X, y, *, reset: bool):
        if reset:
            self._learn_categories(X)
        X = self._encode_categories(X)
        with _numbers_expected(self):
            X, y = validate_data(
                self,
                X,
                y,
                reset=reset,
                dtype=_FLOAT_DTYPES,
                multi_output=True,
                y_numeric=self._y_numeric,
            )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not reset:
            X = X.astype(self.X_dtype_, copy=False)
        return X, y

    def _learn_categories(self, X) -> None:
        """Find the categorical columns the ready-made network embeds."""
        mask = None
        if self._user_builder() is None and getattr(X, "ndim", 2) == 2:
            mask = categorical_mask(X, self.categorical_features)
        self.is_categorical_ = mask
        self.categories_ = None if mask is None else learn_categories(X, mask)

    def _encode_categories(self, X):
        """``X`` with categorical columns as integer codes (see ``_categorical``)."""
        mask = getattr(self, "is_categorical_", None)
        if mask is None:
            return X
        return encode_categories(X, mask, self.categories_, type(self).__name__)

    def _validate_predict_data(self, X):
        """``X`` for ``predict``: checked against what ``fit`` saw."""
        X = self._encode_categories(X)
        with _numbers_expected(self):
            X = validate_data(self, X, reset=False, dtype=_FLOAT_DTYPES)
        return X.astype(self.X_dtype_, copy=False)


@contextlib.contextmanager
def _numbers_expected(estimator):
    """Add the fix to NumPy's "could not convert string to float" error."""
    try:
        yield
    except ValueError as error:
        if "could not convert" not in str(error):
            raise
        raise ValueError(
            f"{type(estimator).__name__} needs numeric features, but X holds text "
            f"({error}). Encode text or categorical columns as numbers first, e.g. "
            "with a OneHotEncoder or OrdinalEncoder in a ColumnTransformer, or use "
            "the ready-made network (no `model`), which encodes the categorical "
            "columns of a DataFrame itself (see `categorical_features`)."
        ) from error
