"""Optimizers with Keras's update rules and defaults: SGD (momentum, Nesterov), RMSprop, Adam, AdamW.

The model keeps every weight in one flat float array and every gradient in another, so each update
is a handful of whole-array NumPy operations, written in place (``out=``), whatever the number of
layers. ``apply(params, grads, slices)`` updates ``params`` in place; ``slices`` marks each weight
array's span in the flat arrays (used by ``clipnorm``, which clips every weight's gradient on its own).

Subnormal floats are kept out of the weights and the slots. A weight whose gradient is zero (MNIST's
always-black border pixels, a dead ReLU) has its momentum multiplied by 0.9 at every step: it sinks into
the subnormal range (below float32's smallest normal number, 1.2e-38) and, because 0.9 times a few units
in the last place rounds back to itself, stays there for good. On Intel CPUs every operation on a
subnormal costs a microcode assist, about a hundred times a normal one, and an epoch grew twice as long
after a few epochs. So every ``flush_interval`` steps ``apply`` sets those values to zero (the fast
decaying slots every time, all slots and the weights every 16th time): the step's math is unchanged
for every value of normal size, and the flush costs about 2 us a step (1% of a step at batch 32).
"""

import math

import numpy as np

from nnplayground import schedules


class Optimizer:
    default_learning_rate = 0.001
    # Steps between two flushes of subnormal values from the slots that decay fast (by 0.99 or less a
    # step, such as momentum's 0.9): such a value spends at most this many steps subnormal instead of
    # forever. Weights and slowly decaying slots (Adam's velocity: 0.999) take thousands of steps to
    # get there, so they are flushed every FULL_FLUSH_EVERY-th time only: a flush costs four passes.
    flush_interval = 16
    FULL_FLUSH_EVERY = 16

    def __init__(self, learning_rate=None, clipnorm: float | None = None,
                 global_clipnorm: float | None = None, name: str | None = None):
        self.learning_rate = self.default_learning_rate if learning_rate is None else learning_rate
        if clipnorm is not None and clipnorm <= 0 or global_clipnorm is not None and global_clipnorm <= 0:
            raise ValueError("clipnorm and global_clipnorm must be positive")
        self.clipnorm, self.global_clipnorm = clipnorm, global_clipnorm
        self.name = name or type(self).__name__.lower()
        self.iterations = 0
        self.slot_start = 0  # the step the slots last started from zero (restart); bias corrections count from it
        self.slots: dict[str, np.ndarray] = {}

    @property
    def learning_rate(self) -> float:
        """The learning rate for the next step (a schedule's value at the current step)."""
        rate = self._learning_rate
        return float(rate(self.iterations)) if callable(rate) else rate

    @learning_rate.setter
    def learning_rate(self, value):
        """A number or a LearningRateSchedule; safe to set between batches while training."""
        if not callable(value):
            value = float(value)
            if not np.isfinite(value) or value <= 0:
                raise ValueError(f"the learning rate must be a positive number, got {value}")
        self._learning_rate = value

    @property
    def schedule(self) -> schedules.LearningRateSchedule | None:
        return self._learning_rate if callable(self._learning_rate) else None

    def build(self, params: np.ndarray) -> None:
        """Allocate the per-weight state (momenta, averages) and the scratch space."""
        self.slots = {name: np.zeros_like(params) for name in self.slot_names}
        self._scratch = np.empty_like(params)
        self._subnormal = np.empty(params.shape, bool)

    def restart(self, params: np.ndarray) -> None:
        """Forget the averages (after a divergence filled them with NaN): zeroed slots whose bias
        correction starts over, while `iterations` (the step count, a schedule's clock) goes on."""
        self.build(params)
        self.slot_start = self.iterations

    slot_names: tuple[str, ...] = ()

    def apply(self, params: np.ndarray, grads: np.ndarray, slices=()) -> None:
        if self._scratch_mismatch(params):  # first step, or the weights were repacked
            self.build(params)
        self._clip(grads, slices)
        self.update(params, grads, self.learning_rate)
        self.iterations += 1
        if self.iterations % self.flush_interval == 0:
            flushes = self.iterations // self.flush_interval
            self.flush_subnormals(params, everything=flushes % self.FULL_FLUSH_EVERY == 0)

    def flush_subnormals(self, params: np.ndarray, everything: bool = True) -> None:
        """Set the slot values (and weights) smaller in size than the dtype's smallest normal number to zero.

        With everything=False only the slots that decay by 0.99 or less a step are flushed.
        """
        decays = self.slot_decays()
        slots = [slot for name, slot in self.slots.items() if everything or decays.get(name, 0.0) <= 0.99]
        for array in (*slots, params) if everything else slots:
            _flush_subnormals(array, self._scratch, self._subnormal)

    def slot_decays(self) -> dict[str, float]:
        """The factor each slot is multiplied by at every step (its decay when gradients are zero);
        a slot not named here is flushed at every flush."""
        return {}

    def _scratch_mismatch(self, params):
        scratch = getattr(self, "_scratch", None)
        return scratch is None or scratch.shape != params.shape or scratch.dtype != params.dtype

    def _clip(self, grads, slices):
        if self.clipnorm is not None:
            for span in slices:
                part = grads[span]
                norm = float(np.sqrt(np.dot(part, part)))
                if norm > self.clipnorm:
                    part *= self.clipnorm / norm
        if self.global_clipnorm is not None:
            norm = float(np.sqrt(np.dot(grads, grads)))
            if norm > self.global_clipnorm:
                grads *= self.global_clipnorm / norm

    def update(self, w: np.ndarray, g: np.ndarray, lr: float) -> None:
        raise NotImplementedError

    def get_config(self) -> dict:
        rate = self._learning_rate
        return {"name": self.name, "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm,
                "learning_rate": schedules.serialize(rate) if callable(rate) else rate}

    def get_state(self) -> dict[str, np.ndarray]:
        """Everything needed to resume exactly: step count and slots."""
        return {"iterations": np.array(self.iterations, np.int64),
                "slot_start": np.array(self.slot_start, np.int64), **self.slots}

    def set_state(self, state: dict[str, np.ndarray], params: np.ndarray) -> None:
        self.build(params)
        self.iterations = int(state["iterations"])
        self.slot_start = int(state.get("slot_start", 0))  # files saved before restarts existed: 0
        for name in self.slot_names:
            if name not in state:  # saved before its first step: the slots are still zero
                continue
            if state[name].shape != params.shape:
                raise ValueError(f"optimizer slot {name!r} has shape {state[name].shape}, "
                                 f"the model's weights {params.shape}")
            self.slots[name][...] = state[name]


def _flush_subnormals(array: np.ndarray, magnitude: np.ndarray, subnormal: np.ndarray) -> None:
    """Zero the subnormal values of `array` in place, using two scratch arrays of its shape."""
    np.abs(array, out=magnitude)
    np.less(magnitude, float(np.finfo(array.dtype).tiny), out=subnormal)  # NaN compares False: kept
    # ... and not zero. Zeros are many and scattered (border pixels, dead units), and a masked write
    # through thousands of scattered hits is 10-40x slower than through the few subnormals.
    np.logical_and(subnormal, magnitude, out=subnormal)
    if subnormal.any():
        array[subnormal] = 0


class SGD(Optimizer):
    """w -= lr * g; with momentum m = momentum * m - lr * g, w += m (Nesterov: w += momentum * m - lr * g)."""

    default_learning_rate = 0.01

    def __init__(self, learning_rate=None, momentum: float = 0.0, nesterov: bool = False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum, self.nesterov = float(momentum), nesterov  # Python floats: see Adam.update
        self.slot_names = ("momentum",) if momentum else ()

    def slot_decays(self):
        return {"momentum": self.momentum} if self.momentum else {}

    def update(self, w, g, lr):
        step = np.multiply(g, lr, out=self._scratch)
        if not self.momentum:
            w -= step
            return
        m = self.slots["momentum"]
        m *= self.momentum
        m -= step
        if self.nesterov:
            w -= step
            step = np.multiply(m, self.momentum, out=self._scratch)
            w += step
        else:
            w += m

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class RMSprop(Optimizer):
    """v = rho * v + (1 - rho) * g**2; w -= lr * g / (sqrt(v) + epsilon)."""

    def __init__(self, learning_rate=None, rho: float = 0.9, epsilon: float = 1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        self.rho, self.epsilon = float(rho), float(epsilon)
        self.slot_names = ("velocity",)

    def slot_decays(self):
        return {"velocity": self.rho}

    def update(self, w, g, lr):
        v, tmp = self.slots["velocity"], self._scratch
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - self.rho
        v *= self.rho
        v += tmp
        np.sqrt(v, out=tmp)
        tmp += self.epsilon
        np.divide(g, tmp, out=tmp)
        tmp *= lr
        w -= tmp

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adam(Optimizer):
    """Adam (Kingma and Ba) as Keras writes it: bias correction folded into the step size.

    m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g**2, w -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps).
    For speed the slots hold m / (1 - b1) and v / (1 - b2), which turns each average into two
    in-place operations; the constants are folded back into the step, so the update is the same.
    """

    def __init__(self, learning_rate=None, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        for name, beta in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {beta}")
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.slot_names = ("momentum", "velocity")

    def slot_decays(self):
        return {"momentum": self.beta_1, "velocity": self.beta_2}

    def update(self, w, g, lr):
        b1, b2 = self.beta_1, self.beta_2
        m, v, tmp = self.slots["momentum"], self.slots["velocity"], self._scratch
        t = self.iterations - self.slot_start + 1
        m *= b1
        m += g  # m holds (Keras's m) / (1 - b1)
        np.multiply(g, g, out=tmp)
        v *= b2
        v += tmp  # v holds (Keras's v) / (1 - b2)
        step = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        if step == 0:  # a schedule at its end (cosine to zero): the averages move on, the weights stay
            return
        # m_k / (sqrt(v_k) + eps) = (1 - b1) m / (sqrt(1 - b2) sqrt(v) + eps). The factors are Python
        # floats: a NumPy float64 scalar would make the in-place operation run in float64, 6x slower.
        np.sqrt(v, out=tmp)
        tmp *= math.sqrt(1 - b2) / ((1 - b1) * step)
        tmp += self.epsilon / ((1 - b1) * step)
        np.divide(m, tmp, out=tmp)
        w -= tmp

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class AdamW(Adam):
    """Adam with decoupled weight decay: w -= lr * weight_decay * w before each Adam step."""

    def __init__(self, learning_rate=None, weight_decay: float = 0.004, **kwargs):
        super().__init__(learning_rate, **kwargs)
        if weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {weight_decay}")
        self.weight_decay = float(weight_decay)

    def update(self, w, g, lr):
        if self.weight_decay:
            w *= 1.0 - lr * self.weight_decay
        super().update(w, g, lr)

    def get_config(self):
        return {**super().get_config(), "weight_decay": self.weight_decay}


_CLASSES = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW}
NAMES = tuple(_CLASSES)


def get(identifier) -> Optimizer:
    """An optimizer with Keras's defaults from its name ('sgd', 'rmsprop', 'adam', 'adamw') or itself."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _CLASSES:
        return _CLASSES[identifier.lower()]()
    raise ValueError(f"unknown optimizer {identifier!r}; choose one of {', '.join(NAMES)}")


def serialize(optimizer: Optimizer) -> dict:
    return {"class_name": type(optimizer).__name__.lower(), "config": optimizer.get_config()}


def deserialize(config: dict) -> Optimizer:
    options = dict(config["config"])
    rate = options.pop("learning_rate")
    if isinstance(rate, dict):
        rate = schedules.deserialize(rate)
    return _CLASSES[config["class_name"]](learning_rate=rate, **options)
