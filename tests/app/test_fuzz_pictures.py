"""Random and damaged bytes at the picture reader (the draw tab's Open image...): a picture or a
PictureError naming the file, nothing else (tests/test_fuzz_files.py does the same for the other readers)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QImage

from nnplayground.app.pictures import PictureError, read_picture
from tests.fuzzing import EXAMPLES, damaged

FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None)


def _encoded(kind: str) -> bytes:
    pixels = np.zeros((40, 30), np.uint8)
    pixels[5:35, 12:18] = 255
    image = QImage(pixels.data, 30, 40, 30, QImage.Format_Grayscale8).copy()
    buffer = QBuffer()
    buffer.open(QIODevice.WriteOnly)
    image.save(buffer, kind)
    return bytes(buffer.data())


ORIGINALS = {kind: _encoded(kind) for kind in ("PNG", "JPG", "BMP")}


def test_the_picture_reader_raises_only_picture_error(qapp, tmp_path):
    @FUZZ
    @given(data=st.one_of(st.binary(max_size=2048), st.sampled_from(sorted(ORIGINALS)).flatmap(
        lambda kind: damaged(ORIGINALS[kind]))))
    def check(data):
        path = tmp_path / "picture.png"
        path.write_bytes(data)
        try:
            pixels = read_picture(str(path))
        except PictureError as error:
            assert "picture.png" in str(error)
        else:
            assert pixels.dtype == np.uint8 and pixels.ndim == 2 and max(pixels.shape) <= 1024

    check()
