"""Reading a picture of a digit (safe off the GUI thread: QImage, never QPixmap)."""

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QImageReader, QPainter

MAX_PIXELS = 200_000_000  # 14,000 x 14,000: a phone's photo fits many times; a decompression bomb does not
LARGEST_SIDE = 1024  # a 28x28 digit needs no more; decoding to this size keeps memory small


class PictureError(ValueError):
    """A picture file that cannot be read: the message names the file and the problem."""


def read_picture(path: str) -> np.ndarray:
    """The picture at `path` as greyscale uint8 (height, width), at most LARGEST_SIDE a side. Transparent
    parts count as white paper, so dark ink on a transparent background reads as ink."""
    reader = QImageReader(path)
    size = reader.size()
    if not reader.canRead() or not size.isValid():
        raise PictureError(f"{path}: not an image this program can read (PNG or JPEG, please).")
    if size.width() * size.height() > MAX_PIXELS:
        raise PictureError(f"{path}: {size.width()} x {size.height()} pixels is too large a picture "
                           f"(at most {MAX_PIXELS:,} pixels).")
    if max(size.width(), size.height()) > LARGEST_SIDE:
        reader.setScaledSize(size.scaled(QSize(LARGEST_SIDE, LARGEST_SIDE), Qt.KeepAspectRatio))
    QImageReader.setAllocationLimit(max(QImageReader.allocationLimit(), MAX_PIXELS * 4 // 2**20 + 1))
    image = reader.read()
    if image.isNull():
        raise PictureError(f"{path}: the picture cannot be decoded ({reader.errorString()}).")
    if image.hasAlphaChannel():
        paper = QImage(image.size(), QImage.Format_RGB32)
        paper.fill(Qt.white)
        painter = QPainter(paper)
        painter.drawImage(0, 0, image)
        painter.end()
        image = paper
    grey = image.convertToFormat(QImage.Format_Grayscale8)
    array = np.frombuffer(grey.constBits(), np.uint8, count=grey.sizeInBytes())
    return array.reshape(grey.height(), grey.bytesPerLine())[:, :grey.width()].copy()
