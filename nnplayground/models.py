"""Sequential: a stack of layers trained with Keras's compile / fit / evaluate / predict.

All weights live in one flat array and all gradients in another (each layer's ``kernel`` and
``bias`` are views into them), so the optimizer updates everything in a few whole-array operations.
Batches are gathered into buffers made once per ``fit``: the data stays in its own dtype (uint8
pixels stay uint8) and only one batch at a time is converted to the model's float type.
"""

import math

import numpy as np

from nnplayground import config, losses, memory, optimizers, saving
from nnplayground import layers as layers_module
from nnplayground import metrics as metrics_module
from nnplayground.callbacks import CallbackList, History, ProgbarLogger
from nnplayground.layers import Layer
from nnplayground.saving import ModelFileError


class Sequential:
    def __init__(self, layers=None, name: str = "sequential"):
        self.name = name
        self.layers: list[Layer] = []
        self.dtype = np.dtype(config.floatx())
        self.built = False
        self.optimizer: optimizers.Optimizer | None = None
        self.loss: losses.Loss | None = None
        self.metrics: list[metrics_module.Metric] = []
        self.stop_training = False
        self.history: History | None = None
        self.batch_logs: dict[str, float] = {}
        self.input_shape: tuple[int, ...] | None = None
        # Where new weights draw their random numbers from; None: the global seed (config.set_random_seed).
        self.init_rng: np.random.Generator | None = None
        for layer in layers or []:
            self.add(layer)

    # ----- building -------------------------------------------------------------------------------

    def add(self, layer: Layer) -> None:
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add takes a layer, not {type(layer).__name__}")
        taken = {other.name for other in self.layers}
        base, count = layer.name, 0
        while layer.name in taken:  # Keras's naming: dense, dense_1, dense_2, ...
            count += 1
            layer.name = f"{base}_{count}"
        self.layers.append(layer)
        self.built = False
        if self.input_shape or self.layers[0].input_shape:
            self.build()  # as Keras does once the input shape is known

    def pop(self) -> Layer:
        layer = self.layers.pop()
        self.built = False
        return layer

    def build(self, input_shape=None) -> None:
        """Create every layer's weights for inputs of shape (batch, *input_shape)."""
        if not self.layers:
            raise ValueError("the model has no layers; add some with model.add(Dense(...))")
        shape = input_shape or self.input_shape or self.layers[0].input_shape
        if shape is None:
            raise ValueError("the model does not know its input shape yet: give the first layer "
                             "input_shape=(...), or call fit/predict on data")
        self.input_shape = shape = tuple(int(s) for s in shape)
        # The layers' own arrays and their gradients, then the flat copies of both: four at the peak.
        problem = memory.too_big(4 * self.planned_weights(shape) * self.dtype.itemsize, "this network's weights")
        if problem:
            raise ValueError(f"{problem}; use fewer or smaller layers")
        rng = config.new_rng() if self.init_rng is None else np.random.default_rng(self.init_rng.integers(2**63))
        for layer in self.layers:
            if layer.built:
                if layer.built_input_shape != shape:
                    raise ValueError(f"{layer.name} was built for inputs {layer.built_input_shape}, "
                                     f"now gets {shape}")
                shape = layer.output_shape
                continue
            shape = layer.build(shape, self.dtype, np.random.default_rng(rng.integers(2**63)))
        self._pack()
        self.built = True

    def planned_weights(self, input_shape) -> int:
        """How many numbers the weights hold for samples of `input_shape`, counted without building them."""
        shape, total = tuple(input_shape), 0
        for layer in self.layers:
            total += sum(math.prod(weight) for weight in layer.weight_shapes(shape))
            shape = layer.compute_output_shape(shape)
        return total

    def _pack(self) -> None:
        """Move every weight into one flat array (trainable first) and point the layers at views of it."""
        variables = [(layer, name) for layer in self.layers for name in layer.variable_names]
        variables.sort(key=lambda item: not item[0].trainable)  # stable: Keras order within each group
        total = sum(getattr(layer, name).size for layer, name in variables)
        self._params, self._grads = np.empty(total, self.dtype), np.zeros(total, self.dtype)
        self._slices, offset, trainable_size = [], 0, 0
        for layer, name in variables:
            array = getattr(layer, name)
            span = slice(offset, offset + array.size)
            view = self._params[span].reshape(array.shape)
            view[...] = array
            setattr(layer, name, view)
            layer.grads[name] = self._grads[span].reshape(array.shape)
            if layer.trainable:
                self._slices.append(span)
                trainable_size = span.stop
            offset = span.stop
        self._trainable = slice(0, trainable_size)
        with_weights = [i for i, layer in enumerate(self.layers) if layer.variable_names]
        self._first_with_weights = with_weights[0] if with_weights else len(self.layers)
        for i, layer in enumerate(self.layers):
            layer.needs_input_gradient = i > self._first_with_weights

    def _ensure_built(self, x: np.ndarray) -> None:
        if not self.built:
            self.build(self.input_shape or self.layers[0].input_shape or x.shape[1:])
        if tuple(x.shape[1:]) != self.input_shape:
            raise ValueError(f"the model takes samples of shape {self.input_shape}, but the data's "
                             f"samples have shape {tuple(x.shape[1:])}")

    def compile(self, optimizer="rmsprop", loss=None, metrics=None) -> None:
        """Choose the optimizer, the loss and the metrics to report (Keras's defaults and names)."""
        if loss is None:
            raise ValueError("compile needs a loss, e.g. loss='sparse_categorical_crossentropy'")
        self.optimizer = optimizers.get(optimizer)
        self.loss = losses.get(loss)
        self.metrics = [metrics_module.get(m, self.loss.name) for m in metrics or []]
        if self.built:
            self._pack()  # picks up layers whose `trainable` changed, as a Keras recompile does

    # ----- one step -------------------------------------------------------------------------------

    def _forward(self, x: np.ndarray, training: bool) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def _fused_logits(self, outputs) -> np.ndarray | None:
        """The logits the loss reads directly, or None when it works on the outputs.

        Softmax or sigmoid outputs under a cross-entropy are differentiated straight from their
        logits, (p - y) / n, which is both exact and stable; the head then skips its activation.
        """
        if self.loss.from_logits:
            return outputs
        head = self.layers[-1]
        activation = getattr(head, "activation", None)
        if activation is not None and activation.name == self.loss.fused_activation:
            return head.z if isinstance(head, layers_module.Dense) else head.inputs
        return None

    def _loss_value(self, y, outputs) -> float:
        logits = self._fused_logits(outputs)
        if logits is None:
            return self.loss.value(y, outputs)
        return self.loss.logits_loss_and_gradient(y, logits, self._output_grad_buffer(logits.shape))

    def _output_grad_buffer(self, shape):
        buffer = getattr(self, "_output_grad", None)
        if buffer is None or buffer.shape[0] < shape[0] or buffer.shape[1:] != shape[1:]:
            buffer = self._output_grad = np.empty(shape, self.dtype)
        return buffer[: shape[0]]

    def penalty(self) -> float:
        """Regularization summed over layers; Keras adds it to the reported loss."""
        return sum(layer.penalty() for layer in self.layers)

    def _backprop(self, x, y) -> tuple[float, np.ndarray]:
        """Forward and backward: fills every layer's grads; returns the data loss and the outputs."""
        outputs = self._forward(x, training=True)
        logits = self._fused_logits(outputs)
        last = len(self.layers) - 1
        if logits is None:
            value = self.loss.value(y, outputs)
            dy = self.loss.gradient(y, outputs, self._output_grad_buffer(outputs.shape))
        else:
            value = self.loss.logits_loss_and_gradient(y, logits, dy := self._output_grad_buffer(logits.shape))
            if logits is not outputs:  # the head's activation is folded into the loss's gradient
                head = self.layers[last]
                if isinstance(head, layers_module.Dense):
                    dy = head.backward(dy, from_logits=True)
                last -= 1
        for i in range(last, self._first_with_weights - 1, -1):
            dy = self.layers[i].backward(dy)
        return value, outputs

    def _train_step(self, x, y) -> tuple[float, list[float]]:
        """One batch: backprop, then one optimizer step; returns the loss (with penalty) and metrics."""
        value, outputs = self._backprop(x, y)
        metric_values = [metric(y, outputs) for metric in self.metrics]
        self.optimizer.apply(self._params[self._trainable], self._grads[self._trainable], self._slices)
        return value + self.penalty(), metric_values

    def gradients(self, x, y) -> tuple[float, list[np.ndarray]]:
        """The loss on (x, y) and its gradient for every weight (Keras order), without updating."""
        self._check_compiled()
        x, y = self._check_data(x, y)
        self._ensure_built(x)
        value, _ = self._backprop(_as_float(x, self.dtype), y)
        return value + self.penalty(), [g.copy() for layer in self.layers for g in
                                        (layer.grads[name] for name in layer.variable_names)]

    def train_on_batch(self, x, y) -> float | list[float]:
        """One optimizer step on this batch; returns the loss (and metrics) before the step."""
        self._check_compiled()
        x, y = self._check_data(x, y)
        self._ensure_built(x)
        value, metric_values = self._train_step(_as_float(x, self.dtype), y)
        return [value, *metric_values] if self.metrics else value

    # ----- fit, evaluate, predict -----------------------------------------------------------------

    def fit(self, x=None, y=None, batch_size: int | None = None, epochs: int = 1, verbose="auto",
            callbacks=None, validation_split: float = 0.0, validation_data=None, shuffle: bool = True,
            initial_epoch: int = 0) -> History:
        """Train for `epochs` passes over (x, y) in shuffled batches; returns the History."""
        self._check_compiled()
        batch_size = _check_batch_size(batch_size)
        if int(epochs) != epochs or epochs < 0 or int(initial_epoch) != initial_epoch or initial_epoch < 0:
            raise ValueError(f"epochs and initial_epoch must be whole numbers >= 0, got {epochs}, {initial_epoch}")
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"validation_split must be in [0, 1), got {validation_split}")
        x, y = self._check_data(x, y)
        if validation_data is None and validation_split:
            # Keras takes the validation samples from the end, before any shuffling.
            split = int(len(x) * (1.0 - validation_split))
            if split == 0 or split == len(x):
                raise ValueError(f"validation_split={validation_split} leaves no training or no validation "
                                 f"samples out of {len(x)}")
            validation_data, x, y = (x[split:], y[split:]), x[:split], y[:split]
        if validation_data is not None:
            validation_data = self._check_data(*validation_data[:2])
        self._ensure_built(x)

        history = History()
        callback_list = [*(callbacks or []), history]
        if verbose not in (0, False):
            callback_list.insert(0, ProgbarLogger(1 if verbose in ("auto", 1, True) else verbose))
        steps = math.ceil(len(x) / batch_size)
        params = {"epochs": epochs, "steps": steps, "verbose": verbose, "batch_size": batch_size,
                  "samples": len(x)}
        callback_list = CallbackList(callback_list, self, params)
        feeder = _BatchFeeder(x, y, batch_size, self.dtype)
        rng = config.new_rng()
        self.stop_training = False
        self.history = history
        logs: dict = {}
        callback_list.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            callback_list.on_epoch_begin(epoch)
            order = rng.permutation(len(x)) if shuffle else None
            means = _RunningMeans(["loss", *(m.name for m in self.metrics)])
            for step in range(steps):
                callback_list.on_train_batch_begin(step)
                if self.stop_training:  # a callback said stop before this batch: it is not trained
                    break
                xb, yb = feeder.batch(order, step)
                value, metric_values = self._train_step(xb, yb)
                # Keras's logs are running means; the raw figures of this one batch are kept here.
                self.batch_logs = dict(zip(means.names, (value, *metric_values), strict=True))
                logs = means.add([value, *metric_values], len(xb))
                callback_list.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            if not means.count:  # stopped before this epoch's first batch: there is nothing to end
                break
            epoch_logs = dict(logs)
            if validation_data is not None:
                results = self.evaluate(*validation_data, batch_size=batch_size, verbose=0, return_dict=True)
                epoch_logs.update({f"val_{key}": value for key, value in results.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            logs = epoch_logs
            if self.stop_training:
                break
        callback_list.on_train_end(logs)
        return history

    def evaluate(self, x=None, y=None, batch_size: int | None = None, verbose="auto",
                 return_dict: bool = False):
        """Loss (with regularization) and metrics over (x, y): a number, a list, or a dict."""
        self._check_compiled()
        batch_size = _check_batch_size(batch_size)
        x, y = self._check_data(x, y)
        self._ensure_built(x)
        feeder = _BatchFeeder(x, y, batch_size, self.dtype)
        means = _RunningMeans(["loss", *(m.name for m in self.metrics)])
        for step in range(math.ceil(len(x) / batch_size)):
            xb, yb = feeder.batch(None, step)
            outputs = self._forward(xb, training=False)
            values = [self._loss_value(yb, outputs), *(metric(yb, outputs) for metric in self.metrics)]
            results = means.add(values, len(xb))
        results = dict(results)
        results["loss"] += self.penalty()
        if return_dict:
            return results
        if verbose not in (0, False):
            print(" - ".join(f"{key}: {value:.4f}" for key, value in results.items()))
        values = list(results.values())
        return values if self.metrics else values[0]

    def predict(self, x, batch_size: int | None = None, verbose=0) -> np.ndarray:
        """Outputs for every sample, computed batch by batch (dropout off)."""
        batch_size = _check_batch_size(batch_size)
        x = _check_array(x, "x")
        self._ensure_built(x)
        result = np.empty((len(x), *self.layers[-1].output_shape), self.dtype)
        feeder = _BatchFeeder(x, None, batch_size, self.dtype)
        for step in range(math.ceil(len(x) / batch_size)):
            xb, _ = feeder.batch(None, step)
            result[step * batch_size: step * batch_size + len(xb)] = self._forward(xb, training=False)
        return result

    def predict_on_batch(self, x) -> np.ndarray:
        return self.predict(x, batch_size=max(len(x), 1))

    def __call__(self, x, training: bool = False) -> np.ndarray:
        x = _check_array(x, "x")
        self._ensure_built(x)
        return self._forward(_as_float(x, self.dtype), training).copy()

    # ----- weights, config, summary ---------------------------------------------------------------

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every weight array, Keras order: [kernel (in, out), bias, ...] layer by layer."""
        return [w.copy() for layer in self.layers for w in layer.weights]

    def set_weights(self, weights) -> None:
        targets = [w for layer in self.layers for w in layer.weights]
        if len(weights) != len(targets):
            raise ValueError(f"the model has {len(targets)} weight arrays, got {len(weights)}")
        for i, (target, source) in enumerate(zip(targets, weights, strict=True)):
            source = np.asarray(source)
            if source.shape != target.shape:
                raise ValueError(f"weight {i} has shape {target.shape}, got {source.shape}")
            target[...] = source

    @property
    def flat_weights(self) -> np.ndarray:
        """Every weight in one flat array (a live view: trainable first, then frozen)."""
        if not self.built:
            self.build()
        return self._params

    @property
    def trainable_flat_weights(self) -> np.ndarray:
        """The part of flat_weights the optimizer updates (what its state is shaped like)."""
        return self.flat_weights[self._trainable]

    def weight_spans(self) -> list[tuple[Layer, str, slice]]:
        """Where each (layer, variable name) sits in flat_weights."""
        spans, offset = [], 0
        for layer in sorted(self.layers, key=lambda layer: not layer.trainable):
            for name in layer.variable_names:
                size = getattr(layer, name).size
                spans.append((layer, name, slice(offset, offset + size)))
                offset += size
        return spans

    @property
    def weights(self) -> list[np.ndarray]:
        """The live weight arrays (views; changing them changes the model)."""
        return [w for layer in self.layers for w in layer.weights]

    def count_params(self) -> int:
        if not self.built:
            self.build()
        return sum(layer.count_params() for layer in self.layers)

    def summary(self, print_fn=print) -> None:
        if not self.built:
            self.build()
        rows = [(f"{layer.name} ({type(layer).__name__})", f"(None, {', '.join(map(str, layer.output_shape))})",
                 f"{layer.count_params():,}") for layer in self.layers]
        widths = [max(len(row[i]) for row in [("Layer (type)", "Output Shape", "Param #"), *rows]) + 3
                  for i in range(3)]
        rule = "─" * sum(widths)
        lines = [f'Model: "{self.name}"', rule,
                 "".join(h.ljust(w) for h, w in zip(("Layer (type)", "Output Shape", "Param #"), widths, strict=True)),
                 rule]
        lines += ["".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
        trainable = sum(layer.count_params() for layer in self.layers if layer.trainable)
        lines += [rule, f" Total params: {self.count_params():,}", f" Trainable params: {trainable:,}",
                  f" Non-trainable params: {self.count_params() - trainable:,}"]
        print_fn("\n".join(lines))

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype.name,
                "input_shape": list(self.input_shape) if self.input_shape else None,
                "layers": [layers_module.serialize(layer) for layer in self.layers]}

    @classmethod
    def from_config(cls, config_: dict, rng: np.random.Generator | None = None) -> "Sequential":
        """The model `config_` describes, its weights drawn from `rng` (default: the global seed)."""
        model = cls(name=config_.get("name", "sequential"))
        model.init_rng = rng
        model.dtype = np.dtype(config_.get("dtype", "float32"))
        for layer_config in config_["layers"]:
            model.add(layers_module.deserialize(layer_config))
        if config_.get("input_shape"):
            model.build(config_["input_shape"])
        return model

    def save(self, path) -> None:
        """Architecture, weights, optimizer state and history in one .npz file, written atomically."""
        saving.save_model(self, path)

    def export(self, path, format: str = "onnx"):  # noqa: A002 - Keras's name
        """Write the model for inference elsewhere; `format="onnx"`, the only one, needs the onnx package
        (`pip install 'nnplayground[onnx]'`). Returns the path written (`.onnx` added if it has no suffix)."""
        if format != "onnx":
            raise ValueError(f"unknown export format {format!r}; the one there is: 'onnx'")
        from nnplayground.onnx_export import export_onnx  # which imports onnx only when a model is exported
        return export_onnx(self, path)

    # ----- checks ---------------------------------------------------------------------------------

    def _check_compiled(self):
        if self.optimizer is None or self.loss is None:
            raise RuntimeError("the model must be compiled first: model.compile(optimizer=..., loss=...)")

    def _check_data(self, x, y):
        x, y = _check_array(x, "x"), _check_array(y, "y")
        if len(x) != len(y):
            raise ValueError(f"x has {len(x)} samples but y has {len(y)}")
        if isinstance(self.loss, losses.SparseCategoricalCrossentropy):
            if not np.issubdtype(y.dtype, np.integer):
                if not np.all(np.mod(y, 1) == 0):
                    raise ValueError("sparse_categorical_crossentropy needs whole-number class labels in y")
                y = y.astype(np.int64)
            classes = self.layers[-1].units if isinstance(self.layers[-1], layers_module.Dense) else None
            if y.size and (y.min() < 0 or (classes is not None and y.max() >= classes)):
                raise ValueError(f"labels run from {y.min()} to {y.max()}, but the last layer has "
                                 f"{classes} units: it needs one unit per class")
        return x, y


def _check_array(a, name) -> np.ndarray:
    if a is None:
        raise ValueError(f"{name} is missing")
    a = np.asarray(a)
    if not (np.issubdtype(a.dtype, np.number) or a.dtype == bool):
        raise ValueError(f"{name} must hold numbers, not {a.dtype}")
    if a.ndim == 0 or len(a) == 0:
        raise ValueError(f"{name} is empty")
    return a


def _check_batch_size(batch_size) -> int:
    batch_size = 32 if batch_size is None else batch_size
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive whole number, got {batch_size}")
    return int(batch_size)


def _as_float(x: np.ndarray, dtype) -> np.ndarray:
    return x if x.dtype == dtype else x.astype(dtype)


class _RunningMeans:
    """Sample-weighted means over the batches seen so far in an epoch (what Keras logs)."""

    def __init__(self, names):
        self.names = names
        self.totals = [0.0] * len(names)
        self.count = 0

    def add(self, values, n) -> dict[str, float]:
        self.count += n
        for i, value in enumerate(values):
            self.totals[i] += value * n
        return {name: total / self.count for name, total in zip(self.names, self.totals, strict=True)}


class _BatchFeeder:
    """Cuts (x, y) into batches, converting one batch at a time to the model's float type."""

    def __init__(self, x, y, batch_size, dtype):
        self.x, self.y, self.batch_size = x, y, batch_size
        self.convert = x.dtype != dtype
        self.x_float = np.empty((batch_size, *x.shape[1:]), dtype) if self.convert else None
        self.x_gather = np.empty((batch_size, *x.shape[1:]), x.dtype)
        self.y_gather = np.empty((batch_size, *y.shape[1:]), y.dtype) if y is not None else None

    def batch(self, order, step):
        start = step * self.batch_size
        stop = min(start + self.batch_size, len(self.x))
        if order is None:
            xb = self.x[start:stop]
            yb = self.y[start:stop] if self.y is not None else None
        else:
            index = order[start:stop]
            xb = np.take(self.x, index, axis=0, out=self.x_gather[: len(index)])
            yb = np.take(self.y, index, axis=0, out=self.y_gather[: len(index)]) if self.y is not None else None
        if self.convert:
            converted = self.x_float[: len(xb)]
            np.copyto(converted, xb, casting="unsafe")
            xb = converted
        return xb, yb


# What a model's own code raises on settings it cannot use (a file may carry any).
_UNUSABLE = (LookupError, TypeError, ValueError, AttributeError, ArithmeticError, RecursionError,
             NotImplementedError, MemoryError)


def load_model(path) -> Sequential:
    """Rebuild a model saved with ``model.save(path)``: architecture, weights, optimizer and history.

    Raises ModelFileError, naming the file and what is wrong with it; nothing large is allocated before
    the sizes the file declares are checked against each other and against the memory available."""
    with saving.ModelFile(path) as file:
        header = file.header
        try:
            # Weights about to be overwritten draw from a generator of their own: a load (often on a
            # background thread) leaves the global seed, and so a run's shuffling, as it was.
            model = Sequential.from_config(header["config"], rng=np.random.default_rng(0))
            model.init_rng = None
        except _UNUSABLE as error:
            raise ModelFileError(path, f"the model inside does not fit together: {_in_words(error)}") from None
        stored = sum(1 for name in file.names if name.startswith("weight_"))
        if stored != len(model.weights):
            raise ModelFileError(path, f"it holds {stored} weight arrays, its model has {len(model.weights)}")
        for i, weight in enumerate(model.weights):
            weight[...] = file.array(f"weight_{i}", weight.shape)
        if "compile" in header:
            _restore_compile(file, model, header["compile"])
    _check_runs(path, model)
    if header.get("history"):
        model.history = History()
        model.history.history = {key: list(values) for key, values in header["history"].items()}
        model.history.epoch = list(range(len(next(iter(header["history"].values()), []))))
    return model


def _restore_compile(file: saving.ModelFile, model: Sequential, settings: dict) -> None:
    try:
        model.compile(optimizer=optimizers.deserialize(settings["optimizer"]),
                      loss=losses.get(settings["loss"]), metrics=settings["metrics"])
    except _UNUSABLE as error:
        raise ModelFileError(file.path, f"the saved optimizer settings do not fit: {_in_words(error)}") from None
    if "optimizer_iterations" not in file.names:
        return  # never compiled with state: the optimizer starts afresh
    params = model.trainable_flat_weights
    iterations = int(file.array("optimizer_iterations", (), dtypes=("int64", "int32")))
    if not 0 <= iterations < 2**53:
        raise ModelFileError(file.path, f"the optimizer's step count {iterations} is impossible")
    state = {"iterations": iterations}
    if "optimizer_slot_start" in file.names:  # the step its averages restarted from (after a divergence)
        slot_start = int(file.array("optimizer_slot_start", (), dtypes=("int64", "int32")))
        if not 0 <= slot_start <= iterations:
            raise ModelFileError(file.path, f"the optimizer's restart step {slot_start} is impossible "
                                            f"after {iterations} steps")
        state["slot_start"] = slot_start
    for slot in model.optimizer.slot_names:
        if f"optimizer_{slot}" in file.names:
            state[slot] = file.array(f"optimizer_{slot}", params.shape)
    model.optimizer.set_state(state, params)


def _check_runs(path, model: Sequential) -> None:
    """One zero sample through the network and one step of a fresh copy of its optimizer: settings that
    parse but cannot run (a Deskew on flat inputs, an activation parameter given as text) are refused
    here, not in the middle of a training run."""
    try:
        model.predict(np.zeros((1, *model.input_shape), model.dtype))
        if model.optimizer is not None:
            probe = optimizers.deserialize(optimizers.serialize(model.optimizer))
            probe.iterations = model.optimizer.iterations
            weights = np.ones(2, model.dtype)
            probe.apply(weights, np.ones(2, model.dtype))
            if not np.all(np.isfinite(weights)):
                raise ValueError("one step of its optimizer makes the weights infinite or NaN")
    except _UNUSABLE as error:
        raise ModelFileError(path, f"the model inside does not run: {_in_words(error)}") from None


def _in_words(error: Exception) -> str:
    """A ValueError's message says it all; other errors (KeyError: 'lion') need their type to make sense."""
    return str(error) if type(error) is ValueError else f"{type(error).__name__}: {error}"
