"""A growing curve thinned to pixel-wide buckets as it grows: the same picture as thinning it whole, every
peak kept, a bounded number of points, and an honest account of where the picture changed."""

import math

import numpy as np

from nnplayground.app.thinning import BucketThinner


def _noisy(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.arange(1, n + 1) / 125.0  # 125 batches an epoch
    y = np.exp(-x / 20) * (1 + rng.random(n))
    return x, y


def _in_chunks(thinner, x, y, width, sizes):
    """Feeds the series as reports would (growing by `sizes`), returning each call's answer."""
    answers, end = [], 0
    for size in sizes:
        end = min(len(x), end + size)
        answers.append(thinner.thin(x[:end], y[:end], width))
    return answers


def test_thinned_as_it_grows_it_is_the_same_as_thinned_whole():
    x, y = _noisy(20_000)
    width = 40.0 / 400  # 400 pixel columns over 40 epochs
    for peaks in (True, False):
        rng = np.random.default_rng(1)
        grown = _in_chunks(BucketThinner(peaks), x, y, width, rng.integers(1, 700, 200))[-1]
        whole = BucketThinner(peaks).thin(x, y, width)
        np.testing.assert_array_equal(grown[0], whole[0])
        np.testing.assert_array_equal(grown[1], whole[1])


def test_two_points_a_bucket_keep_every_peak_and_the_newest_point():
    x, y = _noisy(20_000)
    y[12_345] = 50.0  # one bad batch
    y[17_000] = 1e-6  # and one very good one
    width = x[-1] / 399
    drawn_x, drawn_y, _ = BucketThinner(peaks=True).thin(x, y, width)
    assert len(drawn_x) <= 2 * 400 + 1
    assert drawn_y.max() == 50.0 and drawn_y.min() == 1e-6
    assert drawn_x[0] == x[0] and drawn_x[-1] == x[-1] and drawn_y[-1] == y[-1]
    assert np.all(np.diff(drawn_x) >= 0)
    smooth_x, _, _ = BucketThinner(peaks=False).thin(x, y, width)
    assert len(smooth_x) <= 400 and smooth_x[-1] == x[-1]


def test_a_bucket_of_nan_is_a_gap_and_a_nan_beside_numbers_is_not():
    x = np.arange(100) / 10.0
    y = np.ones(100)
    y[20:30] = np.nan  # the whole of bucket 2
    y[55] = np.nan  # one of bucket 5's ten
    drawn_x, drawn_y, _ = BucketThinner(peaks=True).thin(x, y, 1.0)
    gap = (drawn_x >= 2.0) & (drawn_x < 3.0)
    assert gap.any() and np.isnan(drawn_y[gap]).all()
    assert not np.isnan(drawn_y[(drawn_x >= 5.0) & (drawn_x < 6.0)]).any()


def test_what_changed_starts_where_it_says():
    """Every point before `changed_from` is drawn as before: the plot may repaint from there on only."""
    x, y = _noisy(5_000)
    thinner = BucketThinner(peaks=True)
    width = 40.0 / 300
    answers = _in_chunks(thinner, x, y, width, [300] * 16 + [0])
    assert answers[0][2] == -math.inf  # the first picture: all of it
    for (old_x, old_y, _), (new_x, new_y, changed_from) in zip(answers[:-2], answers[1:-1], strict=True):
        assert math.isfinite(changed_from)
        before = old_x < changed_from
        assert before.sum() > 0
        np.testing.assert_array_equal(new_x[: before.sum()], old_x[before])
        np.testing.assert_array_equal(new_y[: before.sum()], old_y[before])
        assert changed_from <= old_x[-1]  # the line into the new points changed too
    assert answers[-1][2] == math.inf  # nothing new: nothing changed


def test_a_new_width_or_a_new_series_starts_again():
    x, y = _noisy(3_000)
    thinner = BucketThinner(peaks=False)
    thinner.thin(x[:2_000], y[:2_000], 0.1)
    assert thinner.thin(x, y, 0.2)[2] == -math.inf  # the plot was widened or the run's span doubled
    other_x, other_y = _noisy(1_000, seed=5)
    fresh = thinner.thin(other_x, other_y, 0.2)
    assert fresh[2] == -math.inf
    np.testing.assert_array_equal(fresh[0], BucketThinner(peaks=False).thin(other_x, other_y, 0.2)[0])


def test_a_series_sparser_than_the_buckets_is_drawn_point_for_point():
    """A short run (125 batches over a plot 400 buckets wide) keeps each batch as it is: no doubled points."""
    x, y = _noisy(125)
    for peaks in (True, False):
        drawn_x, drawn_y, _ = BucketThinner(peaks).thin(x, y, 1.0 / 399)
        np.testing.assert_array_equal(drawn_x, x)
        np.testing.assert_array_equal(drawn_y, y)
