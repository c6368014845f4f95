"""The IDX format MNIST and Fashion-MNIST ship in: a magic number, the dimensions, then the values.

The header's dimensions are checked against the file's size (raw files) and the memory available
before the values are read, and a gzipped file is inflated no further than its header promises.
"""

import gzip
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from nnplayground import memory
from nnplayground.datasets.checks import check_layout
from nnplayground.datasets.errors import DatasetError
from nnplayground.fileio import NotARegularFile, open_regular, read_exactly

_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_PARTS = {"x_train": "train-images", "y_train": "train-labels", "x_test": "t10k-images", "y_test": "t10k-labels"}
MAX_DIMENSIONS = 8


def read_idx(path) -> np.ndarray:
    """The array in one IDX file, gzipped (.gz) or raw."""
    path = Path(path)
    try:
        with open_regular(path) as raw:
            if path.suffix == ".gz":
                with gzip.GzipFile(fileobj=raw) as stream:
                    return _read(path, stream, None)
            return _read(path, raw, os.fstat(raw.fileno()).st_size)
    except NotARegularFile as error:
        raise DatasetError(f"{path}: it is {error.kind}, not a file") from None
    except (OSError, EOFError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
        raise DatasetError(f"{path}: cannot read it (truncated or corrupted?): {error}") from None


def _read(path: Path, stream, file_size: int | None) -> np.ndarray:
    head = stream.read(4)
    if len(head) < 4 or head[0] != 0 or head[1] != 0 or head[2] not in _DTYPES:
        raise DatasetError(f"{path}: not an IDX file (bad magic number)")
    ndim = head[3]
    if not 1 <= ndim <= MAX_DIMENSIONS:
        raise DatasetError(f"{path}: an IDX file of {ndim} dimensions; expected 1 to {MAX_DIMENSIONS}")
    sizes = stream.read(4 * ndim)
    if len(sizes) < 4 * ndim:
        raise DatasetError(f"{path}: its header is cut short (truncated?)")
    shape = struct.unpack(f">{ndim}I", sizes)
    dtype = np.dtype(_DTYPES[head[2]])
    expected = math.prod(shape) * dtype.itemsize  # a Python int: no overflow, however large the dimensions
    if file_size is not None and file_size - 4 - 4 * ndim != expected:
        raise DatasetError(f"{path}: holds {file_size - 4 - 4 * ndim:,} bytes of values, its header promises "
                           f"{expected:,} (truncated?)")
    problem = memory.too_big(expected, f"an array of shape {shape}")
    if problem:
        raise DatasetError(f"{path}: {problem}")
    try:
        values = read_exactly(stream, expected)
    except MemoryError:
        raise DatasetError(f"{path}: not enough memory for an array of shape {shape}") from None
    except EOFError:
        raise DatasetError(f"{path}: holds fewer bytes of values than its header promises ({expected:,}; "
                           "truncated?)") from None
    if file_size is None and stream.read(1):
        raise DatasetError(f"{path}: holds more values than its header promises ({expected:,} bytes)")
    return values.view(dtype).reshape(shape).astype(dtype.newbyteorder("="), copy=False)


def _find(folder: Path, stem: str) -> Path:
    """train-images-idx3-ubyte(.gz), also spelled train-images.idx3-ubyte."""
    try:
        matches = sorted(p for p in folder.iterdir() if p.name.startswith(stem) and "idx" in p.name)
    except OSError as error:
        raise DatasetError(f"{folder}: cannot list the folder: {error.strerror or error}") from None
    if not matches:
        raise DatasetError(f"{folder}: no {stem}-idx*-ubyte file (.gz or raw); an IDX folder needs "
                           f"{', '.join(s + '-idx?-ubyte' for s in _PARTS.values())}")
    return matches[0]


def read_folder(folder) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """The four MNIST-style IDX files of a folder, in Keras's ((x_train, y_train), (x_test, y_test))."""
    folder = Path(folder)
    arrays = {key: read_idx(_find(folder, stem)) for key, stem in _PARTS.items()}
    return check_layout(arrays, folder)
