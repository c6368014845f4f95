"""Your own handwriting: labelled 28x28 digits kept in one .npz file, written atomically.

A damaged file is never changed: opening it raises PersonalDigitsError, and `move_aside` renames it
so that a new set can start (the window offers that). A save that fails (a read-only folder, a full
disk) raises OSError and changes nothing, neither the file nor the digits in memory.
"""

import os
import time
from pathlib import Path

import numpy as np
import platformdirs

from nnplayground.datasets.errors import DatasetError
from nnplayground.fileio import atomic_write
from nnplayground.npz import Npz, NpzError

SHAPE = (28, 28)
VERSION = 1  # of the file's layout; a file of a newer one is refused, and left as it is


class PersonalDigitsError(DatasetError):
    """Your saved digits cannot be read; the file is left as it is."""


def default_path() -> Path:
    """$NNPLAYGROUND_DATA_DIR/personal_digits.npz, else the user data folder (~/.local/share/nnplayground)."""
    folder = os.environ.get("NNPLAYGROUND_DATA_DIR") or platformdirs.user_data_dir("nnplayground")
    return Path(folder) / "personal_digits.npz"


def move_aside(path=None) -> Path:
    """Rename a damaged digits file to personal_digits.damaged-<date>-<time>.npz beside it (kept, to look
    into or recover) so that a new set can start; returns the new path. OSError if it cannot be renamed."""
    path = Path(path) if path else default_path()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    candidate, number = path.with_name(f"{path.stem}.damaged-{stamp}{path.suffix}"), 1
    while candidate.exists() or candidate.is_symlink():  # never replace an earlier damaged file
        number += 1
        candidate = path.with_name(f"{path.stem}.damaged-{stamp}-{number}{path.suffix}")
    path.rename(candidate)
    return candidate


class PersonalDigits:
    """Digits as uint8 (n, 28, 28), white on black, with labels (n,) 0-9: MNIST's layout."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else default_path()
        self.x = np.zeros((0, *SHAPE), np.uint8)
        self.y = np.zeros(0, np.uint8)
        if self.path.exists() or self.path.is_symlink():
            self.x, self.y = self._load()

    def _load(self) -> tuple[np.ndarray, np.ndarray]:
        try:
            with Npz(self.path) as archive:
                version = int(archive.read("version", kinds="iu", shape=())) if "version" in archive.names else 1
                if version > VERSION:
                    raise NpzError(f"written by a newer nnplayground (format {version}); update nnplayground to "
                                   "read it")
                missing = [name for name in ("x", "y") if name not in archive.names]
                if missing and "header" in archive.names:
                    raise NpzError("it is an nnplayground model file, not your digits")
                if missing:
                    raise NpzError(f"it holds no {' and no '.join(missing)}")
                x, y = archive.read("x"), archive.read("y")
        except NpzError as error:
            raise self._damaged(str(error)) from None
        problem = _problem(x, y)
        if problem:
            raise self._damaged(problem)
        return x.astype(np.uint8), y.astype(np.uint8)

    def _damaged(self, problem: str) -> PersonalDigitsError:
        return PersonalDigitsError(f"{self.path}: your saved digits cannot be read ({problem}). The file is left "
                                   "as it is; move it aside to start a new set")

    def __len__(self) -> int:
        return len(self.y)

    def add(self, digit: np.ndarray, label: int) -> int:
        """Keep a preprocessed digit (28x28 in [0, 1]) with its label; returns its index."""
        label = _check_label(label)
        image = np.clip(np.round(np.asarray(digit, np.float32) * 255), 0, 255).astype(np.uint8)
        if image.shape != SHAPE:
            raise ValueError(f"a digit is {SHAPE[0]}x{SHAPE[1]}, not {image.shape}")
        self._write(np.concatenate([self.x, image[None]]), np.append(self.y, np.uint8(label)))
        return len(self.y) - 1

    def relabel(self, index: int, label: int) -> None:
        y = self.y.copy()
        y[index] = _check_label(label)
        self._write(self.x, y)

    def remove(self, index: int) -> None:
        self._write(np.delete(self.x, index, axis=0), np.delete(self.y, index))

    def save(self) -> None:
        self._write(self.x, self.y)

    def _write(self, x: np.ndarray, y: np.ndarray) -> None:
        """Save (x, y), then keep them: if the save fails (OSError), the file and memory keep the old set."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, lambda file: np.savez_compressed(file, x=x, y=y, version=np.int64(VERSION)))
        self.x, self.y = x, y


def _check_label(label) -> int:
    if not 0 <= int(label) <= 9:
        raise ValueError(f"a digit's label is 0 to 9, not {label}")
    return int(label)


def _problem(x: np.ndarray, y: np.ndarray) -> str | None:
    """Why (x, y) is not a set of 28x28 digits with labels 0-9, or None."""
    if x.ndim != 3 or x.shape[1:] != SHAPE:
        return f"images of shape {x.shape}, not (n, 28, 28)"
    if y.ndim != 1 or len(y) != len(x):
        return f"{len(x)} images with labels of shape {y.shape}; expected one label per image"
    if x.size and not (np.all(np.isfinite(x)) and x.min() >= 0 and x.max() <= 255):
        return "pixels outside 0-255"
    if y.size and not (np.all(np.mod(y, 1) == 0) and y.min() >= 0 and y.max() <= 9):
        return "labels outside 0-9"
    return None
