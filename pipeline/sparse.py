"""Sparse count matrices built from (row, column) occurrences with NumPy sorts."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def count_matrix(
    rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int], dtype=np.float32
) -> sp.csr_matrix:
    """CSR counts of (row, column) occurrences with sorted indices, laid out exactly as
    scikit-learn's vectorisers lay out theirs (int32 indices, duplicates summed)."""
    n_rows, width = shape
    # One sort of row-major keys replaces a hash table per document. 32-bit keys sort several
    # times faster than 64-bit ones, so rows that arrive in order are counted in blocks small
    # enough for 32-bit keys.
    block = max(1, (2**31 - 1) // max(width, 1))
    if n_rows <= block or width >= 2**31 or (len(rows) > 1 and np.any(rows[1:] < rows[:-1])):
        indices, counts, per_row = _count_block(rows, columns, n_rows, width)
    else:
        starts = np.searchsorted(rows, np.arange(0, n_rows, block))
        ends = np.r_[starts[1:], len(rows)]
        parts = [
            _count_block(rows[a:b] - first, columns[a:b], min(block, n_rows - first), width)
            for first, a, b in zip(
                range(0, n_rows, block), starts.tolist(), ends.tolist(), strict=True
            )
        ]
        indices, counts, per_row = (np.concatenate(part) for part in zip(*parts, strict=True))
    index_type = np.int32 if len(indices) < 2**31 and width < 2**31 else np.int64
    indptr = np.zeros(n_rows + 1, dtype=index_type)
    np.cumsum(per_row, out=indptr[1:])
    return sp.csr_matrix(
        (counts.astype(dtype), indices.astype(index_type, copy=False), indptr), shape=shape
    )


def _count_block(
    rows: np.ndarray, columns: np.ndarray, n_rows: int, width: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(column, count) of each distinct (row, column) in row-major order, and entries per row."""
    key_type: type[np.signedinteger] = np.int32 if n_rows * width < 2**31 else np.int64
    keys = rows.astype(key_type) * key_type(width)
    keys += columns.astype(key_type, copy=False)
    keys.sort()
    if len(keys):
        starts = np.empty(len(keys), dtype=bool)
        starts[0] = True
        np.not_equal(keys[1:], keys[:-1], out=starts[1:])
        first = np.flatnonzero(starts)
        counts = np.diff(first, append=len(keys))
        keys = keys[first]
    else:
        counts = np.zeros(0, dtype=np.int64)
    key_rows = keys // width
    return keys - key_rows * width, counts, np.bincount(key_rows, minlength=n_rows)
