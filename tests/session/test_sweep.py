"""Sweeps without Qt: settings read from text, the grid, parallel runs equal to sequential ones, records in
the history, cancel."""

import numpy as np
import pytest

from nnplayground.session import Experiment, Session
from nnplayground.session import session as session_module
from nnplayground.session.history import RunHistory
from nnplayground.session.sweep import (
    SequentialExecutor,
    Sweep,
    SweepTask,
    grid,
    parse_values,
    parse_vary,
    point_name,
    results_table,
    train_task,
)


def _experiment(**fields) -> Experiment:
    return Experiment(**{"dataset": "moons", "n_samples": 200, "batch_size": 20, "epochs": 3, "layers": [],
                         "learning_rate": 0.01, **fields})


def test_settings_and_values_are_read_from_text():
    assert parse_vary("learning_rate=0.001, 0.01,0.1") == ("learning_rate", [0.001, 0.01, 0.1])
    assert parse_vary("lr=0.1") == ("learning_rate", [0.1])
    assert parse_vary("layers=32-16,64,none") == ("layers", [[32, 16], [64], []])
    assert parse_vary("activation=relu,tanh,relu") == ("activation", ["relu", "tanh"])
    assert parse_values("batch-size", "8,16") == [8, 16]
    for text, problem in (("learning_rate", "SETTING=VALUE"), ("speed=1", "cannot vary 'speed'"),
                          ("activation=relu,fast", "'fast' is not one of"), ("dropout=1", "outside 0 to 1"),
                          ("batch_size=8.5", "not a whole number"), ("layers=32-x", "not layer sizes"),
                          ("l2=", "no values")):
        with pytest.raises(ValueError, match=problem):
            parse_vary(text)


def test_the_grid_varies_the_first_setting_slowest_and_names_each_point():
    points = grid({"learning_rate": [0.001, 0.01], "activation": ["relu", "tanh"]})
    assert points == [{"learning_rate": 0.001, "activation": "relu"}, {"learning_rate": 0.001, "activation": "tanh"},
                      {"learning_rate": 0.01, "activation": "relu"}, {"learning_rate": 0.01, "activation": "tanh"}]
    assert point_name(points[1]) == "learning rate 0.001, activation tanh"
    assert point_name({"layers": [32, 16]}) == "layers 32-16"


def test_a_sweep_applies_each_point_and_refuses_values_that_cannot_work():
    sweep = Sweep(_experiment(layers=[]), {"layers": [[4], [8, 8]], "dropout": [0.5]})
    assert [[(s.units, s.dropout) for s in e.layers] for e in sweep.experiments] == [[(4, 0.5)], [(8, 0.5), (8, 0.5)]]
    with pytest.raises(ValueError, match="learning rate 100: a learning rate between"):
        Sweep(_experiment(), {"learning_rate": [0.1, 100.0]})
    with pytest.raises(ValueError, match="one or two settings"):
        Sweep(_experiment(), {"seed": [1], "l2": [0.0], "dropout": [0.0]})


def test_a_parallel_sweep_equals_a_sequential_one_and_plain_training(tmp_path):
    experiment = _experiment()
    data = experiment.load_data()
    vary = {"learning_rate": [0.01, 0.1], "seed": [3, 4]}
    history = RunHistory(tmp_path / "runs")
    parallel = Sweep(experiment, vary, data, history=history, workers=2).run()
    sequential = Sweep(experiment, vary, data, executor=SequentialExecutor()).run()
    assert all(result.record is not None and not result.cancelled for result in parallel)
    for a, b in zip(parallel, sequential, strict=True):
        assert a.settings == b.settings
        assert len(a.weights) == 2 and all(np.array_equal(x, y) for x, y in zip(a.weights, b.weights, strict=True))
        np.testing.assert_array_equal(a.record.batch_curves["loss"], b.record.batch_curves["loss"])
        assert a.record.final == b.record.final and a.record.epochs == 3
    plain = Session(experiment.replaced(learning_rate=0.1, seed=4))
    plain.use_data(data, plain.experiment)
    plain.train()
    assert all(np.array_equal(x, y) for x, y in zip(plain.model.get_weights(), parallel[3].weights, strict=True))
    assert parallel[3].record.final == pytest.approx(plain.run_log.epochs[-1], rel=0, abs=0)
    # Recorded, named for their settings and tagged with their sweep
    assert len(history.records) == 4 == len(list((tmp_path / "runs").glob("*.json")))
    record = history.read(parallel[1].record.id)
    assert record.name == "learning rate 0.01, seed 4" and record.sweep["settings"] == {"learning_rate": 0.01,
                                                                                         "seed": 4}
    assert record.experiment["seed"] == 4 and record.epochs == 3
    rows = results_table(parallel)
    assert [row["name"] for row in rows][:2] == ["learning rate 0.01, seed 3", "learning rate 0.01, seed 4"]
    assert all(row["outcome"] == "completed" and 0 < row["best_val_accuracy"] <= 1 for row in rows)


def test_a_network_big_enough_for_blas_threads_ends_alike_in_parallel_and_in_sequence():
    """Digits through 32-16 units: products where a BLAS may use threads; same thread count, same weights."""
    experiment = Experiment(dataset="mnist-sample", epochs=1, batch_size=64)
    data = experiment.load_data()
    vary = {"learning_rate": [0.001, 0.003]}
    parallel = Sweep(experiment, vary, data, workers=2).run()
    sequential = Sweep(experiment, vary, data, executor=SequentialExecutor(), threads=1).run()
    assert parallel[0].record.epochs == 1
    for a, b in zip(parallel, sequential, strict=True):
        assert all(np.array_equal(x, y) for x, y in zip(a.weights, b.weights, strict=True))


def test_a_worker_loads_the_data_itself_when_the_sweep_ships_none():
    experiment = _experiment()
    data = experiment.load_data()
    shipped = Sweep(experiment, {"seed": [1]}, data, executor=SequentialExecutor()).run()
    loaded = Sweep(experiment, {"seed": [1]}, None, executor=SequentialExecutor()).run()
    assert all(np.array_equal(x, y) for x, y in zip(shipped[0].weights, loaded[0].weights, strict=True))


def test_cancel_stops_a_run_in_progress_at_its_next_batch(tmp_path, monkeypatch):
    """As in a worker: the cancel flag appearing mid-run ends the run (run in this process, with a session
    that makes the flag once 50 batches are trained)."""
    flag = tmp_path / "cancel"

    class Tripwire(Session):
        def _on_report(self, payload):
            super()._on_report(payload)
            if self.run_log.step >= 50 and not flag.exists():
                flag.touch()

    monkeypatch.setattr(session_module, "Session", Tripwire)
    long = _experiment(epochs=20_000, batch_size=4)
    task = SweepTask(long, long.load_data(), "x", "long", {"id": "s", "settings": {}}, cancel_flag=str(flag))
    outcome = train_task(task)
    assert outcome["cancelled"] and 50 <= outcome["record"].batch_curves["step"][-1] < 20_000 * 25
    assert outcome["record"].finish_reason == "stopped"
    assert train_task(task) == {"cancelled": True}  # a run that starts after the cancel does not train


def test_cancel_stops_the_pending_runs_and_records_none(tmp_path):
    history = RunHistory(tmp_path / "runs")
    long = _experiment(epochs=20_000, batch_size=4)
    sweep = Sweep(long, {"seed": [1, 2, 3, 4]}, long.load_data(), history=history, workers=1)
    sweep.start()
    while not sweep.futures[0].running():  # handed to the worker
        sweep.wait(timeout=0.1)
    sweep.cancel()
    results = sweep.wait()
    assert sum(result.cancelled for result in results) == 4
    assert sum(future.cancelled() for future in sweep.futures) >= 2  # never started
    stopped = results[0]
    assert stopped.record is None or stopped.record.epochs < 20_000  # stopped at a batch, not trained out
    assert history.records == {} and not list((tmp_path / "runs").glob("*.json"))
