"""`nnplayground bench --gui`: how the window behaves while it trains. Printed, never asserted.

For each dataset: training throughput in the window against the headless engine (model.fit) and the
headless session (the same job the window runs, on the calling thread) on the same experiment,
GUI-thread latency (a QTimer firing every 10 ms: how late it fires, p50 / p99 / max) and curve updates
per second.

The machine's speed drifts by a third within a minute (another tenant, the core a thread lands on), so the
three are measured in rounds, headless and window side by side, and each figure is the mean over the
rounds; the ratio column shows the lowest and highest round too.
"""

import gc
import json
import os
import tempfile
import time

import numpy as np
from PySide6.QtCore import QElapsedTimer, QEvent, QTimer
from PySide6.QtWidgets import QApplication

from nnplayground.session import Experiment, LayerSpec, Session
from nnplayground.session.session import DATA_FIELDS

PROBE_MS = 10
SETTLE = 1.0  # seconds of a window's run not counted: it starts measured from its first report plus this


def _headless_rate(experiment: Experiment, seconds: float) -> float:
    data = experiment.load_data()
    model = experiment.build_model(data.input_shape, data.n_classes)
    model.fit(data.x_train[:512], data.y_train[:512], batch_size=experiment.batch_size, verbose=0)
    samples, start = 0, time.perf_counter()
    validation = (data.x_test, data.y_test)
    while time.perf_counter() - start < seconds:
        model.fit(data.x_train, data.y_train, batch_size=experiment.batch_size, epochs=1, verbose=0,
                  validation_data=validation)
        samples += len(data.x_train)
    return samples / (time.perf_counter() - start)


def _session_rate(experiment: Experiment, seconds: float, headless_rate: float) -> float:
    """Samples a second through the session's training job, headless (what the command line runs): one run
    of about `seconds`, sized by the headless rate."""
    session = Session(experiment.replaced(epochs=1, run_until_paused=False))
    session.load_data()
    session.train()  # warm-up
    samples = len(session.dataset.x_train)
    epochs = max(1, round(headless_rate * seconds / samples))
    session.update(epochs=epochs)
    start = time.perf_counter()
    session.train()
    return epochs * samples / (time.perf_counter() - start)


def _every_view(window):
    """A second window showing, at once, every view the main window keeps in its other tabs."""
    from PySide6.QtWidgets import QGridLayout, QWidget

    from nnplayground.app.main_window import view_tabs

    extra = QWidget()
    grid = QGridLayout(extra)
    for i, (_attribute, _title, factory) in enumerate(view_tabs(window)):
        grid.addWidget(factory(window.session), i // 3, i % 3)
    extra.resize(1500, 900)
    extra.show()
    return extra


def _window_run(app, experiment: Experiment, seconds: float, all_views: bool = False) -> dict:
    from nnplayground.app.main_window import MainWindow

    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    extra = _every_view(window) if all_views else None
    session = window.session
    while session.dataset is None:
        app.processEvents()
    if (window.width(), window.height()) != (1280, 800):  # as the window manager or the screen left it
        raise RuntimeError(f"the window is {window.width()}x{window.height()}, not 1280x800: the screen is too small")
    # The data first: switching to a set brings its own training defaults (a spiral trains in batches of 10),
    # which would replace the experiment's settings if these came first.
    session.load_data(**{key: getattr(experiment, key) for key in DATA_FIELDS})
    session.update(**{key: value for key, value in experiment.to_dict().items()
                      if key not in DATA_FIELDS + ("layers",)}, layers=experiment.layers)
    if session.experiment != experiment.replaced(data_path=session.experiment.data_path):
        raise RuntimeError(f"the window would not train the benchmark's experiment: {session.experiment}")
    updates, lateness, first = [0], [], {}

    def counted(chunk):
        now = time.perf_counter()
        first.setdefault("began", now)
        if now - first["began"] < SETTLE:  # the window's first drawing of everything, the first BLAS trial
            return
        updates[0] += 1
        if "position" not in first:  # in epochs, whose steps hold all its samples: exact over whole epochs
            first["samples"] = len(session.dataset.x_train)
            per_epoch = -(-first["samples"] // experiment.batch_size)  # batches an epoch
            first["position"], first["time"] = float(chunk["position"][0]) - 1 / per_epoch, now
        first["last_position"], first["last_time"] = float(chunk["position"][-1]), now

    clock = QElapsedTimer()
    probe = QTimer()
    probe.setInterval(PROBE_MS)

    def tick():
        if clock.isValid():
            lateness.append(max(0.0, clock.nsecsElapsed() / 1e6 - PROBE_MS))
        clock.restart()

    probe.timeout.connect(tick)
    session.events.connect("batches", counted)
    window.train()
    probe.start()
    QTimer.singleShot(int((SETTLE + seconds) * 1000), app.quit)
    app.exec()  # the real event loop: it sleeps in Qt, holding no GIL, until something happens
    probe.stop()
    for shown in (extra, window):
        if shown is not None:
            shown.close()
            shown.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    samples = (first.get("last_position", 0.0) - first.get("position", 0.0)) * first.get("samples", 0)
    elapsed = first.get("last_time", 1.0) - first.get("time", 0.0)
    late = np.array(lateness) if lateness else np.zeros(1)
    return {"rate": samples / elapsed if elapsed > 0 else 0.0,
            "updates": (updates[0] - 1) / elapsed if elapsed > 0 else 0.0,
            "p50": np.percentile(late, 50), "p99": np.percentile(late, 99), "max": late.max()}


# Each runs until paused, as a user leaves a run going: the plots' x axis then doubles as the run grows, so
# the curves fill half the plot's width or more, as they do on a screen.
EXPERIMENTS = (("mnist-sample, 32-16, batch 32", Experiment(run_until_paused=True)),
               ("mnist-sample, 128-64, batch 128",
                Experiment(run_until_paused=True, batch_size=128, layers=[LayerSpec(128), LayerSpec(64)])),
               ("spiral, 32-16, batch 32", Experiment(dataset="spiral", run_until_paused=True)))


# Qt's offscreen screen is 800 x 800 unless told otherwise: the window, fitted to it, was narrower than its
# own minimum width, its columns overlapping, and the benchmark drew a window no user sees.
OFFSCREEN_SCREEN = {"screens": [{"name": "bench", "x": 0, "y": 0, "width": 1920, "height": 1080,
                                 "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}


def window_platform(home: str) -> str | None:
    """The Qt platform for the benchmark's windows: the one asked for, or the display's (None), or with no
    display offscreen with a 1920 x 1080 screen described in a file under `home` (as tests/conftest.py)."""
    platform = os.environ.get("QT_QPA_PLATFORM")
    if platform and platform != "offscreen":
        return platform
    if not platform and (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return None
    path = os.path.join(home, "offscreen.json")
    with open(path, "w", encoding="utf-8") as file:
        json.dump(OFFSCREEN_SCREEN, file)
    return f"offscreen:configfile={path}"


def run_gui_bench(seconds: float = 8.0, all_views: bool = False, rounds: int = 3) -> int:
    # Its windows neither read nor write the user's files: their settings would become the benchmark's
    # experiment, its runs would fill their history, and a long history slows what is measured.
    folders = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "NNPLAYGROUND_DATA_DIR")
    saved = {variable: os.environ.get(variable) for variable in (*folders, "QT_QPA_PLATFORM")}
    with tempfile.TemporaryDirectory(prefix="nnplayground-bench-") as home:
        try:
            platform = window_platform(home)
            if platform is not None:
                os.environ["QT_QPA_PLATFORM"] = platform
            for variable in folders:
                os.environ[variable] = os.path.join(home, variable.lower())
            return _run_gui_bench(seconds, all_views, rounds)
        finally:
            for variable, value in saved.items():
                if value is None:
                    os.environ.pop(variable, None)
                else:
                    os.environ[variable] = value


def _run_gui_bench(seconds: float, all_views: bool, rounds: int) -> int:
    app = QApplication.instance() or QApplication([])
    from nnplayground.app import theme

    theme.apply_theme(app, "light")
    screen = app.primaryScreen().size()
    print(f"window 1280x800 on '{app.platformName()}' ({screen.width()}x{screen.height()}), {rounds} rounds of "
          f"{seconds / 4:.2g} s headless, {seconds / 4:.2g} s session and {seconds:.2g} s in the window "
          f"(after its first {SETTLE:.2g} s), "
          f"probe every {PROBE_MS} ms" + (", and every other view open in a second window" if all_views else ""))
    print(f"{'experiment':>31} {'headless':>10} {'session':>10} {'window':>10} {'ratio':>6} {'(rounds)':>11} "
          f"{'updates/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for name, experiment in EXPERIMENTS:
        headless, through_session, windows = [], [], []
        for _ in range(rounds):
            headless.append(_headless_rate(experiment, seconds / 4))
            through_session.append(_session_rate(experiment, seconds / 4, headless[-1]))
            windows.append(_window_run(app, experiment, seconds, all_views))
            # Its window gone before the next run: a closed window's objects would swell every later garbage
            # collection, which holds the GIL the next window's training needs (a spiral round fell from 73%
            # to 26% after three others). Collected here, where nothing refers to them any more.
            gc.collect()
        rates = np.array([result["rate"] for result in windows])
        ratios = rates / np.array(headless)
        print(f"{name:>31} {np.mean(headless):>10,.0f} {np.mean(through_session):>10,.0f} {rates.mean():>10,.0f} "
              f"{rates.mean() / np.mean(headless):>6.0%} {f'{ratios.min():.0%}-{ratios.max():.0%}':>11} "
              f"{np.mean([r['updates'] for r in windows]):>10.1f} {np.median([r['p50'] for r in windows]):>7.1f} "
              f"{max(r['p99'] for r in windows):>7.1f} {max(r['max'] for r in windows):>7.1f}", flush=True)
    return 0
