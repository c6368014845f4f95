"""The run log's plain-data exports."""

import csv
import io
import math

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
