"""The playground window: data and layers on the left, the network and its curves in the middle, weights
on the right, controls on the toolbar. The window owns the model only while no worker runs; while one
does, the worker owns it and the window only sends commands and draws what the worker reports."""

import json

import numpy as np
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QProgressDialog,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnplayground import config
from nnplayground.app import theme
from nnplayground.app.data_loader import DataLoader
from nnplayground.app.data_panel import DataPanel
from nnplayground.app.draw_panel import DrawPanel
from nnplayground.app.layer_stack import LayerStackEditor
from nnplayground.app.network_diagram import NetworkDiagram
from nnplayground.app.plots import TrainingPlots
from nnplayground.app.settings_panel import SettingsPanel
from nnplayground.app.weight_view import WeightView
from nnplayground.app.worker import TrainingWorker
from nnplayground.datasets import catalog
from nnplayground.experiment import Experiment, apply_regularization
from nnplayground.layers import Dense

IDLE, RUNNING, PAUSED = "idle", "running", "paused"
DATA_CHOICE_DELAY_MS = 150  # arrow keys and typing pass over entries: load only where the choice rests
_detached_threads: set = set()  # threads still finishing a blocking call after their window closed


def _format_seconds(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02d}"


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("nnplayground")
        self.settings = settings or QSettings("nnplayground", "nnplayground")
        self.experiment = self._restored_experiment()
        self.dataset: catalog.Dataset | None = None
        self.model = None
        self.initial_weights: list[np.ndarray] | None = None
        self.worker: TrainingWorker | None = None
        self.loader: DataLoader | None = None
        self.epochs_done = 0
        self.state = IDLE
        self._after_stop: list = []
        self._last_progress: dict = {}
        self._data_timer = QTimer(self)
        self._data_timer.setSingleShot(True)
        self._data_timer.setInterval(DATA_CHOICE_DELAY_MS)
        self._data_timer.timeout.connect(lambda: self._when_stopped(self._load_data))
        self._build_ui()
        self._show_experiment()
        self._restore_geometry()
        QTimer.singleShot(0, self._load_data)

    # ----- layout -------------------------------------------------------------------------------

    def _build_ui(self):
        self.data_panel = DataPanel()
        self.layer_stack = LayerStackEditor()
        self.settings_panel = SettingsPanel()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        for widget in (self.data_panel, self.layer_stack, self.settings_panel):
            left_layout.addWidget(widget)
        left_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("controlsScroll")
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(390)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.diagram = NetworkDiagram()
        self.plots = TrainingPlots()
        self.weight_view = WeightView()
        self.banner = QLabel()
        self.banner.setObjectName("messageBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #fff3cd; color: #5c4400; padding: 6px; border-radius: 4px;")
        self.banner.hide()
        middle = QSplitter(Qt.Vertical)
        middle.addWidget(self.diagram)
        middle.addWidget(self.plots)
        middle.setStretchFactor(1, 4)
        middle.setSizes([170, 630])
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(4, 4, 4, 4)
        self.draw_panel = DrawPanel()
        self.personal_in_training = QCheckBox("Train on my digits too")
        self.personal_in_training.setObjectName("personalInTraining")
        self.personal_in_training.setToolTip("Add the digits you labelled to the MNIST training data at the next "
                                             "run (they stay out of the test set).")
        self.personal_in_training.setChecked(self.experiment.personal_digits)
        self.personal_in_training.toggled.connect(self._personal_choice_changed)
        self.draw_panel.layout().addWidget(self.personal_in_training, 1, 0)
        self.centre_tabs = QTabWidget()
        self.centre_tabs.setObjectName("centreTabs")
        self.centre_tabs.addTab(middle, "Training")
        draw_scroll = QScrollArea()  # on a small screen the panel scrolls instead of widening the window
        draw_scroll.setObjectName("drawScroll")
        draw_scroll.setWidget(self.draw_panel)
        draw_scroll.setWidgetResizable(True)
        self.centre_tabs.addTab(draw_scroll, "Draw a digit")
        self.centre_tabs.currentChanged.connect(self._centre_tab_changed)
        self._draw_scroll = draw_scroll
        centre_layout.addWidget(self.banner)
        centre_layout.addWidget(self.centre_tabs, 1)
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(scroll)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.weight_view)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([390, 520, 370])
        self.setCentralWidget(self.splitter)
        self._build_toolbar()
        self._build_menus()
        self._build_status_bar()
        self.data_panel.changed.connect(self._data_choice_changed)
        self.data_panel.open_file_requested.connect(self._ask_for_file)
        self.layer_stack.changed.connect(self._architecture_changed)
        self.settings_panel.changed.connect(self._settings_changed)
        self.settings_panel.live_changed.connect(self._live_setting_changed)

    def _action(self, text, name, tip, slot, shortcut=None):
        action = QAction(text, self)
        action.setObjectName(name + "Action")
        action.setToolTip(tip + (f" ({shortcut})" if shortcut else ""))
        action.triggered.connect(slot)
        self.toolbar.addAction(action)
        button = self.toolbar.widgetForAction(action)
        button.setObjectName(name)
        button.setToolTip(action.toolTip())
        return action

    def _build_toolbar(self):
        self.toolbar = QToolBar("Training")
        self.toolbar.setObjectName("trainingToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self.addToolBar(self.toolbar)
        self.train_action = self._action("Train", "trainButton", "Start training, or continue it", self.train, "Space")
        self.pause_action = self._action("Pause", "pauseButton", "Pause after the current batch", self.pause, "Space")
        self.step_action = self._action("Step", "stepButton", "Train on exactly one batch, then pause", self.step, "S")
        self.stop_action = self._action("Stop", "stopButton", "End this run; the weights stay as they are", self.stop)
        self.reset_action = self._action("Reset", "resetButton", "Start over with fresh weights; the arrow "
                                         "offers going back to the same starting weights", self.reset_new, "R")
        reset_menu = QMenu(self)
        self.reset_new_action = reset_menu.addAction("New random weights", self.reset_new)
        self.reset_new_action.setObjectName("resetNewAction")
        self.reset_same_action = reset_menu.addAction("Same starting weights", self.reset_same)
        self.reset_same_action.setObjectName("resetSameAction")
        self.reset_same_action.setToolTip("Back to the weights this run started from, to compare settings fairly")
        reset_button = self.toolbar.widgetForAction(self.reset_action)
        reset_button.setMenu(reset_menu)
        reset_button.setPopupMode(QToolButton.MenuButtonPopup)
        for action in self.toolbar.actions():
            self.toolbar.widgetForAction(action).setFocusPolicy(Qt.NoFocus)  # Space stays the window's

    def keyPressEvent(self, event):  # noqa: N802 - Qt's name
        """Space trains or pauses, S steps, R resets: only keys no focused control used (typing S in a box
        searches the box; it never steps the training)."""
        commands = {Qt.Key_Space: self.toggle_training, Qt.Key_S: self.step, Qt.Key_R: self.reset_new}
        if event.modifiers() in (Qt.NoModifier, Qt.KeypadModifier) and event.key() in commands:
            commands[event.key()]()
            event.accept()
            return
        super().keyPressEvent(event)

    def _build_menus(self):
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction("Open data file...", self._ask_for_file)
        open_model = file_menu.addAction("Open model...", self._ask_for_model)
        open_model.setObjectName("openModelAction")
        save_model = file_menu.addAction("Save model...", self._ask_where_to_save)
        save_model.setObjectName("saveModelAction")
        file_menu.addSeparator()
        file_menu.addAction("Quit", QKeySequence.Quit, self.close)
        view_menu = self.menuBar().addMenu("&View")
        group = QActionGroup(self)
        for name in theme.THEMES:
            action = view_menu.addAction(f"{name.capitalize()} theme", lambda name=name: self.set_theme(name))
            action.setCheckable(True)
            action.setChecked(name == self.settings.value("theme", "light"))
            group.addAction(action)

    def _build_status_bar(self):
        self.status_epoch = QLabel("ready")
        self.status_epoch.setObjectName("statusEpoch")
        self.status_speed = QLabel()
        self.status_speed.setObjectName("statusSpeed")
        self.status_eta = QLabel()
        self.status_eta.setObjectName("statusEta")
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("statusProgress")
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(False)
        status = self.statusBar()
        status.addWidget(self.status_epoch, 1)
        status.addPermanentWidget(self.status_speed)
        status.addPermanentWidget(self.status_eta)
        status.addPermanentWidget(self.progress_bar)
        self._update_controls()

    # ----- experiment <-> widgets ---------------------------------------------------------------

    def _restored_experiment(self) -> Experiment:
        try:
            return Experiment.from_dict(json.loads(self.settings.value("experiment", "{}")))
        except (TypeError, ValueError):
            return Experiment()

    def _show_experiment(self):
        e = self.experiment
        self.data_panel.show_experiment(e)
        self.layer_stack.set_specs(e.layers)
        self.settings_panel.show_experiment(e)

    def _read_widgets(self) -> Experiment:
        e = Experiment.from_dict(self.experiment.to_dict())
        self.data_panel.read_into(e)
        e.layers = [type(spec)(**vars(spec)) for spec in self.layer_stack.specs()]
        e.personal_digits = self.personal_in_training.isChecked()
        self.settings_panel.read_into(e)
        return e

    # ----- reacting to edits --------------------------------------------------------------------

    def _data_choice_changed(self):
        self._data_timer.start()

    def _centre_tab_changed(self, index: int):
        """The draw tab needs width the weights column can spare; the training tab gets it back."""
        sizes = self.splitter.sizes()
        if index == 1:
            self._training_sizes = sizes
            wanted = self.draw_panel.minimumSizeHint().width() + 60  # frames and the scroll area's margins
            spare = max(0, wanted - sizes[1])
            give = min(spare, max(0, sizes[2] - self.weight_view.minimumSizeHint().width()))
            self.splitter.setSizes([sizes[0], sizes[1] + give, sizes[2] - give])
            self.draw_panel.canvas.setFocus()
        elif getattr(self, "_training_sizes", None):
            self.splitter.setSizes(self._training_sizes)

    def _personal_choice_changed(self, on: bool):
        self.experiment.personal_digits = on
        self._when_stopped(self._load_data)

    def _architecture_changed(self):
        self.experiment = self._read_widgets()
        self._when_stopped(self._discard_model)

    def _settings_changed(self):
        previous = self.experiment
        self.experiment = self._read_widgets()
        self._check_problems()
        if self.state != IDLE:
            return
        if self.epochs_done == 0:
            self._discard_model()
        elif self.model is not None and (self.experiment.optimizer, self.experiment.schedule) != \
                (previous.optimizer, previous.schedule):
            # A trained network keeps its weights; only the optimizer (and its averages) starts afresh.
            steps = -(-len(self.dataset.x_train) // self.experiment.batch_size)
            self.model.compile(optimizer=self.experiment.make_optimizer(steps), loss=self.model.loss,
                               metrics=self.model.metrics)
            self.statusBar().showMessage("New optimizer settings: the next Train continues from these weights "
                                         "with a fresh optimizer.", 8000)

    def _live_setting_changed(self):
        previous = self.experiment
        self.experiment = self._read_widgets()
        self._check_problems()
        if self.worker is None or self.experiment.problems().get("learning_rate"):
            if self.model is not None and self.state == IDLE:
                self._apply_live_settings_to_idle_model(previous)
            return
        if self.experiment.learning_rate != previous.learning_rate:
            self.worker.set_learning_rate(self.experiment.learning_rate)
        if (self.experiment.l1, self.experiment.l2) != (previous.l1, previous.l2):
            self.worker.set_regularization(self.experiment.l1, self.experiment.l2)

    def _apply_live_settings_to_idle_model(self, previous):
        if self.experiment.learning_rate != previous.learning_rate:
            self.model.optimizer.learning_rate = self.experiment.learning_rate
        apply_regularization(self.model, self.experiment.l1, self.experiment.l2)

    def _check_problems(self) -> dict:
        problems = self.experiment.problems()
        self.settings_panel.show_problems({k: v for k, v in problems.items() if not k.startswith(("layers", "n_"))})
        self._update_controls()
        return problems

    def _ask_for_file(self):
        path, _ = QFileDialog.getOpenFileName(self, "Open data: a Keras-style .npz, or any file of an IDX folder",
                                              "", "Data (*.npz *ubyte *ubyte.gz);;All files (*)")
        if not path:
            self.data_panel.revert()
            return
        self.open_data_path(path)

    def _ask_for_model(self):
        path, _ = QFileDialog.getOpenFileName(self, "Open a model saved by nnplayground", "", "Models (*.npz)")
        if path:
            self.open_model(path)

    def open_model(self, path: str) -> bool:
        """Load a model file: it becomes the window's network if it fits the data, else the one you draw for."""
        from nnplayground.models import load_model

        def go():
            try:
                model = load_model(path)
            except ValueError as error:
                self.show_message(f"Could not open the model: {error}")
                return
            fits = self.dataset is not None and model.input_shape == self.dataset.input_shape
            if fits and model.optimizer is not None:
                self._discard_model()
                self.model, self.initial_weights = model, model.get_weights()
                self.epochs_done = len(model.history.history.get("loss", [])) if model.history else 0
                self.diagram.set_weights([layer.kernel.copy() for layer in model.layers if isinstance(layer, Dense)])
                self.show_message(f"Opened {path}: Train continues training it.")
            else:
                self.show_message(f"Opened {path} for drawing: it takes inputs of shape {model.input_shape}, the "
                                  f"current data has {self.dataset.input_shape if self.dataset else 'none'}.")
            self.draw_panel.set_model(model, self.dataset.class_names if fits else None)
            self._update_controls()
        self._when_stopped(go)
        return True

    def _ask_where_to_save(self):
        if self.model is None:
            self.show_message("There is no trained network to save yet: press Train first.")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save the network", "network.npz", "Models (*.npz)")
        if path:
            self.save_model(path)

    def save_model(self, path: str) -> bool:
        """Save the network (atomically); while training, after the current run stops."""
        if self.model is None:
            return False

        def go():
            try:
                self.model.save(path)
            except OSError as error:
                self.show_message(f"Could not save the model to {path}: {error}. Nothing was overwritten.")
                return
            self.statusBar().showMessage(f"Saved the network to {path}", 8000)
        if self.worker is None:
            go()
        else:
            self.pause()
            self._after_stop.append(go)
            self.worker.stop()
        return True

    def open_data_path(self, path: str) -> None:
        """Use a .npz file, or the IDX folder a chosen file sits in, as the data."""
        from pathlib import Path

        chosen = Path(path)
        target = chosen if chosen.suffix == ".npz" or chosen.is_dir() else chosen.parent
        self.data_panel.set_dataset("file", str(target))
        self._when_stopped(self._load_data)

    # ----- data and model -----------------------------------------------------------------------

    def _load_data(self):
        previous = self.experiment
        self.experiment = self._read_widgets()
        problems = self.experiment.problems()
        if "dataset" in problems or "n_classes" in problems:
            self.show_message(problems.get("dataset") or problems["n_classes"])
            self.experiment = previous
            self.data_panel.revert()
            return
        if self.experiment.dataset in catalog.DOWNLOADED:
            self._load_in_background(previous)
            return
        try:
            dataset = self.experiment.load_data(personal=self.draw_panel.personal)
        except (OSError, ValueError) as error:
            self._data_failed(str(error), previous)
            return
        self._data_loaded(dataset)

    def _load_in_background(self, previous: Experiment):
        if self.loader is not None:  # a newer choice supersedes it: its result will be ignored
            self.loader.cancel()
        loader = self.loader = DataLoader(self.experiment, self.draw_panel.personal, self)
        dialog = QProgressDialog(f"Getting {catalog.TITLES[self.experiment.dataset]}...", "Cancel", 0, 0, self)
        dialog.setObjectName("downloadDialog")
        dialog.setWindowTitle("Downloading data")
        dialog.setMinimumDuration(300)
        dialog.canceled.connect(loader.cancel)
        loader.progress.connect(lambda done, total: (dialog.setMaximum(total), dialog.setValue(done))
                                if total else None)
        loader.loaded.connect(lambda dataset: self._data_loaded(dataset) if loader is self.loader else None)
        loader.failed.connect(lambda message: self._data_failed(message, previous) if loader is self.loader
                              else None)
        loader.finished.connect(dialog.reset)
        loader.finished.connect(loader.deleteLater)
        loader.start()

    def _data_failed(self, message: str, previous: Experiment):
        self.loader = None
        if message:
            self.show_message(f"Could not load the data: {message}")
        self.experiment = previous
        self.data_panel.set_dataset(previous.dataset, previous.data_path)

    def _data_loaded(self, dataset: catalog.Dataset):
        self.dataset = dataset
        self.loader = None
        self.data_panel.set_summary(
            f"{len(dataset.x_train):,} training and {len(dataset.x_test):,} test samples of shape "
            f"{'x'.join(map(str, dataset.input_shape))}, {dataset.n_classes} classes")
        if len(dataset.x_train) < self.experiment.batch_size:
            self.show_message(f"The batch size ({self.experiment.batch_size}) is larger than the training set "
                              f"({len(dataset.x_train)}): every step will use all of it.")
        self._discard_model()
        self._save_settings()

    def _discard_model(self):
        """The architecture or data changed: the next Train builds a new network."""
        self.model, self.initial_weights = None, None
        self.epochs_done = 0
        self.plots.clear()
        self.draw_panel.set_model(None)
        self._describe_architecture()
        self._update_controls()

    def _describe_architecture(self):
        if self.dataset is None:
            return
        inputs = int(np.prod(self.dataset.input_shape))
        classes = self.dataset.n_classes
        outputs = 1 if classes == 2 else classes
        sizes = [inputs, *(spec.units for spec in self.experiment.layers), outputs]
        count = sum((a + 1) * b for a, b in zip(sizes, sizes[1:], strict=False))
        labels = ["input", *(spec.activation for spec in self.experiment.layers),
                  "sigmoid" if outputs == 1 else "softmax"]
        self.diagram.set_architecture(sizes, labels)
        self.layer_stack.set_parameter_count(f"{count:,} parameters to learn")
        names = [f"layer {i + 1} ({size} units)" for i, size in enumerate(sizes[1:])]
        side = int(round(inputs ** 0.5)) if self.dataset.is_image else None
        self.weight_view.set_layers(names, side if side and side * side == inputs else None)

    def _ensure_model(self):
        if self.model is not None:
            return
        config.set_random_seed(self.experiment.seed)
        steps = -(-len(self.dataset.x_train) // self.experiment.batch_size)
        self.model = self.experiment.build_model(self.dataset.input_shape, self.dataset.n_classes, steps)
        self.initial_weights = self.model.get_weights()
        self.epochs_done = 0
        self._describe_architecture()
        self.draw_panel.set_model(self.model, self.dataset.class_names)
        self.diagram.set_weights([layer.kernel.copy() for layer in self.model.layers if isinstance(layer, Dense)])

    # ----- commands -----------------------------------------------------------------------------

    def toggle_training(self):
        if self.state == RUNNING:
            self.pause()
        else:
            self.train()

    def train(self):
        if self.state == PAUSED and self.worker is not None:
            self.worker.resume()
            self._set_state(RUNNING)
            return
        if self.state == IDLE:
            self._start_worker(paused=False)

    def pause(self):
        if self.state == RUNNING and self.worker is not None:
            self.worker.pause()
            self._set_state(PAUSED)

    def step(self):
        if self.state == IDLE:
            if self._start_worker(paused=True):
                self.worker.step()
        elif self.worker is not None:
            self.worker.step()
            self._set_state(PAUSED)

    def stop(self):
        if self.worker is not None:
            self.worker.stop()

    def reset_new(self):
        """New random weights: the next seed, so the new start is reproducible too."""
        def go():
            self.settings_panel.seed.setValue(self.settings_panel.seed.value() + 1)
            self.experiment = self._read_widgets()
            self._discard_model()
            self.status_epoch.setText("reset: new random weights")
        self._when_stopped(go)

    def reset_same(self):
        """Back to the weights the run started from, with a fresh optimizer."""
        def go():
            weights = self.initial_weights
            self._discard_model()
            if weights is not None and self.dataset is not None:
                self._ensure_model()
                self.model.set_weights(weights)
                self.initial_weights = weights
                self.draw_panel.set_model(self.model, self.dataset.class_names)
                self.diagram.set_weights([w for w in weights if w.ndim == 2])
            self.status_epoch.setText("reset: same starting weights")
        self._when_stopped(go)

    def _start_worker(self, paused: bool) -> bool:
        if self.dataset is None:
            self.show_message("The data is still loading.")
            return False
        self.experiment = self._read_widgets()
        problems = self._check_problems()
        if problems:
            self.show_message("Cannot train yet: " + "; ".join(problems.values()))
            return False
        self._ensure_model()
        self.banner.hide()
        e = self.experiment
        worker = TrainingWorker(self.model, self.dataset, epochs=e.epochs, batch_size=e.batch_size,
                                initial_epoch=self.epochs_done, validation_split=e.validation_split,
                                patience=e.patience, start_paused=paused, parent=self)
        worker.batches.connect(self.plots.add_batches)
        worker.epochs_done.connect(self._epochs_ended)
        worker.snapshot.connect(self._snapshot)
        worker.progress.connect(self._progress)
        worker.setting_changed.connect(self._setting_marked)
        worker.diverged.connect(self._diverged)
        worker.failed.connect(self.show_message)
        worker.training_finished.connect(self._worker_finished)
        self.worker = worker
        self._set_state(PAUSED if paused else RUNNING)
        worker.start()
        return True

    def _when_stopped(self, action):
        """Run `action` now if no worker runs, else as soon as the current one has stopped."""
        if self.worker is None:
            action()
            return
        self._after_stop.append(action)
        self.worker.stop()

    # ----- reports from the worker --------------------------------------------------------------

    def _epochs_ended(self, reports):
        self.plots.add_epochs(reports)
        self.epochs_done = reports[-1]["epoch"] + 1

    def _snapshot(self, snapshot):
        self.weight_view.show_snapshot(snapshot)
        self.diagram.set_weights(snapshot["kernels"])
        if self.centre_tabs.currentWidget() is self._draw_scroll:
            self.draw_panel.update_weights(snapshot)

    def _progress(self, report):
        worker = self.sender()
        if isinstance(worker, TrainingWorker):
            # Acknowledge once the event loop is idle again, i.e. after the repaints this report caused.
            QTimer.singleShot(0, worker.gui_ready)
        self._last_progress = report
        self.plots.set_planned_epochs(report["epochs"])
        self.status_epoch.setText(f"epoch {report['epoch']}/{report['epochs']} · batch {report['batch']}/"
                                  f"{report['steps']} · step {report['step']:,}")
        self.status_speed.setText(f"{report['samples_per_second']:,.0f} samples/s")
        self.status_eta.setText(f"ETA {_format_seconds(report['eta'])}")
        self.progress_bar.setValue(int(1000 * min(1.0, report["fraction"])))

    def _setting_marked(self, change):
        steps = self._last_progress.get("steps") or 1
        value = change["value"]
        text = f"lr {value:g}" if change["name"] == "learning rate" else f"L1 {value[0]:g} L2 {value[1]:g}"
        self.plots.mark(change["step"] / steps, text)

    def _diverged(self, message):
        self._set_state(PAUSED)
        self.show_message(message)

    def _worker_finished(self, reason):
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.wait()
            worker.deleteLater()
        self._set_state(IDLE)
        if self.model is not None:  # the final weights, exactly (snapshots are throttled)
            self.draw_panel.set_model(self.model, self.dataset.class_names)
            self.draw_panel._update_personal()
        if reason == "completed":
            self.status_epoch.setText(f"done: {self.epochs_done} epochs")
            self.progress_bar.setValue(1000)
        elif reason in ("stopped", "early stopping"):
            self.status_epoch.setText(f"{reason} after {self.epochs_done} epochs")
        actions, self._after_stop = self._after_stop, []
        for action in actions:
            action()

    # ----- state --------------------------------------------------------------------------------

    def _set_state(self, state):
        self.state = state
        self._update_controls()

    def _update_controls(self):
        running, paused, idle = self.state == RUNNING, self.state == PAUSED, self.state == IDLE
        can_train = self.dataset is not None and not self.experiment.problems()
        self.train_action.setEnabled((idle and can_train) or paused)
        self.train_action.setText("Resume" if paused else "Train")
        self.pause_action.setEnabled(running)
        self.step_action.setEnabled((idle and can_train) or paused or running)
        self.stop_action.setEnabled(not idle)
        self.layer_stack.setEnabled(idle)
        self.layer_stack.setToolTip("" if idle else "Stop or reset training to change the layers.")
        self.data_panel.setEnabled(True)
        self.settings_panel.set_running(not idle)

    def show_message(self, text: str) -> None:
        """A message that stays in view above the curves until the next run starts."""
        self.banner.setText(text)
        self.banner.setVisible(bool(text))
        self.statusBar().showMessage(text.split(":")[0] if len(text) > 80 else text, 8000)

    def set_theme(self, name: str) -> None:
        theme.apply_theme(QApplication.instance(), name)
        self.settings.setValue("theme", name)
        for view, items in ((self.plots.loss_plot, [self.plots.loss_plot.getPlotItem()]),
                            (self.plots.accuracy_plot, [self.plots.accuracy_plot.getPlotItem()]),
                            (self.weight_view.norms, [self.weight_view.norms.getPlotItem()]),
                            (self.weight_view.heatmap, [self.weight_view.heatmap.plot]),
                            (self.weight_view.tiles, [self.weight_view.tiles.plot])):
            theme.restyle(view, items)

    # ----- lifetime -----------------------------------------------------------------------------

    def _restore_geometry(self):
        geometry = self.settings.value("geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1280, 800)

    def _save_settings(self):
        self.settings.setValue("experiment", json.dumps(self._read_widgets().to_dict()))
        self.settings.setValue("geometry", self.saveGeometry())

    def closeEvent(self, event):  # noqa: N802 - Qt's name
        self._save_settings()
        self._data_timer.stop()
        if self.worker is not None:
            self.worker.stop()
        if self.loader is not None:
            self.loader.cancel()
        for thread in (self.worker, self.loader):
            if thread is not None and not thread.wait(1000):
                # Still inside a blocking call (a download waiting on the network): let it finish on its
                # own, unparented, instead of destroying a running thread with this window.
                thread.setParent(None)
                _detached_threads.add(thread)
                thread.finished.connect(lambda thread=thread: _detached_threads.discard(thread))
        super().closeEvent(event)
