"""Views as files: any view as a PNG picture and the run's curves as CSV numbers, from File > Export view
(the views on screen) or a right-click on the view. pyqtgraph's own menu (and its Export... dialog) is
switched off on these views: one menu, the same words everywhere, files written atomically."""

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtWidgets import QMenu, QWidget

from nnplayground.app import file_dialogs
from nnplayground.session.files import atomic_write


def picture_bytes(widget: QWidget) -> bytes:
    """The widget as it is drawn now, as PNG bytes (its size in pixels)."""
    buffer = QBuffer()
    buffer.open(QIODevice.WriteOnly)
    widget.grab().save(buffer, "PNG")
    return bytes(buffer.data())


def save_picture(widget: QWidget, path: str) -> None:
    """Write the widget's picture to `path` atomically (OSError if it cannot be written: the old file stays)."""
    data = picture_bytes(widget)
    atomic_write(path, lambda file: file.write(data))


class Exports:
    """The window's exports: what each visible view offers, the File menu's submenu and the views' own
    right-click menus."""

    def __init__(self, window, file_menu: QMenu):
        self.window = window
        self.menu = file_menu.addMenu(window.tr("Export view"))
        self.menu.setObjectName("exportViewMenu")
        self.menu.aboutToShow.connect(self.fill)
        self.context_menu: QMenu | None = None
        for title, widget in self._pictures(everything=True):
            self._add_context_menu(widget, title)

    def _pictures(self, everything: bool = False) -> list[tuple[str, QWidget]]:
        """(title, widget) of the views that are on screen (or all of them): the centre tab's, the weights'."""
        w, tr = self.window, self.window.tr
        centre = w.centre_tabs.currentWidget()
        weights = w.weight_view.tabs
        views = [(tr("Loss curves"), w.plots.loss_plot, w.centre_tabs.widget(0)),
                 (tr("Accuracy curves"), w.plots.accuracy_plot, w.centre_tabs.widget(0)),
                 (tr("Data"), w.data_view, w.data_view),
                 (tr("Decision boundary"), w.decision_view.plot, w.decision_view),
                 (tr("Confusion matrix"), w.mistakes_page.confusion_view.plot_widget, w.mistakes_page),
                 (tr("Layer statistics"), w.layer_stats_view, w.layer_stats_view),
                 (tr("Embedding"), w.embedding_view, w.embedding_view),
                 (tr("Compared runs"), w.runs_view.overlay, w.runs_view)]
        found = [(title, widget) for title, widget, tab in views
                 if everything or (tab is centre and widget.isVisible())]
        for index in range(weights.count()):
            page = weights.widget(index)
            if everything or (page is weights.currentWidget() and w.weight_view.isVisible()):
                found.append((tr("Weights: {0}").format(weights.tabText(index)), page))
        return found

    def fill(self) -> None:
        """The views on screen now: each as a picture, and the run's numbers while the curves show."""
        self.menu.clear()
        tr = self.window.tr
        for title, widget in self._pictures():
            action = self.menu.addAction(tr("{0} as a picture (PNG)...").format(title),
                                         lambda widget=widget, title=title: self.ask_and_save(widget, title))
            action.setObjectName("export" + "".join(word.capitalize() for word in title.replace(":", "").split()))
        if self.window.plots.loss_plot.isVisible():
            self.menu.addSeparator()
            numbers = self.menu.addAction(tr("The run's numbers per batch and epoch (CSV)..."),
                                          lambda: self.window.plots._ask_and_save(self.window.plots.loss_plot, "csv"))
            numbers.setObjectName("exportRunNumbers")
        if self.menu.isEmpty():
            self.menu.addAction(tr("Nothing to export on this page")).setEnabled(False)

    def ask_and_save(self, widget: QWidget, title: str) -> bool:
        name = title.lower().replace(":", "").replace(" ", "-") + ".png"
        path = file_dialogs.ask_save_path(self.window, self.window.tr("Save {0} as a picture").format(title.lower()),
                                          name, [file_dialogs.PNG])
        return bool(path) and self.save(widget, path)

    def save(self, widget: QWidget, path: str) -> bool:
        """The picture written, or a message saying why not (the old file stays)."""
        try:
            save_picture(widget, path)
        except (OSError, ValueError) as error:
            self.window.show_message(self.window.tr("Could not save {0}: {1}").format(path, getattr(error, "strerror",
                                                                                                 None) or error))
            return False
        self.window.show_message(self.window.tr("Saved {0}").format(path))
        return True

    def _add_context_menu(self, widget: QWidget, title: str) -> None:
        """Right-click on the view (on its plots too, whose clicks pyqtgraph's scene takes) offers its picture."""
        if widget in (self.window.plots.loss_plot, self.window.plots.accuracy_plot):
            return  # the curves have their own menu (fit, log axis, picture, numbers)
        views = [widget] if isinstance(widget, pg.GraphicsView) else widget.findChildren(pg.GraphicsView)
        for view in views:
            scene = view.scene()
            scene.contextMenu = []  # pyqtgraph's "Export..." entry
            for item in scene.items():
                if isinstance(item, pg.ViewBox):
                    item.setMenuEnabled(False)
            scene.sigMouseClicked.connect(lambda event, widget=widget, title=title: self._clicked(event, widget, title))
        widget.setContextMenuPolicy(Qt.CustomContextMenu)
        widget.customContextMenuRequested.connect(
            lambda position, widget=widget, title=title: self.show_context_menu(widget, title,
                                                                                widget.mapToGlobal(position)))

    def _clicked(self, event, widget, title) -> None:
        if event.button() == Qt.RightButton:
            event.accept()
            self.show_context_menu(widget, title, event.screenPos().toPoint())

    def show_context_menu(self, widget: QWidget, title: str, at) -> QMenu:
        if self.context_menu is not None and self.context_menu.isVisible():
            return self.context_menu  # a right-click reaches both the scene and the widget: one menu
        menu = QMenu(widget)
        menu.setObjectName("viewMenu")
        menu.addAction(self.window.tr("Save as picture (PNG)..."), lambda: self.ask_and_save(widget, title)) \
            .setObjectName("savePictureAction")
        self.context_menu = menu
        menu.popup(at)
        return menu
