"""Engine-wide settings: the default float type and the random seed (Keras's floatx and set_random_seed)."""

import numpy as np

_floatx = "float32"
_root_rng = np.random.default_rng()


def floatx() -> str:
    """The dtype new models compute in, 'float32' unless changed."""
    return _floatx


def set_floatx(name: str) -> None:
    """Set the default float type: 'float32' (fast, the default) or 'float64' (for gradient checks)."""
    global _floatx
    if name not in ("float32", "float64"):
        raise ValueError(f"floatx must be 'float32' or 'float64', not {name!r}")
    _floatx = name


def set_random_seed(seed: int) -> None:
    """Make weight initialisation, shuffling and dropout reproducible from this point on."""
    global _root_rng
    _root_rng = np.random.default_rng(seed)


def new_rng() -> np.random.Generator:
    """A generator of its own for one consumer (a layer, a fit call), drawn from the global seed."""
    return np.random.default_rng(_root_rng.integers(2**63))
