"""Every bad dataset file raises DatasetError naming the file, from catalog.load and the .npz and IDX readers,
before anything large is allocated; a pipe given as a file never blocks."""

import gzip
import io
import os
import struct
import threading
import zipfile

import numpy as np
import pytest

from nnplayground.datasets import DatasetError, catalog
from nnplayground.datasets.idx import read_idx


def _arrays(n=60, test=20, **changes):
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
              "y_train": np.arange(n, dtype=np.uint8) % 10,
              "x_test": rng.integers(0, 256, (test, 28, 28), dtype=np.uint8),
              "y_test": np.arange(test, dtype=np.uint8) % 10}
    return {**arrays, **changes}


def _with_label(value, dtype=np.float64):
    y = np.arange(60).astype(dtype) % 10
    y[7] = value
    return _arrays(y_train=y)


NPZ_CASES = {
    "empty training split": (_arrays(x_train=np.zeros((0, 28, 28), np.uint8), y_train=np.zeros(0, np.uint8)),
                             "no samples"),
    "NaN label": (_with_label(np.nan), "not whole numbers"),
    "infinite label": (_with_label(np.inf), "not whole numbers"),
    "fractional label": (_with_label(2.5), "not whole numbers"),
    "negative label": (_with_label(-1, np.int64), "negative label"),
    "string labels": (_arrays(y_train=np.array(["a"] * 60)), "not numbers"),
    "2-D labels": (_arrays(y_train=np.zeros((60, 10), np.uint8)), r"one-hot"),
    "a label of 10^9": (_with_label(10**9, np.int64), "1,000,000,001 classes"),
    "a label of 255": (_with_label(255, np.uint8), "256 classes for 80 samples"),
    "images of shape (n, 0, 0)": (_arrays(x_train=np.zeros((60, 0, 0), np.uint8),
                                          x_test=np.zeros((20, 0, 0), np.uint8)), "hold no values"),
    "zero features": (_arrays(x_train=np.zeros((60, 0)), x_test=np.zeros((20, 0))), "hold no values"),
    "NaN image": (_arrays(x_train=np.full((60, 28, 28), np.nan, np.float32)), "NaN or infinite"),
    "infinite image": (_arrays(x_test=np.full((20, 28, 28), np.inf)), "NaN or infinite"),
    "complex images": (_arrays(x_train=np.zeros((60, 28, 28), np.complex64)), "complex64"),
    "mismatched sizes": (_arrays(x_test=np.zeros((20, 14, 14), np.uint8)), "test samples"),
}


@pytest.mark.parametrize("case", NPZ_CASES, ids=list(NPZ_CASES))
def test_bad_npz_datasets_raise_dataset_error_naming_the_file(tmp_path, case):
    arrays, message = NPZ_CASES[case]
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(DatasetError, match=message) as info:
        catalog.load("file", path=path)
    assert str(path) in str(info.value)


def _good_npz(tmp_path, compressed=True) -> bytes:
    (np.savez_compressed if compressed else np.savez)(tmp_path / "good.npz", **_arrays())
    return (tmp_path / "good.npz").read_bytes()


def test_a_corrupt_deflate_stream_or_crc(tmp_path):
    data = bytearray(_good_npz(tmp_path))
    for offset in (200, len(data) // 3):  # inside x_train's deflate stream: zlib.error or a bad CRC
        damaged = bytearray(data)
        damaged[offset: offset + 16] = bytes(16)
        (tmp_path / "bad.npz").write_bytes(bytes(damaged))
        with pytest.raises(DatasetError, match="bad.npz"):
            catalog.load("file", path=tmp_path / "bad.npz")


def test_members_that_are_not_npy(tmp_path):
    with zipfile.ZipFile(tmp_path / "text.npz", "w") as archive:
        for key in ("x_train", "y_train", "x_test", "y_test"):
            archive.writestr(key + ".txt", "1 2 3")
    with pytest.raises(DatasetError, match="lacks x_train"):
        catalog.load("file", path=tmp_path / "text.npz")
    with zipfile.ZipFile(tmp_path / "garbage.npz", "w") as archive:
        for key in ("x_train", "y_train", "x_test", "y_test"):
            archive.writestr(key + ".npy", b"not the npy magic")
    with pytest.raises(DatasetError, match="garbage.npz.*magic"):
        catalog.load("file", path=tmp_path / "garbage.npz")


def _finishes(action, seconds=10.0):
    """Run action() in a thread; the exception it raised, or AssertionError if it blocks."""
    outcome = []

    def run():
        try:
            action()
            outcome.append(None)
        except Exception as error:  # noqa: BLE001 - handed to the test to check
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, "blocked"
    return outcome[0]


def test_a_pipe_as_the_npz_or_as_an_idx_file_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "pipe.npz")
    assert isinstance(_finishes(lambda: catalog.load("file", path=tmp_path / "pipe.npz")), DatasetError)
    folder = tmp_path / "idx"
    folder.mkdir()
    os.mkfifo(folder / "train-images-idx3-ubyte")
    error = _finishes(lambda: catalog.load("file", path=folder))
    assert isinstance(error, DatasetError) and "pipe" in str(error)


def _idx(array: np.ndarray) -> bytes:
    return struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


IDX_CASES = {
    "header cut short": (_idx(np.zeros((5, 28, 28), np.uint8))[:9], "cut short"),
    "only the magic": (b"\x00\x00\x08", "bad magic"),
    "zero dimensions": (b"\x00\x00\x08\x00", "0 dimensions"),
    "dimensions that overflow": (struct.pack(">BBBB3I", 0, 0, 0x08, 3, 2**32 - 1, 2**32 - 1, 2**32 - 1) + bytes(100),
                                 "promises"),
    "dimensions larger than the file": (struct.pack(">BBBB3I", 0, 0, 0x0D, 3, 60000, 28, 28) + bytes(1000), "promises"),
    "more values than promised": (_idx(np.zeros(5, np.uint8)) + bytes(10), "promises"),
}


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("case", IDX_CASES, ids=list(IDX_CASES))
def test_bad_idx_files_raise_dataset_error(tmp_path, case, gz):
    data, message = IDX_CASES[case]
    path = tmp_path / ("x-idx3-ubyte.gz" if gz else "x-idx3-ubyte")
    path.write_bytes(gzip.compress(data) if gz else data)
    if gz and message == "promises":
        message = "more values|fewer bytes|memory available"
    with pytest.raises(DatasetError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_a_corrupt_gzip_idx_file(tmp_path):
    data = bytearray(gzip.compress(_idx(np.arange(3000, dtype=np.uint8).reshape(3, 1000))))
    data[30:40] = bytes(10)
    (tmp_path / "x-idx3-ubyte.gz").write_bytes(bytes(data))
    with pytest.raises(DatasetError, match="x-idx3-ubyte.gz"):
        read_idx(tmp_path / "x-idx3-ubyte.gz")


def test_a_gzipped_idx_bomb_is_inflated_no_further_than_the_memory_allows(tmp_path, monkeypatch):
    from nnplayground import memory

    monkeypatch.setattr(memory, "available_bytes", lambda: 10 << 20)
    header = struct.pack(">BBBB3I", 0, 0, 0x08, 3, 1_000_000, 28, 28)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb") as stream:
        stream.write(header)
        for _ in range(28):
            stream.write(bytes(28 << 20))
    (tmp_path / "x-idx3-ubyte.gz").write_bytes(buffer.getvalue())
    with pytest.raises(DatasetError, match="memory available"):
        read_idx(tmp_path / "x-idx3-ubyte.gz")


def test_good_float_labels_become_integers(tmp_path):
    np.savez(tmp_path / "d.npz", **_arrays(y_train=(np.arange(60) % 10).astype(np.float32)))
    data = catalog.load("file", path=tmp_path / "d.npz")
    assert data.y_train.dtype == np.uint8 and data.n_classes == 10


def test_file_without_a_path():
    with pytest.raises(DatasetError, match="no file chosen"):
        catalog.load("file")
