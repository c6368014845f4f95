"""Turning a drawing (or a photo of one) into what an MNIST network expects, the way MNIST was made.

MNIST's digits were cropped to their ink, scaled with anti-aliasing so the longer side is 20 pixels
(aspect kept), and placed in 28x28 with the centre of mass at the centre. A drawing has to go through
the same steps, or a 98% model guesses wrong on most of them. One more step fixes what a fixed brush
gets wrong: a small drawing arrives with strokes far thicker than MNIST's, a large one with strokes far
thinner, so the stroke width is brought to MNIST's share of the digit's size first.
"""

import numpy as np

SIZE, BOX = 28, 20  # the image, and the box the longer side of the digit is scaled to
CENTRE = 14.0  # where MNIST's centres of mass sit (index coordinates; measured on the test set: 13.99, 14.00)
STROKE_SHARE = 0.10  # MNIST's stroke width / longer side of the digit (test set: median 0.093, mean 0.100)
INK_LEVEL = 0.1  # a pixel brighter than this (of white) is ink, for finding the digit
STROKE_LEVEL = 0.5  # ... and brighter than this is stroke, for measuring its width
MIN_SIDE_SHARE = 0.08  # a mark whose longer side is under this share of the canvas is too small a digit
MIN_INK_SHARE = 0.04  # ... or whose ink fills under this share of its own box: a dot, a speck


class DrawingError(ValueError):
    """A drawing that cannot be turned into a digit: empty, or not an image."""


def _as_unit_floats(pixels) -> np.ndarray:
    image = np.asarray(pixels)
    if image.ndim != 2 or image.size == 0:
        raise DrawingError(f"a drawing is a 2-D greyscale image, not an array of shape {image.shape}")
    if image.dtype == np.uint8:
        return image.astype(np.float32) / 255.0
    return np.clip(image.astype(np.float32), 0.0, 1.0)


def ink_box(image: np.ndarray, level: float = INK_LEVEL) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right), bottom and right exclusive, around the pixels above `level`; None if none."""
    rows, columns = np.flatnonzero((image > level).any(axis=1)), np.flatnonzero((image > level).any(axis=0))
    if not len(rows):
        return None
    return int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1


def stroke_width(image: np.ndarray) -> float:
    """Mean stroke width in pixels: twice the stroke area over its outline (a long thin shape's outline
    is about twice its length)."""
    stroke = image > STROKE_LEVEL
    padded = np.pad(stroke, 1)
    inner = padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    outline = np.count_nonzero(stroke & ~inner)
    return 2.0 * np.count_nonzero(stroke) / outline if outline else 0.0


def _grow(image: np.ndarray, radius: int, shrink: bool) -> np.ndarray:
    """Grey-level dilation (or erosion) by `radius` pixels: alternating square and cross steps, which
    grow a dot into an octagon, close to a round pen."""
    pick = np.minimum if shrink else np.maximum
    for step in range(radius):
        padded = np.pad(image, 1, mode="edge" if shrink else "constant")
        vertical = pick(pick(padded[:-2, 1:-1], padded[2:, 1:-1]), padded[1:-1, 1:-1])
        if step % 2:  # cross: up, down, left, right
            image = pick(vertical, pick(padded[1:-1, :-2], padded[1:-1, 2:]))
        else:  # square: the vertical maximum, then horizontally
            column = np.pad(vertical, ((0, 0), (1, 1)), mode="edge" if shrink else "constant")
            image = pick(pick(column[:, :-2], column[:, 2:]), column[:, 1:-1])
    return image


def normalise_stroke(crop: np.ndarray) -> np.ndarray:
    """Thicken or thin the strokes of a cropped digit to MNIST's width for a digit of its size."""
    width = stroke_width(crop)
    if width == 0.0:
        return crop
    wanted = STROKE_SHARE * max(crop.shape)
    radius = int(round((wanted - width) / 2))
    if radius > 0:
        radius = min(radius, max(crop.shape) // 4)
        return _grow(np.pad(crop, radius), radius, shrink=False)
    radius = min(-radius, int((width - 1) // 2))  # never thin a stroke away
    return _grow(crop, radius, shrink=True) if radius > 0 else crop


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in): how much of each input pixel falls in each output pixel (area averaging)."""
    edges = np.linspace(0.0, n_in, n_out + 1)
    starts, ends = edges[:-1, None], edges[1:, None]
    pixel = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(ends, pixel + 1) - np.maximum(starts, pixel), 0.0, None)
    return (overlap / overlap.sum(axis=1, keepdims=True)).astype(np.float32)


def resize_area(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Anti-aliased resize: every output pixel is the mean of the input area it covers."""
    return _area_weights(image.shape[0], height) @ image @ _area_weights(image.shape[1], width).T


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    total = float(image.sum())
    rows, columns = np.arange(image.shape[0]), np.arange(image.shape[1])
    return float(image.sum(axis=1) @ rows) / total, float(image.sum(axis=0) @ columns) / total


def _shift_weights(n_in: int, n_out: int, offset: float) -> np.ndarray:
    """(n_out, n_in): input pixel j lands at j + offset, shared linearly between the two pixels it straddles."""
    whole, part = int(np.floor(offset)), offset - np.floor(offset)
    weights = np.zeros((n_out, n_in), np.float32)
    for j in range(n_in):
        for target, share in ((j + whole, 1.0 - part), (j + whole + 1, part)):
            if 0 <= target < n_out and share:
                weights[target, j] = share
    return weights


def _place(small: np.ndarray, top: float, left: float) -> np.ndarray:
    """`small` put into SIZE x SIZE with its top-left corner at (top, left), fractions included: a sub-pixel
    shift, so the centre of mass lands where it is asked to, not only to the nearest pixel."""
    top = float(np.clip(top, 0, SIZE - small.shape[0]))
    left = float(np.clip(left, 0, SIZE - small.shape[1]))
    return _shift_weights(small.shape[0], SIZE, top) @ small @ _shift_weights(small.shape[1], SIZE, left).T


def preprocess_drawing(pixels, normalise_strokes: bool = True) -> np.ndarray:
    """A drawing (2-D uint8 of any size, white ink on black) as MNIST would have it: (28, 28) float32 in [0, 1].

    Crop to the ink; bring the stroke width to MNIST's for a digit that size; scale the longer side to
    20 pixels with anti-aliasing, keeping the aspect ratio; put the centre of mass at the centre of
    28x28; stretch the intensities so the brightest pixel is white, as in the training data.
    """
    image = _as_unit_floats(pixels)
    box = ink_box(image)
    if box is None:
        raise DrawingError("the drawing is empty: draw a digit first")
    top, bottom, left, right = box
    crop = image[top:bottom, left:right]
    if normalise_strokes:
        crop = normalise_stroke(crop)
        top, bottom, left, right = ink_box(crop) or (0, crop.shape[0], 0, crop.shape[1])
        crop = crop[top:bottom, left:right]
    scale = BOX / max(crop.shape)
    height, width = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    small = resize_area(crop, height, width)
    centre_row, centre_column = centre_of_mass(small)
    digit = _place(small, CENTRE - centre_row, CENTRE - centre_column)
    peak = float(digit.max())
    return np.clip(digit / peak, 0.0, 1.0) if peak > 0 else digit


def drawing_problem(pixels) -> str | None:
    """Why a mark cannot be read as a digit (empty, a dot, a speck), or None if it can."""
    image = _as_unit_floats(pixels)
    box = ink_box(image)
    if box is None:
        return "Draw a digit."
    top, bottom, left, right = box
    if max(bottom - top, right - left) < MIN_SIDE_SHARE * min(image.shape):
        return "That is too small to be a digit: draw a digit that fills most of the box."
    ink = np.count_nonzero(image[top:bottom, left:right] > STROKE_LEVEL)
    if ink < MIN_INK_SHARE * (bottom - top) * (right - left) and max(bottom - top, right - left) < \
            0.3 * min(image.shape):
        return "That is too sparse to be a digit: draw a digit."
    return None


def photo_to_drawing(pixels) -> np.ndarray:
    """A photo or scan (any greyscale uint8) as white ink on black: dark ink on light paper is inverted,
    and the paper's uneven brightness is levelled out."""
    image = np.asarray(pixels, dtype=np.float32)
    if image.ndim == 3:
        image = image[..., :3].mean(axis=2)
    if np.median(image) > image.mean() and np.median(image) > 127 or np.median(image) > 160:
        image = 255.0 - image  # mostly light: paper, with dark ink
    background = np.percentile(image, 50)
    image = np.clip((image - background) / max(float(image.max() - background), 1.0), 0.0, 1.0)
    return (image * 255).astype(np.uint8)
