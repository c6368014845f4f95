"""How long the layer views take: each probe's time per call and each widget's redraw at its default size,
on a trained 3-class spiral and on the MNIST sample (LayerSpec(32)). Run by hand:

    python benchmarks/layer_views.py [--repeats 50] [--size 460x520]

A redraw is the widget taking a new probe result and painting itself (show_result, then a synchronous
grab of the whole widget), as the window does once a second while training. Prints medians in ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication  # noqa: E402

from nnplayground.app import theme  # noqa: E402
from nnplayground.app.embedding_view import EmbeddingView  # noqa: E402
from nnplayground.app.layer_stats_view import LayerStatsView  # noqa: E402
from nnplayground.session import Experiment, LayerSpec, Session  # noqa: E402


def median_ms(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def measure(name: str, experiment: Experiment, size: tuple[int, int], repeats: int) -> None:
    session = Session(experiment)
    session.load_data()
    views = [LayerStatsView(session), EmbeddingView(session)]
    for view in views:
        view.resize(*size)
        view.show()
    session.train()
    QApplication.processEvents()
    context = session._idle_context()
    for view in views:
        probe = view.probe
        result = probe(session.model, context)
        probe_ms = median_ms(lambda probe=probe: probe(session.model, context), repeats)

        def redraw(view=view, result=result):
            view.show_result(result)
            view.grab()
        redraw_ms = median_ms(redraw, repeats)
        print(f"{name:8} {view.objectName():15} probe {probe_ms:6.2f} ms   redraw {redraw_ms:6.2f} ms "
              f"at {size[0]}x{size[1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--size", default="460x520", help="widget size, WIDTHxHEIGHT")
    args = parser.parse_args()
    size = tuple(int(part) for part in args.size.split("x"))
    app = QApplication.instance() or QApplication([])
    theme.apply_theme(app, "light")
    measure("spiral", Experiment(dataset="spiral", n_classes=3, learning_rate=0.03, epochs=200), size, args.repeats)
    measure("mnist", Experiment(dataset="mnist-sample", layers=[LayerSpec(32)], epochs=3), size, args.repeats)


if __name__ == "__main__":
    main()
