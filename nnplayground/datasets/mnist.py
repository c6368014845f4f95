"""MNIST digits in Keras's layout: ((x_train, y_train), (x_test, y_test)), uint8, white on black.

``load_data()`` reads the user cache or downloads Keras's mnist.npz (verified by SHA-256);
``load_data(path)`` reads a Keras-style .npz or a folder of the four IDX files;
``load_sample()`` returns the 5,000 digits embedded in the package (no network).
"""

from pathlib import Path

from nnplayground.assets import resource_path
from nnplayground.datasets import download, idx
from nnplayground.datasets.checks import check_layout
from nnplayground.datasets.errors import DatasetError
from nnplayground.npz import Npz, NpzError

FILENAME = "mnist.npz"
SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
_KEYS = ("x_train", "y_train", "x_test", "y_test")


def load_data(path=None, *, progress: download.Progress | None = None):
    """MNIST's 60,000 training and 10,000 test digits (from `path`, the cache, or a download)."""
    if path is None:
        path = download.fetch(FILENAME, f"sha256:{SHA256}", progress=progress)
    return read(path)


def load_sample():
    """The embedded 5,000 MNIST training digits: 4,000 to train on, 1,000 to test (500 per class)."""
    return read(resource_path("data", "mnist_sample.npz"))


def read(path):
    """A Keras-style .npz (x_train, y_train, x_test, y_test) or a folder of IDX files; DatasetError names the
    file and what is wrong with it."""
    path = Path(path)
    if path.is_dir():
        return idx.read_folder(path)
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder")
    try:
        with Npz(path) as archive:
            missing = [key for key in _KEYS if key not in archive.names]
            if missing and "header" in archive.names and any(name.startswith("weight_") for name in archive.names):
                raise DatasetError(f"{path}: this is an nnplayground model file, not data: open it as a model")
            if missing and {"x", "y"} <= set(archive.names):
                raise DatasetError(f"{path}: this is a file of your own digits, not a dataset in Keras's layout "
                                   "(tick \"Train on my digits too\" to train on them)")
            if missing:
                raise DatasetError(f"{path}: not a dataset in Keras's layout; it lacks {', '.join(missing)} "
                                   f"(it holds {', '.join(archive.names) or 'no arrays'})")
            arrays = {key: archive.read(key) for key in _KEYS}
    except NpzError as error:
        raise DatasetError(f"{path}: {error}") from None
    return check_layout(arrays, path)
