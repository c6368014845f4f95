"""Inside the layers: what each layer's units output on a fixed validation batch, which of them are dead
or saturated, and how its weights and gradients are spread; and a history of those spreads by epoch.

A **dead** ReLU unit outputs 0 for every sample of the batch: no gradient reaches its weights, so it
stays dead. A **saturated** sigmoid or tanh unit sits on its flat tails (sigmoid below 0.03 or above
0.97, tanh beyond +-0.97, where the slope is under 3% (sigmoid: 12%) of its peak) for at least 90%
of the samples: it learns hardly at all.
"""

import numpy as np

from nnplayground.layers import Activation, Dense, Dropout, Flatten, Rescaling
from nnplayground.session.probes import Probe, ProbeContext

BATCH = 256  # validation samples the activations are measured on: always the first ones, so runs compare
BINS = 30
SATURATION = 0.97  # |tanh| beyond this, or sigmoid outside [1 - SATURATION, SATURATION], is on a flat tail
SATURATED_SAMPLES = 0.9  # a unit on a flat tail for at least this share of the samples is saturated
BOUNDED = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "softmax": (0.0, 1.0)}  # fixed histogram ranges


def histogram(values: np.ndarray, bins: int = BINS, value_range: tuple[float, float] | None = None) -> dict:
    """{"edges": (bins + 1,), "counts": (bins,)} of the finite values (within `value_range` if given, else
    between their smallest and largest), plus "nonfinite": how many NaN or infinite values were left out."""
    values = np.asarray(values, np.float64).ravel()
    finite = values[np.isfinite(values)]
    if value_range is None:
        value_range = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    low, high = value_range
    if high <= low:  # one value only (zeros before training): a bin either side of it
        low, high = low - 0.5, high + 0.5
    counts, edges = np.histogram(np.clip(finite, low, high), bins=bins, range=(low, high))
    return {"edges": edges, "counts": counts, "nonfinite": int(values.size - finite.size)}


def layer_outputs(model, x: np.ndarray, upto: int | None = None) -> list[np.ndarray]:
    """Every layer's output for `x` (a batch of samples), in inference mode, in fresh arrays: the layers'
    own buffers, which training reuses, are left untouched. With `upto`, stops after model.layers[upto]."""
    outputs = []
    x = np.asarray(x).astype(model.dtype)
    for layer in model.layers[: None if upto is None else upto + 1]:
        if isinstance(layer, Dense):
            z = x @ layer.kernel
            if layer.use_bias:
                z += layer.bias
            x = layer.activation(z)
        elif isinstance(layer, Activation):
            x = layer.activation(x)
        elif isinstance(layer, Dropout):  # inference: passes its inputs through
            pass
        elif isinstance(layer, Flatten):
            x = x.reshape(len(x), -1)
        elif isinstance(layer, Rescaling):
            x = x * layer.scale + layer.offset
        else:  # Deskew and other preprocessing: whatever it returns, copied
            x = np.array(layer.forward(x, training=False))
        outputs.append(x)
    return outputs


def validation_batch(context: ProbeContext, model, size: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The first `size` samples the run validates on, or None if there are none or the model cannot read
    them (another shape)."""
    if context.validation is None or model.input_shape is None:
        return None
    x, y = context.validation
    if not len(x) or tuple(x.shape[1:]) != tuple(model.input_shape):
        return None
    return x[:size], y[:size]


def activation_name(layer) -> str | None:
    activation = getattr(layer, "activation", None)
    return activation.name if activation is not None else None


def unit_shares(outputs: np.ndarray, activation: str | None) -> tuple[float | None, float | None]:
    """(dead share, saturated share) of the units of an (samples, units) output: dead for ReLU, saturated
    for sigmoid and tanh, None where the idea does not apply."""
    if not outputs.size:
        return None, None
    if activation == "relu":
        return float(np.mean(np.max(outputs, axis=0) <= 0)), None
    if activation == "sigmoid":
        tail = (outputs < 1 - SATURATION) | (outputs > SATURATION)
    elif activation == "tanh":
        tail = np.abs(outputs) > SATURATION
    else:
        return None, None
    return None, float(np.mean(np.mean(tail, axis=0) >= SATURATED_SAMPLES))


def activation_range(outputs: np.ndarray, activation: str | None) -> tuple[float, float] | None:
    """The histogram's range for a layer's outputs: the activation's own bounds where it has them (ReLU
    from 0, so that its zeros fill the first bin), else None (the outputs' smallest to largest)."""
    if activation in BOUNDED:
        return BOUNDED[activation]
    if activation == "relu":
        finite = outputs[np.isfinite(outputs)]
        top = float(finite.max()) if finite.size else 0.0
        return 0.0, top if top > 0 else 1.0
    return None


class LayerStatsProbe(Probe):
    """Per layer with weights or an activation: a histogram of its outputs on the first `batch` validation
    samples with its dead and saturated shares, and histograms of each weight array and of its gradient
    (the last batch's; left out while it is all zeros, before any training).

    Result: {"step", "samples": how many samples the activations were measured on (0: no data that fits),
    "layers": [{"index" (in model.layers), "name", "type", "activation", "units",
                "activations": histogram or None, "dead_share", "saturated_share" (float or None),
                "weights": {name: histogram}, "gradients": {name: histogram}}]}
    where a histogram is {"edges", "counts", "nonfinite"} (see `histogram`).
    """

    name = "layer_stats"
    interval = 1.0

    def __init__(self, batch: int = BATCH, bins: int = BINS):
        self.batch, self.bins = batch, bins

    def __call__(self, model, context: ProbeContext) -> dict:
        found = validation_batch(context, model, self.batch)
        outputs = layer_outputs(model, found[0]) if found is not None else None
        layers = []
        for index, layer in enumerate(model.layers):
            activation = activation_name(layer)
            if not layer.variable_names and activation is None:
                continue
            entry = {"index": index, "name": layer.name, "type": type(layer).__name__, "activation": activation,
                     "units": int(layer.output_shape[-1]) if layer.output_shape else 0,
                     "activations": None, "dead_share": None, "saturated_share": None,
                     "weights": {name: histogram(getattr(layer, name), self.bins) for name in layer.variable_names},
                     "gradients": {name: histogram(layer.grads[name], self.bins) for name in layer.variable_names
                                   if np.any(layer.grads[name])}}  # none before the first batch
            if outputs is not None:
                output = outputs[index].reshape(len(outputs[index]), -1)
                entry["activations"] = histogram(output, self.bins, activation_range(output, activation))
                entry["dead_share"], entry["saturated_share"] = unit_shares(output, activation)
            layers.append(entry)
        return {"step": context.step, "samples": len(found[0]) if found is not None else 0, "layers": layers}


class UnitHealthProbe(Probe):
    """The dead and saturated shares of every hidden layer alone (no histograms): cheap enough to run all
    the time, for the hints. Hidden: a Dense layer with weights before the output layer.

    Result: {"step", "samples": how many validation samples were measured (0: none fit),
    "layers": [{"index", "name", "activation", "units", "dead_share", "saturated_share"}]}
    with the shares as in `unit_shares` (None where they do not apply).
    """

    name = "unit_health"
    interval = 2.0

    def __init__(self, batch: int = BATCH):
        self.batch = batch

    def __call__(self, model, context: ProbeContext) -> dict:
        dense = [index for index, layer in enumerate(model.layers) if isinstance(layer, Dense)]
        hidden = dense[:-1]
        found = validation_batch(context, model, self.batch)
        if found is None or not hidden:
            return {"step": context.step, "samples": 0, "layers": []}
        outputs = layer_outputs(model, found[0], upto=hidden[-1])
        layers = []
        for index in hidden:
            layer = model.layers[index]
            output = outputs[index].reshape(len(outputs[index]), -1)
            dead, saturated = unit_shares(output, activation_name(layer))
            layers.append({"index": index, "name": layer.name, "activation": activation_name(layer),
                           "units": int(output.shape[1]), "dead_share": dead, "saturated_share": saturated})
        return {"step": context.step, "samples": len(found[0]), "layers": layers}


class HistogramHistory:
    """One layer-stats result per epoch, for histograms over time (TensorBoard's offset histograms).

    The first result seen after each epoch is kept (epoch 0: the untrained network). Past `limit` entries
    only every second, then fourth, ... epoch is kept, so a long run costs the same to draw as a short one.
    A view holds one and clears it when a new run starts.
    """

    def __init__(self, limit: int = 40):
        self.limit = limit
        self.clear()

    def clear(self) -> None:
        self.entries: dict[int, dict] = {}  # epoch -> layer-stats result
        self.stride = 1

    def add(self, epoch: int, result: dict) -> bool:
        """Keep `result` for `epoch` if that epoch has none yet (and falls on the stride); True if kept."""
        if epoch % self.stride or epoch in self.entries:
            return False
        self.entries[epoch] = result
        while len(self.entries) > self.limit:
            self.stride *= 2
            self.entries = {e: r for e, r in self.entries.items() if e % self.stride == 0}
        return epoch in self.entries

    def epochs(self) -> list[int]:
        return sorted(self.entries)

    def series(self, layer_name: str, kind: str, variable: str = "kernel") -> list[tuple[int, dict]]:
        """[(epoch, histogram)] of one layer's `kind` ("weights", "gradients" or "activations"), oldest
        first; `variable` picks the weight array ("kernel", "bias") for weights and gradients."""
        found = []
        for epoch in self.epochs():
            for layer in self.entries[epoch]["layers"]:
                if layer["name"] != layer_name:
                    continue
                value = layer[kind] if kind == "activations" else layer[kind].get(variable)
                if value is not None:
                    found.append((epoch, value))
        return found
