"""What the ready-made network learns from its training data about its inputs.

:class:`TabularEncoding` is the network's first layer. It standardizes the
numeric columns with statistics learned from the training data (mean and
standard deviation of the values clipped to their 1st and 99th percentiles,
so a few outliers do not decide the scale) and gives
every categorical column, which arrives as integer codes, an embedding. The
statistics live in non-trainable weights, not in the layer's configuration:
networks of one architecture trained on different folds then share one
compiled training step, and saving the network saves them.
"""

import random
from collections.abc import Mapping

import keras
import numpy as np
import scipy.sparse

# Fraction of each column's values on either side that cannot move its
# scaling statistics (see robust_statistics).
TAIL = 0.01
# Embedding width of a categorical column: one unit per level (and one for
# missing or unknown values) up to this many, which for few levels is as
# expressive as one-hot encoding (the next Dense layer is linear in it).
MAX_EMBEDDING_DIM = 16


def embedding_dim(cardinality: int) -> int:
    """Width of the embedding of a column with ``cardinality`` codes.

    Parameters
    ----------
    cardinality : int
        Codes of the column: its levels, plus one for missing or unknown.

    Returns
    -------
    int
        ``min(cardinality, MAX_EMBEDDING_DIM)``.

    Examples
    --------
    >>> from skdl.networks import embedding_dim
    >>> embedding_dim(3), embedding_dim(100)
    (3, 16)
    """
    return int(min(cardinality, MAX_EMBEDDING_DIM))


def robust_statistics(
    X, sample_weight=None, *, tail: float = TAIL
) -> tuple[np.ndarray, np.ndarray]:
    """Winsorized mean and standard deviation of every column of ``X``.

    Each column is clipped to its ``tail`` and ``1 - tail`` quantiles before
    its mean and standard deviation are taken, so up to that fraction of
    outliers on either side cannot decide the scale, while well-behaved
    columns get (nearly) their plain mean and standard deviation. A column
    whose clipped values are all equal (a rare 0/1 column, say) uses its
    unclipped statistics, and a constant column (or one whose spread is
    rounding noise, as a constant column after a ``StandardScaler``) a spread
    of 1. Quantiles are
    weighted by the inverted empirical distribution function, so a sample
    weight of 2 gives the statistics of a repeated sample.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Numeric training data.
    sample_weight : ndarray of shape (n_samples,), default=None
        Non-negative weights; uniform when None.
    tail : float, default=0.01
        Fraction clipped on each side.

    Returns
    -------
    center, spread : ndarray of shape (n_features,)

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.networks import robust_statistics
    >>> X = np.column_stack([np.r_[np.arange(1.0, 200.0), 1e9], np.full(200, 5.0)])
    >>> center, spread = robust_statistics(X)
    >>> center.round(2).tolist(), spread.round(2).tolist()
    ([100.49, 5.0], [57.7, 1.0])
    """
    dtype = np.asarray(X).dtype
    X = np.asarray(X, dtype=np.float64)
    if X.shape[1] == 0:
        return np.zeros(0), np.ones(0)
    weights = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight)
    weights = weights.astype(np.float64)
    if not weights.sum() > 0:
        weights = np.ones(len(X))
    low, high = np.quantile(
        X, [tail, 1 - tail], axis=0, weights=weights, method="inverted_cdf"
    )
    center, spread = _mean_and_std(np.clip(X, low, high), weights)
    narrow = _negligible(spread, center, dtype)
    if narrow.any():
        center[narrow], spread[narrow] = _mean_and_std(X[:, narrow], weights)
    spread[_negligible(spread, center, dtype)] = 1.0
    return center, spread


def _negligible(spread, center, dtype) -> np.ndarray:
    """Spreads that are rounding noise: a constant column, computed in floats.

    A column that was constant before a ``StandardScaler`` comes out as
    rounding noise of about 1e-16; dividing by its spread would blow the noise
    up to unit scale, and values at predict time up to 1e16.
    """
    eps = np.finfo(dtype).eps if np.issubdtype(dtype, np.floating) else 2.0**-52
    return ~(spread > 1000 * eps * np.maximum(1.0, np.abs(center)))


def sparse_statistics(X, sample_weight=None) -> tuple[np.ndarray, np.ndarray]:
    """No centering and the root mean square of every column of sparse ``X``.

    Centering would make every zero of a sparse matrix non-zero, so sparse
    columns are only scaled, as scikit-learn's ``StandardScaler(with_mean=False)``
    does; a column of zeros keeps a scale of 1.

    Examples
    --------
    >>> import scipy.sparse
    >>> X = scipy.sparse.csr_matrix([[0.0, 3.0], [0.0, 4.0]])
    >>> center, spread = sparse_statistics(X)
    >>> center.tolist(), spread.round(3).tolist()
    ([0.0, 0.0], [1.0, 3.536])
    """
    n_samples = X.shape[0]
    weights = np.ones(n_samples) if sample_weight is None else sample_weight
    weights = np.asarray(weights, dtype=np.float64)
    if not weights.sum() > 0:
        weights = np.ones(n_samples)
    squares = scipy.sparse.csr_matrix(X, dtype=np.float64).power(2)
    spread = np.sqrt(np.asarray(squares.T @ weights).ravel() / weights.sum())
    spread[spread == 0] = 1.0
    return np.zeros(X.shape[1]), spread


def _mean_and_std(X, weights) -> tuple[np.ndarray, np.ndarray]:
    mean = np.average(X, axis=0, weights=weights)
    variance = np.average((X - mean) ** 2, axis=0, weights=weights)
    return mean, np.sqrt(variance)


@keras.saving.register_keras_serializable(package="skdl")
class TabularEncoding(keras.layers.Layer):
    """Standardize numeric columns and embed categorical ones.

    The input is a float matrix whose categorical columns hold integer codes:
    0 for a missing or unknown value, 1 to ``cardinality - 1`` for the levels
    seen in training. The output concatenates the standardized numeric
    columns and one embedding per categorical column. The embedding of code
    0 starts at zero, so an unknown value (or a missing one, when no value
    was missing in training) contributes nothing.

    Parameters
    ----------
    categorical_cardinalities : dict of int to int, default=None
        Codes of each categorical column, by column index (levels + 1).
    alpha : float, default=0.0
        L2 penalty on the embeddings.
    center, spread : array-like of shape (n_numeric,), default=None
        Scaling of the numeric columns: ``(x - center) / spread``. Usually
        from :func:`robust_statistics`; the identity when None. They are the
        layer's initial (non-trainable) weights, not part of its config.
    seed : int, default=None
        Seeds the embeddings' initial values (from ``random.Random(seed)``,
        one draw per categorical column); when None, Keras draws the seeds
        from Python's global ``random``.
    **kwargs : dict
        Keras layer arguments (``name``, ``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from skdl.networks import TabularEncoding
    >>> X = np.array([[0.0, 1.0], [10.0, 2.0], [20.0, 0.0]])
    >>> layer = TabularEncoding.from_data(X, categorical_cardinalities={1: 3})
    >>> tuple(layer(X).shape)
    (3, 4)
    """

    def __init__(
        self,
        categorical_cardinalities: Mapping[int, int] | None = None,
        alpha: float = 0.0,
        center=None,
        spread=None,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.seed = seed
        cardinalities = dict(categorical_cardinalities or {})
        self.categorical_cardinalities = {
            int(column): int(size) for column, size in sorted(cardinalities.items())
        }
        self.alpha = float(alpha)
        self._initial_center = None if center is None else np.asarray(center)
        self._initial_spread = None if spread is None else np.asarray(spread)

    @classmethod
    def from_data(
        cls, X, categorical_cardinalities=None, sample_weight=None, **kwargs
    ) -> "TabularEncoding":
        """A layer whose numeric scaling is learned from ``X``.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Training data, categorical columns as codes.
        categorical_cardinalities : dict of int to int, default=None
            Codes of each categorical column, by column index.
        sample_weight : ndarray of shape (n_samples,), default=None
            Weights for the statistics.
        **kwargs : dict
            Other arguments of the layer.

        Returns
        -------
        TabularEncoding
        """
        if scipy.sparse.issparse(X):
            center, spread = sparse_statistics(X, sample_weight)
            return cls(None, center=center, spread=spread, **kwargs)
        X = np.asarray(X)
        categorical = set(categorical_cardinalities or {})
        numeric = [j for j in range(X.shape[1]) if j not in categorical]
        center, spread = robust_statistics(X[:, numeric], sample_weight)
        return cls(
            categorical_cardinalities,
            center=center,
            spread=spread,
            **kwargs,
        )

    def build(self, input_shape):
        n_features = input_shape[-1]
        self._numeric_columns = [
            j for j in range(n_features) if j not in self.categorical_cardinalities
        ]
        n_numeric = len(self._numeric_columns)
        self.center = self.add_weight(
            shape=(n_numeric,), initializer="zeros", trainable=False, name="center"
        )
        self.spread = self.add_weight(
            shape=(n_numeric,), initializer="ones", trainable=False, name="spread"
        )
        if self._initial_center is not None:
            self.center.assign(self._initial_center.astype(self.center.dtype))
            self.spread.assign(self._initial_spread.astype(self.spread.dtype))
        regularizer = keras.regularizers.L2(self.alpha) if self.alpha else None
        seeds = None if self.seed is None else random.Random(self.seed)
        self.embeddings = []
        for column, size in self.categorical_cardinalities.items():
            width = embedding_dim(size)
            seed = None if seeds is None else seeds.randint(1, 10**9)
            # Rows of unit expected norm, like one-hot rows; row 0 (missing or
            # unknown) starts at zero and stays so unless training sees it.
            table = self.add_weight(
                shape=(size, width),
                initializer=keras.initializers.RandomNormal(
                    stddev=width**-0.5, seed=seed
                ),
                regularizer=regularizer,
                name=f"embedding_{column}",
            )
            mask = np.ones((size, 1), dtype=table.dtype)
            mask[0] = 0
            table.assign(table * mask)
            self.embeddings.append(table)

    def call(self, inputs):
        ops = keras.ops
        if not self.categorical_cardinalities:
            return (inputs - self.center) / self.spread
        parts = []
        if self._numeric_columns:
            numeric = ops.take(inputs, self._numeric_columns, axis=1)
            parts.append((numeric - self.center) / self.spread)
        for (column, size), table in zip(
            self.categorical_cardinalities.items(), self.embeddings, strict=True
        ):
            codes = ops.cast(ops.take(inputs, column, axis=1), "int32")
            codes = ops.clip(codes, 0, size - 1)
            parts.append(ops.take(table, codes, axis=0))
        return ops.concatenate(parts, axis=-1)

    def compute_output_shape(self, input_shape):
        n_numeric = input_shape[-1] - len(self.categorical_cardinalities)
        width = n_numeric + sum(
            embedding_dim(size) for size in self.categorical_cardinalities.values()
        )
        return (*input_shape[:-1], width)

    def get_config(self):
        config = super().get_config()
        # JSON object keys are strings: keep column indices as pairs.
        pairs = [list(pair) for pair in self.categorical_cardinalities.items()]
        config.update(categorical_cardinalities=pairs, alpha=self.alpha, seed=self.seed)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        pairs = config.pop("categorical_cardinalities", None) or []
        return cls(dict(pairs), **config)
