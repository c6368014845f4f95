"""Are digits drawn on the canvas read as well as MNIST's own test digits? And how fast does the answer
follow the pen? Run by hand:

    python benchmarks/drawn_digits.py [path/to/mnist.npz] [--digits 500]

Trains the tutorial network (784-128-64-10, Adam, 5 epochs) on MNIST, then takes test digits, thins
each to a skeleton, traces pen paths and draws them through the DrawPanel with real mouse events
(press, moves, release), at random sizes (35-95% of the canvas), places and pen widths (0.5x to 2x
MNIST's stroke for that size). Prints the drawn accuracy next to the test-set accuracy on the same
digits, their ratio, and the time from a mouse-move event to updated probabilities (median, p99).
"""

import argparse
import os
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nnplayground import config  # noqa: E402
from nnplayground.app.draw_panel import DrawPanel  # noqa: E402
from nnplayground.datasets import mnist  # noqa: E402
from nnplayground.datasets.drawing import STROKE_SHARE  # noqa: E402
from nnplayground.datasets.personal import PersonalDigits  # noqa: E402
from nnplayground.datasets.strokes import skeletonize, trace_strokes  # noqa: E402
from nnplayground.layers import Dense, Flatten, Rescaling  # noqa: E402
from nnplayground.models import Sequential  # noqa: E402


def train(x_train, y_train):
    config.set_random_seed(0)
    model = Sequential([Rescaling(1 / 255, input_shape=(28, 28)), Flatten(), Dense(128, activation="relu"),
                        Dense(64, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=128, epochs=5, verbose=0)
    return model


def draw_digit(panel, image, rng, latencies):
    skeleton = skeletonize(image > 127)
    paths = trace_strokes(skeleton)
    rows, columns = np.nonzero(skeleton)
    side = max(np.ptp(rows), np.ptp(columns)) + 1
    canvas = panel.canvas
    size = canvas.width()
    target = rng.uniform(0.35, 0.95) * size
    scale = target / side
    top = rng.uniform(0, size - (np.ptp(rows) + 1) * scale) - rows.min() * scale
    left = rng.uniform(0, size - (np.ptp(columns) + 1) * scale) - columns.min() * scale
    canvas.clear()
    canvas.pen_width = max(2, round(STROKE_SHARE * target * rng.uniform(0.5, 2.0)))
    for path in paths:
        points = [QPoint(int(left + c * scale), int(top + r * scale)) for r, c in path]
        QTest.mousePress(canvas, Qt.LeftButton, Qt.NoModifier, points[0])
        for point in points[1:]:
            start = time.perf_counter()
            QTest.mouseMove(canvas, point)  # the move, the stroke segment, the preprocessing, the network
            latencies.append(time.perf_counter() - start)
        QTest.mouseRelease(canvas, Qt.LeftButton, Qt.NoModifier, points[-1])
    return None if panel.probabilities is None else int(np.argmax(panel.probabilities))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?")
    parser.add_argument("--digits", type=int, default=500)
    args = parser.parse_args()
    (x_train, y_train), (x_test, y_test) = mnist.load_data(args.path)
    model = train(x_train, y_train)
    pick = np.random.default_rng(1).choice(len(x_test), args.digits, replace=False)
    images, labels = x_test[pick], y_test[pick]
    test_accuracy = float(np.mean(model.predict(images).argmax(axis=1) == labels))
    full_accuracy = float(np.mean(model.predict(x_test, batch_size=1000).argmax(axis=1) == y_test))

    app = QApplication.instance() or QApplication([])
    panel = DrawPanel(PersonalDigits(os.path.join(tempfile.mkdtemp(), "p.npz")))
    panel.show()
    panel.set_model(model)
    rng = np.random.default_rng(2)
    latencies, correct, unread = [], 0, 0
    for image, label in zip(images, labels, strict=True):
        guess = draw_digit(panel, image, rng, latencies)
        app.processEvents()
        unread += guess is None
        correct += guess == label
    drawn_accuracy = correct / len(labels)
    latency = np.array(latencies) * 1000
    print(f"network: test accuracy {full_accuracy:.2%} on all 10,000 MNIST test digits")
    print(f"{len(labels)} test digits as scanned: {test_accuracy:.2%}; drawn through the canvas: "
          f"{drawn_accuracy:.2%} ({unread} not read as a digit); ratio {drawn_accuracy / test_accuracy:.1%}")
    print(f"mouse move -> updated probabilities: median {np.median(latency):.2f} ms, "
          f"p99 {np.percentile(latency, 99):.2f} ms, max {latency.max():.2f} ms over {len(latency)} moves")


if __name__ == "__main__":
    main()
