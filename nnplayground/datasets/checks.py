"""What a dataset must look like, checked once for every source (an .npz, an IDX folder, a download):
images (n, ...) of finite numbers, labels (n,) of class numbers, and a sensible number of classes."""

import math

import numpy as np

from nnplayground.datasets.errors import DatasetError

MAX_CLASSES = 1000
FEW_CLASSES = 10  # as many classes as a tiny set likes (MNIST's ten digits in a handful of samples)
NUMBERS = "biuf"


def check_layout(arrays: dict, source) -> tuple:
    """Validate images (n, ...) against labels (n,) and return them in Keras's nesting, labels as integers.

    DatasetError names `source` and what is wrong: other dtypes than numbers, empty splits, samples with
    no values, NaN or infinite values, labels that are not one class number per sample, or more classes
    than MAX_CLASSES or than there are samples (beyond FEW_CLASSES) (one label of 10^9 would make a billion classes).
    """
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        problem = _images_problem(x) or _labels_problem(y)
        if problem is None and len(x) != len(y):
            problem = f"{len(x)} images and {len(y)} labels do not match"
        if problem:
            raise DatasetError(f"{source}: {split} split: {problem}")
    if arrays["x_train"].shape[1:] != arrays["x_test"].shape[1:]:
        raise DatasetError(f"{source}: training samples have shape {arrays['x_train'].shape[1:]}, test samples "
                           f"{arrays['x_test'].shape[1:]}")
    samples = len(arrays["y_train"]) + len(arrays["y_test"])
    classes = int(max(arrays["y_train"].max(), arrays["y_test"].max())) + 1
    if classes > min(MAX_CLASSES, max(samples, FEW_CLASSES)):
        raise DatasetError(f"{source}: the labels run up to {classes - 1}, which would make {classes:,} classes "
                           f"for {samples:,} samples; labels are class numbers 0, 1, 2, ... (at most {MAX_CLASSES})")
    labels = {key: _as_class_numbers(arrays[key]) for key in ("y_train", "y_test")}
    return (arrays["x_train"], labels["y_train"]), (arrays["x_test"], labels["y_test"])


def _images_problem(x: np.ndarray) -> str | None:
    if x.dtype.kind not in NUMBERS:
        return f"the images hold {x.dtype}, not numbers"
    if x.ndim < 2:
        return f"images of shape {x.shape}; expected (n, height, width) or (n, features)"
    if len(x) == 0:
        return "no samples"
    if math.prod(x.shape[1:]) == 0:
        return f"samples of shape {x.shape[1:]} hold no values"
    if x.dtype.kind == "f" and not _all_finite(x):
        return "the images hold NaN or infinite values"
    return None


def _labels_problem(y: np.ndarray) -> str | None:
    if y.dtype.kind not in NUMBERS:
        return f"the labels hold {y.dtype}, not class numbers"
    if y.ndim != 1:
        return (f"labels of shape {y.shape}; expected one class number per sample, shape (n,) "
                "(one-hot labels: take their argmax)")
    if len(y) == 0:
        return "no labels"
    if y.dtype.kind == "f" and not (_all_finite(y) and np.all(np.mod(y, 1) == 0)):
        return "the labels are not whole numbers (NaN, infinite or fractions)"
    if y.min() < 0:
        return f"a negative label ({y.min()}); labels are class numbers 0, 1, 2, ..."
    return None


def _all_finite(array: np.ndarray, block: int = 4096) -> bool:
    """np.isfinite(array).all(), a block of samples at a time (no mask as large as the data)."""
    return all(np.isfinite(array[start: start + block]).all() for start in range(0, len(array), block))


def _as_class_numbers(y: np.ndarray) -> np.ndarray:
    """Integer labels as they are; float or bool labels (already checked whole) as the smallest fitting ints."""
    if y.dtype.kind in "iu":
        return y
    return y.astype(np.uint8 if y.max() < 256 else np.int32)
