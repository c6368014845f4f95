"""Nothing a user does or opens crashes the window or loses work (issue 9's window half).

pytest-qt fails a test when an exception reaches a slot or a virtual method such as paintEvent; the
tests below add what that cannot see: files written or not, messages said, the network each view draws.
"""

import errno
import io
import json
import threading

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QPushButton

from nnplayground.datasets.personal import PersonalDigits
from nnplayground.layers import Dense, Flatten, Rescaling
from nnplayground.models import Sequential
from nnplayground.optimizers import SGD
from nnplayground.session import Experiment, State
from tests.app.helpers import choose, click, open_window, settle, type_into


def _mnist_model(hidden: int, learning_rate: float = 0.01) -> Sequential:
    model = Sequential([Rescaling(1 / 255, input_shape=(28, 28)), Flatten(),
                        Dense(hidden, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer=SGD(learning_rate=learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def _first_units(window):
    return window.layer_stack.list.itemWidget(window.layer_stack.list.item(0)).units


def test_a_model_of_other_sizes_than_the_panels_is_drawn_as_it_is(qtbot, tmp_path):
    window = open_window(qtbot)
    type_into(qtbot, window, _first_units(window), "8")
    qtbot.waitUntil(lambda: window.diagram.sizes[:2] == [784, 8])
    _mnist_model(32).save(tmp_path / "wide.npz")
    window.open_model(str(tmp_path / "wide.npz"))
    settle(qtbot, window)
    window.diagram.repaint()
    window.weight_view.repaint()
    assert window.diagram.sizes == [784, 32, 10]
    assert _first_units(window).value() == 32
    assert [spec.units for spec in window.session.experiment.layers] == [32]


def test_an_opened_model_shows_its_real_learning_rate(qtbot, tmp_path):
    """A model trained at an absurd rate shows that rate (flagged), not the box's old value."""
    window = open_window(qtbot)
    _mnist_model(16, learning_rate=1e6).save(tmp_path / "hot.npz")
    window.open_model(str(tmp_path / "hot.npz"))
    settle(qtbot, window)
    assert window.session.experiment.learning_rate == 1e6
    box = window.findChild(QAbstractSpinBox, "learningRateBox")
    assert box.text() in ("1000000", "1e+06", "1e6")
    assert "learning rate" in window.settings_panel.problems.text().lower()
    type_into(qtbot, window, "epochs", "3")  # another edit must not swap in the box's clamped 10
    assert window.session.experiment.learning_rate == 1e6 and box.text() == "1e6"
    type_into(qtbot, window, box, "0.01")
    assert window.session.experiment.learning_rate == 0.01
    assert "learning rate" not in window.settings_panel.problems.text().lower()


def test_of_two_models_opened_one_after_the_other_the_second_stays(qtbot, tmp_path, monkeypatch):
    """The first file is slow to read (a network disk) and arrives after the second: it must not
    replace the model the user opened last."""
    from nnplayground.app import main_window
    window = open_window(qtbot)
    _mnist_model(16).save(tmp_path / "slow.npz")
    _mnist_model(24).save(tmp_path / "last.npz")
    read, slow_may_finish = main_window.load_model, threading.Event()

    def load(path):
        if path.endswith("slow.npz"):
            slow_may_finish.wait(30)
        return read(path)
    monkeypatch.setattr(main_window, "load_model", load)
    window.open_model(str(tmp_path / "slow.npz"))
    window.open_model(str(tmp_path / "last.npz"))
    qtbot.waitUntil(lambda: window.session.experiment.layers[0].units == 24, timeout=10_000)
    slow_may_finish.set()
    qtbot.waitUntil(lambda: not window.files.running, timeout=10_000)
    assert window.session.experiment.layers[0].units == 24 and window.session.model.layers[2].units == 24


@pytest.mark.parametrize("then", ["reset", "new data"])
def test_a_save_asked_for_while_the_run_stops_is_written(qtbot, tmp_path, then):
    """Train, then reset or change the data, then save before the run has stopped: the trained network
    the user saw is written, and the window says so."""
    window = open_window(qtbot)
    type_into(qtbot, window, "epochs", "1000")
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.session.run_log.step > 3, timeout=20_000)
    trained = window.session.model
    said = []
    window.session.events.connect("message", said.append)
    if then == "reset":
        window.reset_new()
    else:
        choose(qtbot, window, "datasetPicker", "Circle")
    target = tmp_path / "trained.npz"
    window.save_model(str(target))
    qtbot.waitUntil(lambda: window.session.state is State.IDLE and target.exists(), timeout=20_000)
    from nnplayground.models import load_model
    saved = load_model(target)
    if then == "reset":  # the run was already stopping: its final network is written
        for a, b in zip(saved.get_weights(), trained.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)
    else:  # the data had not switched yet: written between two batches of the trained run
        assert 3 < saved.optimizer.iterations <= trained.optimizer.iterations
        assert saved.get_weights()[0].shape == trained.get_weights()[0].shape
    assert f"Saved the network to {target}" in said


@pytest.mark.parametrize("when", ["running", "stopping"])
def test_closing_the_window_writes_a_save_it_was_still_waiting_for(qtbot, tmp_path, when):
    """Save, then close at once, before the run reaches a batch boundary (or before the window hears
    that it stopped): the file is there when close returns."""
    window = open_window(qtbot)
    type_into(qtbot, window, "epochs", "1000")
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.session.run_log.step > 3, timeout=20_000)
    if when == "stopping":
        window.session.stop()  # the save then waits for the run's end, which the closing loop never delivers
    target = tmp_path / "last.npz"
    window.save_model(str(target))
    window.close()
    from nnplayground.models import load_model
    assert load_model(target).optimizer.iterations > 3
    assert not window.session.saves_waiting() and window.runner.thread is None


def test_a_save_that_fails_says_why_and_leaves_the_old_file(qtbot, tmp_path, monkeypatch):
    """A full disk mid-write: the old file stays whole and the window names the file and the reason."""
    window = open_window(qtbot)
    (tmp_path / "models").mkdir()
    target = tmp_path / "models" / "net.npz"
    target.write_bytes(b"old")

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(np, "savez", full_disk)
    assert not window.save_model(str(target))
    assert target.read_bytes() == b"old"
    assert [p.name for p in target.parent.iterdir()] == ["net.npz"]  # no temporary file left behind
    assert "net.npz" in window.banner.text() and "No space left" in window.banner.text()


def _damaged_digits(kind: str, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    good = io.BytesIO()
    np.savez_compressed(good, x=np.zeros((3, 28, 28), np.uint8), y=np.arange(3, dtype=np.uint8))
    data = good.getvalue()
    if kind == "garbage":
        data = b"not a zip at all"
    elif kind == "truncated":
        data = data[: len(data) // 2]
    elif kind == "2-D labels":
        buffer = io.BytesIO()
        np.savez(buffer, x=np.zeros((3, 28, 28), np.uint8), y=np.zeros((3, 2), np.uint8))
        data = buffer.getvalue()
    elif kind == "string pixels":
        buffer = io.BytesIO()
        np.savez(buffer, x=np.full((3, 28, 28), "a"), y=np.zeros(3, np.uint8))
        data = buffer.getvalue()
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("kind", ["garbage", "truncated", "2-D labels", "string pixels"])
def test_damaged_personal_digits_never_stop_the_window(qtbot, tmp_path, kind):
    """The window starts with its data (even with "Train on my digits too" saved on), says what is wrong,
    leaves the file untouched, and moves it aside on one click."""
    path = tmp_path / "data" / "personal_digits.npz"
    data = _damaged_digits(kind, path)
    settings = QSettings("nnplayground", "nnplayground")
    settings.setValue("experiment", json.dumps(Experiment(personal_digits=True).to_dict()))
    settings.sync()
    window = open_window(qtbot)
    assert window.session.dataset is not None and len(window.session.dataset.x_train) > 0
    assert "personal_digits.npz" in window.banner.text() and path.read_bytes() == data
    qtbot.mouseClick(window.findChild(QPushButton, "messageAction"), Qt.LeftButton)
    moved = list(path.parent.glob("personal_digits.damaged-*.npz"))
    assert len(moved) == 1 and moved[0].read_bytes() == data and not path.exists()
    assert window.session.add_personal_digit(np.zeros((28, 28), np.float32), 3)
    assert len(PersonalDigits(path)) == 1


def test_the_weights_view_starts_each_run_on_its_own_scale(qtbot):
    window = open_window(qtbot)
    session, view = window.session, window.weight_view
    weights = session.model.get_weights()
    weights[0][0, 0] = 50.0  # one huge weight, as a diverging run leaves behind
    session.model.set_weights(weights)
    session.probe_now()
    assert view.heatmap.limit == 50.0
    window.reset_new()
    fresh = float(np.abs(session.model.get_weights()[0]).max())
    assert fresh <= view.heatmap.limit <= 1.5 * fresh  # its own scale, rounded up (see round_up)


def test_the_data_loader_reads_the_digits_as_they_were_when_it_started(qtbot, tmp_path):
    from nnplayground.app.data_loader import DataLoader

    digits = PersonalDigits(tmp_path / "mine.npz")
    digits.add(np.zeros((28, 28), np.float32), 1)
    loader = DataLoader(Experiment(personal_digits=True), digits)
    digits.add(np.ones((28, 28), np.float32), 2)  # the GUI thread goes on editing meanwhile
    digits.relabel(0, 7)
    assert len(loader.personal.x) == len(loader.personal.y) == 1 and loader.personal.y[0] == 1


def test_garbage_is_collected_on_the_gui_thread_never_in_a_worker(qtbot):
    """Collected in a worker, garbage holding Qt objects destroys them off the GUI thread, which froze the
    window (a data loader's thread collecting an old dialog) or aborted it."""
    open_window(qtbot)
    collected_in = []

    class Cycle:
        def __del__(self):
            collected_in.append(threading.get_ident())
    cycle = Cycle()
    cycle.me = cycle
    del cycle
    worker = threading.Thread(target=lambda: [[] for _ in range(200_000)])  # allocations that trigger a collection
    worker.start()
    worker.join()
    kept = [[] for _ in range(5_000)]  # enough new objects that the GUI thread's next check collects
    qtbot.waitUntil(lambda: bool(collected_in), timeout=5_000)
    assert len(kept) == 5_000
    assert collected_in == [threading.get_ident()]
