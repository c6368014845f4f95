"""ONNX export: a Sequential as a graph of standard ONNX operators, for any ONNX runtime to run.

``export_onnx(model, path)`` (or ``model.export(path, format="onnx")``, as Keras names it) writes one
``.onnx`` file: a float32 input ``inputs`` of shape (batch, *model.input_shape), the batch size left
open, and one output ``predictions``, what ``model.predict`` returns. Each layer becomes the operators
that compute what its ``forward`` computes at inference (Dropout is the identity then), in the same order
of float32 operations where it matters, so a runtime agrees with the engine to about 1e-6.

The ``onnx`` package is optional (``pip install 'nnplayground[onnx]'``): it is imported here, when a model
is exported, so ``import nnplayground`` never needs it.
"""

import math
from pathlib import Path

import numpy as np

from nnplayground import __version__, activations, layers
from nnplayground.fileio import atomic_write

OPSET = 17  # every operator used here has had its current form since opset 13; runtimes since 2022 run 17
IR_VERSION = 8  # the file format of opset 17, which older runtimes read too
INPUT_NAME, OUTPUT_NAME = "inputs", "predictions"
INSTALL_HINT = "pip install 'nnplayground[onnx]' (or just pip install onnx)"
# Protocol buffers refuse to write a message over 2 GiB; leave room for everything but the weights.
MAX_WEIGHT_BYTES = (2 << 30) - (16 << 20)


class OnnxUnavailable(ImportError):
    """The onnx package is not installed."""


class OnnxExportError(ValueError):
    """A model that cannot be exported (a layer or activation without an ONNX form, too large a model)."""


def export_onnx(model, path) -> Path:
    """Write `model` to `path` as an ONNX file (atomically; `.onnx` added to a name without a suffix).

    Returns the path written. Raises OnnxUnavailable without the onnx package, OnnxExportError for a model
    that has no ONNX form (naming the layer), OSError if the file cannot be written.
    """
    onnx = _import_onnx()
    target = Path(path)
    if not target.suffix:
        target = target.with_suffix(".onnx")
    proto = build_onnx(model, onnx)
    data = proto.SerializeToString()
    atomic_write(target, lambda file: file.write(data))
    return target


def build_onnx(model, onnx=None):
    """The ONNX ModelProto of `model` (built first if it knows its input shape)."""
    onnx = onnx or _import_onnx()
    if not model.built:
        model.build()
    size = sum(weight.size for weight in model.weights) * 4
    if size > MAX_WEIGHT_BYTES:
        raise OnnxExportError(f"{model.name}'s weights take {size / 2**30:.1f} GiB as float32, more than one "
                              "ONNX file can hold (2 GiB)")
    graph = _Graph(onnx)
    x, shape = INPUT_NAME, model.input_shape
    for layer in model.layers:
        convert = _LAYERS.get(type(layer))  # the exact class: a subclass may compute something else
        if convert is None:
            raise OnnxExportError(f"layer {layer.name!r} ({type(layer).__name__}) has no ONNX form; the layers "
                                  f"that export are {', '.join(cls.__name__ for cls in _LAYERS)}")
        graph.prefix = layer.name
        x = convert(graph, layer, x, shape)
        shape = layer.output_shape
    graph.prefix = ""
    graph.node("Identity", [x], name=OUTPUT_NAME)
    return graph.model(model, shape)


def _import_onnx():
    try:
        import onnx
    except ImportError:
        raise OnnxUnavailable(f"exporting to ONNX needs the onnx package: {INSTALL_HINT}") from None
    return onnx


class _Graph:
    """The nodes and weights of the graph being built; names are unique, led by the current layer's name."""

    def __init__(self, onnx):
        self.onnx, self.helper = onnx, onnx.helper
        self.nodes, self.initializers, self.names = [], [], set()
        self.prefix = ""

    def _name(self, base: str) -> str:
        stem = f"{self.prefix}/{base}" if self.prefix else base
        name, count = stem, 0
        while name in self.names:
            count += 1
            name = f"{stem}_{count}"
        self.names.add(name)
        return name

    def constant(self, base: str, value, dtype=np.float32) -> str:
        """A weight or constant (float32 unless `dtype` says otherwise); returns its name."""
        name = self._name(base)
        self.initializers.append(self.onnx.numpy_helper.from_array(np.asarray(value, dtype), name))
        return name

    def node(self, op: str, inputs: list[str], name: str | None = None, **attributes) -> str:
        """One operator on `inputs`; returns the name of its output (`name` if given)."""
        output = name or self._name(op.lower())
        self.nodes.append(self.helper.make_node(op, inputs, [output], name=self._name(f"{op}_node"), **attributes))
        return output

    def model(self, model, output_shape):
        helper, float32 = self.helper, self.onnx.TensorProto.FLOAT
        inputs = helper.make_tensor_value_info(INPUT_NAME, float32, ["batch", *model.input_shape])
        outputs = helper.make_tensor_value_info(OUTPUT_NAME, float32, ["batch", *output_shape])
        graph = helper.make_graph(self.nodes, model.name, [inputs], [outputs], self.initializers)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION,
                                 producer_name="nnplayground", producer_version=__version__,
                                 doc_string=f"{model.name}, exported by nnplayground")


# ----- layers: graph, layer, input name, input shape (without the batch) -> output name ------------------

def _dense(graph: _Graph, layer: layers.Dense, x: str, shape) -> str:
    weights = [x, graph.constant("kernel", layer.kernel)]
    if layer.use_bias:
        weights.append(graph.constant("bias", layer.bias))
    return _activation(graph, layer, layer.activation, graph.node("Gemm", weights))


def _flatten(graph: _Graph, layer, x: str, shape) -> str:
    return graph.node("Flatten", [x], axis=1)


def _nothing(graph: _Graph, layer, x: str, shape) -> str:
    """Dropout: nothing is dropped at inference, so nothing goes into the graph."""
    return x


def _activation_layer(graph: _Graph, layer: layers.Activation, x: str, shape) -> str:
    return _activation(graph, layer, layer.activation, x)


def _rescaling(graph: _Graph, layer: layers.Rescaling, x: str, shape) -> str:
    y = graph.node("Mul", [x, graph.constant("scale", layer.scale)])
    return graph.node("Add", [y, graph.constant("offset", layer.offset)]) if layer.offset else y


def _deskew(graph: _Graph, layer: layers.Deskew, x: str, shape) -> str:
    """Deskew.forward as operators: the image's row moments give each row a horizontal shift, and each row
    is read `shift` columns to the right with linear interpolation (two gathers from a zero-padded copy)."""
    if len(shape) != 2:
        raise OnnxExportError(f"layer {layer.name!r} (Deskew) takes (batch, height, width) images, but gets "
                              f"samples of shape {shape}")
    height, width = shape
    g, c = graph.node, graph.constant
    double = graph.onnx.TensorProto.DOUBLE
    rows, columns = np.arange(height), np.arange(width)
    images = g("Cast", [x], to=double)  # the moments in float64, as the engine takes them
    row_mass = g("ReduceSum", [images, c("axis_2", [2], np.int64)], keepdims=0)  # (n, height)
    axis_1 = c("axis_1", [1], np.int64)
    mass = g("Max", [g("ReduceSum", [row_mass, axis_1], keepdims=1), c("tiny", 1e-6, np.float64)])  # (n, 1)
    centre_row = g("Div", [g("MatMul", [row_mass, c("rows_column", rows[:, None], np.float64)]), mass])
    offsets = g("Sub", [c("rows", rows, np.float64), centre_row])  # (n, height)
    spread = g("Mul", [row_mass, g("Mul", [offsets, offsets])])
    variance = g("Div", [g("ReduceSum", [spread, axis_1], keepdims=1), mass])
    column_sums = g("MatMul", [images, c("columns_column", columns[:, None], np.float64)])  # (n, height, 1)
    moment = g("Mul", [g("Squeeze", [column_sums, c("axis_2_again", [2], np.int64)]), offsets])
    covariance = g("Div", [g("ReduceSum", [moment, axis_1], keepdims=1), mass])
    ratio = g("Div", [covariance, g("Max", [variance, c("tiny_variance", 1e-6, np.float64)])])
    skew = g("Where", [g("Greater", [variance, c("flat", 1e-6, np.float64)]), ratio, c("upright", 0.0, np.float64)])
    shift = g("Clip", [g("Mul", [skew, offsets]), c("low", -width, np.float64), c("high", width, np.float64)])
    shift = g("Cast", [shift], to=graph.onnx.TensorProto.FLOAT)  # (n, height)
    whole = g("Floor", [shift])
    share = g("Unsqueeze", [g("Sub", [shift, whole]), c("last_axis", [2], np.int64)])  # (n, height, 1)
    padded = g("Pad", [x, c("pads", [0, 0, width, 0, 0, width + 2], np.int64)], mode="constant")
    first = g("Unsqueeze", [g("Cast", [whole], to=graph.onnx.TensorProto.INT64), c("new_axis", [2], np.int64)])
    start = g("Add", [first, c("columns_shifted", columns + width, np.int64)])  # (n, height, width)
    left = g("GatherElements", [padded, start], axis=2)
    right = g("GatherElements", [padded, g("Add", [start, c("one", 1, np.int64)])], axis=2)
    return g("Add", [left, g("Mul", [share, g("Sub", [right, left])])])


_LAYERS = {layers.Dense: _dense, layers.Flatten: _flatten, layers.Dropout: _nothing,
           layers.Activation: _activation_layer, layers.Rescaling: _rescaling, layers.Deskew: _deskew}


# ----- activations: graph, pre-activation name -> output name ---------------------------------------------

def _activation(graph: _Graph, layer, activation, z: str) -> str:
    convert = _ACTIVATIONS.get(type(activation))
    if convert is None:
        raise OnnxExportError(f"layer {layer.name!r}: its activation {type(activation).__name__} has no ONNX form")
    graph.prefix = f"{layer.name}/{activation.name}"
    try:
        return convert(graph, activation, z)
    finally:
        graph.prefix = layer.name


def _leaky_relu(graph: _Graph, activation: activations.LeakyReLU, z: str) -> str:
    slope = activation.negative_slope
    if 0 <= slope <= 1:
        return graph.node("LeakyRelu", [z], alpha=float(slope))
    # The engine takes max(z, slope * z), which LeakyRelu's "slope * z below 0" is only for slopes in [0, 1].
    return graph.node("Max", [z, graph.node("Mul", [z, graph.constant("slope", slope)])])


def _gelu(graph: _Graph, activation, z: str) -> str:
    """z * Phi(z) = z * 0.5 * (1 + erf(z / sqrt 2)): the Gelu operator itself needs opset 20."""
    g, c = graph.node, graph.constant
    cdf = g("Mul", [c("half", 0.5), g("Add", [c("one", 1.0), g("Erf", [g("Div", [z, c("sqrt2", math.sqrt(2))])])])])
    return g("Mul", [z, cdf])


def _softplus(graph: _Graph, activation, z: str) -> str:
    """max(z, 0) + log(1 + exp(-|z|)), the engine's stable form (never exp of a large number)."""
    g = graph.node
    tail = g("Log", [g("Add", [graph.constant("one", 1.0), g("Exp", [g("Neg", [g("Abs", [z])])])])])
    return g("Add", [tail, g("Relu", [z])])


_ACTIVATIONS = {
    activations.Linear: lambda graph, activation, z: z,
    activations.ReLU: lambda graph, activation, z: graph.node("Relu", [z]),
    activations.LeakyReLU: _leaky_relu,
    activations.ELU: lambda graph, activation, z: graph.node("Elu", [z], alpha=float(activation.alpha)),
    activations.Sigmoid: lambda graph, activation, z: graph.node("Sigmoid", [z]),
    activations.Tanh: lambda graph, activation, z: graph.node("Tanh", [z]),
    activations.Softplus: _softplus,
    activations.GELU: _gelu,
    activations.Softmax: lambda graph, activation, z: graph.node("Softmax", [z], axis=-1),
}
