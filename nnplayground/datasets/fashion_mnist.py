"""Fashion-MNIST (Zalando): 28x28 greyscale clothes in ten classes, in Keras's layout and dtypes."""

from pathlib import Path

from nnplayground.datasets import download, idx, mnist
from nnplayground.datasets.checks import check_layout

# The four IDX files beside mnist.npz on Keras's mirror, with their published MD5s.
FILES = {
    "x_train": ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
    "y_train": ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
    "x_test": ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
    "y_test": ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
}
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot")


def load_data(path=None, *, progress: download.Progress | None = None):
    """60,000 training and 10,000 test images (from `path`, the cache, or a download)."""
    if path is not None:
        return mnist.read(path)
    base = download.base_url()  # the IDX files sit beside mnist.npz
    cache = download.cache_dir() / "fashion-mnist"
    paths = {key: download.fetch(name, f"md5:{md5}", url=base, cache=cache, progress=progress)
             for key, (name, md5) in FILES.items()}
    arrays = {key: idx.read_idx(Path(p)) for key, p in paths.items()}
    return check_layout(arrays, cache)
