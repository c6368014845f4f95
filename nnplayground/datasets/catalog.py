"""Every dataset the window and the command line offer, by name, as one `Dataset` record."""

from dataclasses import dataclass

import numpy as np

from nnplayground.datasets import download, fashion_mnist, mnist, toy
from nnplayground.datasets.errors import DatasetError

IMAGE_SETS = ("mnist-sample", "mnist", "fashion-mnist")
NAMES = (*IMAGE_SETS, *toy.MAKERS)
DOWNLOADED = ("mnist", "fashion-mnist")
TITLES = {"mnist-sample": "MNIST sample (5,000 digits, built in)", "mnist": "MNIST (70,000 digits)",
          "fashion-mnist": "Fashion-MNIST (70,000 clothes)", "circle": "Circle", "xor": "XOR",
          "gaussians": "Gaussians", "spiral": "Spiral", "moons": "Moons", "file": "File"}


@dataclass
class Dataset:
    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def is_image(self) -> bool:
        return self.x_train.ndim == 3

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])


def load(name: str, *, path=None, n_samples: int = 500, noise: float = 0.1, n_classes: int = 2,
         test_fraction: float = 0.5, seed: int | None = 0, progress: download.Progress | None = None) -> Dataset:
    """A dataset by name ('mnist-sample', 'mnist', ..., 'spiral') or, with name 'file', from `path`."""
    if name == "file" or path is not None:
        if path is None:
            raise DatasetError("no file chosen: pick a .npz file or an IDX folder")
        (x, y), (xt, yt) = mnist.read(path)
    elif name == "mnist-sample":
        (x, y), (xt, yt) = mnist.load_sample()
    elif name == "mnist":
        (x, y), (xt, yt) = mnist.load_data(progress=progress)
    elif name == "fashion-mnist":
        (x, y), (xt, yt) = fashion_mnist.load_data(progress=progress)
        return Dataset(name, x, y, xt, yt, fashion_mnist.CLASS_NAMES)
    else:
        (x, y), (xt, yt) = toy.load(name, n_samples=n_samples, noise=noise, n_classes=n_classes,
                                    test_fraction=test_fraction, seed=seed)
    count = int(max(y.max(), yt.max())) + 1
    return Dataset(name, x, y, xt, yt, tuple(str(k) for k in range(count)))
