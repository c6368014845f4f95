"""How long the mistakes views take to redraw, and the evaluation probe to answer. Run by hand:

    python benchmarks/evaluation_views.py [--repeats 30]

On a trained 3-class spiral and on the MNIST sample (and, for the probe, a tutorial-sized 784-128-64-10
network): the evaluation probe's time per call, and each view's redraw (it takes the probe's answer, then
paints it all into a pixmap with grab) at the size given, median and worst over the repeats, in milliseconds.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from nnplayground.app import theme  # noqa: E402
from nnplayground.app.evaluation_views import ConfusionMatrixView, HeadlineAccuracy, MistakesView  # noqa: E402
from nnplayground.session import Experiment, LayerSpec, Session  # noqa: E402
from nnplayground.session.evaluation import EvaluationProbe  # noqa: E402

SIZES = {"headlineAccuracy": (300, 90), "confusionMatrixView": (420, 420), "mistakesView": (420, 480)}


def timed(action, repeats: int) -> tuple[float, float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times), max(times)


def measure(title: str, experiment: Experiment, repeats: int, views: bool = True) -> None:
    session = Session(experiment)
    session.train()
    probe, context = EvaluationProbe(), session._idle_context()
    median, worst = timed(lambda: probe(session.model, context), repeats)
    result = probe(session.model, context)
    print(f"{title}: probe {median:.2f} ms (worst {worst:.2f}) on {result['n']:,} samples, "
          f"accuracy {result['accuracy']:.3f}")
    if not views:
        return
    logs = session.run_log.epochs[-1]
    headline, matrix, mistakes = HeadlineAccuracy(session), ConfusionMatrixView(session), MistakesView(session)
    redraws = {"headlineAccuracy": (headline, lambda: headline._epoch_ended(logs)),
               "confusionMatrixView": (matrix, lambda: matrix.show_result(result)),
               "mistakesView": (mistakes, lambda: mistakes.show_result(result))}
    for name, (view, draw) in redraws.items():
        view.resize(*SIZES[name])
        view.show()
        QApplication.processEvents()

        def redraw(view=view, draw=draw):
            draw()
            view.grab()  # paints the view and every child (plots included) now
        median, worst = timed(redraw, repeats)
        print(f"  {name} at {SIZES[name][0]}x{SIZES[name][1]}: redraw {median:.2f} ms (worst {worst:.2f})")
        view.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    theme.apply_theme(app, "light")
    measure("spiral, 3 classes, 32-32", Experiment(dataset="spiral", n_classes=3, noise=0.15, learning_rate=0.03,
                                                    epochs=60, layers=[LayerSpec(32), LayerSpec(32)]), args.repeats)
    measure("MNIST sample, 32", Experiment(dataset="mnist-sample", layers=[LayerSpec(32)], epochs=1), args.repeats)
    measure("MNIST sample, 128-64", Experiment(dataset="mnist-sample", layers=[LayerSpec(128), LayerSpec(64)],
                                                epochs=1), args.repeats, views=False)


if __name__ == "__main__":
    main()
