"""Helpers with Keras's names: one-hot labels and a global random seed."""

import numpy as np

from nnplayground.config import set_random_seed

__all__ = ["to_categorical", "set_random_seed"]


def to_categorical(y, num_classes: int | None = None, dtype="float32") -> np.ndarray:
    """Integer labels (n,) -> one-hot rows (n, num_classes), as keras.utils.to_categorical."""
    y = np.asarray(y)
    if y.ndim > 1 and y.shape[-1] == 1:
        y = y.reshape(y.shape[:-1])
    labels = y.astype(np.int64)
    if labels.size and labels.min() < 0:
        raise ValueError("to_categorical needs labels >= 0")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    elif labels.size and labels.max() >= num_classes:
        raise ValueError(f"label {labels.max()} does not fit in {num_classes} classes")
    out = np.zeros((*labels.shape, num_classes), dtype)
    np.put_along_axis(out, labels[..., None], 1, axis=-1)
    return out
