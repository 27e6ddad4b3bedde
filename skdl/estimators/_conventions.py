"""scikeras's extension points and ``fit`` arguments, in skdl's terms.

- ``_keras_build_fn``: a subclass that defines it (and adds its own
  ``__init__`` parameters) builds its model there when ``model`` is None.
- ``feature_encoder`` / ``target_encoder``: properties a subclass overrides
  to return scikit-learn transformers. The feature encoder is fitted on the
  validated ``X`` and transforms every ``X`` before the network sees it. The
  target encoder is fitted on the validated ``y`` and transforms it before
  skdl's own target handling (class labels, one-hot, standardization);
  predictions are mapped back with its ``inverse_transform``.
- ``validation_data``, ``initial_epoch`` and ``batch_size=-1`` as in
  scikeras (see :func:`validation_dataset`, :func:`resolved_batch_size`).
"""

from numbers import Integral

import numpy as np
import scipy.sparse
from sklearn.utils.validation import _check_sample_weight

from skdl._training.data import Dataset
from skdl.estimators._input_structures import n_samples


class EncodersMixin:
    """scikeras's ``feature_encoder`` / ``target_encoder`` extension points."""

    @property
    def feature_encoder(self):
        """A scikit-learn transformer for ``X``, or None (the default).

        Override it in a subclass to return an unfitted transformer: it is
        fitted on the validated ``X`` when the network is built (as
        ``feature_encoder_``) and transforms ``X`` in ``fit``, ``predict``
        and for ``validation_data``. Metadata from its ``get_metadata()``,
        if it has one, becomes attributes and reaches the builder's ``meta``.

        Returns
        -------
        transformer : object or None
        """
        return None

    @property
    def target_encoder(self):
        """A scikit-learn transformer for ``y``, or None (the default).

        Override it in a subclass to return an unfitted transformer. It is
        fitted on the validated ``y``; skdl's own target handling then sees
        the transformed ``y``, and ``predict`` maps its results back with the
        transformer's ``inverse_transform``. ``target_encoder_`` remains
        skdl's encoder; its ``transformer`` attribute is the fitted
        transformer.

        Returns
        -------
        transformer : object or None
        """
        return None

    def _fit_feature_encoder(self, X):
        """Fit ``feature_encoder`` (if any) on ``X``; return ``X`` transformed."""
        encoder = self.feature_encoder
        if encoder is None:
            vars(self).pop("feature_encoder_", None)
            return X
        self.feature_encoder_ = encoder.fit(X)
        vars(self).update(getattr(self.feature_encoder_, "get_metadata", dict)())
        return self._encode_features(X)

    def _encode_features(self, X):
        """``X`` as the network takes it: through the fitted feature encoder."""
        encoder = getattr(self, "feature_encoder_", None)
        if encoder is None:
            return X
        encoded = encoder.transform(X)
        if scipy.sparse.issparse(encoded):
            return encoded.tocsr()  # (a OneHotEncoder's) sparse output stays sparse
        encoded = np.asarray(encoded)
        if encoded.dtype.kind == "f" and getattr(X, "dtype", None) in (
            np.float32,
            np.float64,
        ):
            # Keep the float precision ``fit`` chose from a float X; an
            # integer X must not truncate the encoder's floats.
            encoded = encoded.astype(X.dtype, copy=False)
        return encoded

    def _fitted_target_encoder(self, y, classes=None, sample_weight=None):
        """skdl's target encoder, behind the user's ``target_encoder`` if any."""
        transformer = self.target_encoder
        if transformer is None:
            return self._target_encoder(y, classes, sample_weight)
        transformer = transformer.fit(y)
        inner = self._target_encoder(
            _as_target(transformer.transform(y)), classes, sample_weight
        )
        return TransformedTarget(transformer, inner)


class TransformedTarget:
    """skdl's target encoder ``inner`` applied after a user's ``transformer``.

    Everything not defined here (``classes_``, ``scale_``...) is ``inner``'s.
    """

    def __init__(self, transformer, inner):
        self.transformer = transformer
        self.inner = inner

    def __getattr__(self, name):
        if name in ("transformer", "inner"):  # while unpickling
            raise AttributeError(name)
        return getattr(self.inner, name)

    def transform(self, y):
        return _as_target(self.transformer.transform(y))

    def inverse_transform(self, y):
        return np.asarray(self.transformer.inverse_transform(y))

    def metadata(self) -> dict:
        meta = dict(self.inner.metadata())
        meta.update(getattr(self.transformer, "get_metadata", dict)())
        classes = meta.get("classes_")
        if classes is not None and getattr(self.inner, "target_type_", "") in (
            "binary",
            "multiclass",
        ):
            # The labels the user's y had, not their transformed codes.
            meta["classes_"] = self.inverse_transform(classes)
        return meta

    def encode(self, y, dtype, *, loss=None):
        return self.inner.encode(self.transform(y), dtype, loss=loss)

    def labels(self, outputs):
        return self.inverse_transform(self.inner.labels(outputs))

    def values(self, outputs):
        return self.inverse_transform(self.inner.values(outputs))


def _as_target(y) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    return y


def check_initial_epoch(initial_epoch) -> int:
    if not isinstance(initial_epoch, Integral) or initial_epoch < 0:
        raise ValueError(
            f"initial_epoch must be an integer >= 0, got {initial_epoch!r}."
        )
    return int(initial_epoch)


def resolved_batch_size(batch_size, n_samples: int, default=None):
    """``batch_size`` with -1 meaning all ``n_samples`` at once (scikeras)."""
    if batch_size is None:
        return default
    if batch_size == -1:
        return max(n_samples, 1)
    if not isinstance(batch_size, Integral) or batch_size < 1:
        raise ValueError(
            f"batch_size must be a positive integer, -1 (the whole data set in "
            f"one batch) or None, got {batch_size!r}."
        )
    return int(batch_size)


def validation_dataset(estimator, validation_data, loss) -> Dataset:
    """The ``validation_data=(X_val, y_val[, sample_weight_val])`` of ``fit``."""
    if not isinstance(validation_data, tuple | list) or len(validation_data) not in {
        2,
        3,
    }:
        raise TypeError(
            "validation_data must be a tuple (X_val, y_val) or (X_val, y_val, "
            f"sample_weight_val), as in Keras; got {validation_data!r:.80}."
        )
    X_val, y_val, *weights = validation_data
    X_val = estimator._encode_features(estimator._validate_predict_data(X_val))
    y_val = _as_target(y_val)
    n_val = n_samples(X_val)
    if len(y_val) != n_val:
        raise ValueError(
            f"validation_data has {n_val} samples in X_val but {len(y_val)} in y_val."
        )
    targets = estimator.target_encoder_.encode(y_val, estimator.X_dtype_, loss=loss)
    sample_weight = _check_sample_weight(
        weights[0] if weights else None, np.empty((n_val, 0)), dtype=estimator.X_dtype_
    )
    return Dataset(estimator._network_inputs(X_val), targets, sample_weight)
