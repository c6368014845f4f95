"""The IDX format MNIST and Fashion-MNIST ship in: a magic number, the dimensions, then the values."""

import gzip
from pathlib import Path

import numpy as np

from nnplayground.datasets.errors import DatasetError

_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_PARTS = {"x_train": "train-images", "y_train": "train-labels", "x_test": "t10k-images", "y_test": "t10k-labels"}


def read_idx(path) -> np.ndarray:
    """The array in one IDX file, gzipped (.gz) or raw."""
    path = Path(path)
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DatasetError(f"{path}: cannot read it ({error})") from None
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _DTYPES:
        raise DatasetError(f"{path}: not an IDX file (bad magic number)")
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int(d) for d in np.frombuffer(data[4:header], ">u4"))
    dtype = np.dtype(_DTYPES[data[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise DatasetError(f"{path}: holds {len(data) - header} bytes of values, its header promises "
                           f"{expected} (truncated?)")
    return np.frombuffer(data, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _find(folder: Path, stem: str) -> Path:
    """train-images-idx3-ubyte(.gz), also spelled train-images.idx3-ubyte."""
    matches = sorted(p for p in folder.iterdir() if p.name.startswith(stem) and "idx" in p.name)
    if not matches:
        raise DatasetError(f"{folder}: no {stem}-idx*-ubyte file (.gz or raw); an IDX folder needs "
                           f"{', '.join(s + '-idx?-ubyte' for s in _PARTS.values())}")
    return matches[0]


def read_folder(folder) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The four MNIST-style IDX files of a folder, in Keras's ((x_train, y_train), (x_test, y_test))."""
    folder = Path(folder)
    arrays = {key: read_idx(_find(folder, stem)) for key, stem in _PARTS.items()}
    return check_layout(arrays, folder)


def check_layout(arrays: dict, source) -> tuple:
    """Validate images (n, h, w) against labels (n,) and return them in Keras's nesting."""
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim < 2 or y.ndim != 1 or len(x) != len(y):
            raise DatasetError(f"{source}: {split} images {x.shape} and labels {y.shape} do not match; "
                               "expected images (n, height, width) and labels (n,)")
    if arrays["x_train"].shape[1:] != arrays["x_test"].shape[1:]:
        raise DatasetError(f"{source}: training and test images differ in size")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
