"""Weight initialisers, as in Keras: variance scaling (Glorot, He, LeCun) and constants."""

import numpy as np

# Keras draws "normal" variance-scaling weights from a normal truncated at two standard deviations;
# truncation shrinks the spread, so the standard deviation is divided by this factor to restore it.
_TRUNCATED_STDDEV_FACTOR = 0.87962566103423978


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    if len(shape) == 1:
        return shape[0], shape[0]
    return int(np.prod(shape[:-1])), shape[-1]


def _truncated_normal(rng: np.random.Generator, shape, stddev: float) -> np.ndarray:
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2.0
    return values * stddev


class Initializer:
    """Makes an array of a given shape; `rng` supplies the randomness."""

    def __call__(self, shape, dtype, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}


class Zeros(Initializer):
    def __call__(self, shape, dtype, rng):
        return np.zeros(shape, dtype)


class Ones(Initializer):
    def __call__(self, shape, dtype, rng):
        return np.ones(shape, dtype)


class VarianceScaling(Initializer):
    """Weights with variance scale / fan, where fan is fan_in, fan_out or their mean."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in", distribution: str = "truncated_normal"):
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"mode must be fan_in, fan_out or fan_avg, not {mode!r}")
        if distribution not in ("truncated_normal", "uniform"):
            raise ValueError(f"distribution must be truncated_normal or uniform, not {distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape, dtype, rng):
        fan_in, fan_out = _fans(tuple(shape))
        fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, fan)
        if self.distribution == "uniform":
            limit = np.sqrt(3.0 * variance)
            values = rng.uniform(-limit, limit, shape)
        else:
            values = _truncated_normal(rng, shape, np.sqrt(variance) / _TRUNCATED_STDDEV_FACTOR)
        return values.astype(dtype)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution}


_NAMED = {
    "glorot_uniform": (1.0, "fan_avg", "uniform"),
    "glorot_normal": (1.0, "fan_avg", "truncated_normal"),
    "he_uniform": (2.0, "fan_in", "uniform"),
    "he_normal": (2.0, "fan_in", "truncated_normal"),
    "lecun_uniform": (1.0, "fan_in", "uniform"),
    "lecun_normal": (1.0, "fan_in", "truncated_normal"),
}
NAMES = (*_NAMED, "zeros", "ones")


def get(identifier) -> Initializer:
    """An initialiser from its Keras name ('glorot_uniform', 'he_normal', 'zeros', ...) or itself."""
    if isinstance(identifier, Initializer):
        return identifier
    if identifier == "zeros":
        return Zeros()
    if identifier == "ones":
        return Ones()
    if identifier in _NAMED:
        return VarianceScaling(*_NAMED[identifier])
    raise ValueError(f"unknown initializer {identifier!r}; choose one of {', '.join(NAMES)}")


def serialize(initializer: Initializer):
    """The name of a named initialiser, else a plain-data dict that `deserialize` rebuilds."""
    for name in NAMES:
        candidate = get(name)
        if type(candidate) is type(initializer) and candidate.get_config() == initializer.get_config():
            return name
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def deserialize(config) -> Initializer:
    if isinstance(config, str):
        return get(config)
    classes = {"Zeros": Zeros, "Ones": Ones, "VarianceScaling": VarianceScaling}
    return classes[config["class_name"]](**config["config"])
