"""Curves thinned to what a plot's pixels can show.

A run's batch curve grows by a few hundred points a report, to hundreds of thousands; a plot a few hundred
pixels wide shows at most a point or two a pixel column. `decimate` thins a whole series (a zoomed view);
`BucketThinner` thins a growing one into fixed pixel-wide buckets and works out again only the buckets its
new points fall in, so a report costs the same after an hour as in the first second, and the plot need
repaint only from where its curve changed.
"""

import math

import numpy as np

MAX_DRAWN_POINTS = 1500  # the most drawn of one curve, whatever the plot's width: more only costs drawing time


def decimate(x: np.ndarray, y: np.ndarray, peaks: bool,
             limit: int = MAX_DRAWN_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """At most ~`limit` points; with `peaks` each bucket keeps its minimum and maximum, so no outlier
    disappears from the picture (a bucket holding only NaN stays a gap)."""
    n = len(x)
    if n <= limit:
        return x, y
    size = -(-n // (limit // 2 if peaks else limit))
    whole = n // size * size
    if not peaks:
        return np.append(x[:whole:size], x[-1]), np.append(y[:whole:size], y[-1])
    buckets = y[:whole].reshape(-1, size)
    with np.errstate(invalid="ignore"):
        low, high = np.fmin.reduce(buckets, axis=1), np.fmax.reduce(buckets, axis=1)
    starts = x[:whole:size]
    xs = np.column_stack([starts, starts + (x[size - 1] - x[0]) / 2]).ravel()
    ys = np.column_stack([low, high]).ravel()
    tail = slice(whole, None) if whole < n else slice(n - 1, None)  # the newest point where it is, always
    return np.append(xs, x[tail]), np.append(ys, y[tail])


def visible(x: np.ndarray, y: np.ndarray, low: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """The points of an x-sorted series within low..high, and one beyond each end (its line runs off the
    edge of the view instead of stopping short of it)."""
    start = max(0, int(np.searchsorted(x, low, "left")) - 1)
    stop = min(len(x), int(np.searchsorted(x, high, "right")) + 1)
    return x[start:stop], y[start:stop]


class BucketThinner:
    """A growing x-sorted series thinned to buckets of a fixed width in x, a pixel column of a plot whose
    x range stays put while the series grows. With `peaks`, each bucket keeps its lowest and highest
    value (a NaN-only bucket is a gap), drawn at the bucket's first x and half a bucket on (a bucket of one
    point keeps it as it is); without, its last point. The newest point is always drawn where it is.

    `thin` returns the points to draw and the x from which they differ from the last call's: the buckets
    before the one the last call left open never change again."""

    def __init__(self, peaks: bool):
        self.peaks = peaks
        self.width: float | None = None
        self._reset()

    def _reset(self) -> None:
        self._x, self._y = np.zeros(0), np.zeros(0)  # the closed buckets' points
        self._open = 0  # index in the series of the first point of the last (open) bucket
        self._seen = 0  # points of the series taken so far
        self._drawn = (np.zeros(0), np.zeros(0))

    def thin(self, x: np.ndarray, y: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray, float]:
        """(x, y) to draw for the whole series so far, and the smallest x whose drawing changed: -inf when
        all of it did (a first call, a new width, a new series), inf when nothing did."""
        changed_from = math.inf
        if width != self.width or len(x) < self._seen:
            self.width = width
            self._reset()
            changed_from = -math.inf
        if len(x) == self._seen:
            return (*self._drawn, changed_from)
        kept = len(self._x)  # the closed buckets' points: unchanged
        chunk_x, chunk_y = np.asarray(x[self._open:], float), np.asarray(y[self._open:], float)
        ids = np.floor(chunk_x / width)
        starts = np.flatnonzero(ids[1:] != ids[:-1]) + 1
        ends = np.append(starts, len(chunk_x))  # one past each bucket's last point
        starts = np.insert(starts, 0, 0)
        bucket_x, bucket_y, points = self._buckets(chunk_x, chunk_y, starts, ends)
        closed = int(points[:-1].sum())  # the points of all buckets but the last, still open one
        self._x = np.concatenate([self._x, bucket_x[:closed]])
        self._y = np.concatenate([self._y, bucket_y[:closed]])
        self._open += int(starts[-1])
        self._seen = len(x)
        drawn_x, drawn_y = np.concatenate([self._x, bucket_x[closed:]]), np.concatenate([self._y, bucket_y[closed:]])
        if drawn_x[-1] != x[-1] or not _same(drawn_y[-1], y[-1]):  # the newest point where it is
            drawn_x, drawn_y = np.append(drawn_x, x[-1]), np.append(drawn_y, y[-1])
        self._drawn = (drawn_x, drawn_y)
        if changed_from == math.inf:  # the line into the first changed point changed too
            changed_from = float(self._x[kept - 1]) if kept else -math.inf
        return drawn_x, drawn_y, changed_from

    def _buckets(self, x: np.ndarray, y: np.ndarray, starts: np.ndarray,
                 ends: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each bucket's points, and how many it has: with peaks (first x, lowest) and (half a bucket on,
        highest), or its one point as it is; without, its last point."""
        if not self.peaks:
            return x[ends - 1], y[ends - 1], np.ones(len(starts), int)
        with np.errstate(invalid="ignore"):
            low, high = np.fmin.reduceat(y, starts), np.fmax.reduceat(y, starts)
        first = x[starts]
        last = x[ends - 1]
        several = ends - starts > 1
        kept = np.column_stack([np.ones(len(starts), bool), several]).ravel()
        xs = np.column_stack([first, np.minimum(first + self.width / 2, last)]).ravel()[kept]
        ys = np.column_stack([low, high]).ravel()[kept]
        return xs, ys, np.where(several, 2, 1)


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))
