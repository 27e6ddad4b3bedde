"""Input handling: what ``X`` may be, and turning it into network inputs.

Validation follows scikit-learn (``validate_data``: feature names, feature
count, finite numbers); the ready-made network's categorical columns become
integer codes first (see ``_categorical``).
"""

import contextlib

import numpy as np
from sklearn.utils.validation import (
    _check_y,
    check_array,
    check_consistent_length,
    column_or_1d,
    validate_data,
)

from skdl.estimators import _input_structures as structures
from skdl.estimators._categorical import (
    categorical_mask,
    encode_categories,
    learn_categories,
)

_FLOAT_DTYPES = (np.float64, np.float32)


class InputsMixin:
    """``X`` and ``y`` checks shared by skdl's estimators.

    ``X`` may be N-D, sparse, or several inputs: see ``_input_structures``.
    """

    def _validate_training_data(self, X, y, *, reset: bool):
        X, several = structures.as_inputs(X)
        if several:
            X, y = self._validate_several_inputs(X, y, reset=reset)
        else:
            if reset:
                self._learn_categories(X)
            X = self._encode_categories(X)
            if not reset:
                self._check_sample_shapes(X)
            with _numbers_expected(self), _ragged_explained(self):
                X, y = validate_data(
                    self,
                    X,
                    y,
                    reset=reset,
                    multi_output=True,
                    y_numeric=self._y_numeric,
                    **self._array_checks(),
                )
            X = self._checked_array(X)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not reset:
            X = self._in_fitted_precision(X)
        return X, y

    def _array_checks(self) -> dict:
        """``check_array`` options: N-D and sparse; integers kept for user models."""
        ready_made = self._user_builder() is None
        return {
            "accept_sparse": "csr",
            "allow_nd": True,
            "dtype": _FLOAT_DTYPES if ready_made else "numeric",
        }

    def _checked_array(self, X, name=None):
        """What ``check_array`` leaves to check: empty samples, the dtype."""
        if X.ndim > 2 and X[:1].size == 0:
            where = "X" if name is None else f"X[{name!r}]"
            raise ValueError(
                f"Found array with 0 feature(s) (shape={X.shape}) while a minimum "
                f"of 1 is required by {type(self).__name__}: {where} has empty "
                "samples."
            )
        if X.dtype.kind in "iu" or X.dtype in _FLOAT_DTYPES:
            return X
        return X.astype(np.float64)

    def _validate_several_inputs(self, X, y, *, reset: bool):
        name = type(self).__name__
        if self._user_builder() is None:
            raise TypeError(
                f"X holds several inputs, but {name}'s ready-made network takes one "
                "table. Pass a `model` with several inputs, or join the inputs "
                "into one table (e.g. with numpy.hstack)."
            )
        checked = {}
        for key, array in structures.items(X):
            with _numbers_expected(self), _ragged_explained(self):
                array = check_array(
                    array,
                    ensure_2d=False,
                    input_name=f"X[{key!r}]",
                    estimator=self,
                    **self._array_checks(),
                )
            checked[key] = self._checked_array(array, key)
        lengths = {key: array.shape[0] for key, array in checked.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(
                f"X's inputs have different numbers of samples: {lengths}. Every "
                "input needs one entry per sample."
            )
        X = checked if isinstance(X, dict) else list(checked.values())
        if not reset:
            self._check_sample_shapes(X, several=True)
        y = _check_y(y, multi_output=True, y_numeric=self._y_numeric, estimator=self)
        check_consistent_length(next(iter(checked.values())), y)
        if reset:
            # Features of one table: several inputs have none.
            for attribute in ("n_features_in_", "feature_names_in_"):
                vars(self).pop(attribute, None)
            self.is_categorical_ = self.categories_ = None
        return X, y

    def _check_sample_shapes(self, X, several=False) -> None:
        """Refuse ``X`` whose samples differ in shape from those ``fit`` saw."""
        fitted = getattr(self, "X_shape_", None)
        if fitted is None or not hasattr(self, "model_"):
            return
        if not several and not hasattr(X, "shape"):
            return  # a list: scikit-learn's checks report it
        if not several and not structures.is_several(fitted):
            if len(X.shape) <= 2 and len(fitted) <= 2:
                return  # a table: scikit-learn's feature count check reports it
        problem = structures.shape_mismatch(X, fitted, type(self).__name__)
        if problem:
            raise ValueError(problem)

    def _in_fitted_precision(self, X):
        """Floats of ``X`` in the precision of the fitted network."""

        def cast(array):
            if array.dtype.kind == "f" and array.dtype != self.X_dtype_:
                return array.astype(self.X_dtype_)
            return array

        if isinstance(X, dict):
            return {key: cast(array) for key, array in X.items()}
        if isinstance(X, list):
            return [cast(array) for array in X]
        return cast(X)

    def _network_inputs(self, X, model=None):
        """``X`` as the network takes it: arranged, cast, flattened if need be.

        See ``_input_structures`` for the dtype rule. The ready-made network
        (saved and loaded too) takes one row of features per sample: N-D
        samples are flattened for it.
        """
        model = self.model_ if model is None else model
        name = type(self).__name__
        X, declared = structures.arrange(X, model, name)
        precision = np.dtype(self.X_dtype_)
        if isinstance(X, dict):
            tensors = dict(zip(X, declared or [None] * len(X), strict=True))
            return {
                key: structures.cast_input(array, tensors[key], precision, key)
                for key, array in X.items()
            }
        if isinstance(X, list):
            tensors = declared or [None] * len(X)
            return [
                structures.cast_input(array, tensor, precision, index)
                for index, (array, tensor) in enumerate(zip(X, tensors, strict=True))
            ]
        tensor = declared[0] if declared else None
        if structures.takes_flat_rows(tensor, X):
            X = X.reshape(len(X), -1)
        return structures.cast_input(X, tensor, precision, None)

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
        X, several = structures.as_inputs(X)
        if several:
            X, _ = self._validate_several_inputs(
                X, np.zeros(structures.n_samples(X)), reset=False
            )
        else:
            X = self._encode_categories(X)
            self._check_sample_shapes(X)
            with _numbers_expected(self), _ragged_explained(self):
                X = validate_data(self, X, reset=False, **self._array_checks())
            X = self._checked_array(X)
        return self._in_fitted_precision(X)


@contextlib.contextmanager
def _numbers_expected(estimator):
    """Add the fix to NumPy's "could not convert string to float" error."""
    try:
        yield
    except ValueError as error:
        text = str(error)
        if "could not convert" not in text and "bytes/strings" not in text:
            raise
        raise ValueError(
            f"{type(estimator).__name__} needs numeric features, but X holds text "
            f"({error}). Encode text or categorical columns as numbers first, e.g. "
            "with a OneHotEncoder or OrdinalEncoder in a ColumnTransformer, or use "
            "the ready-made network (no `model`), which encodes the categorical "
            "columns of a DataFrame itself (see `categorical_features`)."
        ) from error


@contextlib.contextmanager
def _ragged_explained(estimator):
    """Replace NumPy's "inhomogeneous shape" error by one that says what to do."""
    try:
        yield
    except ValueError as error:
        if "inhomogeneous" not in str(error):
            raise
        raise ValueError(
            f"{type(estimator).__name__} got a ragged X: its rows (or samples) have "
            "different lengths, so it is no array. Pad sequences to one length "
            "(e.g. keras.utils.pad_sequences). For a model with several inputs, "
            "pass a dict keyed by input name, a skdl.MultiInput, or a list of "
            "arrays of at least 2 dimensions."
        ) from None
