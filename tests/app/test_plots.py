import numpy as np

from nnplayground.app.plots import MAX_DRAWN_POINTS, decimate


def test_decimate_keeps_every_peak():
    x = np.arange(100_000, dtype=float)
    y = np.ones_like(x)
    y[31_337] = 1000.0  # one outlier in a hundred thousand
    y[77_000] = -5.0
    dx, dy = decimate(x, y, peaks=True)
    assert len(dx) <= MAX_DRAWN_POINTS * 1.1  # the last, partial bucket is kept as it is
    assert dy.max() == 1000.0 and dy.min() == -5.0
    assert np.all(np.diff(dx) >= 0)


def test_decimate_leaves_short_series_alone():
    x, y = np.arange(10.0), np.arange(10.0)
    assert decimate(x, y, peaks=True)[1] is y
