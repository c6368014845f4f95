"""Two-dimensional toy sets like TensorFlow Playground's, with 2 to 5 classes where the shape allows.

Every maker takes n_samples, noise (0 = clean; Gaussian jitter relative to the shape's size),
n_classes, test_fraction and seed, and returns Keras's ((x_train, y_train), (x_test, y_test)) with
x float32 of shape (n, 2) within about [-1, 1] and y uint8 labels. Classes are balanced.
"""

import numpy as np


def _counts(n_samples: int, n_classes: int) -> list[int]:
    return [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]


def _check(n_samples, noise, n_classes, allowed, test_fraction, name):
    if n_classes not in allowed:
        raise ValueError(f"{name} makes {' or '.join(map(str, allowed))} classes, not {n_classes}")
    if n_samples < 2 * n_classes:
        raise ValueError(f"{name} needs at least {2 * n_classes} samples for {n_classes} classes")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")


def _by_class(n_samples, n_classes, points_of_class):
    """Stack points_of_class(k, count) -> (count, 2) for each class k, with the matching labels."""
    counts = _counts(n_samples, n_classes)
    points = np.vstack([points_of_class(k, count) for k, count in enumerate(counts)])
    return points, np.repeat(np.arange(n_classes), counts)


def _finish(points, labels, noise, test_fraction, rng):
    points = points + rng.normal(scale=noise * 0.25, size=points.shape)
    order = rng.permutation(len(labels))
    x, y = points[order].astype(np.float32), labels[order].astype(np.uint8)
    n_test = max(1, int(round(len(y) * test_fraction)))
    return (x[n_test:], y[n_test:]), (x[:n_test], y[:n_test])


def make_circle(n_samples=500, noise=0.0, n_classes=2, test_fraction=0.5, seed=None):
    """Class k lives in the k-th of n_classes concentric rings (class 0 is the central disc)."""
    _check(n_samples, noise, n_classes, range(2, 6), test_fraction, "circle")
    rng = np.random.default_rng(seed)
    band = 1.0 / n_classes

    def ring(k, count):
        # a gap of a fifth of a band between rings, so the clean set is separable
        radius = rng.uniform(k * band + (0.1 * band if k else 0.0), (k + 0.9) * band, count)
        angle = rng.uniform(0, 2 * np.pi, count)
        return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])

    return _finish(*_by_class(n_samples, n_classes, ring), noise, test_fraction, rng)


def make_xor(n_samples=500, noise=0.0, n_classes=2, test_fraction=0.5, seed=None):
    """Class 1 where x and y have the same sign (two diagonal quadrants), class 0 in the others."""
    _check(n_samples, noise, n_classes, (2,), test_fraction, "xor")
    rng = np.random.default_rng(seed)
    counts = _counts(n_samples, 2)
    magnitude = rng.uniform(0.05, 1.0, (n_samples, 2))  # a thin margin along the axes, as in TensorFlow Playground
    signs = rng.choice([-1.0, 1.0], size=n_samples)
    labels = np.repeat([0, 1], counts)
    # class 1: same signs (quadrants I and III); class 0: opposite signs (II and IV)
    points = magnitude * np.column_stack([signs, np.where(labels == 1, signs, -signs)])
    return _finish(points, labels, noise, test_fraction, rng)


def make_gaussians(n_samples=500, noise=0.0, n_classes=2, test_fraction=0.5, seed=None):
    """One round cloud per class, the centres evenly spaced on a circle."""
    _check(n_samples, noise, n_classes, range(2, 6), test_fraction, "gaussians")
    rng = np.random.default_rng(seed)
    def cloud(k, count):
        angle = 2 * np.pi * k / n_classes + np.pi / 4
        return 0.6 * np.array([np.cos(angle), np.sin(angle)]) + rng.normal(scale=0.15, size=(count, 2))

    return _finish(*_by_class(n_samples, n_classes, cloud), noise, test_fraction, rng)


def make_spiral(n_samples=500, noise=0.0, n_classes=2, test_fraction=0.5, seed=None):
    """n_classes interleaved spiral arms, each turning 1.75 times around the centre."""
    _check(n_samples, noise, n_classes, range(2, 6), test_fraction, "spiral")
    rng = np.random.default_rng(seed)
    def arm(k, count):
        radius = np.linspace(0.05, 1.0, count)
        angle = 1.75 * 2 * np.pi * radius + 2 * np.pi * k / n_classes
        return np.column_stack([radius * np.sin(angle), radius * np.cos(angle)])

    return _finish(*_by_class(n_samples, n_classes, arm), noise, test_fraction, rng)


def make_moons(n_samples=500, noise=0.0, n_classes=2, test_fraction=0.5, seed=None):
    """Two interleaving half circles."""
    _check(n_samples, noise, n_classes, (2,), test_fraction, "moons")
    rng = np.random.default_rng(seed)
    upper, lower = _counts(n_samples, 2)
    a, b = np.linspace(0, np.pi, upper), np.linspace(0, np.pi, lower)
    points = np.vstack([np.column_stack([np.cos(a), np.sin(a)]),
                        np.column_stack([1 - np.cos(b), 0.5 - np.sin(b)])])
    points = (points - [0.5, 0.25]) / 1.5  # centred, within [-1, 1]
    labels = np.concatenate([np.zeros(upper, int), np.ones(lower, int)])
    return _finish(points, labels, noise, test_fraction, rng)


MAKERS = {"circle": make_circle, "xor": make_xor, "gaussians": make_gaussians, "spiral": make_spiral,
          "moons": make_moons}
CLASS_CHOICES = {"circle": range(2, 6), "xor": (2,), "gaussians": range(2, 6), "spiral": range(2, 6),
                 "moons": (2,)}


def load(name: str, **options):
    """A toy set by name ('circle', 'xor', 'gaussians', 'spiral', 'moons')."""
    if name not in MAKERS:
        raise ValueError(f"unknown toy set {name!r}; choose one of {', '.join(MAKERS)}")
    return MAKERS[name](**options)
