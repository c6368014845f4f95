"""Random window cycles: what a curious, careless user does, in a random order, through real clicks, keys
and drags. Shared by tests/app/test_cycles.py and benchmarks/window_cycles.py (which reports memory)."""

import random
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox

from nnplayground.layers import Dense, Flatten, Rescaling
from nnplayground.models import Sequential
from nnplayground.session import State

TOY_SETS = ("Circle", "XOR", "Gaussians", "Spiral", "Moons")
TYPED_RATES = ("0.01", "1e-3", ".3", "abc", "1e", "-5", "1e99", "", "0,001", "3")


def write_files(folder: Path) -> dict[str, Path]:
    """Models of other shapes than any panel shows, and files that are not what they say."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    wide = Sequential([Rescaling(1 / 255, input_shape=(28, 28)), Flatten(), Dense(32, activation="relu"),
                       Dense(7, activation="relu"), Dense(10, activation="softmax")])
    wide.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    files["wide model"] = folder / "wide.npz"
    wide.save(files["wide model"])
    points = Sequential([Dense(3, activation="tanh", input_shape=(2,)), Dense(1, activation="sigmoid")])
    points.compile(optimizer="adam", loss="binary_crossentropy")
    files["points model"] = folder / "points.npz"
    points.save(files["points model"])
    files["garbage"] = folder / "garbage.npz"
    files["garbage"].write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    files["cut model"] = folder / "cut.npz"
    files["cut model"].write_bytes(files["wide model"].read_bytes()[:3000])
    return files


class Cycles:
    def __init__(self, qtbot, window, folder: Path, seed: int = 0):
        self.qtbot, self.window, self.folder = qtbot, window, folder
        self.random = random.Random(seed)
        self.files = write_files(folder / "inputs")
        self.saves = 0
        self.actions = [self.train, self.train, self.pause, self.step, self.stop, self.reset, self.reset_same,
                        self.toy_data, self.sample_data, self.add_layer, self.remove_layer, self.units,
                        self.learning_rate, self.open_model, self.save_model, self.bad_data, self.theme,
                        self.tab, self.draw, self.keys]
        self.done: dict[str, int] = {}

    def run(self, cycles: int) -> None:
        for _ in range(cycles):
            action = self.random.choice(self.actions)
            self.done[action.__name__] = self.done.get(action.__name__, 0) + 1
            action()
            for _ in range(self.random.randint(1, 5)):  # let some reports, loads and paints through
                QApplication.processEvents()

    def settle(self) -> None:
        """Stop everything and wait until the window is idle with its data and files handled."""
        window = self.window
        window.stop()
        self.qtbot.waitUntil(lambda: window.session.state is State.IDLE and window.loader is None
                             and not window.files.running and not window.draw_panel.files.running,
                             timeout=30_000)

    # ----- what the user does -----------------------------------------------------------------------

    def _click(self, name):
        button = self.window.findChild(object, name)
        if button.isEnabled() and button.isVisible():
            self.qtbot.mouseClick(button, Qt.LeftButton)

    def train(self):
        """Train until the first report of the run has been drawn (so later actions meet a running job)."""
        session = self.window.session
        before = session.run_log.step
        self._click("trainButton")
        self.qtbot.waitUntil(lambda: session.state is not State.RUNNING or session.run_log.step > before,
                             timeout=20_000)

    def pause(self):
        self._click("pauseButton")

    def step(self):
        self._click("stepButton")

    def stop(self):
        self._click("stopButton")

    def reset(self):
        self.window.reset_new()

    def reset_same(self):
        self.window.reset_same()

    def _choose(self, text):
        combo = self.window.findChild(QComboBox, "datasetPicker")
        if combo.isEnabled():
            combo.setFocus()
            self.qtbot.keyClicks(combo, text)

    def toy_data(self):
        self._choose(self.random.choice(TOY_SETS))

    def sample_data(self):
        self._choose("MNIST s")

    def add_layer(self):
        self._click("addLayerButton")

    def remove_layer(self):
        self._click("removeLayerButton")

    def units(self):
        stack = self.window.layer_stack.list
        if stack.count() and stack.isEnabled():
            row = stack.itemWidget(stack.item(self.random.randrange(stack.count())))
            self._type(row.units, str(self.random.choice((1, 3, 8, 16, 64, 0, 99999))))

    def learning_rate(self):
        self._type(self.window.findChild(QAbstractSpinBox, "learningRateBox"), self.random.choice(TYPED_RATES))

    def _type(self, box, text):
        if box.isEnabled() and box.isVisible():
            box.setFocus()
            box.selectAll()
            self.qtbot.keyClicks(box, text)
            self.qtbot.keyClick(box, Qt.Key_Return)
            self.qtbot.keyClick(box, Qt.Key_Escape)

    def open_model(self):
        self.window.open_model(str(self.files[self.random.choice(sorted(self.files))]))

    def save_model(self):
        self.saves += 1
        self.window.save_model(str(self.folder / f"saved-{self.saves % 3}.npz"))

    def bad_data(self):
        self.window.open_data_path(str(self.files["garbage"]))

    def theme(self):
        self.window.set_theme(self.random.choice(("light", "dark")))

    def tab(self):
        tabs = self.window.centre_tabs
        tabs.setCurrentIndex(self.random.randrange(tabs.count()))

    def draw(self):
        canvas = self.window.draw_panel.canvas
        if not canvas.isVisible():
            return
        start = QPoint(self.random.randrange(20, 260), self.random.randrange(20, 260))
        self.qtbot.mousePress(canvas, Qt.LeftButton, Qt.NoModifier, start)
        for _ in range(4):
            self.qtbot.mouseMove(canvas, start + QPoint(self.random.randrange(-40, 40), self.random.randrange(40)))
        self.qtbot.mouseRelease(canvas, Qt.LeftButton, Qt.NoModifier, start + QPoint(5, 60))

    def keys(self):
        key = self.random.choice((Qt.Key_Space, Qt.Key_S, Qt.Key_R, Qt.Key_F5, Qt.Key_F6, Qt.Key_Escape))
        self.qtbot.keyClick(self.window, key)
