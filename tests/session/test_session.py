"""The session's state machine without Qt: train, pause, step, stop mid-epoch, resume, reset, live changes,
divergence, earlier runs. A ThreadRunner plays the window's worker: the job runs on a thread and its
reports reach the session when the test calls `deliver`, as a GUI's event loop would deliver them."""

import subprocess
import sys

import numpy as np
import pytest

from nnplayground.datasets import DatasetError
from nnplayground.models import load_model
from nnplayground.session import Experiment, LayerSpec, Session, SetLearningRate, State, ThreadRunner


def _threaded(**fields) -> tuple[Session, ThreadRunner]:
    runner = ThreadRunner()
    experiment = Experiment(**{"dataset": "moons", "batch_size": 8, "epochs": 1000, **fields})
    session = Session(experiment, runner=runner)
    session.load_data()
    return session, runner


def _until(runner, condition, limit=400):
    for _ in range(limit):
        if condition():
            return
        assert runner.deliver(), "the job went quiet"
    raise AssertionError("condition never held")


def _finish(session, runner):
    _until(runner, lambda: session.state is State.IDLE)


def _training_heard() -> tuple[Session, ThreadRunner, list[str]]:
    """A threaded run past its fifth step, and a list that collects every message the session says."""
    session, runner = _threaded()
    said = []
    session.events.connect("message", said.append)
    session.train()
    _until(runner, lambda: session.run_log.step > 5)
    return session, runner, said


def _paused_heard() -> tuple[Session, ThreadRunner, list[str]]:
    """As _training_heard, then paused, with the job parked and its last report delivered."""
    session, runner, said = _training_heard()
    session.pause()
    while runner.deliver(timeout=0.5):  # until the job has parked
        pass
    return session, runner, said


def test_the_public_contract_trains_to_the_end_on_the_calling_thread():
    session = Session(Experiment(dataset="spiral", n_classes=3, learning_rate=0.03, epochs=20))
    seen = []
    session.events.connect("epochs_ended", seen.extend)
    session.train()
    assert session.state is State.IDLE and session.model.optimizer.iterations == 20 * 8
    assert len(session.run_log.epochs) == 20 and seen == session.run_log.epochs
    assert set(seen[-1]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert seen[-1]["loss"] < seen[0]["loss"]
    assert session.run_log.step == 160 and session.run_log.position == pytest.approx(20.0)


def test_importing_the_session_loads_no_qt():
    code = ("import sys, nnplayground.session; "
            "print(sorted(m for m in sys.modules if 'PySide' in m or 'pyqtgraph' in m))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_step_trains_exactly_one_batch_and_stop_trains_none():
    session, runner = _threaded()
    session.step()
    assert session.state is State.PAUSED
    _until(runner, lambda: session.run_log.step == 1)
    session.step()
    session.step()
    _until(runner, lambda: session.run_log.step == 3)
    weights = session.model.get_weights()
    session.stop()
    _finish(session, runner)
    assert session.model.optimizer.iterations == 3  # Step then Stop: no extra, unreported batch
    for before, after in zip(weights, session.model.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    assert session.run_log.epochs == [] and session.run_log.position == pytest.approx(3 / 32)


def test_stop_mid_epoch_counts_no_partial_epoch_and_the_next_run_continues_the_numbering():
    session, runner = _threaded()
    session.train()
    _until(runner, lambda: session.run_log.position > 1.3)
    session.stop()
    _finish(session, runner)
    log = session.run_log
    assert log.step == session.model.optimizer.iterations  # every batch trained was reported
    assert log.complete_epochs == int(log.position)  # the interrupted epoch is not counted whole
    stopped_at = log.position
    session.update(epochs=1)
    session.train()
    _finish(session, runner)
    steps, positions = log.batches["step"], log.batches["position"]
    assert np.array_equal(steps, np.arange(1, len(steps) + 1))
    assert np.all(np.diff(positions) > 0) and positions[-1] == pytest.approx(stopped_at + 1)
    assert log.step == session.model.optimizer.iterations


def test_pause_keeps_the_weights_and_resume_continues():
    session, runner = _threaded()
    session.train()
    _until(runner, lambda: session.run_log.step > 10)
    session.pause()
    assert session.state is State.PAUSED
    while runner.deliver(timeout=0.5):  # the job reports once more as it parks, then goes quiet
        pass
    assert session.model.optimizer.iterations == session.run_log.step
    weights = [w.copy() for w in session.model.get_weights()]
    assert not runner.deliver(timeout=0.2)
    for before, after in zip(weights, session.model.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    paused_at = session.run_log.step
    session.train()
    assert session.state is State.RUNNING
    _until(runner, lambda: session.run_log.step > paused_at + 10)
    session.stop()
    _finish(session, runner)


def test_a_learning_rate_change_while_running_lands_between_batches_with_a_marker():
    session, runner = _threaded()
    session.train()
    _until(runner, lambda: session.run_log.step > 5)
    session.update(learning_rate=0.25)
    assert session.experiment.learning_rate == 0.25
    _until(runner, lambda: session.run_log.markers)
    marker = session.run_log.markers[0]
    assert marker["text"] == "lr 0.25" and marker["step"] > 5
    session.stop()
    _finish(session, runner)
    assert session.model.optimizer.learning_rate == 0.25


def test_a_live_rate_change_turns_an_active_schedule_off_and_says_so():
    session, runner = _threaded(schedule="exponential", learning_rate=0.01)
    session.train()
    _until(runner, lambda: session.run_log.step > 5)
    assert session.model.optimizer.schedule is not None
    changes = []
    session.events.connect("experiment_changed", lambda e: changes.append(e.schedule))
    session.apply(SetLearningRate(0.02))
    assert session.experiment.schedule == "constant" and changes == ["constant"]
    _until(runner, lambda: session.run_log.markers)
    assert session.run_log.markers[0]["text"] == "lr 0.02, schedule off"
    session.stop()
    _finish(session, runner)
    assert session.model.optimizer.schedule is None and session.model.optimizer.learning_rate == 0.02


def test_an_idle_change_to_a_trained_network_is_marked_and_applied():
    session = Session(Experiment(dataset="moons", epochs=2))
    session.train()
    session.update(l2=0.01)
    assert session.model.layers[-1].kernel_regularizer.l2 == 0.01
    assert session.run_log.markers[-1]["text"] == "L1 0 L2 0.01"
    assert session.run_log.markers[-1]["step"] == session.run_log.step


def test_divergence_pauses_restores_finite_weights_and_explains():
    layers = [LayerSpec(16, "linear"), LayerSpec(16, "linear")]
    session, runner = _threaded(dataset="mnist-sample", layers=layers, optimizer="momentum", learning_rate=10.0,
                                batch_size=32)
    messages = []
    session.events.connect("diverged", messages.append)
    session.train()
    _until(runner, lambda: messages)
    assert session.state is State.PAUSED
    assert "learning rate (10) is too high" in messages[0] and "restored" in messages[0]
    assert all(np.isfinite(w).all() for w in session.model.get_weights())
    assert np.isnan(session.run_log.batches["loss"]).any()  # the bad batch shows as a gap in the curve
    session.stop()
    _finish(session, runner)


def test_reset_starts_a_new_run_and_keeps_the_old_one_with_its_network():
    session = Session(Experiment(dataset="moons", epochs=2))
    session.train()
    trained, first_start = session.model, session.initial_weights
    session.reset()
    assert session.experiment.seed == 1 and session.runs[-1].model is trained
    assert session.run_log.step == 0 and session.run_log is not session.runs[-1]
    assert not np.array_equal(session.model.get_weights()[0], first_start[0])
    session.train()
    start = session.initial_weights
    session.reset(same_weights=True)
    for a, b in zip(session.model.get_weights(), start, strict=True):
        np.testing.assert_array_equal(a, b)
    assert len(session.runs) == 2 and session.model.optimizer.iterations == 0


def test_new_data_or_layers_keep_the_trained_network_reachable():
    session = Session(Experiment(dataset="moons", epochs=3))
    session.train()
    trained = session.model.get_weights()
    messages = []
    session.events.connect("message", messages.append)
    session.load_data(dataset="circle")
    assert session.dataset.name == "circle" and session.run_log.step == 0
    assert "run 1" in messages[-1]
    session.update(layers=[LayerSpec(5)])
    assert len(session.runs) == 1  # an untrained network is rebuilt, not kept
    session.restore_run(session.runs[0])
    assert session.dataset.name == "moons" and session.experiment.dataset == "moons"
    for a, b in zip(session.model.get_weights(), trained, strict=True):
        np.testing.assert_array_equal(a, b)
    assert session.run_log.complete_epochs == 3


def test_bad_data_changes_nothing():
    session = Session(Experiment(dataset="moons"))
    session.load_data()
    model = session.model
    with pytest.raises(ValueError, match="moons comes with 2"):
        session.load_data(n_classes=3)
    with pytest.raises(DatasetError, match="digits.npz: no such file"):
        session.load_data(dataset="file", data_path="/nonexistent/digits.npz")
    assert session.experiment.dataset == "moons" and session.dataset.name == "moons" and session.model is model


def test_an_optimizer_change_after_a_run_keeps_the_weights_and_continues_the_steps():
    from nnplayground.optimizers import SGD

    session = Session(Experiment(dataset="moons", epochs=1))
    session.train()
    weights = session.model.get_weights()
    session.update(optimizer="sgd")
    assert isinstance(session.model.optimizer, SGD)
    for a, b in zip(weights, session.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    session.train()
    assert session.run_log.complete_epochs == 2 and session.run_log.step == 16  # 250 training points, batch 32
    assert session.model.optimizer.iterations == 8
    assert session.run_log.markers[0]["text"] == "new optimizer: sgd"


def test_the_weights_probe_covers_every_layer_with_copies():
    session = Session(Experiment(dataset="moons", epochs=2))
    answers = []
    session.events.connect("probed", lambda name, result: answers.append(result))
    session.train()
    last = session.probe_results["weights"]
    assert [layer["name"] for layer in last["layers"]] == [layer.name for layer in session.model.layers
                                                           if layer.variable_names]
    kernel = last["layers"][0]["weights"]["kernel"]
    assert not np.shares_memory(kernel, session.model.flat_weights)
    np.testing.assert_array_equal(kernel, session.model.layers[1].kernel)
    assert all(layer["gradient_norm"] > 0 for layer in last["layers"])
    assert len(session.run_log.norm_steps) >= 1 and session.run_log.norms["gradient"].shape[1] == 3


def test_the_mirror_predicts_as_the_model_does_in_class_probabilities():
    session = Session(Experiment(dataset="moons", epochs=2))
    session.train()
    x = session.dataset.x_test
    p = session.mirror.probabilities(x)
    assert p.shape == (len(x), 2)
    np.testing.assert_allclose(p[:, 1], session.model.predict(x)[:, 0], rtol=1e-6)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-6)


def test_load_model_adopts_its_settings(tmp_path):
    session = Session(Experiment(dataset="moons", epochs=1, layers=[LayerSpec(6, "tanh", 0.1)],
                                 optimizer="rmsprop", learning_rate=0.004))
    session.train()
    session.save_model(tmp_path / "net.npz")
    other = Session(Experiment(dataset="moons"))
    other.load_data()
    assert other.load_model(tmp_path / "net.npz")
    e = other.experiment
    assert [(s.units, s.activation, s.dropout) for s in e.layers] == [(6, "tanh", 0.1)]
    assert (e.optimizer, e.learning_rate) == ("rmsprop", pytest.approx(0.004))
    for a, b in zip(other.model.get_weights(), session.model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_save_asked_for_while_the_run_stops_waits_for_it_and_then_writes(tmp_path):
    session, runner = _threaded()
    session.train()
    _until(runner, lambda: session.run_log.step > 3)
    session.stop()
    assert not session.save_model(tmp_path / "later.npz")
    _finish(session, runner)
    assert load_model(tmp_path / "later.npz").optimizer.iterations == session.model.optimizer.iterations


def test_update_names_the_fields_it_refuses_and_changes_nothing():
    session = Session(Experiment(dataset="moons", n_samples=200, epochs=1))
    with pytest.raises(ValueError, match="not dataset; load_data"):
        session.update(dataset="spiral", epochs=3)
    with pytest.raises(ValueError, match="no experiment field epoch$"):
        session.update(epoch=3)
    assert session.experiment.dataset == "moons" and session.experiment.epochs == 1


def test_stop_with_early_stopping_on_keeps_the_weights_as_they_are():
    session, runner = _threaded(patience=2)
    session.train()
    _until(runner, lambda: session.run_log.position > 3.5)
    session.stop()
    _finish(session, runner)
    assert session.run_log.finish_reason == "stopped"
    weights = session.model.get_weights()
    session.step()  # one more batch from exactly where Stop left the network
    _until(runner, lambda: session.state is State.PAUSED and session.run_log.step == session.model.optimizer.iterations)
    moved = [np.abs(a - b).max() for a, b in zip(session.model.get_weights(), weights, strict=True)]
    assert max(moved) < 0.05  # one small step, not a jump back to an earlier epoch's weights


def test_early_stopping_brings_back_the_best_epoch_everywhere():
    """The session's model, its weights probe and the mirror all hold the best epoch's weights."""
    session = Session(Experiment(dataset="moons", batch_size=8, epochs=400, patience=1, learning_rate=0.3,
                                 optimizer="sgd", n_samples=60, noise=0.3))
    session.train()
    log = session.run_log
    assert log.finish_reason == "early stopping" and len(log.epochs) < 400
    best = min(epoch["val_loss"] for epoch in log.epochs)
    assert session.model.evaluate(session.dataset.x_test, session.dataset.y_test, verbose=0)[0] == \
        pytest.approx(best, rel=1e-5)
    probed = session.probe_results["weights"]["layers"]
    kernels = [layer["weights"]["kernel"] for layer in probed if "kernel" in layer["weights"]]
    model_kernels = [layer.kernel for layer in session.model.layers if hasattr(layer, "kernel")]
    for shown, real in zip(kernels, model_kernels, strict=True):
        np.testing.assert_array_equal(shown, real)
    np.testing.assert_array_equal(session.mirror.model.get_weights()[0], session.model.get_weights()[0])


def test_a_run_whose_data_is_gone_stays_in_the_history(tmp_path):
    points = np.random.default_rng(0).normal(size=(40, 2)).astype(np.float32)
    labels = (points[:, 0] > 0).astype(np.uint8)
    np.savez(tmp_path / "mine.npz", x_train=points, y_train=labels, x_test=points, y_test=labels)
    session = Session(Experiment(dataset="file", data_path=str(tmp_path / "mine.npz"), epochs=2, batch_size=8))
    said = []
    session.events.connect("message", said.append)
    session.train()
    session.load_data(dataset="moons")
    (tmp_path / "mine.npz").unlink()
    run = session.runs[-1]
    session.restore_run(run)
    assert session.runs[-1] is run and run.model is not None and session.dataset.name == "moons"
    assert "mine.npz" in said[-1] and "stays in the Runs menu" in said[-1]


def test_an_action_that_fails_after_a_run_does_not_drop_the_save_queued_after_it(tmp_path):
    session, runner = _threaded()
    session.train()
    _until(runner, lambda: session.run_log.step > 3)
    said = []
    session.events.connect("message", said.append)

    def broken():
        raise RuntimeError("a bug")
    session.when_stopped(broken)
    session.save_model(tmp_path / "net.npz")
    _finish(session, runner)
    assert (tmp_path / "net.npz").exists() and any("a bug" in message for message in said)


def test_a_model_opened_for_other_data_is_adopted_once_that_data_is_chosen(tmp_path):
    digits = Session(Experiment(dataset="mnist-sample", layers=[LayerSpec(12)], epochs=1))
    digits.train()
    digits.model.save(tmp_path / "digits.npz")
    trained = digits.model.get_weights()
    session = Session(Experiment(dataset="moons"))
    session.load_data()
    assert not session.load_model(tmp_path / "digits.npz")  # for drawing only, for now
    session.load_data(dataset="mnist-sample")
    assert [spec.units for spec in session.experiment.layers] == [12]
    for a, b in zip(session.model.get_weights(), trained, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("schedule", ["exponential", "step", "cosine"])
def test_an_opened_model_shows_its_own_schedule_and_base_rate(tmp_path, schedule):
    session = Session(Experiment(dataset="moons", epochs=2, schedule=schedule, learning_rate=0.02))
    session.train()
    session.save_model(tmp_path / "net.npz")
    other = Session(Experiment(dataset="moons", schedule="constant", learning_rate=0.5))
    other.load_data()
    assert other.load_model(tmp_path / "net.npz")
    assert (other.experiment.schedule, other.experiment.learning_rate) == (schedule, pytest.approx(0.02))


def test_a_save_while_training_writes_between_two_batches_and_the_run_goes_on(tmp_path):
    session, runner, said = _training_heard()
    session.save_model(tmp_path / "mid.npz")
    _until(runner, lambda: (tmp_path / "mid.npz").exists() and said)
    saved_at = load_model(tmp_path / "mid.npz").optimizer.iterations
    _until(runner, lambda: session.run_log.step > saved_at + 5)
    assert session.state is State.RUNNING and said[-1] == f"Saved the network to {tmp_path / 'mid.npz'}"
    assert any(marker["text"] == "saved" for marker in session.run_log.markers)
    session.stop()
    _finish(session, runner)


def test_a_save_while_paused_is_written_at_once_and_the_run_stays_paused(tmp_path):
    session, runner, said = _paused_heard()
    paused_at = session.model.optimizer.iterations
    session.save_model(tmp_path / "paused.npz")
    _until(runner, lambda: said)  # no Resume, no Stop: the file comes while paused
    assert said[-1] == f"Saved the network to {tmp_path / 'paused.npz'}"
    assert load_model(tmp_path / "paused.npz").optimizer.iterations == paused_at
    assert not runner.deliver(timeout=0.2) and session.state is State.PAUSED
    assert session.model.optimizer.iterations == paused_at  # the save trained nothing
    session.stop()
    _finish(session, runner)


def test_a_save_after_a_divergence_is_written_while_paused(tmp_path):
    layers = [LayerSpec(16, "linear"), LayerSpec(16, "linear")]
    session, runner = _threaded(dataset="mnist-sample", layers=layers, optimizer="momentum", learning_rate=10.0,
                                batch_size=32)
    diverged, said = [], []
    session.events.connect("diverged", diverged.append)
    session.events.connect("message", said.append)
    session.train()
    _until(runner, lambda: diverged)
    session.save_model(tmp_path / "rescued.npz")
    _until(runner, lambda: said)
    saved = load_model(tmp_path / "rescued.npz")
    assert all(np.isfinite(w).all() for w in saved.get_weights())  # the restored, finite weights
    assert session.state is State.PAUSED
    session.stop()
    _finish(session, runner)


def test_commands_left_when_a_run_ends_are_applied_not_lost(tmp_path):
    """A rate typed, or a save asked for, after the job's last batch but before the window hears that the
    run ended: the session applies them itself."""
    session, runner = _threaded(epochs=1)
    session.train()
    runner.thread.join(timeout=60)  # the job is done; its "finished" report waits in the queue
    assert session.state is State.RUNNING
    session.update(learning_rate=0.05)
    session.save_model(tmp_path / "last.npz")
    _finish(session, runner)
    assert session.model.optimizer.learning_rate == pytest.approx(0.05)
    assert load_model(tmp_path / "last.npz").optimizer.learning_rate == pytest.approx(0.05)


def test_a_run_comes_back_with_its_last_settings():
    session, runner = _threaded(epochs=3)
    session.train()
    _until(runner, lambda: session.run_log.step > 3)
    session.update(learning_rate=0.05)
    _finish(session, runner)
    session.update(epochs=7)
    session.reset()
    run = session.runs[-1]
    session.update(learning_rate=0.002)
    session.restore_run(run)
    assert (session.experiment.learning_rate, session.experiment.epochs) == (0.05, 7)
    assert session.model.optimizer.learning_rate == pytest.approx(0.05)


def test_a_network_too_big_for_the_memory_is_refused_before_it_is_built(monkeypatch):
    from nnplayground import memory

    monkeypatch.setattr(memory, "available_bytes", lambda: 50 * 2**20)  # a machine with 50 MB to spare
    said = []
    session = Session(Experiment(dataset="mnist-sample", layers=[LayerSpec(4096), LayerSpec(4096)]))
    session.events.connect("message", said.append)
    session.load_data()
    assert session.model is None and "Cannot train this network" in said[-1] and "MB" in said[-1]
    session.train()
    assert session.state is State.IDLE and session.model is None
    session.update(layers=[LayerSpec(32)])
    assert session.model is not None
    session.update(batch_size=65536)  # the batch's activations alone now pass what is free
    monkeypatch.setattr(memory, "available_bytes", lambda: 8 * 2**20)
    session.train()
    assert session.run_log.step == 0 and "Cannot train this network" in said[-1]


def test_an_inactive_probe_is_not_asked_while_training():
    from nnplayground.session import Probe

    class Counting(Probe):
        name, interval, calls = "counting", 0.0, 0

        def __call__(self, model, context):
            type(self).calls += 1
            return type(self).calls
    session = Session(Experiment(dataset="moons", epochs=3))
    probe = Counting()
    session.add_probe(probe)
    session.set_probe_active("counting", False)
    before = Counting.calls
    session.train()
    assert Counting.calls == before
    session.set_probe_active("counting", True)  # idle: answered at once
    assert Counting.calls == before + 1 and session.probe_results["counting"] == Counting.calls


def test_train_pressed_while_a_paused_run_ends_for_new_data_trains_the_new_network():
    """Pause, pick other data (the run must end first), press Train before it has: the new network trains;
    the press is not swallowed by the run that was ending."""
    session, runner = _threaded()
    session.train()
    _until(runner, lambda: session.run_log.step > 5)
    session.pause()
    while runner.deliver(timeout=0.5):
        pass
    session.load_data(dataset="circle")  # waits for the paused run to stop
    assert session.dataset.name == "moons"
    assert session.train()
    _until(runner, lambda: session.dataset.name == "circle" and session.run_log.step > 3)
    assert session.state is State.RUNNING and session.run_log.experiment["dataset"] == "circle"
    session.stop()
    _finish(session, runner)


def test_train_pressed_while_stopping_then_new_data_trains_the_new_network_not_the_old():
    """Stop, press Train before the run has ended, then pick other data: the new data's network trains.
    Started first, the old network trained while the window showed the new one (and its stale weights)."""
    session, runner = _threaded()
    session.train()
    _until(runner, lambda: session.run_log.step > 5)
    session.stop()
    assert session.train()  # while stopping: waits for the end
    session.load_data(dataset="mnist-sample")  # also waits for the end: another input shape
    _until(runner, lambda: session.dataset.name == "mnist-sample" and session.run_log.step > 3)
    trained = session.probe_results["weights"]["layers"][0]["weights"]["kernel"]
    assert session.state is State.RUNNING and session.run_log.experiment["dataset"] == "mnist-sample"
    first = next(layer for layer in session.model.layers if hasattr(layer, "kernel"))
    assert trained.shape == first.kernel.shape  # the network shown is the one that trains
    session.stop()
    _finish(session, runner)
