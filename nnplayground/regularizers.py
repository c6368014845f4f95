"""Weight penalties added to the loss: L1, L2 and both, as in Keras (default factor 0.01)."""

import numpy as np


class Regularizer:
    """penalty(w) = l1 * sum|w| + l2 * sum(w**2). Factors may be changed while training."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        if l1 < 0 or l2 < 0:
            raise ValueError(f"regularization factors must be >= 0, got l1={l1}, l2={l2}")
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, w: np.ndarray) -> float:
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * float(np.abs(w).sum())
        if self.l2:
            flat = w.reshape(-1)
            penalty += self.l2 * float(np.dot(flat, flat))
        return penalty

    def add_gradient(self, w: np.ndarray, grad: np.ndarray, scratch: np.ndarray) -> None:
        """grad += d penalty / dw, using `scratch` (same shape as w) instead of allocating."""
        if self.l1:
            np.sign(w, out=scratch)
            scratch *= self.l1
            grad += scratch
        if self.l2:
            np.multiply(w, 2.0 * self.l2, out=scratch)
            grad += scratch

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


def L1(l1: float = 0.01) -> Regularizer:  # noqa: N802 - Keras's name
    return Regularizer(l1=l1)


def L2(l2: float = 0.01) -> Regularizer:  # noqa: N802 - Keras's name
    return Regularizer(l2=l2)


def L1L2(l1: float = 0.0, l2: float = 0.0) -> Regularizer:  # noqa: N802 - Keras's name
    return Regularizer(l1=l1, l2=l2)


l1, l2, l1_l2 = L1, L2, L1L2


def get(identifier) -> Regularizer | None:
    """None, a Regularizer, a name ('l1', 'l2', 'l1_l2') or a config dict."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, dict):
        return Regularizer(**identifier)
    named = {"l1": lambda: L1(), "l2": lambda: L2(), "l1_l2": lambda: L1L2(0.01, 0.01)}
    if identifier in named:
        return named[identifier]()
    raise ValueError(f"unknown regularizer {identifier!r}; use 'l1', 'l2', 'l1_l2' or regularizers.L2(0.001)")
