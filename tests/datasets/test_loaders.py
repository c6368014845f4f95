import gzip
import struct

import numpy as np
import pytest

from nnplayground.datasets import DatasetError, fashion_mnist, mnist
from nnplayground.datasets.idx import read_idx


def _idx_bytes(array: np.ndarray) -> bytes:
    return struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def _write_idx_folder(folder, gz: bool, images=5, test=3):
    rng = np.random.default_rng(0)
    arrays = {"train-images-idx3-ubyte": rng.integers(0, 256, (images, 28, 28), dtype=np.uint8),
              "train-labels-idx1-ubyte": rng.integers(0, 10, images, dtype=np.uint8),
              "t10k-images-idx3-ubyte": rng.integers(0, 256, (test, 28, 28), dtype=np.uint8),
              "t10k-labels-idx1-ubyte": rng.integers(0, 10, test, dtype=np.uint8)}
    for name, array in arrays.items():
        data = _idx_bytes(array)
        (folder / (name + (".gz" if gz else ""))).write_bytes(gzip.compress(data) if gz else data)
    return arrays


def test_sample_is_embedded_balanced_and_in_keras_layout():
    (x_train, y_train), (x_test, y_test) = mnist.load_sample()
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert list(np.bincount(y_train)) == [400] * 10 and list(np.bincount(y_test)) == [100] * 10
    assert x_train.max() == 255 and x_train[:, 0, 0].max() == 0  # white digits on a black border


@pytest.mark.parametrize("gz", [True, False])
def test_idx_folder_gz_or_raw(tmp_path, gz):
    arrays = _write_idx_folder(tmp_path, gz)
    (x_train, y_train), (x_test, y_test) = mnist.load_data(tmp_path)
    np.testing.assert_array_equal(x_train, arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_test, arrays["t10k-labels-idx1-ubyte"])
    (fx, _), _ = fashion_mnist.load_data(tmp_path)
    assert fx.shape == (5, 28, 28)


def test_keras_npz_path(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, x_train=np.zeros((4, 28, 28), np.uint8), y_train=np.zeros(4, np.uint8),
             x_test=np.zeros((2, 28, 28), np.uint8), y_test=np.zeros(2, np.uint8))
    (x_train, _), (x_test, _) = mnist.load_data(path)
    assert x_train.shape == (4, 28, 28) and x_test.shape == (2, 28, 28)


def test_truncated_idx_says_so(tmp_path):
    data = _idx_bytes(np.zeros((5, 28, 28), np.uint8))
    (tmp_path / "x-idx3-ubyte").write_bytes(data[:-100])
    with pytest.raises(DatasetError, match="truncated"):
        read_idx(tmp_path / "x-idx3-ubyte")


@pytest.mark.parametrize("content, message", [
    (b"PK\x03\x04 broken zip", "not a readable .npz"),
    (None, "lacks x_train"),
])
def test_bad_npz_files_say_what_is_wrong(tmp_path, content, message):
    path = tmp_path / "bad.npz"
    if content is None:
        np.savez(path, images=np.zeros(3))
    else:
        path.write_bytes(content)
    with pytest.raises(DatasetError, match=message):
        mnist.load_data(path)


def test_folder_missing_a_file(tmp_path):
    _write_idx_folder(tmp_path, gz=True)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetError, match="t10k-labels"):
        mnist.load_data(tmp_path)


def test_mismatched_images_and_labels(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, x_train=np.zeros((4, 28, 28), np.uint8), y_train=np.zeros(3, np.uint8),
             x_test=np.zeros((2, 28, 28), np.uint8), y_test=np.zeros(2, np.uint8))
    with pytest.raises(DatasetError, match="do not match"):
        mnist.load_data(path)
