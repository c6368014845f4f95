"""What a network will cost before it is built: its memory (weights, gradients, optimizer slots, one batch's
activations and their gradients) and, roughly, the time of an epoch. The window and the command line ask
before they build, so that 12 x 4096 units at batch 65,536 is refused with the numbers instead of
freezing the machine and ending in a MemoryError.
"""

import math
from dataclasses import dataclass

import numpy as np

from nnplayground import config, memory

PREDICT_BATCH = 1024  # the batch the window's drawing probe predicts in: forward buffers grow to it
SLOW_EPOCH = 60.0  # seconds: above this an epoch is worth a warning
# The time model, fitted to runs on a 2-core machine (float32): matrix products reach PEAK_FLOPS on large
# batches and half of it at HALF_BATCH samples; each layer costs STEP_OVERHEAD of Python per batch. A
# timing probe instead would make the estimate (and its warning) depend on how busy the machine was.
PEAK_FLOPS = 40e9
HALF_BATCH = 128
STEP_OVERHEAD = 50e-6


@dataclass(frozen=True)
class Budget:
    """The cost of one experiment on one dataset (all sizes in bytes)."""

    parameters: int
    weight_bytes: int  # weights, gradients, optimizer slots and scratch, the starting weights kept for Reset
    batch_bytes: int  # one batch's activations and gradients in every layer
    seconds_per_epoch: float  # rough (a factor of two either way): see PEAK_FLOPS
    available_bytes: int | None  # memory available now (None: unknown)

    @property
    def total_bytes(self) -> int:
        return self.weight_bytes + self.batch_bytes

    def problem(self) -> str | None:
        """Why this network cannot be trained here (more memory than is available), or None."""
        if self.available_bytes is None or self.total_bytes <= self.available_bytes:
            return None
        return (f"this network needs about {memory.in_words(self.total_bytes)} of memory ({self.parameters:,} "
                f"weights: {memory.in_words(self.weight_bytes)} with gradients and optimizer slots; a batch: "
                f"{memory.in_words(self.batch_bytes)}), more than the {memory.in_words(self.available_bytes)} "
                "available; use fewer or smaller layers or a smaller batch")

    def warning(self) -> str | None:
        """A note when an epoch will take longer than SLOW_EPOCH, or None."""
        if self.seconds_per_epoch <= SLOW_EPOCH:
            return None
        return (f"an epoch will take about {_duration(self.seconds_per_epoch)} ({self.parameters:,} weights); "
                "fewer or smaller layers train faster")

    def in_words(self) -> str:
        return (f"{self.parameters:,} weights, about {memory.in_words(self.total_bytes)} of memory and "
                f"{_duration(self.seconds_per_epoch)} per epoch")


def estimate(experiment, input_shape: tuple[int, ...], n_classes: int, n_train: int) -> Budget:
    """The Budget of `experiment`'s network (see Experiment.build_model) on samples of `input_shape` with
    `n_classes` classes and `n_train` training samples, counted without allocating anything."""
    itemsize = np.dtype(config.floatx()).itemsize
    features = math.prod(input_shape)
    outputs = 1 if n_classes == 2 else n_classes
    sizes = [features, *(spec.units for spec in experiment.layers), outputs]
    parameters = sum(a * b + b for a, b in zip(sizes, sizes[1:], strict=False))
    kernels = sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))
    slots = len(experiment.make_optimizer().slot_names)
    # weights, gradients, slots, the optimizer's scratch and the starting weights (Reset > Same); a flag byte
    # per weight for the subnormal flush; a kernel-sized scratch when a penalty is on
    numbers = (4 + slots) * parameters + (kernels if experiment.l1 or experiment.l2 else 0)
    weight_bytes = numbers * itemsize + parameters
    batch_bytes = _batch_numbers(experiment, input_shape, sizes, n_train) * itemsize
    steps = max(1, math.ceil(n_train * (1 - experiment.validation_split) / experiment.batch_size))
    arithmetic = 6 * (kernels * n_train)  # forward 2 flops a weight and sample, backward 4
    rate = PEAK_FLOPS * experiment.batch_size / (experiment.batch_size + HALF_BATCH) * 4 / itemsize
    seconds = arithmetic / rate + steps * STEP_OVERHEAD * (len(sizes) + 1)
    return Budget(parameters, weight_bytes, batch_bytes, seconds, memory.available_bytes())


def _batch_numbers(experiment, input_shape, sizes, n_train) -> int:
    """Numbers held by one batch's buffers: the inputs (gathered and converted at the full batch size for
    training and for prediction, rescaled, deskewed), and per Dense layer its outputs before and after the
    activation (sized for the larger of the training and the prediction batch), the gradients through the
    activation and to its inputs, and dropout's mask. A batch larger than the data fills only the gathering
    buffers."""
    batch = max(1, min(experiment.batch_size, n_train))
    widest = max(batch, PREDICT_BATCH)
    features = sizes[0]
    total = 2 * (experiment.batch_size + widest) * features + batch * sizes[-1]
    if experiment.deskew and len(input_shape) == 2:
        total += 8 * widest * features  # the padded copy (3 widths) and the gathered rows
    for (inputs, units), spec in zip(zip(sizes, sizes[1:], strict=False), experiment.layers, strict=False):
        total += 2 * widest * units + 2 * batch * units + batch * inputs
        if spec.dropout:
            total += 3 * widest * units
    return total + 2 * widest * sizes[-1] + batch * sizes[-2]


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "under a second"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min" if seconds < 7200 else f"{seconds / 3600:.1f} h"
