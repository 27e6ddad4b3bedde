"""Sparse inputs (SciPy CSR) as tensors whose rows are densified a batch at a time.

A TF-IDF matrix of 4,000 documents by 50,000 terms is 1.5 GB dense in
float64 but a few megabytes as CSR. The epoch functions receive its three
CSR arrays as tensors and, for each mini-batch, gather the stored entries of
the batch's rows and scatter them into a dense ``(batch, n_columns)``
tensor: only one mini-batch is ever dense.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse


class SparseRows(NamedTuple):
    """The CSR arrays of a sparse matrix, as tensors for a traced function.

    ``width`` is an empty ``(0, n_columns)`` tensor: traced functions see the
    trailing dimensions of their inputs as constants, so the batch's dense
    shape (and the model's input shape) is known when tracing.
    """

    indptr: object
    indices: object
    data: object
    width: object


def is_sparse(array) -> bool:
    return scipy.sparse.issparse(array)


def sparse_rows(matrix, dtype=None) -> SparseRows:
    """``matrix`` (any SciPy sparse format) as :class:`SparseRows` tensors."""
    import tensorflow as tf

    matrix = scipy.sparse.csr_matrix(matrix)
    data = matrix.data if dtype is None else matrix.data.astype(dtype, copy=False)
    return SparseRows(
        tf.constant(matrix.indptr.astype(np.int64, copy=False)),
        tf.constant(matrix.indices.astype(np.int64, copy=False)),
        tf.constant(data),
        tf.zeros((0, matrix.shape[1]), dtype=data.dtype),
    )


def dense_rows(rows: SparseRows, index):
    """The rows ``index`` of ``rows`` as a dense tensor (inside a trace)."""
    import tensorflow as tf

    index = tf.cast(index, tf.int64)
    starts = tf.gather(rows.indptr, index)
    ends = tf.gather(rows.indptr, index + 1)
    positions = tf.ragged.range(starts, ends)
    row_ids = positions.value_rowids()
    flat = positions.flat_values
    columns = tf.gather(rows.indices, flat)
    values = tf.gather(rows.data, flat)
    n_columns = rows.width.shape[1]
    shape = tf.stack([tf.shape(index, out_type=tf.int64)[0], n_columns])
    dense = tf.scatter_nd(tf.stack([row_ids, columns], axis=1), values, shape)
    return tf.ensure_shape(dense, [None, n_columns])


def densified(array):
    """``array`` as a dense NumPy array (for a few rows at a time)."""
    return array.toarray() if is_sparse(array) else array
