"""Losses, averaged over the batch as Keras does (mean over the last axis, then over samples).

``loss(y_true, y_pred)`` is the value; ``loss.gradient(y_true, y_pred, out)`` writes dL/d(y_pred).
Cross-entropies also take the logits z before their softmax or sigmoid:
``loss.logits_loss_and_gradient(y_true, z, out)`` returns the loss from z (stable, no log of 0) and
writes dL/dz = (p - y) / n into ``out``. The model uses that fused path whenever the last layer's
activation is the loss's ``fused_activation`` or the loss was built with ``from_logits=True``.
"""

import numpy as np

from nnplayground.activations import row_reduce

EPSILON = 1e-7  # Keras's clip for probabilities before taking their log


def _labels(y_true: np.ndarray) -> np.ndarray:
    return y_true.reshape(-1)


def _like(y_true, y_pred) -> np.ndarray:
    """y_true shaped as y_pred: (n,) labels against (n, 1) outputs are the same thing."""
    y_true = np.asarray(y_true)
    return y_true.reshape(y_pred.shape) if y_true.size == y_pred.size else y_true


class Loss:
    name = ""
    fused_activation: str | None = None

    def __init__(self, from_logits: bool = False):
        self.from_logits = from_logits
        self._rows = np.empty((0, 1))

    def __call__(self, y_true, y_pred) -> float:
        if self.from_logits:
            return self.logits_loss_and_gradient(y_true, y_pred, np.empty_like(y_pred))
        return self.value(y_true, y_pred)

    def value(self, y_true, y_pred) -> float:
        raise NotImplementedError

    def gradient(self, y_true, y_pred, out) -> np.ndarray:
        raise NotImplementedError

    def logits_loss_and_gradient(self, y_true, z, out) -> float:
        raise NotImplementedError(f"{self.name} has no logits form")

    def _row_buffer(self, z, key):
        """Two reusable (n, 1) columns for the row maximum and the row sum."""
        if self._rows.shape[0] < z.shape[0] or self._rows.dtype != z.dtype:
            self._rows = np.empty((z.shape[0], 2), z.dtype)
        return self._rows[: z.shape[0], key: key + 1]

    def get_config(self) -> dict:
        return {"from_logits": self.from_logits} if self.fused_activation else {}


class _SoftmaxCrossEntropy(Loss):
    fused_activation = "softmax"

    def _onehot(self, y_true, shape, dtype) -> np.ndarray:
        raise NotImplementedError

    def value(self, y_true, y_pred):
        target = self._onehot(y_true, y_pred.shape, y_pred.dtype)
        p = y_pred / y_pred.sum(axis=1, keepdims=True)
        return float(-(target * np.log(np.clip(p, EPSILON, 1 - EPSILON))).sum(axis=1).mean())

    def gradient(self, y_true, y_pred, out):
        # Keras first renormalises p to sum to one: d/dp_j -sum_i y_i log(p_i / S) = -y_j / p_j + sum(y) / S.
        target = self._onehot(y_true, y_pred.shape, y_pred.dtype)
        total = y_pred.sum(axis=1, keepdims=True)
        np.divide(-target, np.clip(y_pred / total, EPSILON, 1 - EPSILON) * total, out=out)
        out += target.sum(axis=1, keepdims=True) / total
        out /= y_pred.shape[0]
        return out

    def _shifted_softmax(self, z, out):
        """Write softmax(z) into out; return log of the row sums of exp(z - max) and the row maxima."""
        row_max, row_sum = self._row_buffer(z, 0), self._row_buffer(z, 1)
        np.subtract(z, row_reduce(np.maximum, z, row_max), out=out)
        return row_max, row_sum


class SparseCategoricalCrossentropy(_SoftmaxCrossEntropy):
    """Cross-entropy for integer labels (n,) against class probabilities (n, classes)."""

    name = "sparse_categorical_crossentropy"

    def _onehot(self, y_true, shape, dtype):
        target = np.zeros(shape, dtype)
        target[np.arange(shape[0]), _labels(y_true)] = 1
        return target

    def logits_loss_and_gradient(self, y_true, z, out):
        n, labels = z.shape[0], _labels(y_true)
        rows = np.arange(n)
        row_max, row_sum = self._shifted_softmax(z, out)
        true_shifted = out[rows, labels]  # z_y - max, before exponentiation
        np.exp(out, out=out)
        row_reduce(np.add, out, row_sum)
        loss = float(np.log(row_sum).sum() - true_shifted.sum()) / n  # log-sum-exp(z) - z_y
        np.divide(out, row_sum, out=out)
        out[rows, labels] -= 1.0
        out *= 1.0 / n
        return loss


class CategoricalCrossentropy(_SoftmaxCrossEntropy):
    """Cross-entropy for one-hot (or soft) targets (n, classes)."""

    name = "categorical_crossentropy"

    def _onehot(self, y_true, shape, dtype):
        return np.asarray(y_true, dtype)

    def logits_loss_and_gradient(self, y_true, z, out):
        n = z.shape[0]
        row_max, row_sum = self._shifted_softmax(z, out)
        true_shifted = float((y_true * out).sum())
        np.exp(out, out=out)
        row_reduce(np.add, out, row_sum)
        loss = float((np.log(row_sum)[:, 0] * y_true.sum(axis=1)).sum() - true_shifted) / n
        np.divide(out, row_sum, out=out)
        out *= y_true.sum(axis=1, keepdims=True)  # exact for targets that do not sum to one
        out -= y_true
        out *= 1.0 / n
        return loss


class BinaryCrossentropy(Loss):
    """Cross-entropy of independent yes/no outputs: targets and probabilities in [0, 1]."""

    name = "binary_crossentropy"
    fused_activation = "sigmoid"

    def value(self, y_true, y_pred):
        y = _like(y_true, y_pred)
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())

    def gradient(self, y_true, y_pred, out):
        y = _like(y_true, y_pred)
        p = np.clip(y_pred, EPSILON, 1 - EPSILON)
        np.divide(p - y, p * (1 - p) * y_pred.size, out=out)
        return out

    def logits_loss_and_gradient(self, y_true, z, out):
        y = _like(y_true, z)
        # log(1 + e^-|z|) + max(z, 0) - z * y: the stable form of -y log p - (1 - y) log(1 - p).
        loss = float((np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0) - z * y).mean())
        np.multiply(z, 0.5, out=out)
        np.tanh(out, out=out)
        out += 1.0
        out *= 0.5  # sigmoid(z)
        out -= y
        out *= 1.0 / z.size
        return loss


class MeanSquaredError(Loss):
    name = "mean_squared_error"

    def value(self, y_true, y_pred):
        return float(np.square(y_pred - _like(y_true, y_pred)).mean())

    def gradient(self, y_true, y_pred, out):
        np.subtract(y_pred, _like(y_true, y_pred), out=out)
        out *= 2.0 / y_pred.size
        return out


_CLASSES = {cls.name: cls for cls in (SparseCategoricalCrossentropy, CategoricalCrossentropy,
                                      BinaryCrossentropy, MeanSquaredError)}
_ALIASES = {"mse": "mean_squared_error"}
NAMES = tuple(_CLASSES) + tuple(_ALIASES)


def get(identifier) -> Loss:
    """A loss from its Keras name ('sparse_categorical_crossentropy', 'mse', ...) or itself."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        return _CLASSES[identifier["class_name"]](**identifier.get("config", {}))
    name = _ALIASES.get(identifier, identifier)
    if name in _CLASSES:
        return _CLASSES[name]()
    raise ValueError(f"unknown loss {identifier!r}; choose one of {', '.join(NAMES)}")


def serialize(loss: Loss) -> dict:
    return {"class_name": loss.name, "config": loss.get_config()}
