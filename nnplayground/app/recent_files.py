"""File > Open recent: the models, data files and experiments opened or saved last, kept in the window's
settings. A file that has gone since is shown greyed out with "(missing)"; *Forget missing files*
removes those."""

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMenu

KEPT = 8  # per kind
KINDS = {"model": QCoreApplication.translate("recent_files", "Models"),
         "data": QCoreApplication.translate("recent_files", "Data files"),
         "experiment": QCoreApplication.translate("recent_files", "Experiments")}


class RecentFiles:
    def __init__(self, window, file_menu: QMenu, before=None):
        self.window, self.settings = window, window.settings
        self.menu = QMenu(window.tr("Open recent"), window)
        self.menu.setObjectName("recentFilesMenu")
        file_menu.insertMenu(before, self.menu) if before is not None else file_menu.addMenu(self.menu)
        self.menu.aboutToShow.connect(self.fill)
        self.openers = {"model": window.open_model, "data": window.open_data_path,
                        "experiment": window.experiment_files.open_experiment}
        events = window.session.events
        events.connect("data_changed", self._data_changed)
        events.connect("model_changed", self._model_changed)

    def paths(self, kind: str) -> list[str]:
        value = self.settings.value(f"recent/{kind}", [])
        return [value] if isinstance(value, str) else [str(path) for path in value or []]

    def add(self, kind: str, path) -> None:
        """`path` first in its kind's list (absolute, once), the oldest beyond KEPT dropped."""
        path = str(Path(path).absolute())
        self.settings.setValue(f"recent/{kind}", [path, *(p for p in self.paths(kind) if p != path)][:KEPT])

    def _data_changed(self, _dataset) -> None:
        experiment = self.window.session.experiment
        if experiment.dataset == "file" and experiment.data_path:
            self.add("data", experiment.data_path)

    def _model_changed(self, _model) -> None:
        source = self.window.session.run_log.source
        if source and Path(source).is_file():  # opened from a file (an autosave's source is words)
            self.add("model", source)

    def fill(self) -> None:
        self.menu.clear()
        for kind, title in KINDS.items():
            paths = self.paths(kind)
            if not paths:
                continue
            self.menu.addSection(title)
            for path in paths:
                there = Path(path).exists()
                action = self.menu.addAction(path if there else self.window.tr("{0} (missing)").format(path),
                                             lambda kind=kind, path=path: self.open(kind, path))
                action.setEnabled(there and kind in self.openers)
                action.setObjectName(f"recent-{kind}")
        if self.menu.isEmpty():
            self.menu.addAction(self.window.tr("No recent files yet")).setEnabled(False)
            return
        self.menu.addSeparator()
        self.menu.addAction(self.window.tr("Forget missing files"), self.forget_missing) \
            .setObjectName("forgetMissingFiles")

    def open(self, kind: str, path: str) -> None:
        if not Path(path).exists():
            self.window.show_message(self.window.tr("{0} is no longer there; it was removed from the recent "
                                                    "files.").format(path))
            self.settings.setValue(f"recent/{kind}", [p for p in self.paths(kind) if p != path])
            return
        self.openers[kind](path)

    def forget_missing(self) -> None:
        for kind in KINDS:
            self.settings.setValue(f"recent/{kind}", [p for p in self.paths(kind) if Path(p).exists()])
