"""The run log's plain-data exports."""

import csv
import io
import math

import numpy as np
import pytest

from nnplayground.session import Experiment, Session


def test_a_run_exports_as_csv_with_every_batch_and_each_epoch_on_its_last_batch():
    session = Session(Experiment(dataset="moons", n_samples=200, batch_size=25, epochs=2))
    session.train()
    rows = list(csv.DictReader(io.StringIO(session.run_log.to_csv())))
    assert len(rows) == 2 * 4  # 100 training samples, batches of 25, two epochs
    assert [int(row["step"]) for row in rows] == list(range(1, 9))
    assert float(rows[-1]["epoch"]) == 2.0 and float(rows[0]["epoch"]) == 0.25
    ended = [row for row in rows if row["val_loss"]]
    assert [row["step"] for row in ended] == ["4", "8"]
    for row, logs in zip(ended, session.run_log.epochs, strict=True):
        assert math.isclose(float(row["val_loss"]), logs["val_loss"], rel_tol=1e-5)
        assert math.isclose(float(row["epoch_accuracy"]), logs["accuracy"], rel_tol=1e-5)
    assert math.isclose(float(rows[2]["loss"]), session.run_log.batches["loss"][2], rel_tol=1e-5)


def _loop_average(values, ema):
    """The moving average one value at a time: what moving_average must equal."""
    from nnplayground.session.runlog import SMOOTHING

    out = []
    for value in values:
        if np.isfinite(value):
            ema = value if ema is None else SMOOTHING * ema + (1 - SMOOTHING) * value
        out.append(np.nan if ema is None else ema)
    return np.array(out), ema


def test_the_vectorised_moving_average_equals_the_loop_across_blocks_and_gaps():
    from nnplayground.session.runlog import moving_average

    rng = np.random.default_rng(3)
    values = rng.lognormal(size=1000)
    values[[0, 1, 2, 129, 130, 500, 999]] = [np.nan, np.inf, np.nan, np.nan, -np.inf, np.nan, np.nan]
    values[300:560] = np.nan  # a gap longer than a block
    for start in (None, 0.5):
        for cut in (0, 1, 127, 128, 129, 1000):  # the same series in two chunks, as two reports bring it
            first, ema = moving_average(values[:cut], start)
            second, ema = moving_average(values[cut:], ema)
            expected, expected_ema = _loop_average(values, start)
            np.testing.assert_allclose(np.concatenate([first, second]), expected, rtol=1e-9)
            assert ema == pytest.approx(expected_ema, rel=1e-9)
    assert np.isnan(moving_average(values[:3], None)[0]).all()  # no average before the first finite value
    huge = np.ones(400)
    huge[120] = 1e304  # a float64 model's loss near the end of the range: no overflow, no lasting infinity
    smoothed, ema = moving_average(huge, None)
    np.testing.assert_allclose(smoothed, _loop_average(huge, None)[0], rtol=1e-9)
    assert np.isfinite(smoothed).all() and ema == pytest.approx(_loop_average(huge, None)[1], rel=1e-9)
    assert moving_average(np.array([np.nan]), None)[1] is None
