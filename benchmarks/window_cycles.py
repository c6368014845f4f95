"""Memory over random window cycles, and how fast closing ends the process. Run by hand:

    python benchmarks/window_cycles.py [--rounds 5] [--cycles 200]

Drives the window with tests/app/cycles.py (the random careless user of tests/app/test_cycles.py)
for rounds of 200 cycles and prints the peak RSS after each round: growth after the first round is
what leaks. Then closes a window in the middle of a long batch (two 4096-unit layers, batch 4000) in
a fresh process and prints the time from close to the process's exit, and its exit status.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


class Bot:
    """The few pytest-qt QtBot calls the cycles use, on QTest."""

    def mouseClick(self, widget, button, modifier=Qt.NoModifier, pos=None):  # noqa: N802 - pytest-qt's name
        QTest.mouseClick(widget, button, modifier, pos or widget.rect().center())

    def mousePress(self, widget, button, modifier, pos):  # noqa: N802
        QTest.mousePress(widget, button, modifier, pos)

    def mouseMove(self, widget, pos):  # noqa: N802
        QTest.mouseMove(widget, pos)

    def mouseRelease(self, widget, button, modifier, pos):  # noqa: N802
        QTest.mouseRelease(widget, button, modifier, pos)

    def keyClicks(self, widget, text):  # noqa: N802
        QTest.keyClicks(widget, text)

    def keyClick(self, widget, key):  # noqa: N802
        QTest.keyClick(widget, key)

    def waitUntil(self, condition, timeout=5000):  # noqa: N802
        end = time.monotonic() + timeout / 1000
        while not condition():
            if time.monotonic() > end:
                raise TimeoutError("the window did not get there in time")
            QApplication.processEvents()
            time.sleep(0.005)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory(rounds: int, cycles: int) -> None:
    from nnplayground.app.main_window import MainWindow
    from tests.app.cycles import Cycles

    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="nnplayground-cycles-"))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        os.environ[name] = str(folder / name.lower())
    os.environ["NNPLAYGROUND_DATA_DIR"] = str(folder / "data")
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    bot = Bot()
    bot.waitUntil(lambda: window.session.dataset is not None, 10_000)
    driver = Cycles(bot, window, folder, seed=1)
    print(f"{'round':>5} {'cycles':>7} {'RSS MB':>8} {'peak MB':>8} {'s':>6}")
    first = None
    for number in range(1, rounds + 1):
        start = time.perf_counter()
        driver.run(cycles)
        driver.settle()
        app.processEvents()
        now = current_rss_mb()
        first = first if first is not None else now
        print(f"{number:>5} {number * cycles:>7} {now:>8.0f} {rss_mb():>8.0f} {time.perf_counter() - start:>6.1f}")
    print(f"RSS growth after round 1: {now - first:+.0f} MB over {(rounds - 1) * cycles} cycles")
    print("actions:", ", ".join(f"{name} {count}" for name, count in sorted(driver.done.items())))
    window.close()


CLOSE = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from nnplayground.app import main
from nnplayground.app.main_window import MainWindow
from nnplayground.session import LayerSpec, State
app = QApplication(sys.argv)
window = MainWindow()
window.show()
def go():
    if window.session.dataset is None:
        return QTimer.singleShot(20, go)
    window.session.update(layers=[LayerSpec(4096), LayerSpec(4096)], batch_size=4000, epochs=5)
    window.session.train()
    QTimer.singleShot(500, close)
def close():
    print(time.time(), flush=True)
    window.close()
QTimer.singleShot(0, go)
sys.exit(main.leave(app.exec()))
"""


def close_time() -> None:
    folder = tempfile.mkdtemp(prefix="nnplayground-close-")
    env = {**os.environ, **{name: os.path.join(folder, name) for name in
                            ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")}}
    done = subprocess.run([sys.executable, "-c", CLOSE], env=env, cwd=ROOT, capture_output=True, text=True)
    ended = time.time()
    closed = float(done.stdout.split()[0])
    print(f"closing inside a long batch: exit status {done.returncode}, {ended - closed:.2f} s from close to exit")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cycles", type=int, default=200)
    arguments = parser.parse_args()
    memory(arguments.rounds, arguments.cycles)
    close_time()
