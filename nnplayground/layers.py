"""Layers: Dense, Flatten, Dropout, Activation and Rescaling, with Keras's names and arguments.

A layer is built once it knows its input shape (``build``), then ``forward(x, training)`` computes
its output and ``backward(dy)`` turns dL/d(output) into dL/d(input), filling the gradients of its
weights on the way. Outputs live in buffers the layer keeps between batches (the fast path): a
caller that wants to keep an output past the next call copies it.
"""

import math

import numpy as np

from nnplayground import activations as activations_module
from nnplayground import initializers, regularizers


class Layer:
    """Base class. Subclasses with weights list them in ``variable_names`` (Keras order)."""

    variable_names: tuple[str, ...] = ()

    def __init__(self, name: str | None = None, input_shape=None, input_dim: int | None = None,
                 trainable: bool = True):
        if input_dim is not None:
            input_shape = (input_dim,)
        self.name = name or type(self).__name__.lower()
        self.input_shape = tuple(input_shape) if input_shape is not None else None
        self.trainable = trainable
        self.built = False
        self.output_shape: tuple[int, ...] | None = None
        # Set by the model: False for the first layer with weights, whose input gradient nobody needs.
        self.needs_input_gradient = True
        self.grads: dict[str, np.ndarray] = {}
        self._buffers: dict[str, np.ndarray] = {}

    def build(self, input_shape: tuple[int, ...], dtype, rng: np.random.Generator) -> tuple[int, ...]:
        """Create weights for inputs of shape (batch, *input_shape); return the output's shape."""
        self.dtype = np.dtype(dtype)
        self.built_input_shape = tuple(input_shape)
        self.output_shape = self.compute_output_shape(tuple(input_shape))
        self.built = True
        return self.output_shape

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return input_shape

    def weight_shapes(self, input_shape: tuple[int, ...]) -> list[tuple[int, ...]]:
        """The shapes `build` would give the weights (Keras order), without allocating them."""
        return []

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dy: np.ndarray) -> np.ndarray | None:
        raise NotImplementedError

    @property
    def weights(self) -> list[np.ndarray]:
        return [getattr(self, name) for name in self.variable_names]

    def count_params(self) -> int:
        return sum(w.size for w in self.weights)

    def penalty(self) -> float:
        """The regularization this layer adds to the loss."""
        return 0.0

    def _buffer(self, key: str, shape: tuple[int, ...]) -> np.ndarray:
        """A reusable array of `shape`; grows when a bigger batch arrives, else returns a view."""
        buffer = self._buffers.get(key)
        if buffer is None or buffer.shape[0] < shape[0] or buffer.shape[1:] != shape[1:]:
            buffer = self._buffers[key] = np.empty(shape, self.dtype)
        return buffer[: shape[0]]

    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self.trainable}
        if self.input_shape is not None:
            config["input_shape"] = list(self.input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Layer":
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} {self.name!r}>"


class Dense(Layer):
    """outputs = activation(inputs @ kernel + bias); kernel is (input features, units)."""

    variable_names = ("kernel", "bias")

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        if int(units) != units or units < 1:
            raise ValueError(f"Dense needs a positive whole number of units, got {units!r}")
        self.units = int(units)
        self.activation = activations_module.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        if not use_bias:
            self.variable_names = ("kernel",)

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 1:
            raise ValueError(f"{self.name}: Dense takes flat inputs (batch, features), but gets "
                             f"(batch, {', '.join(map(str, input_shape))}); put a Flatten() layer before it")
        return (self.units,)

    def weight_shapes(self, input_shape):
        return [(input_shape[0], self.units), (self.units,)] if self.use_bias else [(input_shape[0], self.units)]

    def build(self, input_shape, dtype, rng):
        output_shape = super().build(input_shape, dtype, rng)
        self.kernel = self.kernel_initializer((input_shape[0], self.units), self.dtype, rng)
        if self.use_bias:
            self.bias = self.bias_initializer((self.units,), self.dtype, rng)
        self.grads = {name: np.zeros_like(getattr(self, name)) for name in self.variable_names}
        return output_shape

    def forward(self, x, training=False):
        self.inputs = x
        z = self._buffer("z", (x.shape[0], self.units))
        np.matmul(x, self.kernel, out=z)
        if self.use_bias:
            z += self.bias
        self.z = z
        if isinstance(self.activation, activations_module.Linear):
            self.outputs = z
        else:
            self.outputs = self.activation.forward(z, self._buffer("y", z.shape))
        return self.outputs

    def backward(self, dy, from_logits: bool = False):
        """Given dL/d(outputs), or dL/dz itself when `from_logits`, fill grads and return dL/d(inputs)."""
        if from_logits or isinstance(self.activation, activations_module.Linear):
            dz = dy
        else:
            dz = self.activation.backward(self.z, self.outputs, dy, self._buffer("dz", dy.shape),
                                          self._buffer("scratch", dy.shape))
        np.matmul(self.inputs.T, dz, out=self.grads["kernel"])
        if self.kernel_regularizer is not None:
            self.kernel_regularizer.add_gradient(self.kernel, self.grads["kernel"],
                                                 self._buffer("kernel_scratch", self.kernel.shape))
        if self.use_bias:
            # The column sums as a matrix-vector product: BLAS does it 3-6x faster than np.sum over axis 0.
            np.matmul(self._ones(dz.shape[0]), dz, out=self.grads["bias"])
            if self.bias_regularizer is not None:
                self.bias_regularizer.add_gradient(self.bias, self.grads["bias"],
                                                   self._buffer("bias_scratch", self.bias.shape))
        if not self.needs_input_gradient:
            return None
        return np.matmul(dz, self.kernel.T, out=self._buffer("dx", self.inputs.shape))

    def _ones(self, n: int) -> np.ndarray:
        ones = self._buffers.get("ones")
        if ones is None or len(ones) < n:
            ones = self._buffers["ones"] = np.ones(n, self.dtype)
        return ones[:n]

    def penalty(self):
        total = 0.0
        if self.kernel_regularizer is not None:
            total += self.kernel_regularizer(self.kernel)
        if self.use_bias and self.bias_regularizer is not None:
            total += self.bias_regularizer(self.bias)
        return total

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "activation": activations_module.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": _regularizer_config(self.kernel_regularizer),
                "bias_regularizer": _regularizer_config(self.bias_regularizer)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("kernel_initializer", "bias_initializer"):
            config[key] = initializers.deserialize(config[key])
        return cls(**config)


def _regularizer_config(regularizer):
    return None if regularizer is None else regularizer.get_config()


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...); a view, no copy."""

    def compute_output_shape(self, input_shape):
        return (math.prod(input_shape),)  # a Python int: np.prod would wrap around for huge shapes

    def forward(self, x, training=False):
        self._input_shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy):
        return dy.reshape(self._input_shape)


class Dropout(Layer):
    """While training, zero each input with probability `rate` and scale the rest by 1 / (1 - rate)."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate!r}")
        self.rate = float(rate)
        self.seed = seed

    def build(self, input_shape, dtype, rng):
        self.rng = np.random.default_rng(self.seed) if self.seed is not None else rng
        return super().build(input_shape, dtype, rng)

    def forward(self, x, training=False):
        self._active = training and self.rate > 0
        if not self._active:
            return x
        mask = self._buffer("mask", x.shape)
        self.rng.random(out=mask, dtype=mask.dtype)
        np.greater_equal(mask, self.rate, out=mask)
        mask *= 1.0 / (1.0 - self.rate)
        self.mask = mask
        return np.multiply(x, mask, out=self._buffer("y", x.shape))

    def backward(self, dy):
        if not self._active:
            return dy
        return np.multiply(dy, self.mask, out=self._buffer("dx", dy.shape))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class Activation(Layer):
    """Applies an activation function on its own, e.g. Activation('relu')."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations_module.get(activation)

    def forward(self, x, training=False):
        self.inputs = x
        self.outputs = self.activation.forward(x, self._buffer("y", x.shape))
        return self.outputs

    def backward(self, dy):
        return self.activation.backward(self.inputs, self.outputs, dy, self._buffer("dx", dy.shape),
                                        self._buffer("scratch", dy.shape))

    def get_config(self):
        return {**super().get_config(), "activation": activations_module.serialize(self.activation)}


class Rescaling(Layer):
    """outputs = inputs * scale + offset, e.g. Rescaling(1 / 255) to feed uint8 pixels as they are."""

    def __init__(self, scale: float, offset: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = float(scale), float(offset)

    def forward(self, x, training=False):
        y = np.multiply(x, self.scale, out=self._buffer("y", x.shape), casting="unsafe")
        if self.offset:
            y += self.offset
        return y

    def backward(self, dy):
        return np.multiply(dy, self.scale, out=self._buffer("dx", dy.shape))

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Deskew(Layer):
    """Straighten slanted images: shear each one so its second moments say it stands upright.

    A preprocessing layer for (batch, height, width) images, put first (before any weights): slant is
    the largest source of variation in handwriting, and removing it from training data and drawings
    alike makes a small network read handwriting better. Inputs keep their scale (uint8 values stay
    0..255 floats).
    """

    def forward(self, x, training=False):
        images = x.astype(self.dtype, copy=False)
        n, height, width = images.shape
        # The moments in float64: float32 sums over 784 pixels drift by up to 1e-3 of a pixel's value, so
        # the shift, rounded to float32 at the end, is the same however the sums are ordered (ONNX too).
        moments = images.astype(np.float64, copy=False)
        rows = np.arange(height, dtype=np.float64)
        columns = np.arange(width, dtype=np.float64)
        row_mass = moments.sum(axis=2)  # (n, height)
        mass = np.maximum(row_mass.sum(axis=1), 1e-6)
        centre_row = row_mass @ rows / mass
        offsets = rows[None, :] - centre_row[:, None]  # (n, height)
        variance = (row_mass * offsets**2).sum(axis=1) / mass
        # sum I (r - cy)(c - cx) = sum I (r - cy) c, since sum I (r - cy) = 0 by the definition of cy
        covariance = ((moments @ columns) * offsets).sum(axis=1) / mass
        skew = np.divide(covariance, variance, out=np.zeros_like(covariance), where=variance > 1e-6)
        # Every row moves as a whole: row r of image k takes its input from `shift` columns to the right.
        shift = np.clip(skew[:, None] * offsets, -width, width).astype(self.dtype)  # (n, height)
        whole = np.floor(shift)
        share = (shift - whole)[..., None]
        padded = np.zeros((n, height, 3 * width + 2), self.dtype)
        padded[:, :, width: 2 * width] = images
        start = (whole.astype(np.intp) + width)[..., None] + np.arange(width)  # (n, height, width)
        left = np.take_along_axis(padded, start, axis=2)
        right = np.take_along_axis(padded, start + 1, axis=2)
        return left + share * (right - left)

    def backward(self, dy):
        raise NotImplementedError("Deskew preprocesses the inputs: put it before any layer with weights")


LAYER_CLASSES = {cls.__name__: cls for cls in (Dense, Flatten, Dropout, Activation, Rescaling, Deskew)}


def deserialize(config: dict) -> Layer:
    """Rebuild a layer from {'class_name': ..., 'config': {...}} (what the model saves)."""
    try:
        cls = LAYER_CLASSES[config["class_name"]]
    except KeyError:
        raise ValueError(f"unknown layer type {config.get('class_name')!r}") from None
    return cls.from_config(config["config"])


def serialize(layer: Layer) -> dict:
    return {"class_name": type(layer).__name__, "config": layer.get_config()}
