"""Activation functions with their derivatives, written to reuse buffers.

Each activation has ``forward(z, out)`` writing f(z) into ``out`` and
``backward(z, y, dy, out, scratch)`` writing dL/dz = f'(z) * dL/dy into ``out``, where z is the
pre-activation (batch, units), y = f(z), and ``out`` may be ``dy`` itself. ``scratch`` is a buffer
of the same shape the function may overwrite, so the training loop never allocates.
"""

import math

import numpy as np


class Activation:
    name = ""

    def forward(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, z, y, dy, out, scratch) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z)
        return self.forward(z, np.empty_like(z))

    def gradient(self, z: np.ndarray, dy: np.ndarray) -> np.ndarray:
        """dL/dz for upstream gradient dy, allocating; for tests and teaching."""
        y = self(z)
        return self.backward(z, y, np.array(dy, dtype=z.dtype), np.empty_like(z), np.empty_like(z))

    def get_config(self) -> dict:
        """The parameters that rebuild this activation (none for most)."""
        return {}

    def __repr__(self):
        return f"{type(self).__name__}()"


class Linear(Activation):
    name = "linear"

    def forward(self, z, out):
        if out is not z:
            np.copyto(out, z)
        return out

    def backward(self, z, y, dy, out, scratch):
        if out is not dy:
            np.copyto(out, dy)
        return out


class ReLU(Activation):
    name = "relu"

    def forward(self, z, out):
        return np.maximum(z, 0, out=out)

    def backward(self, z, y, dy, out, scratch):
        np.greater(y, 0, out=scratch)
        return np.multiply(dy, scratch, out=out)


class LeakyReLU(Activation):
    """x for x > 0, negative_slope * x otherwise (Keras's default slope is 0.2)."""

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.2):
        self.negative_slope = negative_slope

    def get_config(self):
        return {"negative_slope": self.negative_slope}

    def forward(self, z, out):
        np.multiply(z, self.negative_slope, out=out)
        return np.maximum(z, out, out=out)

    def backward(self, z, y, dy, out, scratch):
        # slope is 1 where z > 0 and negative_slope elsewhere: 1 * mask + slope * (1 - mask).
        np.greater(z, 0, out=scratch)
        scratch *= 1.0 - self.negative_slope
        scratch += self.negative_slope
        return np.multiply(dy, scratch, out=out)


class ELU(Activation):
    name = "elu"

    def __init__(self, alpha: float = 1.0):
        self.alpha = alpha

    def get_config(self):
        return {"alpha": self.alpha}

    def forward(self, z, out):
        np.minimum(z, 0, out=out)
        np.expm1(out, out=out)
        out *= self.alpha
        return np.add(out, np.maximum(z, 0), out=out)

    def backward(self, z, y, dy, out, scratch):
        # f'(z) = 1 for z > 0, alpha * exp(z) = y + alpha otherwise.
        np.minimum(y, 0, out=scratch)
        scratch += self.alpha
        np.copyto(scratch, 1.0, where=z > 0)
        return np.multiply(dy, scratch, out=out)


class Sigmoid(Activation):
    name = "sigmoid"

    def forward(self, z, out):
        # 0.5 * (1 + tanh(z / 2)) never overflows, unlike 1 / (1 + exp(-z)).
        np.multiply(z, 0.5, out=out)
        np.tanh(out, out=out)
        out += 1.0
        out *= 0.5
        return out

    def backward(self, z, y, dy, out, scratch):
        np.subtract(1.0, y, out=scratch)
        scratch *= y
        return np.multiply(dy, scratch, out=out)


class Tanh(Activation):
    name = "tanh"

    def forward(self, z, out):
        return np.tanh(z, out=out)

    def backward(self, z, y, dy, out, scratch):
        np.multiply(y, y, out=scratch)
        np.subtract(1.0, scratch, out=scratch)
        return np.multiply(dy, scratch, out=out)


class Softplus(Activation):
    name = "softplus"

    def forward(self, z, out):
        # log(1 + e^z) = max(z, 0) + log1p(e^-|z|), stable for large |z|.
        np.abs(z, out=out)
        np.negative(out, out=out)
        np.exp(out, out=out)
        np.log1p(out, out=out)
        return np.add(out, np.maximum(z, 0), out=out)

    def backward(self, z, y, dy, out, scratch):
        Sigmoid().forward(z, scratch)
        return np.multiply(dy, scratch, out=out)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to within 1.5e-7 (Abramowitz and Stegun 7.1.26): below float32 resolution, NumPy has none."""
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return np.sign(x) * (1.0 - poly * np.exp(-x * x))


class GELU(Activation):
    """x * Phi(x), Phi the standard normal CDF (Keras's default, exact form)."""

    name = "gelu"

    def forward(self, z, out):
        np.multiply(z, 0.5 * (1.0 + _erf(z / math.sqrt(2.0))), out=out)
        return out

    def backward(self, z, y, dy, out, scratch):
        cdf = 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))
        pdf = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
        np.multiply(z, pdf, out=scratch)
        scratch += cdf
        return np.multiply(dy, scratch, out=out)


def row_reduce(ufunc, z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """ufunc.reduce over each row of a 2-D z, into out of shape (rows, 1).

    NumPy reduces a short last axis (10 classes) one row at a time, 3-7x slower than reducing across
    rows of a transposed copy, where each step is one vectorized pass over all rows.
    """
    ufunc.reduce(np.ascontiguousarray(z.T), axis=0, out=out[:, 0])
    return out


class Softmax(Activation):
    """exp(z) / sum(exp(z)) over the last axis, shifted by the row maximum so it never overflows."""

    name = "softmax"

    def __init__(self):
        self._rows = np.empty((0, 1))

    def _row_buffer(self, z):
        if self._rows.shape[0] < z.shape[0] or self._rows.dtype != z.dtype:
            self._rows = np.empty((z.shape[0], 1), z.dtype)
        return self._rows[: z.shape[0]]

    def forward(self, z, out):
        rows = self._row_buffer(z)
        np.subtract(z, row_reduce(np.maximum, z, rows), out=out)
        np.exp(out, out=out)
        return np.divide(out, row_reduce(np.add, out, rows), out=out)

    def backward(self, z, y, dy, out, scratch):
        # dL/dz = y * (dy - sum(dy * y)) for each row.
        rows = self._row_buffer(z)
        np.multiply(dy, y, out=scratch)
        np.sum(scratch, axis=1, keepdims=True, out=rows)
        np.subtract(dy, rows, out=out)
        return np.multiply(out, y, out=out)


_CLASSES = {cls.name: cls for cls in (Linear, ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softplus, GELU, Softmax)}
NAMES = tuple(_CLASSES)


def get(identifier) -> Activation:
    """A fresh activation from its name ('relu', ...; None means linear), a serialized dict, or itself."""
    if identifier is None:
        return Linear()
    if isinstance(identifier, Activation):
        return identifier
    if isinstance(identifier, dict):
        return _CLASSES[get(identifier["class_name"]).name](**identifier.get("config", {}))
    if isinstance(identifier, str) and identifier.lower() in _CLASSES:
        return _CLASSES[identifier.lower()]()
    raise ValueError(f"unknown activation {identifier!r}; choose one of {', '.join(NAMES)}")


def serialize(activation: Activation) -> str | dict:
    """Its name when it has Keras's default parameters, else a dict that `get` rebuilds."""
    config = activation.get_config()
    if config == type(activation)().get_config():
        return activation.name
    return {"class_name": activation.name, "config": config}
