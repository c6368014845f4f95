"""Your own digits: a damaged file raises one clear error and is never changed; it can be moved aside; a save
that fails leaves the file and the digits in memory as they were."""

import errno
import os
import struct
import zipfile

import numpy as np
import pytest

from nnplayground import fileio
from nnplayground.datasets import DatasetError
from nnplayground.datasets.personal import PersonalDigits, PersonalDigitsError, move_aside


def _saved(tmp_path, n=5) -> PersonalDigits:
    digits = PersonalDigits(tmp_path / "personal_digits.npz")
    for i in range(n):
        digits.add(np.full((28, 28), i / 10), i)
    return digits


def _flag_encrypted(data: bytes) -> bytes:
    out = bytearray(data)
    start = 0
    while (start := out.find(b"PK\x01\x02", start)) >= 0:
        struct.pack_into("<H", out, start + 8, 1)
        start += 4
    return bytes(out)


def _savez(**arrays):
    def make(path, data):
        np.savez(path, **arrays)
        return path.read_bytes()
    return make


DAMAGE = {
    "truncated": lambda path, data: data[: len(data) // 2],
    "bad CRC": lambda path, data: data[:60] + bytes(20) + data[80:],
    "encrypted flag": lambda path, data: _flag_encrypted(data),
    "not a zip": lambda path, data: b"hello",
    "empty": lambda path, data: b"",
    "string pixels": _savez(x=np.array([["a"] * 28] * 28)[None], y=np.zeros(1, np.uint8)),
    "2-D labels": _savez(x=np.zeros((3, 28, 28), np.uint8), y=np.zeros((3, 10), np.uint8)),
    "mismatched lengths": _savez(x=np.zeros((3, 28, 28), np.uint8), y=np.zeros(2, np.uint8)),
    "labels above 9": _savez(x=np.zeros((3, 28, 28), np.uint8), y=np.array([1, 2, 300], np.int64)),
    "NaN pixels": _savez(x=np.full((1, 28, 28), np.nan), y=np.zeros(1)),
    "wrong image size": _savez(x=np.zeros((3, 14, 14), np.uint8), y=np.zeros(3, np.uint8)),
    "no labels": _savez(x=np.zeros((3, 28, 28), np.uint8)),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_file_raises_one_clear_error_and_is_left_untouched(tmp_path, damage):
    path = _saved(tmp_path).path
    damaged = DAMAGE[damage](path, path.read_bytes())
    path.write_bytes(damaged)
    with pytest.raises(PersonalDigitsError, match="personal_digits.npz.*move it aside") as info:
        PersonalDigits(path)
    assert isinstance(info.value, DatasetError)
    assert path.read_bytes() == damaged and os.listdir(tmp_path) == ["personal_digits.npz"]


def test_a_damaged_file_can_be_moved_aside_and_a_new_set_started(tmp_path):
    path = tmp_path / "personal_digits.npz"
    path.write_bytes(b"damaged")
    first = move_aside(path)
    assert first.name.startswith("personal_digits.damaged-") and first.read_bytes() == b"damaged"
    assert len(PersonalDigits(path)) == 0 and not path.exists()
    path.write_bytes(b"damaged again")
    second = move_aside(path)
    assert second != first and first.read_bytes() == b"damaged" and second.read_bytes() == b"damaged again"


def test_a_save_on_a_full_disk_changes_nothing(tmp_path, monkeypatch):
    digits = _saved(tmp_path)
    before = digits.path.read_bytes()

    def full_disk(file, **arrays):
        file.write(b"part of the file")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez_compressed", full_disk)
    for edit in (lambda: digits.add(np.zeros((28, 28)), 3), lambda: digits.relabel(0, 9),
                 lambda: digits.remove(1)):
        with pytest.raises(OSError, match="No space left"):
            edit()
        assert len(digits) == 5 and list(digits.y) == [0, 1, 2, 3, 4]
        assert digits.path.read_bytes() == before and os.listdir(tmp_path) == ["personal_digits.npz"]


def test_a_save_into_a_read_only_folder_changes_nothing(tmp_path, monkeypatch):
    digits = _saved(tmp_path)

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(fileio.tempfile, "mkstemp", refused)
    with pytest.raises(PermissionError):
        digits.add(np.zeros((28, 28)), 3)
    assert len(digits) == 5 and len(PersonalDigits(digits.path)) == 5


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_real_read_only_folder(tmp_path):
    digits = _saved(tmp_path)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(PermissionError):
            digits.add(np.zeros((28, 28)), 3)
    finally:
        tmp_path.chmod(0o755)
    assert len(digits) == 5 and len(PersonalDigits(digits.path)) == 5


def test_a_good_file_round_trips(tmp_path):
    digits = _saved(tmp_path)
    digits.relabel(0, 7)
    digits.remove(4)
    again = PersonalDigits(digits.path)
    assert list(again.y) == [7, 1, 2, 3] and again.x.dtype == np.uint8
    with zipfile.ZipFile(digits.path) as archive:
        assert sorted(archive.namelist()) == ["version.npy", "x.npy", "y.npy"]
