import numpy as np

from nnplayground.datasets.strokes import skeletonize, trace_strokes


def test_a_thick_bar_thins_to_a_line_traced_as_one_stroke():
    bar = np.zeros((20, 20), bool)
    bar[3:17, 8:12] = True
    skeleton = skeletonize(bar)
    assert skeleton.sum() >= 8 and skeleton.sum(axis=1).max() == 1  # one pixel wide
    paths = trace_strokes(skeleton)
    assert len(paths) == 1 and sorted(paths[0]) == sorted(zip(*np.nonzero(skeleton), strict=True))


def test_a_ring_is_traced_completely():
    rows, columns = np.mgrid[0:28, 0:28]
    ring = np.abs(np.hypot(rows - 14, columns - 14) - 8) < 1.5
    skeleton = skeletonize(ring)
    covered = {p for path in trace_strokes(skeleton) for p in path}
    assert covered == set(zip(*np.nonzero(skeleton), strict=True))
