"""The training worker on its own: commands at batch boundaries, copies in every report."""

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from nnplayground.app.worker import TrainingWorker
from nnplayground.experiment import Experiment


def _worker(qtbot, epochs=1000, **kwargs):
    experiment = Experiment(dataset="moons", epochs=epochs, batch_size=8)
    data = experiment.load_data()
    model = experiment.build_model(data.input_shape, data.n_classes)
    worker = TrainingWorker(model, data, epochs=epochs, batch_size=8, **kwargs)
    reports = {"batches": [], "snapshots": [], "changes": [], "finished": []}
    worker.batches.connect(reports["batches"].append)
    worker.snapshot.connect(reports["snapshots"].append)
    worker.setting_changed.connect(reports["changes"].append)
    worker.training_finished.connect(reports["finished"].append)
    worker.progress.connect(lambda _: worker.gui_ready())
    return worker, model, reports


def _steps(reports):
    return sum(len(chunk["step"]) for chunk in reports["batches"])


def test_start_paused_step_and_stop(qtbot):
    worker, model, reports = _worker(qtbot, start_paused=True)
    start = model.get_weights()
    worker.start()
    worker.step()
    qtbot.waitUntil(lambda: _steps(reports) == 1)
    worker.step()
    worker.step()
    qtbot.waitUntil(lambda: _steps(reports) == 3)
    assert not np.array_equal(start[0], model.get_weights()[0])
    with qtbot.waitSignal(worker.training_finished, timeout=2000):
        worker.stop()
    assert reports["finished"] == ["stopped"]
    assert worker.wait(1000)


def test_learning_rate_change_lands_between_batches_and_is_reported(qtbot):
    worker, model, reports = _worker(qtbot)
    worker.start()
    qtbot.waitUntil(lambda: _steps(reports) > 20)
    worker.set_learning_rate(0.25)
    worker.set_regularization(0.0, 0.01)
    qtbot.waitUntil(lambda: len(reports["changes"]) == 2)
    assert reports["changes"][0]["name"] == "learning rate" and reports["changes"][0]["value"] == 0.25
    assert reports["changes"][0]["step"] > 20
    worker.stop()
    assert worker.wait(1000)
    assert model.optimizer.learning_rate == 0.25
    assert model.layers[-1].kernel_regularizer.l2 == 0.01


def test_snapshots_are_copies_not_live_arrays(qtbot):
    worker, model, reports = _worker(qtbot)
    worker.start()
    qtbot.waitUntil(lambda: len(reports["snapshots"]) >= 2)
    worker.stop()
    assert worker.wait(1000)
    kernel = reports["snapshots"][-1]["kernels"][0]
    assert not np.shares_memory(kernel, model.flat_weights)
    assert all(norm > 0 for norm in reports["snapshots"][-1]["gradient_norms"])
    steps = np.concatenate([chunk["step"] for chunk in reports["batches"]])
    assert np.array_equal(steps, np.arange(1, len(steps) + 1))  # every batch reported once, in order


def test_runs_to_completion(qtbot):
    worker, model, reports = _worker(qtbot, epochs=3)
    with qtbot.waitSignal(worker.training_finished, timeout=10_000):
        worker.start()
    assert reports["finished"] == ["completed"]
    assert _steps(reports) == 3 * int(np.ceil(250 / 8))
    assert len(model.history.history["loss"]) == 3


class _Emitter(QObject):
    flag = Signal(bool)
    value = Signal(float)


class _Sender(QThread):
    def __init__(self, emitter, count):
        super().__init__()
        self.emitter, self.count = emitter, count

    def run(self):
        for i in range(self.count):
            self.emitter.flag.emit(i % 2 == 0)
            self.emitter.value.emit(float(i))


def test_thousands_of_signals_across_threads(qtbot):
    """PySide6 6.12.0 on Python 3.11 drops a reference to True/False per emission and aborts the interpreter
    after a few hundred: pyproject pins PySide6 below 6.12 there. This must run to the end."""
    emitter, received = _Emitter(), {"flag": 0, "value": 0}
    emitter.flag.connect(lambda _: received.__setitem__("flag", received["flag"] + 1))
    emitter.value.connect(lambda _: received.__setitem__("value", received["value"] + 1))
    sender = _Sender(emitter, 5000)
    sender.start()
    qtbot.waitUntil(lambda: received == {"flag": 5000, "value": 5000}, timeout=20_000)
    assert sender.wait(2000)
