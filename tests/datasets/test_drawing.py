import numpy as np
import pytest

from nnplayground.datasets import DrawingError, preprocess_drawing
from nnplayground.datasets.drawing import centre_of_mass, drawing_problem, photo_to_drawing, stroke_width


def _ring(size=280, centre=(140, 140), radius=(60, 40), pen=20):
    """An ellipse outline of the given pen width: a drawn zero."""
    rows, columns = np.mgrid[0:size, 0:size]
    distance = np.hypot((rows - centre[0]) / radius[0], (columns - centre[1]) / radius[1])
    band = np.abs(distance - 1.0) * min(radius) < pen / 2
    return (band * 255).astype(np.uint8)


def test_shape_range_and_dtype():
    digit = preprocess_drawing(_ring())
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert digit.min() >= 0.0 and digit.max() == pytest.approx(1.0)


def test_longer_side_is_twenty_pixels_and_aspect_is_kept():
    digit = preprocess_drawing(_ring(radius=(100, 50)))  # twice as tall as wide
    rows = np.flatnonzero(digit.max(axis=1) > 0.05)
    columns = np.flatnonzero(digit.max(axis=0) > 0.05)
    height, width = rows[-1] - rows[0] + 1, columns[-1] - columns[0] + 1
    assert height in (20, 21)
    assert width / height == pytest.approx(0.5, abs=0.1)


@pytest.mark.parametrize("centre", [(60, 60), (140, 140), (220, 90)])
def test_centre_of_mass_within_half_a_pixel_of_the_centre(centre):
    digit = preprocess_drawing(_ring(centre=centre, radius=(50, 30)))
    row, column = centre_of_mass(digit)
    assert abs(row - 14.0) <= 0.5 and abs(column - 14.0) <= 0.5


def test_same_digit_anywhere_and_any_size_gives_nearly_the_same_image():
    big = preprocess_drawing(_ring(radius=(110, 70), pen=28))
    small = preprocess_drawing(_ring(centre=(60, 200), radius=(30, 19), pen=8))
    assert np.abs(big - small).mean() < 0.05


def test_stroke_width_is_brought_to_mnist_whatever_the_pen():
    thin = preprocess_drawing(_ring(pen=6))
    thick = preprocess_drawing(_ring(pen=40))
    assert stroke_width(thin) == pytest.approx(stroke_width(thick), rel=0.35)
    assert 1.5 <= stroke_width(thin) <= 4.0  # MNIST's strokes are two to three pixels wide


def test_blank_input_raises_a_clear_error():
    with pytest.raises(DrawingError, match="empty"):
        preprocess_drawing(np.zeros((280, 280), np.uint8))
    with pytest.raises(DrawingError, match="2-D"):
        preprocess_drawing(np.zeros((4, 4, 3), np.uint8))


def test_dots_and_specks_are_not_digits():
    dot = np.zeros((280, 280), np.uint8)
    dot[100:110, 100:110] = 255
    assert "too small" in drawing_problem(dot)
    assert drawing_problem(np.zeros((280, 280), np.uint8)) == "Draw a digit."
    assert drawing_problem(_ring()) is None


def test_photo_of_dark_ink_on_paper_is_inverted():
    paper = np.full((200, 200), 220, np.uint8)
    paper[np.nonzero(_ring(200, (100, 100), (60, 40), 12))] = 30
    drawing = photo_to_drawing(paper)
    assert drawing[100, 100] == 0 and drawing[40, 100] > 200  # paper black, ink white
    assert preprocess_drawing(drawing).max() == pytest.approx(1.0)
