"""Metrics reported during training, each the mean over a batch (the model averages over the epoch)."""

import numpy as np


class Metric:
    def __init__(self, name: str):
        self.name = name

    def __call__(self, y_true, y_pred) -> float:
        raise NotImplementedError


def _fraction(hits: np.ndarray) -> float:
    # count_nonzero / size is np.mean of booleans to the bit, without its ~5 us of overhead (every batch).
    return int(np.count_nonzero(hits)) / hits.size if hits.size else float("nan")


class SparseCategoricalAccuracy(Metric):
    def __call__(self, y_true, y_pred):
        return _fraction(np.argmax(y_pred, axis=1) == y_true.reshape(-1))


class CategoricalAccuracy(Metric):
    def __call__(self, y_true, y_pred):
        return _fraction(np.argmax(y_pred, axis=1) == np.argmax(y_true, axis=1))


class BinaryAccuracy(Metric):
    def __call__(self, y_true, y_pred):
        y = y_true.reshape(y_pred.shape) if y_true.size == y_pred.size else y_true
        return _fraction((y_pred > 0.5) == (y > 0.5))


class MeanAbsoluteError(Metric):
    def __call__(self, y_true, y_pred):
        return float(np.mean(np.abs(y_pred - y_true.reshape(y_pred.shape))))


class MeanSquaredError(Metric):
    def __call__(self, y_true, y_pred):
        return float(np.mean(np.square(y_pred - y_true.reshape(y_pred.shape))))


_ACCURACY_FOR_LOSS = {
    "sparse_categorical_crossentropy": SparseCategoricalAccuracy,
    "categorical_crossentropy": CategoricalAccuracy,
    "binary_crossentropy": BinaryAccuracy,
}
_NAMED = {
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "categorical_accuracy": CategoricalAccuracy,
    "binary_accuracy": BinaryAccuracy,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
}


def get(identifier, loss_name: str) -> Metric:
    """A metric from its Keras name; 'accuracy' (or 'acc') picks the kind that fits the loss."""
    if isinstance(identifier, Metric):
        return identifier
    if identifier in ("accuracy", "acc"):
        kind = _ACCURACY_FOR_LOSS.get(loss_name)
        if kind is None:
            raise ValueError(f"'accuracy' needs a classification loss, not {loss_name!r}; try metrics=['mae']")
        return kind(identifier)
    if identifier in _NAMED:
        return _NAMED[identifier](identifier)
    raise ValueError(f"unknown metric {identifier!r}; choose 'accuracy', {', '.join(_NAMED)}")
