"""Every view's cost, at its default size in the window's tab area: the probe's time per call (in the
training thread) and the view's redraw (its answer arriving on the `probed` event, then a synchronous
paint of the whole widget), on a trained 3-class spiral and on the MNIST sample. Run by hand:

    python benchmarks/views.py [--repeats 30]

Prints medians in ms. A view redraws at most as often as its probe's interval (decision 0.1 s, the
others 1 s); the training tab's plots and weights are measured by `nnplayground bench --gui`.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from nnplayground.app.bench import window_platform  # noqa: E402

# With no display: offscreen, on a screen the 1280x800 window fits (Qt's default one is 800x800).
_platform_chosen = window_platform(tempfile.mkdtemp(prefix="nnplayground-views-"))
if _platform_chosen is not None:
    os.environ["QT_QPA_PLATFORM"] = _platform_chosen

from PySide6.QtWidgets import QApplication  # noqa: E402

from nnplayground.app import theme  # noqa: E402
from nnplayground.app.main_window import MainWindow  # noqa: E402
from nnplayground.session import LayerSpec  # noqa: E402

SIZE = (1280, 800)


def median_ms(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def measure(app, dataset: str, repeats: int) -> None:
    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    session = window.session
    while session.dataset is None or window.loader is not None:
        app.processEvents()
    session.load_data(dataset=dataset, **({"n_classes": 3} if dataset == "spiral" else {}))
    session.update(epochs=3 if dataset == "mnist-sample" else 100, run_until_paused=False,  # a toy set's default
                   layers=[LayerSpec(32), LayerSpec(16)])
    session.train()
    while session.control is not None:
        app.processEvents()
    context = session._idle_context()
    tabs = window.centre_tabs
    for index in range(tabs.count()):
        page = tabs.widget(index)
        tabs.setCurrentIndex(index)
        app.processEvents()
        probes = [probe for probe in session.probes.values() if probe.active and probe.name != "weights"]
        size = f"{page.width()}x{page.height()}"
        if not probes:
            redraw = median_ms(lambda page=page: (page.update(), page.grab()), repeats)
            print(f"{dataset:12} {tabs.tabText(index):14} {'(no probe)':>22}   redraw {redraw:7.2f} ms at {size}")
            continue
        for probe in probes:
            result = probe(session.model, context)
            probe_ms = median_ms(lambda probe=probe: probe(session.model, context), repeats)

            def redraw(probe=probe, result=result, page=page):
                session.events.emit("probed", probe.name, result)
                page.grab()
            redraw_ms = median_ms(redraw, repeats)
            print(f"{dataset:12} {tabs.tabText(index):14} {probe.name:>12} {probe_ms:6.2f} ms   "
                  f"redraw {redraw_ms:7.2f} ms at {size}")
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    theme.apply_theme(app, "light")
    print(f"window {SIZE[0]}x{SIZE[1]} on '{app.platformName()}', medians of {args.repeats}")
    for dataset in ("spiral", "mnist-sample"):
        measure(app, dataset, args.repeats)


if __name__ == "__main__":
    main()
