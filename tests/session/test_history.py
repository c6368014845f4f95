"""The run history without Qt: records written when runs end and read back whole, damaged records skipped
with a message, bounded curves, names, deletion and bringing a run back."""

import json
import math

import numpy as np
import pytest

from nnplayground.session import Experiment, Session
from nnplayground.session.history import (
    MAX_POINTS,
    RunHistory,
    RunRecord,
    RunRecordError,
    decimate,
    default_folder,
    read_record,
)
from nnplayground.session.runlog import RunLog


def _session(tmp_path, **fields) -> tuple[Session, RunHistory, list[str]]:
    history = RunHistory(tmp_path / "runs")
    experiment = Experiment(**{"dataset": "moons", "n_samples": 200, "batch_size": 20, "epochs": 3,
                               "learning_rate": 0.01, **fields})
    session = Session(experiment, history=history)
    said = []
    session.events.connect("message", said.append)
    return session, history, said


def test_a_finished_run_is_recorded_with_every_field_and_reads_back(tmp_path):
    session, history, _ = _session(tmp_path)
    session.train()
    session.update(learning_rate=0.003)  # a marker on the run, which the next Train continues
    session.train()
    log = session.run_log
    files = list((tmp_path / "runs").glob("*.json"))
    assert len(files) == 1 and files[0].stem == log.record_id
    record = read_record(files[0])
    assert record.id == log.record_id and record.name == log.name == "run 1"
    assert record.experiment == log.experiment and record.experiment["learning_rate"] == 0.003
    assert record.started == pytest.approx(log.started) and record.seconds == pytest.approx(log.seconds, rel=1e-6)
    assert record.epochs == log.complete_epochs == 6
    assert record.best_val_accuracy == pytest.approx(log.best("val_accuracy"), rel=1e-6)
    assert record.final == pytest.approx(log.epochs[-1], rel=1e-6)
    assert set(record.final) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert record.finish_reason == "completed"
    assert [m["text"] for m in record.markers] == [m["text"] for m in log.markers] and len(record.markers) == 1
    assert record.markers[0]["step"] == 15 and record.markers[0]["position"] == pytest.approx(3.0)
    np.testing.assert_allclose(record.epoch_curves["val_loss"], log.epoch_table["val_loss"], rtol=1e-6)
    np.testing.assert_allclose(record.epoch_curves["position"], np.arange(1, 7), rtol=1e-6)
    np.testing.assert_allclose(record.batch_curves["loss"], log.batches["loss"], rtol=1e-6)
    np.testing.assert_array_equal(record.batch_curves["step"], np.arange(1, 31))
    assert record.sweep is None
    assert list(history.records) == [log.record_id] and not history.records[log.record_id].has_curves


def test_every_field_survives_the_file(tmp_path):
    record = RunRecord(id="20240101-120000-abcdef", name="mine", experiment=Experiment(dataset="xor").to_dict(),
                       started=1.7e9, seconds=12.5, epochs=2, best_val_accuracy=0.75,
                       final={"loss": 0.5, "val_loss": math.nan}, finish_reason="stopped",
                       markers=[{"step": 3, "position": 1.5, "text": "learning rate 0.1"}],
                       epoch_curves={"position": np.array([1.0, 2.0]), "loss": np.array([0.7, np.inf])},
                       batch_curves={"step": np.array([1.0, 2.0]), "loss": np.array([np.nan, 0.25])},
                       sweep={"id": "s1", "settings": {"learning_rate": 0.1}})
    history = RunHistory(tmp_path)
    history.save(record)
    back = history.read(record.id)
    assert back.final["loss"] == 0.5 and math.isnan(back.final["val_loss"])
    np.testing.assert_array_equal(back.epoch_curves["loss"], [0.7, np.nan])  # infinite is not a number to keep
    np.testing.assert_array_equal(back.batch_curves["loss"], [np.nan, 0.25])
    for field in ("id", "name", "experiment", "started", "seconds", "epochs", "best_val_accuracy", "finish_reason",
                  "markers", "sweep"):
        assert getattr(back, field) == getattr(record, field), field
    assert RunHistory(tmp_path).load().records[record.id].summary() == {
        "id": record.id, "name": "mine", "dataset": "xor", "layers": "32-16", "optimizer": "adam",
        "learning_rate": 0.001, "best_val_accuracy": 0.75, "epochs": 2, "seconds": 12.5, "started": 1.7e9,
        "finish_reason": "stopped"}


def test_damaged_records_are_skipped_with_a_message_and_left_on_disk(tmp_path):
    session, history, said = _session(tmp_path)
    session.train()
    good = session.run_log.record_id
    folder = tmp_path / "runs"
    (folder / "20240101-000000-aaaaaa.json").write_bytes(b"\x00\xff not json")
    valid = json.loads((folder / f"{good}.json").read_text())
    (folder / "20240101-000000-bbbbbb.json").write_text(json.dumps({**valid, "epochs": "many"}))
    (folder / "20240101-000000-cccccc.json").write_text(json.dumps({**valid, "format": 99}))
    (folder / "20240101-000000-dddddd.json").write_text(json.dumps([1, 2]))
    (folder / "20240101-000000-eeeeee.json").mkdir()
    curves = {**valid["curves"], "batch": {**valid["curves"]["batch"], "loss": [1.0]}}
    (folder / "20240101-000000-ffffff.json").write_text(json.dumps({**valid, "curves": curves}))
    said.clear()
    history.load()
    assert list(history.records) == [good]
    assert len(history.problems) == 6 and len(said) == 1
    assert "6 run records could not be read" in said[0]
    for stem, problem in (("aaaaaa", ""), ("bbbbbb", 'epochs is "many", not a whole number'),
                          ("cccccc", "newer than this nnplayground reads"), ("dddddd", "not a JSON object"),
                          ("eeeeee", "is a folder, not a file"), ("ffffff", "columns of different lengths")):
        assert any(f"20240101-000000-{stem}.json" in text and problem in text for text in history.problems), stem
    assert (folder / "20240101-000000-aaaaaa.json").read_bytes() == b"\x00\xff not json"
    with pytest.raises(RunRecordError, match="bbbbbb.json"):
        history.read("20240101-000000-bbbbbb")


def test_decimation_keeps_at_most_the_limit_and_the_last_point():
    n = 10_001
    steps = np.arange(1, n + 1, dtype=float)
    loss = np.arange(n, dtype=float)
    loss[:6] = np.nan  # the first bucket of 6: NaN only
    out = decimate({"step": steps, "position": steps / 100, "loss": loss}, limit=2000)
    assert len(out["step"]) <= 2000 and len(out["loss"]) == len(out["step"])
    assert out["step"][-1] == n and out["position"][-1] == pytest.approx(n / 100)
    assert math.isnan(out["loss"][0])
    assert out["loss"][1] == pytest.approx(np.mean(np.arange(6, 12)))  # buckets of ceil(10001 / 2000) = 6
    assert out["step"][1] == 12
    short = decimate({"step": steps[:50], "loss": loss[:50]}, limit=2000)
    np.testing.assert_array_equal(short["step"], steps[:50])


def test_a_long_run_has_a_bounded_record(tmp_path):
    log = RunLog(Experiment(dataset="spiral").to_dict())
    n = 60_000
    log.add_batches({"step": np.arange(1, n + 1), "position": np.arange(1, n + 1) / 25, "loss": np.ones(n),
                     "accuracy": np.ones(n)})
    for epoch in range(1, 2401):
        log.add_epoch({"loss": 1.0, "accuracy": 0.5, "val_loss": 1.0, "val_accuracy": 0.5}, epoch * 25, float(epoch))
    history = RunHistory(tmp_path)
    history.record_run(log)
    record = history.read(log.record_id)
    assert all(len(values) <= MAX_POINTS for values in (*record.batch_curves.values(), *record.epoch_curves.values()))
    assert record.batch_curves["step"][-1] == n and record.epochs == 2400
    assert history.path(log.record_id).stat().st_size < 400_000


def test_a_run_is_recorded_at_its_first_epoch_while_it_trains(tmp_path):
    session, history, _ = _session(tmp_path, epochs=2)
    seen = []
    session.events.connect("epochs_ended",
                           lambda ended: seen.append(read_record(history.path(session.run_log.record_id))))
    session.train()
    assert seen[0].epochs >= 1 and seen[0].finish_reason is None  # written before the run ended
    assert read_record(history.path(session.run_log.record_id)).epochs == 2


def test_each_run_of_a_session_has_its_own_record_and_an_untrained_one_none(tmp_path):
    session, history, _ = _session(tmp_path, epochs=1)
    session.train()
    session.reset()
    session.train()
    session.reset()  # a third run, never trained
    assert len(history.records) == 2 == len(list((tmp_path / "runs").glob("*.json")))
    assert [record.name for record in history.records.values()] == ["run 1", "run 2"]


def test_a_new_name_is_kept_on_disk_and_by_the_run_in_memory(tmp_path):
    session, history, _ = _session(tmp_path, epochs=1)
    session.train()
    record_id = session.run_log.record_id
    changes = []
    session.events.connect("history_changed", changes.append)
    history.rename(record_id, "  slow but steady ")
    assert read_record(history.path(record_id)).name == "slow but steady"
    assert session.run_log.name == "slow but steady" and changes
    session.train()  # the run goes on: its record keeps the name
    assert RunHistory(tmp_path / "runs").load().records[record_id].name == "slow but steady"
    with pytest.raises(ValueError, match="needs a name"):
        history.rename(record_id, "  ")


def test_deleted_records_are_gone_until_undone_and_not_written_again(tmp_path):
    session, history, _ = _session(tmp_path, epochs=1)
    session.train()
    record_id = session.run_log.record_id
    removed = history.delete([record_id])
    assert not history.path(record_id).exists() and record_id not in history.records
    session.train()  # the run in memory goes on, unrecorded
    assert not history.path(record_id).exists()
    history.undelete(removed)
    assert read_record(history.path(record_id)).epochs == 1 and record_id in history.records


def test_restore_brings_back_the_network_held_in_memory_or_else_the_experiment(tmp_path):
    session, history, _ = _session(tmp_path, epochs=1)
    session.train()
    first = session.run_log
    weights = session.model.get_weights()
    session.update(learning_rate=0.05, layers=[])  # a new network: the first run is kept with its own
    session.train()
    history.restore(first.record_id)
    assert session.run_log is first and session.experiment == Experiment.from_dict(first.experiment)
    np.testing.assert_array_equal(session.model.get_weights()[0], weights[0])
    other = Session(Experiment(dataset="moons"), history=RunHistory(tmp_path / "runs").load())
    other.history.restore(first.record_id)  # another session: the experiment only, on a new network
    assert other.experiment == Experiment.from_dict(first.experiment) and other.model is not None


def test_a_background_history_writes_in_order_and_says_when_it_cannot(tmp_path):
    history = RunHistory(tmp_path / "runs", background=True)
    log = RunLog(Experiment(dataset="xor").to_dict())
    log.add_batches({"step": [1], "position": [0.1], "loss": [0.5], "accuracy": [0.5]})
    history.record_run(log)
    log.add_batches({"step": [2], "position": [0.2], "loss": [0.4], "accuracy": [0.6]})
    history.record_run(log)
    assert history.flush(10)
    assert read_record(history.path(log.record_id)).batch_curves["step"].tolist() == [1.0, 2.0]
    failures = []
    blocked = RunHistory(tmp_path / "file", background=True)
    (tmp_path / "file").write_text("a file where the folder should be")
    blocked.on_write_failure = failures.append
    blocked.record_run(log)
    blocked.close(10)
    assert len(failures) == 1 and "Could not record run 1" in failures[0]


def test_the_folder_follows_the_data_folder_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("NNPLAYGROUND_DATA_DIR", str(tmp_path / "elsewhere"))
    assert default_folder() == tmp_path / "elsewhere" / "runs"
