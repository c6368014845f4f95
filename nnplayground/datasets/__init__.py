"""Data for the engine and the window: MNIST, Fashion-MNIST, the embedded sample and 2-D toy sets.

Plain NumPy (and pooch for downloads); never imports Qt.
"""

from nnplayground.datasets import fashion_mnist, mnist, toy
from nnplayground.datasets.drawing import DrawingError, preprocess_drawing
from nnplayground.datasets.errors import DatasetError, DownloadCancelled, DownloadError

__all__ = ["mnist", "fashion_mnist", "toy", "preprocess_drawing", "DrawingError", "DatasetError", "DownloadError",
           "DownloadCancelled"]
