"""Probes: ask the live model for something, at the probe's own rate, and get copies back.

A probe is a plain function object: ``probe(model, context) -> result``. While a job trains, it runs
in the job's thread between two batches, no more often than its ``interval``; when idle, the session
runs it on the model directly. Its result must not share memory with the model (views keep it), and it
reaches the session's subscribers as the ``probed`` event. A new view = a probe + a widget subscribing.
"""

from dataclasses import dataclass

import numpy as np


@dataclass
class ProbeContext:
    """What a probe may need besides the model: the step, the weights before the last batch, the data and
    the part of it the run validates on."""

    step: int = 0
    previous_weights: np.ndarray | None = None  # flat, like model.flat_weights; None when idle
    data: object = None  # the session's Dataset (x_train, y_train, x_test, y_test, class_names), or None
    validation: tuple[np.ndarray, np.ndarray] | None = None  # (x, y) the run reports val_loss on



def validation_of(data, validation_split: float) -> tuple[np.ndarray, np.ndarray] | None:
    """The (x, y) a run validates on: the end of the training set when it splits one off (as fit does),
    else the test set."""
    if data is None:
        return None
    if validation_split:
        start = int(len(data.x_train) * (1.0 - validation_split))
        return data.x_train[start:], data.y_train[start:]
    return data.x_test, data.y_test


class Probe:
    name = ""
    interval = 0.25  # seconds between answers while training
    # A probe nobody looks at is not asked (a view on a hidden tab): views switch it as they show and hide.
    active = True

    def __call__(self, model, context: ProbeContext):
        raise NotImplementedError


class WeightsProbe(Probe):
    """Every layer with weights: copies of its arrays, the length of its last gradient and of its last
    update. Works for any layer type, not only Dense."""

    name = "weights"

    def __call__(self, model, context: ProbeContext) -> dict:
        spans = {(layer, name): span for layer, name, span in model.weight_spans()}
        flat = model.flat_weights
        layers = []
        for layer in model.layers:
            if not layer.variable_names:
                continue
            gradient, update = 0.0, 0.0
            for name in layer.variable_names:
                gradient += float(np.sum(np.square(layer.grads[name], dtype=np.float64)))
                if context.previous_weights is not None:
                    span = spans[(layer, name)]
                    update += float(np.sum(np.square(flat[span] - context.previous_weights[span], dtype=np.float64)))
            layers.append({"name": layer.name, "type": type(layer).__name__,
                           "activation": getattr(getattr(layer, "activation", None), "name", None),
                           "weights": {name: getattr(layer, name).copy() for name in layer.variable_names},
                           "gradient_norm": gradient ** 0.5, "update_norm": update ** 0.5})
        return {"step": context.step, "layers": layers}


def kernels(weights_result: dict) -> list[np.ndarray]:
    """The 2-D kernels in a WeightsProbe result, input to output."""
    return [layer["weights"]["kernel"] for layer in weights_result["layers"] if "kernel" in layer["weights"]]
