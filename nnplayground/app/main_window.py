"""The playground window: data and layers on the left, the network and its curves in the middle, weights
on the right, controls on the toolbar.

The window is layout and wiring. Its state is the session's (``nnplayground.session``): panels write
session fields on edit and follow its ``experiment_changed`` event; views subscribe to its events and
hold no run data; a QtRunner is the only bridge to the training thread.
"""

import json
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QMessageBox,
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

from nnplayground.app import file_dialogs, garbage, theme
from nnplayground.app.about import show_about
from nnplayground.app.autosave import WindowAutosave
from nnplayground.app.background import Tasks
from nnplayground.app.banner import ABOUT_DATA, ABOUT_FILE, ABOUT_RUN, Banner
from nnplayground.app.data_loader import DataLoader
from nnplayground.app.data_panel import DataPanel
from nnplayground.app.data_view import DataView
from nnplayground.app.decision_view import DecisionBoundaryView
from nnplayground.app.defaults import restore_defaults
from nnplayground.app.draw_panel import DrawPanel
from nnplayground.app.embedding_view import EmbeddingView
from nnplayground.app.evaluation_views import ConfusionMatrixView, HeadlineAccuracy, MistakesView
from nnplayground.app.experiment_files import ExperimentFiles
from nnplayground.app.export import Exports
from nnplayground.app.hints_panel import HintsPanel
from nnplayground.app.layer_stack import LayerStackEditor
from nnplayground.app.layer_stats_view import LayerStatsView
from nnplayground.app.lr_finder_dialog import LearningRateFinderDialog
from nnplayground.app.model_export import ModelExport
from nnplayground.app.network_diagram import NetworkDiagram
from nnplayground.app.painted_text import PaintedText
from nnplayground.app.plots import TrainingPlots
from nnplayground.app.recent_files import RecentFiles
from nnplayground.app.runs_view import RunsView
from nnplayground.app.settings_panel import SettingsPanel
from nnplayground.app.weight_view import WeightView
from nnplayground.app.worker import QtRunner, let_finish
from nnplayground.session import Experiment, Session, State
from nnplayground.session.data import DatasetError, PersonalDigits, catalog, personal
from nnplayground.session.files import ModelFileError, load_model
from nnplayground.session.history import RunHistory

CLOSE_WAIT_MS = 500  # a closing window waits this long for its threads, then leaves them (app.main.leave)
SAVE_WAIT_MS = 120_000  # ...but a save the user asked for is worth waiting for: the run's next batch boundary
RUNS_WIDTH = 1000  # the Runs tab's table beside its curves
DATA_CHOICE_DELAY_MS = 150  # arrow keys and typing pass over entries: load only where the choice rests


def view_tabs(owner) -> list[tuple[str, str, object]]:
    """The views beside the training tab: (attribute, tab title, factory taking the session). The
    benchmark opens them all at once from here."""
    tr = owner.tr
    return [("data_view", tr("Data"), DataView),
            ("decision_view", tr("Decision"), DecisionBoundaryView),
            ("mistakes_page", tr("Mistakes"), _mistakes_page),
            ("layer_stats_view", tr("Layers"), LayerStatsView),
            ("embedding_view", tr("Embedding"), EmbeddingView),
            ("runs_view", tr("Runs"), lambda session: RunsView(session, owner.use_experiment))]


class _TwoViewPage(QScrollArea):
    """Two views side by side, or one above the other when the page is too narrow for both: a narrow
    window scrolls the page down, as a web page does, instead of cutting the right-hand view off."""

    def resizeEvent(self, event):  # noqa: N802 - Qt's name
        splitter = self.widget()
        side_by_side = sum(max(view.minimumSizeHint().width(), view.minimumWidth())
                           for view in map(splitter.widget, range(splitter.count()))) + 20
        wanted = Qt.Horizontal if event.size().width() >= side_by_side else Qt.Vertical
        if splitter.orientation() != wanted:
            splitter.setOrientation(wanted)
        super().resizeEvent(event)


def _mistakes_page(session) -> QScrollArea:
    """The confusion matrix beside the most confident mistakes (below them on a narrow screen)."""
    splitter = QSplitter(Qt.Horizontal)
    page = _TwoViewPage()
    page.setObjectName("mistakesPage")
    page.confusion_view = ConfusionMatrixView(session)
    page.mistakes_view = MistakesView(session)
    splitter.addWidget(page.confusion_view)
    splitter.addWidget(page.mistakes_view)
    page.setWidget(splitter)
    page.setWidgetResizable(True)
    page.setFrameShape(QScrollArea.NoFrame)
    return page


def _format_seconds(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02d}"


def _personal_digits() -> tuple[PersonalDigits | None, str | None]:
    """The user's saved digits, or None and why not (a damaged file never stops the window)."""
    try:
        return PersonalDigits(), None
    except (DatasetError, OSError) as error:
        return None, str(error)


def _window_action(window, text, name, slot, keys=()):
    action = QAction(text, window)
    action.setObjectName(name)
    action.setShortcuts([QKeySequence(key) for key in keys])
    action.setShortcutContext(Qt.WindowShortcut)  # whichever field has the focus
    action.triggered.connect(slot)
    return action


def _key_names(keys) -> str:
    return ", ".join(QKeySequence(key).toString(QKeySequence.NativeText) for key in keys)


DEFAULT_SIZE = (1280, 800)
FRAME = 40  # title bar and borders, which the window manager adds outside the window's geometry


def window_placement(saved: QRect | None, available: QRect) -> tuple[QRect, bool]:
    """Where the window opens: the saved place if it fits this screen whole; else 1280x800 centred; or,
    on a screen too small for that (a laptop's 1280x720 would hide the status bar), maximized.
    Returns (geometry, maximized)."""
    if saved is not None and available.contains(saved):
        return QRect(saved), False
    width, height = DEFAULT_SIZE
    if width <= available.width() and height + FRAME <= available.height():
        rect = QRect(0, 0, width, height)
        rect.moveCenter(available.center())
        return rect, False
    return QRect(available.left(), available.top() + FRAME, min(width, available.width()),
                 min(height, available.height() - FRAME)), True


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        garbage.collect_on_gui_thread()
        self.setObjectName("mainWindow")
        self.setWindowTitle("nnplayground")
        self.settings = settings or QSettings("nnplayground", "nnplayground")
        personal, personal_problem = _personal_digits()
        self.runner = QtRunner(self)
        self.session = Session(self._restored_experiment(), runner=self.runner, personal=personal,
                               history=RunHistory(background=True))
        self.loader: DataLoader | None = None  # the newest; its result is the one used
        self._loaders: set[DataLoader] = set()  # every loader still running, superseded ones too
        self.files = Tasks(self)  # files being read off the GUI thread
        self._opens = 0  # model files asked for: only the newest one is adopted
        self._training_sizes: list[int] | None = None  # the columns' widths, while a wide tab borrows them
        self._data_timer = QTimer(self)
        self._data_timer.setSingleShot(True)
        self._data_timer.setInterval(DATA_CHOICE_DELAY_MS)
        self._data_timer.timeout.connect(self._load_data)
        self._build_ui(personal_problem)
        self._follow_session()
        self._show_experiment(self.session.experiment)
        self._restore_geometry()
        QTimer.singleShot(0, self._load_data)
        self.autosave = WindowAutosave(self)
        QTimer.singleShot(0, self.autosave.offer)  # after the data: a restore with the same data only adopts
        if personal_problem:
            self.show_message(personal_problem.rstrip(". ") + ". " +
                              self.tr("The window runs without them; the file is untouched."),
                              ABOUT_FILE, (self.tr("Move the file aside"), self._move_personal_aside))

    def _move_personal_aside(self) -> None:
        """Rename the damaged digits file and start a new, empty set (the old file stays on disk)."""
        path = personal.default_path()
        try:
            moved = personal.move_aside(path)
            self.session.personal = PersonalDigits(path)
        except (OSError, DatasetError) as error:
            self.show_message(self.tr("Could not move {0} aside: {1}").format(path, error), ABOUT_FILE)
            return
        self.draw_panel.personal_problem_solved()
        self.show_message(self.tr("Moved your damaged digits to {0}; new digits go to a new set.").format(moved),
                          ABOUT_FILE)

    # ----- layout -------------------------------------------------------------------------------

    def _build_ui(self, personal_problem):
        session = self.session
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
        scroll.setMinimumWidth(370)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.NoFocus)  # Tab goes through its fields, not the frame around them
        self.diagram = NetworkDiagram(session)
        self.plots = TrainingPlots(session)
        self.weight_view = WeightView(session)
        self.headline = HeadlineAccuracy(session)
        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.diagram, 1)
        top_layout.addWidget(self.headline)
        middle = QSplitter(Qt.Vertical)
        middle.addWidget(top)
        middle.addWidget(self.plots)
        middle.setStretchFactor(1, 4)
        middle.setSizes([170, 630])
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(4, 4, 4, 4)
        self.draw_panel = DrawPanel(session, personal_problem)
        self.personal_in_training = QCheckBox(self.tr("Train on my digits too"))
        self.personal_in_training.setObjectName("personalInTraining")
        self.personal_in_training.setToolTip(self.tr("Add the digits you labelled to the MNIST training data "
                                                     "(they stay out of the test set)."))
        self.personal_in_training.toggled.connect(self._personal_choice_changed)
        self.draw_panel.layout().addWidget(self.personal_in_training, 1, 0)
        self.centre_tabs = QTabWidget()
        self.centre_tabs.setObjectName("centreTabs")
        self.centre_tabs.addTab(middle, self.tr("Training"))
        draw_scroll = QScrollArea()  # on a small screen the panel scrolls instead of widening the window
        draw_scroll.setObjectName("drawScroll")
        draw_scroll.setWidget(self.draw_panel)
        draw_scroll.setWidgetResizable(True)
        self.centre_tabs.addTab(draw_scroll, self.tr("Draw a digit"))
        for attribute, title, factory in view_tabs(self):
            setattr(self, attribute, factory(session))
            self.centre_tabs.addTab(getattr(self, attribute), title)
        self.diagram.neuron_clicked.connect(self._neuron_clicked)
        self.runs_view.show_requested.connect(lambda: self.centre_tabs.setCurrentWidget(self.runs_view))
        self.centre_tabs.currentChanged.connect(self._centre_tab_changed)
        self.banner = Banner(self.centre_tabs)
        centre_layout.addWidget(self.centre_tabs, 1)
        self.hints_panel = HintsPanel(session)  # under the tabs: seen from every view while training
        centre_layout.addWidget(self.hints_panel)
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
        self.data_panel.changed.connect(self._data_timer.start)
        self.data_panel.deskew_changed.connect(lambda on: self.session.update(deskew=on))
        self.data_panel.open_file_requested.connect(self._ask_for_file)
        self.layer_stack.changed.connect(lambda: self.session.update(layers=self.layer_stack.specs()))
        self.settings_panel.changed.connect(self._settings_edited)
        self.settings_panel.live_changed.connect(self._settings_edited)
        self.lr_finder = LearningRateFinderDialog(session, self)
        self.settings_panel.find_rate.clicked.connect(self.lr_finder.start)

    def _action(self, text, name, tip, slot, keys=(), shown_keys=None):
        """A toolbar button and its action; `keys` work wherever the focus is; the tooltip names them
        (or `shown_keys`)."""
        action = _window_action(self, text, name + "Action", slot, keys)
        shown = shown_keys or _key_names(keys)
        action.setToolTip(tip + (f" ({shown})" if shown else ""))
        self.toolbar.addAction(action)
        button = self.toolbar.widgetForAction(action)
        button.setObjectName(name)
        button.setToolTip(action.toolTip())
        return action

    def _build_toolbar(self):
        self.toolbar = QToolBar(self.tr("Training"))
        self.toolbar.setObjectName("trainingToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self.addToolBar(self.toolbar)
        toggle_keys = ("Ctrl+Return", "Ctrl+Enter", "F5")
        # One action owns the keys: it stays enabled while Train or Pause is greyed out.
        self.toggle_action = _window_action(self, self.tr("Train / pause"), "toggleTrainingAction",
                                            self.toggle_training, toggle_keys)
        self.addAction(self.toggle_action)
        self.train_action = self._action(self.tr("Train"), "trainButton", self.tr("Start training, or continue it"),
                                         self.train, shown_keys=_key_names(toggle_keys[1:]))
        self.pause_action = self._action(self.tr("Pause"), "pauseButton", self.tr("Pause after the current batch"),
                                         self.pause, shown_keys=_key_names(toggle_keys[1:]))
        self.step_action = self._action(self.tr("Step"), "stepButton",
                                        self.tr("Train on exactly one batch, then pause"), self.step, ("F6",))
        self.stop_action = self._action(self.tr("Stop"), "stopButton",
                                        self.tr("End this run; the weights stay as they are"), self.stop,
                                        ("Ctrl+.",))
        self.reset_action = self._action(self.tr("Reset"), "resetButton",
                                         self.tr("Start over with fresh weights; the arrow offers going back to "
                                                 "the same starting weights"), self.reset_new, ("Ctrl+R",))
        reset_menu = QMenu(self)
        self.reset_new_action = reset_menu.addAction(self.tr("New random weights"), self.reset_new)
        self.reset_new_action.setObjectName("resetNewAction")
        self.reset_same_action = reset_menu.addAction(self.tr("Same starting weights"), self.reset_same)
        self.reset_same_action.setObjectName("resetSameAction")
        self.reset_same_action.setShortcut(QKeySequence("Ctrl+Shift+R"))
        self.reset_same_action.setShortcutContext(Qt.WindowShortcut)
        self.addAction(self.reset_same_action)  # its key works while the menu is closed
        self.reset_same_action.setToolTip(self.tr("Back to the weights this run started from, to compare "
                                                  "settings fairly (Ctrl+Shift+R)"))
        self.compare_action = self._action(self.tr("Compare..."), "compareButton",
                                           self.tr("Train this experiment over several values of one or two "
                                                   "settings, side by side, and overlay the runs"),
                                           lambda: self.runs_view.compare())
        reset_button = self.toolbar.widgetForAction(self.reset_action)
        reset_button.setMenu(reset_menu)
        reset_button.setPopupMode(QToolButton.MenuButtonPopup)
        for action in self.toolbar.actions():
            self.toolbar.widgetForAction(action).setFocusPolicy(Qt.NoFocus)  # Space stays the window's
        leave = QShortcut(QKeySequence(Qt.Key_Escape), self, self.leave_field, context=Qt.WindowShortcut)
        leave.setObjectName("leaveFieldShortcut")

    def leave_field(self):
        """Esc: the focus leaves a field for the window, where Space, S and R drive the training."""
        self.setFocus(Qt.ShortcutFocusReason)

    def keyPressEvent(self, event):  # noqa: N802 - Qt's name
        """Space trains or pauses, S steps, R resets: only keys no focused control used (typing S in a box
        searches the box; it never steps the training). The Training menu's keys work everywhere."""
        commands = {Qt.Key_Space: self.toggle_training, Qt.Key_S: self.step, Qt.Key_R: self.reset_new}
        if event.modifiers() in (Qt.NoModifier, Qt.KeypadModifier) and event.key() in commands:
            commands[event.key()]()
            event.accept()
            return
        super().keyPressEvent(event)

    def _build_menus(self):
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.experiment_files = ExperimentFiles(self, file_menu)
        file_menu.addAction(self.tr("Open data file..."), self._ask_for_file).setObjectName("openDataAction")
        open_model = file_menu.addAction(self.tr("Open model..."), self._ask_for_model)
        open_model.setObjectName("openModelAction")
        save_model = file_menu.addAction(self.tr("Save model..."), self._ask_where_to_save)
        save_model.setObjectName("saveModelAction")
        save_model.setShortcut(QKeySequence.Save)
        self.model_export = ModelExport(self, file_menu)
        self.recent = RecentFiles(self, file_menu)
        self.exports = Exports(self, file_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.tr("Quit"), QKeySequence.Quit, self.close)
        training_menu = self.menuBar().addMenu(self.tr("&Training"))
        training_menu.setObjectName("trainingMenu")
        for action in (self.toggle_action, self.step_action, self.stop_action):
            training_menu.addAction(action)
        training_menu.addSeparator()
        training_menu.addAction(self.reset_new_action)
        training_menu.addAction(self.reset_same_action)
        training_menu.addSeparator()
        defaults = training_menu.addAction(self.tr("Restore defaults..."), lambda: restore_defaults(self))
        defaults.setObjectName("restoreDefaultsAction")
        defaults.setToolTip(self.tr("Layers and training settings back to the defaults for this data, and the "
                                    "window's layout too"))
        self.runs_menu = self.menuBar().addMenu(self.tr("&Runs"))
        self.runs_menu.setObjectName("runsMenu")
        self.runs_menu.aboutToShow.connect(self._fill_runs_menu)
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        group = QActionGroup(self)
        for name in theme.THEMES:
            action = view_menu.addAction(self.tr(f"{name.capitalize()} theme"),
                                         lambda name=name: self.set_theme(name))
            action.setCheckable(True)
            action.setChecked(name == self.settings.value("theme", "light"))
            group.addAction(action)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        keys = help_menu.addAction(self.tr("Keyboard shortcuts"), self.show_shortcuts)
        keys.setObjectName("shortcutsAction")
        keys.setShortcut(QKeySequence.HelpContents)
        help_menu.addAction(self.tr("About nnplayground"), lambda: show_about(self)).setObjectName("aboutAction")

    def shortcuts(self) -> list[tuple[str, str]]:
        """Every key the window knows, as Help > Keyboard shortcuts lists them: (what, keys)."""
        return [(self.tr("Train, pause or resume"), self.tr("Ctrl+Enter or F5; Space outside a field")),
                (self.tr("Train one batch (step)"), self.tr("F6; S outside a field")),
                (self.tr("Stop the run"), "Ctrl+."),
                (self.tr("Reset with new random weights"), self.tr("Ctrl+R; R outside a field")),
                (self.tr("Reset to the same starting weights"), "Ctrl+Shift+R"),
                (self.tr("Open an experiment, save it as"), _key_names((QKeySequence.Open, QKeySequence.SaveAs))),
                (self.tr("Leave a field, so Space, S and R work"), "Esc"),
                (self.tr("Move between fields"), "Tab, Shift+Tab"),
                (self.tr("Change a field"), self.tr("type, or arrow keys; the wheel once it has focus")),
                (self.tr("Menus"), "Alt+F, Alt+T, Alt+R, Alt+V, Alt+H"),
                (self.tr("Draw tab: clear, undo a stroke"), "Esc, Ctrl+Z"),
                (self.tr("Draw tab: keep the drawing as a digit"), "0-9"),
                (self.tr("Open an experiment, save the model, save the experiment"),
                 _key_names((QKeySequence.Open, QKeySequence.Save, QKeySequence.SaveAs))),
                (self.tr("Save a view as a picture"), self.tr("right-click it, or File > Export view")),
                (self.tr("Quit (your work is autosaved)"), _key_names((QKeySequence.Quit,))),
                (self.tr("This list"), _key_names((QKeySequence.HelpContents,)))]

    def show_shortcuts(self):
        rows = "".join(f"<tr><td style='padding-right:18px'>{what}</td><td><b>{keys}</b></td></tr>"
                       for what, keys in self.shortcuts())
        box = QMessageBox(QMessageBox.NoIcon, self.tr("Keyboard shortcuts"), f"<table>{rows}</table>",
                          QMessageBox.Close, self)
        box.setObjectName("shortcutsDialog")
        box.open()

    def _fill_runs_menu(self):
        """Earlier runs, newest first: choosing one brings back its settings, its network and its curves."""
        self.runs_menu.clear()
        every = self.runs_menu.addAction(self.tr("All runs (the Runs tab)"),
                                         lambda: self.centre_tabs.setCurrentWidget(self.runs_view))
        every.setObjectName("showRunsAction")
        self.runs_menu.addSeparator()
        runs = [run for run in reversed(self.session.runs) if run.model is not None]
        if not runs:
            self.runs_menu.addAction(self.tr("No earlier runs yet: a reset or new data keeps the run here")) \
                .setEnabled(False)
        for run in runs:
            summary = run.summary()
            best = summary["best_val_accuracy"]
            text = (f"{run.name}: {summary['dataset']}, {summary['layers'] or 'no hidden layers'}, "
                    f"{summary['optimizer']} {summary['learning_rate']:g}, {summary['epochs']} epochs"
                    + (f", best validation accuracy {best:.1%}" if best is not None else ""))
            self.runs_menu.addAction(text, lambda run=run: self.session.restore_run(run))

    def _build_status_bar(self):
        self.status_epoch = PaintedText()
        self.status_epoch.setText(self.tr("ready"))
        self.status_epoch.setObjectName("statusEpoch")
        right = Qt.AlignRight | Qt.AlignVCenter
        self.status_speed = PaintedText(right, min_text="000,000,000 samples/s")  # wide enough for any figure
        self.status_speed.setObjectName("statusSpeed")
        self.status_eta = PaintedText(right, min_text="ETA 00:00:00")
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

    # ----- following the session ----------------------------------------------------------------

    def _follow_session(self):
        events = self.session.events
        events.connect("experiment_changed", self._show_experiment)
        events.connect("data_changed", self._data_changed)
        events.connect("model_changed", self._model_changed)
        events.connect("state_changed", self._state_changed)
        events.connect("run_started", self._run_started)
        events.connect("progress", self._progress)
        events.connect("message", self.show_message)
        events.connect("run_finished", self._run_finished)

    def _show_experiment(self, experiment: Experiment):
        """Every panel shows the session's experiment (their signals blocked: this is not an edit). A data
        choice still waiting to be loaded stays in the data panel: it is the user's latest word."""
        if not self._data_timer.isActive() and self.loader is None:
            self.data_panel.show_experiment(experiment)
        else:
            self.data_panel.show_deskew(experiment.deskew)
        self.layer_stack.set_specs(experiment.layers)
        self.settings_panel.show_experiment(experiment)
        self.personal_in_training.blockSignals(True)
        self.personal_in_training.setChecked(experiment.personal_digits)
        self.personal_in_training.blockSignals(False)
        problems = experiment.problems()
        self.settings_panel.show_problems({k: v for k, v in problems.items() if not k.startswith(("layers", "n_"))})
        self._update_controls()

    def _data_changed(self, dataset):
        self.banner.clear(ABOUT_DATA)
        self.data_panel.set_summary(
            f"{len(dataset.x_train):,} training and {len(dataset.x_test):,} test samples of shape "
            f"{'x'.join(map(str, dataset.input_shape))}, {dataset.n_classes} classes")
        if len(dataset.x_train) < self.session.experiment.batch_size:
            self.show_message(self.tr("The batch size ({0}) is larger than the training set ({1}): every step "
                                      "will use all of it.").format(self.session.experiment.batch_size,
                                                                    len(dataset.x_train)), ABOUT_DATA)
        self._save_settings()

    def _model_changed(self, model):
        count = f"{model.count_params():,} parameters to learn" if model is not None else ""
        self.layer_stack.set_parameter_count(count)
        self._update_controls()

    def _run_started(self, log):
        if not log.step:  # a new run: the previous one's figures no longer describe anything
            self.status_epoch.setText(self.tr("ready"))
            self.status_speed.clear()
            self.status_eta.clear()
            self.progress_bar.setValue(0)

    def _progress(self, report):
        paused = self.session.state is State.PAUSED
        epochs = f"/{report['epochs']}" if report["epochs"] is not None else ""
        self.status_epoch.setText(("paused · " if paused else "") +
                                  f"epoch {report['epoch']}{epochs} · batch {report['batch']}/"
                                  f"{report['steps']} · step {report['step']:,}")
        self.status_speed.setText(f"{report['samples_per_second']:,.0f} samples/s")
        if report["eta"] is None:  # run until paused: no end to count down to
            self.status_eta.setText(self.tr("until paused"))
            self.progress_bar.setValue(0)
        else:
            self.status_eta.setText(f"ETA {_format_seconds(report['eta'])}")
            self.progress_bar.setValue(int(1000 * report["fraction"]))

    def _run_finished(self, reason):
        epochs = self.session.run_log.complete_epochs
        if reason == "completed":
            self.status_epoch.setText(f"done: {epochs} epochs")
            self.progress_bar.setValue(1000)
        elif reason in ("stopped", "early stopping"):
            self.status_epoch.setText(f"{reason} after {epochs} epochs")
        self.status_eta.clear()

    # ----- edits from the panels ------------------------------------------------------------------

    def _settings_edited(self):
        self.session.update(**self.settings_panel.values())

    def _personal_choice_changed(self, on: bool):
        self._load_data(personal_digits=on)

    def _load_data(self, **extra):
        """Load what the data panel shows: at once for built-in data, in the background for downloads and
        files. If it fails, the panel goes back to the session's data."""
        self._data_timer.stop()
        fields = {**self.data_panel.values(), "personal_digits": self.personal_in_training.isChecked(), **extra}
        session = self.session
        if session.dataset is not None and all(getattr(session.experiment, k) == v for k, v in fields.items()):
            return
        candidate = session.experiment.replaced(**fields)
        problems = candidate.problems()
        problem = problems.get("dataset") or problems.get("n_classes")
        if problem:
            self._data_failed(problem)
            return
        if candidate.dataset in catalog.DOWNLOADED or candidate.dataset == "file":
            self._load_in_background(candidate)
            return
        try:
            session.load_data(**fields)
        except (DatasetError, OSError, ValueError) as error:
            self._data_failed(str(error))

    def use_experiment(self, experiment: Experiment, model=None, source=None) -> None:
        """A whole experiment (an opened file, a preset, an autosave with its `model`) through the session:
        built-in data at once, downloads and files in the background; if its data fails to load,
        everything stays as it was."""
        self._data_timer.stop()  # a data choice still waiting is superseded
        if self.session.needs_data(experiment) and (experiment.dataset in catalog.DOWNLOADED
                                                    or experiment.dataset == "file"):
            self._load_in_background(experiment, lambda dataset: self.session.use_experiment(experiment, dataset,
                                                                                            model, source))
            return
        if self.loader is not None:
            self.loader.cancel()
            self.loader = None
        try:
            self.session.use_experiment(experiment, model=model, source=source)
        except (DatasetError, OSError, ValueError) as error:
            self._data_failed(str(error))

    def _load_in_background(self, candidate: Experiment, use=None):
        """Load `candidate`'s data off the GUI thread, then `use(dataset)` (by default: as the data)."""
        if self.loader is not None:  # a newer choice supersedes it: its result will be ignored
            self.loader.cancel()
        loader = self.loader = DataLoader(candidate, self.session.personal, self)
        self._loaders.add(loader)  # superseded ones run on until their call returns: closing must wait for all
        title = catalog.TITLES[candidate.dataset] if candidate.dataset != "file" else candidate.data_path
        dialog = QProgressDialog(f"Getting {title}...", self.tr("Cancel"), 0, 0, self)
        dialog.setObjectName("downloadDialog")
        dialog.setWindowTitle(self.tr("Loading data"))
        dialog.setMinimumDuration(300)
        dialog.canceled.connect(loader.cancel)
        loader.progress.connect(lambda done, total: (dialog.setMaximum(total), dialog.setValue(done))
                                if total else None)
        loader.loaded.connect(lambda dataset: self._loaded(loader, dataset, candidate, use))
        loader.failed.connect(lambda message: self._data_failed(message) if loader is self.loader else None)
        loader.finished.connect(dialog.reset)
        loader.finished.connect(lambda: (self._loaders.discard(loader), self._loader_gone(loader)))
        loader.finished.connect(loader.deleteLater)
        loader.start()

    def _loader_gone(self, loader) -> None:
        """Its result (or failure) came first; if neither did, the window must not keep a deleted loader."""
        if loader is self.loader:
            self.loader = None

    def _loaded(self, loader, dataset, candidate, use=None):
        if loader is self.loader:
            self.loader = None
            if use is not None:
                use(dataset)
            else:
                self.session.use_data(dataset, candidate)

    def _data_failed(self, message: str):
        self.loader = None
        if message:
            self.show_message(self.tr("Could not load the data: {0}").format(message), ABOUT_DATA)
        self._show_experiment(self.session.experiment)  # the panel goes back to the data in use

    def _neuron_clicked(self, column: int, unit: int) -> None:
        """A hidden neuron clicked in the diagram: its output over the plane, for 2-D data."""
        if self.session.dataset is not None and self.session.dataset.x_train.shape[1:] == (2,) \
                and 0 < column < len(self.diagram.sizes) - 1:
            self.decision_view.select_hidden(column, unit)
            self.centre_tabs.setCurrentWidget(self.decision_view)

    def _centre_tab_changed(self, index: int):
        """The draw tab and the Runs tab need width: the weights column gives what it can spare, and on a
        small screen steps aside altogether (neither tab needs it); the other tabs get it back."""
        widget = self.centre_tabs.widget(index)
        wanted = {self.centre_tabs.widget(1): self.draw_panel.minimumSizeHint().width() + 60,  # frames, margins
                  self.runs_view: RUNS_WIDTH}.get(widget)
        if wanted is None:
            if self._training_sizes:
                self.splitter.setSizes(self._training_sizes)
                self._training_sizes = None
            return
        if not self._training_sizes:
            self._training_sizes = self.splitter.sizes()
        left, centre, right = self._training_sizes
        give = min(max(0, wanted - centre), max(0, right - self.weight_view.minimumWidth()))
        centre, right = centre + give, right - give
        if centre < wanted:
            centre, right = centre + right, 0
        self.splitter.setSizes([left, centre, right])
        if index == 1:
            self.draw_panel.canvas.setFocus()

    # ----- files --------------------------------------------------------------------------------

    def _ask_for_file(self):
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open data: a Keras-style .npz, or any file of an IDX "
                                                            "folder"), "",
                                              "Data (*.npz *ubyte *ubyte.gz);;All files (*)")
        if not path:
            self.data_panel.show_experiment(self.session.experiment)
            return
        self.open_data_path(path)

    def open_data_path(self, path: str) -> None:
        """Use a .npz file, or the IDX folder a chosen file sits in, as the data."""
        chosen = Path(path)
        target = chosen if chosen.suffix == ".npz" or chosen.is_dir() else chosen.parent
        self.data_panel.set_dataset("file", str(target))
        self._load_data()

    def _ask_for_model(self):
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a model saved by nnplayground"), "",
                                              "Models (*.npz)")
        if path:
            self.open_model(path)

    def open_model(self, path: str) -> None:
        """Open a model file, read off the GUI thread: it becomes the window's network if it fits the data,
        else the one you draw for. A file that cannot be read leaves everything as it was, with a message."""
        self._opens += 1
        ticket = self._opens

        def adopt(model):
            if ticket == self._opens:  # an earlier open that finishes later must not replace a later one
                self.session.adopt_model(model, path)
        self.files.start(lambda: load_model(path), adopt, self._could_not_open_model)

    def _could_not_open_model(self, error: Exception) -> None:
        if not isinstance(error, ModelFileError):  # a bug of ours, not the file's fault: keep its trace
            logging.getLogger(__name__).error("opening a model failed", exc_info=error)
        self.show_message(self.tr("Could not open the model: {0}").format(error))

    def _ask_where_to_save(self) -> bool:
        """Ask for a file and save the network there; False if there was none or the user cancelled."""
        if self.session.model is None:
            self.show_message(self.tr("There is no network to save yet: pick data and layers first."))
            return False
        path = file_dialogs.ask_save_path(self, self.tr("Save the network"), "network.npz", [file_dialogs.MODEL])
        if path:
            self.save_model(path)
        return bool(path)

    def save_model(self, path: str) -> bool:
        """Save the network (atomically); while training, as soon as the run has stopped."""
        self.recent.add("model", path)
        return self.session.save_model(path)

    # ----- commands -----------------------------------------------------------------------------

    def toggle_training(self):
        if self.session.state is State.RUNNING:
            self.pause()
        else:
            self.train()

    def _state_changed(self, state: State) -> None:
        if state is State.RUNNING:  # what was said about the run (a divergence, a refusal) is over now
            self.banner.clear(ABOUT_RUN)
        self._update_controls()

    def commit_field(self) -> None:
        """A number typed but not yet entered counts: Ctrl+Enter in a box holding 128 trains at 128."""
        focused = QApplication.focusWidget()
        if isinstance(focused, QAbstractSpinBox):
            focused.interpretText()

    def train(self):
        self.commit_field()
        if self.session.dataset is None:
            self.show_message(self.tr("The data is still loading."))
            return
        self.session.train()

    def pause(self):
        self.session.pause()

    def step(self):
        self.commit_field()
        if self.session.dataset is not None:
            self.session.step()

    def stop(self):
        self.session.stop()

    def reset_new(self):
        """New random weights: the next seed, so the new start is reproducible too."""
        self.commit_field()
        self.session.reset()
        self.status_epoch.setText(self.tr("reset: new random weights"))

    def reset_same(self):
        """Back to the weights the run started from, with a fresh optimizer."""
        self.commit_field()
        self.session.reset(same_weights=True)
        self.status_epoch.setText(self.tr("reset: same starting weights"))

    # ----- state --------------------------------------------------------------------------------

    def _update_controls(self):
        state = self.session.state
        running, paused, idle = state is State.RUNNING, state is State.PAUSED, state is State.IDLE
        can_train = self.session.dataset is not None and not self.session.experiment.problems()
        self.train_action.setEnabled((idle and can_train) or paused)
        self.train_action.setText(self.tr("Resume") if paused else self.tr("Train"))
        self.pause_action.setEnabled(running)
        self.step_action.setEnabled((idle and can_train) or paused or running)
        self.stop_action.setEnabled(not idle)
        focused = QApplication.focusWidget()
        self.layer_stack.setEnabled(idle)
        self.layer_stack.setToolTip("" if idle else self.tr("Stop or reset training to change the layers."))
        self.settings_panel.set_running(not idle)
        if focused is not None and not focused.isEnabled():  # not on to the next field (keys would land there)
            self.leave_field()
        if paused and not self.status_epoch.text().startswith("paused"):
            self.status_epoch.setText("paused · " + self.status_epoch.text())

    def show_message(self, text: str, about: str = ABOUT_RUN, action=None) -> None:
        """A message over the top of the centre page until it is closed or stops being true (`about`:
        ABOUT_RUN ends when a run starts, ABOUT_DATA when data loads); `action`: (button text, callable)."""
        self.banner.show_message(text, about, action)  # not in the status bar too: it would hide the run's state

    def set_theme(self, name: str) -> None:
        theme.apply_theme(QApplication.instance(), name)
        self.banner.restyle()
        self.hints_panel.restyle()
        self.plots.restyle()
        theme.restyle_all(self)

    # ----- lifetime -----------------------------------------------------------------------------

    def _restored_experiment(self) -> Experiment:
        try:
            return Experiment.from_dict(json.loads(self.settings.value("experiment", "{}")))
        except (TypeError, ValueError):
            return Experiment()

    def _restore_geometry(self):
        available = (self.screen() or QApplication.primaryScreen()).availableGeometry()
        saved = self.settings.value("geometry")
        restored = saved is not None and self.restoreGeometry(saved)
        rect, maximized = window_placement(self.geometry() if restored else None, available)
        self.setGeometry(rect)
        if maximized:
            self.setWindowState(Qt.WindowMaximized)

    def _save_settings(self):
        self.settings.setValue("experiment", json.dumps(self.session.experiment.to_dict()))
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.sync()  # on disk now: a process ending at once (app.main.leave) writes nothing later

    def closeEvent(self, event):  # noqa: N802 - Qt's name
        if not self.autosave.may_close():
            event.ignore()
            return
        self._save_settings()
        self._data_timer.stop()
        self.session.stop()
        for loader in list(self._loaders):  # a superseded loader is a child too: destroyed running, it aborts
            loader.cancel()
            let_finish(loader, CLOSE_WAIT_MS)
        self._loaders.clear()
        self.files.finish_all(CLOSE_WAIT_MS)
        self.draw_panel.files.finish_all(CLOSE_WAIT_MS)
        self._finish_run_before_closing()
        self.autosave.close()
        self.runs_view.shut_down(CLOSE_WAIT_MS)
        self.session.history.close(CLOSE_WAIT_MS / 1000)  # the record of the run that just ended, too
        super().closeEvent(event)

    def _finish_run_before_closing(self) -> None:
        """Let the stopping run end, and with it any save still waiting for a batch boundary or for the
        run's end: closing never drops a save the user asked for, unless one batch outlasts SAVE_WAIT_MS."""
        saving = self.session.saves_waiting()
        if saving:
            self.hide()  # the window goes at once; the process stays until the file is written
        if not self.runner.shut_down(SAVE_WAIT_MS if saving else CLOSE_WAIT_MS) and saving:
            print("nnplayground: closed before a save could be written (a batch outlasted "
                  f"{SAVE_WAIT_MS // 1000} s)", file=sys.stderr)
