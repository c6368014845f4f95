"""The window's runner on its own: a session job on a QThread, its reports on the GUI thread, commands at
batch boundaries, copies in every report."""

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from nnplayground.app.worker import QtRunner
from nnplayground.session import Experiment, Session, State


def _session(qtbot, epochs=1000):
    session = Session(Experiment(dataset="moons", epochs=epochs, batch_size=8), runner=QtRunner())
    session.load_data()
    reports = {"batches": [], "probes": [], "markers": [], "finished": [], "threads": set()}
    session.events.connect("batches", lambda chunk: reports["batches"].append(chunk))
    session.events.connect("probed", lambda name, result: reports["probes"].append(result))
    session.events.connect("marker", reports["markers"].append)
    session.events.connect("run_finished", reports["finished"].append)
    session.events.connect("progress", lambda _: reports["threads"].add(QThread.currentThread()))
    return session, reports


def _steps(reports):
    return sum(len(chunk["step"]) for chunk in reports["batches"])


def test_step_then_stop_on_a_qthread(qtbot):
    session, reports = _session(qtbot)
    start = session.model.get_weights()
    session.step()
    qtbot.waitUntil(lambda: _steps(reports) == 1)
    session.step()
    session.step()
    qtbot.waitUntil(lambda: _steps(reports) == 3)
    assert not np.array_equal(start[0], session.model.get_weights()[0])
    session.stop()
    qtbot.waitUntil(lambda: session.state is State.IDLE, timeout=2000)
    assert reports["finished"] == ["stopped"] and session.model.optimizer.iterations == 3
    assert reports["threads"] == {QThread.currentThread()}  # every report arrived on the GUI thread


def test_learning_rate_and_regularization_land_between_batches_and_are_marked(qtbot):
    session, reports = _session(qtbot)
    session.train()
    qtbot.waitUntil(lambda: _steps(reports) > 20)
    session.update(learning_rate=0.25, l2=0.01)
    qtbot.waitUntil(lambda: len(reports["markers"]) == 2)
    assert reports["markers"][0]["text"] == "lr 0.25" and reports["markers"][0]["step"] > 20
    session.stop()
    qtbot.waitUntil(lambda: session.state is State.IDLE, timeout=2000)
    assert session.model.optimizer.learning_rate == 0.25
    assert session.model.layers[-1].kernel_regularizer.l2 == 0.01


def test_probe_answers_are_copies_and_every_batch_is_reported_once(qtbot):
    session, reports = _session(qtbot)
    session.train()
    qtbot.waitUntil(lambda: len(reports["probes"]) >= 3)
    session.stop()
    qtbot.waitUntil(lambda: session.state is State.IDLE, timeout=2000)
    kernel = reports["probes"][-1]["layers"][0]["weights"]["kernel"]
    assert not np.shares_memory(kernel, session.model.flat_weights)
    assert all(layer["gradient_norm"] > 0 for layer in reports["probes"][-1]["layers"])
    steps = np.concatenate([chunk["step"] for chunk in reports["batches"]])
    assert np.array_equal(steps, np.arange(1, len(steps) + 1))


def test_runs_to_completion(qtbot):
    session, reports = _session(qtbot, epochs=3)
    session.train()
    qtbot.waitUntil(lambda: session.state is State.IDLE, timeout=10_000)
    assert reports["finished"] == ["completed"]
    assert _steps(reports) == 3 * int(np.ceil(250 / 8))
    assert len(session.run_log.epochs) == 3


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


def test_a_window_run_leaves_a_core_to_the_gui_then_keeps_the_faster_count_and_gives_blas_back(qtbot, monkeypatch):
    from threadpoolctl import threadpool_info

    from nnplayground.session import threads
    from nnplayground.session.probes import Probe

    def blas_threads() -> list[int]:
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    class BlasThreads(Probe):
        name, interval = "blas", 0.0

        def __call__(self, model, context):
            return blas_threads()

    monkeypatch.setattr(threads, "cores", lambda: 2)  # as on this two-core machine: one for BLAS, one for the GUI
    monkeypatch.setattr(threads.BlasTuner, "__init__", _quick_tuner(threads.BlasTuner.__init__))
    session, reports = _session(qtbot, epochs=400)
    session.add_probe(BlasThreads())  # answered at once, idle, on the GUI thread: BLAS as it was
    before = reports["probes"][-1]
    assert before and before[0] >= 1, "NumPy's BLAS is not seen"
    session.train()
    qtbot.waitUntil(lambda: session.runner.thread is not None and session.runner.thread.job.blas_tuner is not None)
    tuner = session.runner.thread.job.blas_tuner
    qtbot.waitUntil(lambda: len(tuner.rates) == 2 or session.state is State.IDLE, timeout=20_000)
    session.stop()
    qtbot.waitUntil(lambda: session.state is State.IDLE, timeout=10_000)
    during = [result for result in reports["probes"] if isinstance(result, list)][1:]
    assert during[0] == [1] * len(before)  # one core for BLAS, one for the GUI, until measured
    assert {result[0] for result in during} <= {1, 2} and tuner.candidates == [1, 2]
    assert set(tuner.rates) == {1, 2} and tuner.current == tuner.best()  # each tried, the faster kept
    assert blas_threads() == before


def _quick_tuner(init):
    def quick(self, candidates, set_threads, **_settings):
        init(self, candidates, set_threads, trial=0.02, rounds=2, hold=15.0, warmup=0.05)
    return quick


def test_a_view_that_fails_on_a_report_does_not_hold_the_job_back(qtbot, monkeypatch):
    """The GUI acknowledges every report, even one a handler raised on: else the job waits GUI_WAIT (a
    quarter of a second) after each report, and the run crawls."""
    from nnplayground.app import worker

    acknowledged = []
    gui_ready = worker._JobThread.gui_ready
    monkeypatch.setattr(worker._JobThread, "gui_ready", lambda self: (acknowledged.append(1), gui_ready(self)))
    session, reports = _session(qtbot)

    def failing(_chunk):
        raise ZeroDivisionError("a view's bug")

    session.events.connect("batches", failing)
    with qtbot.capture_exceptions() as raised:
        session.train()
        qtbot.waitUntil(lambda: len(reports["batches"]) >= 5, timeout=10_000)
        session.stop()
        qtbot.waitUntil(lambda: session.state is State.IDLE, timeout=10_000)
    assert raised and all(isinstance(error[1], ZeroDivisionError) for error in raised)
    assert len(acknowledged) >= len(reports["batches"]) >= 5
