"""Your own handwriting: labelled 28x28 digits kept in one .npz file, written atomically."""

import os
import time
from pathlib import Path

import numpy as np
import platformdirs

from nnplayground.datasets.errors import DatasetError
from nnplayground.fileio import atomic_write


def default_path() -> Path:
    """$NNPLAYGROUND_DATA_DIR/personal_digits.npz, else the user data folder (~/.local/share/nnplayground)."""
    folder = os.environ.get("NNPLAYGROUND_DATA_DIR") or platformdirs.user_data_dir("nnplayground")
    return Path(folder) / "personal_digits.npz"


def move_aside(path: Path) -> Path:
    """Rename a damaged digits file to personal_digits.damaged-<time>.npz beside it (never deleted: it
    may still be repaired), so a new set can start; returns the new name."""
    path = Path(path)
    target = path.with_name(f"{path.stem}.damaged-{time.strftime('%Y%m%d-%H%M%S')}{path.suffix}")
    os.replace(path, target)
    return target


class PersonalDigits:
    """Digits as uint8 (n, 28, 28), white on black, with labels (n,): MNIST's layout."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else default_path()
        self.x = np.zeros((0, 28, 28), np.uint8)
        self.y = np.zeros(0, np.uint8)
        if self.path.exists():
            self._load()

    def _load(self):
        try:
            with np.load(self.path, allow_pickle=False) as archive:
                x, y = archive["x"], archive["y"]
        except (OSError, ValueError, KeyError, EOFError) as error:
            raise DatasetError(f"{self.path}: your saved digits cannot be read ({error}); move the file away "
                               "to start a new set") from None
        if x.shape[1:] != (28, 28) or len(x) != len(y):
            raise DatasetError(f"{self.path}: not a set of 28x28 digits")
        self.x, self.y = x.astype(np.uint8), y.astype(np.uint8)

    def __len__(self) -> int:
        return len(self.y)

    def add(self, digit: np.ndarray, label: int) -> int:
        """Keep a preprocessed digit (28x28 in [0, 1]) with its label; returns its index."""
        if not 0 <= int(label) <= 9:
            raise ValueError(f"a digit's label is 0 to 9, not {label}")
        image = np.clip(np.round(np.asarray(digit, np.float32) * 255), 0, 255).astype(np.uint8)
        self.x = np.concatenate([self.x, image[None]])
        self.y = np.append(self.y, np.uint8(label))
        self.save()
        return len(self.y) - 1

    def relabel(self, index: int, label: int) -> None:
        self.y[index] = label
        self.save()

    def remove(self, index: int) -> None:
        self.x, self.y = np.delete(self.x, index, axis=0), np.delete(self.y, index)
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(self.path, lambda file: np.savez_compressed(file, x=self.x, y=self.y))
