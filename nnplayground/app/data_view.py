"""The data itself: the points of a 2-D set coloured by class (the test points can be hidden), or a grid
of samples of every class of an image set. It follows the session's data and needs no probe."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from nnplayground.app import theme
from nnplayground.app.axes import release_axes, steady_axes

SAMPLES_PER_CLASS = 12
MAX_CLASSES_SHOWN = 20


def sample_grid(x: np.ndarray, y: np.ndarray, n_classes: int, per_class: int = SAMPLES_PER_CLASS,
                gap: int = 2) -> tuple[np.ndarray, list[int]]:
    """The first `per_class` images of every class in a row each (NaN in the gaps, and where a class has
    fewer), pixels scaled to [0, 1]; and how many of each class were found."""
    side_y, side_x = x.shape[1:3]
    classes = min(n_classes, MAX_CLASSES_SHOWN)
    grid = np.full((classes * (side_y + gap) - gap, per_class * (side_x + gap) - gap), np.nan, np.float32)
    scale = 255.0 if x.dtype == np.uint8 or (x.size and np.nanmax(x[:200]) > 1.5) else 1.0
    found = []
    for k in range(classes):
        indices = np.flatnonzero(y == k)[:per_class]
        found.append(len(indices))
        for column, index in enumerate(indices):
            top, left = k * (side_y + gap), column * (side_x + gap)
            grid[top: top + side_y, left: left + side_x] = x[index] / scale
    return grid, found


class DataView(QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("dataView")
        self.session = session
        self.plot = pg.PlotWidget()
        steady_axes(self.plot)  # its aspect is locked
        self.plot.setObjectName("dataPlot")
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.legend = self.plot.addLegend(offset=(-4, 4), labelTextSize="8pt")
        self.legend.setBrush(pg.mkBrush(128, 128, 128, 60))
        self.train_points = pg.ScatterPlotItem(size=7, pen=pg.mkPen("#202020", width=0.8))
        self.test_points = pg.ScatterPlotItem(size=7, symbol="t", pen=pg.mkPen("#ffffff", width=1.2))
        self.images = pg.ImageItem()
        self.images.setColorMap(pg.ColorMap([0.0, 1.0], [(255, 255, 255), (0, 0, 0)]))  # ink dark on paper
        for item in (self.images, self.train_points, self.test_points):
            self.plot.addItem(item)
        self.show_test = QCheckBox(self.tr("Show test data"))
        self.show_test.setObjectName("dataShowTest")
        self.show_test.setChecked(True)
        self.show_test.setToolTip(self.tr("Draw the test points (triangles) too; training points are circles"))
        self.show_test.toggled.connect(self.test_points.setVisible)
        self.summary = QLabel()
        self.summary.setObjectName("dataSummary")
        self.summary.setWordWrap(True)
        options = QHBoxLayout()
        options.addWidget(self.summary, 1)
        options.addWidget(self.show_test)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(options)
        layout.addWidget(self.plot, 1)
        self.setMinimumSize(300, 240)
        self.found: list[int] = []
        session.events.connect("data_changed", lambda _data: self.show_data())
        self.show_data()

    def show_data(self) -> None:
        data = self.session.dataset
        release_axes(self.plot)  # another set's labels: the class names of an image set leave no margin
        self.legend.clear()
        for item in (self.train_points, self.test_points):
            item.clear()
        self.images.clear()
        if data is None:
            self.summary.setText(self.tr("No data yet: pick a dataset on the left."))
            return
        self.summary.setText(self.tr("{0}: {1} training and {2} test samples, {3} classes").format(
            data.name, f"{len(data.x_train):,}", f"{len(data.x_test):,}", data.n_classes))
        if data.x_train.ndim == 2 and data.x_train.shape[1] == 2:
            self._show_points(data)
        elif data.x_train.ndim == 3:
            self._show_images(data)
        else:
            self.summary.setText(self.summary.text() + self.tr(" (inputs of shape {0}: nothing to draw)")
                                 .format(data.x_train.shape[1:]))

    def _show_points(self, data) -> None:
        self.show_test.setVisible(True)
        self.legend.setVisible(True)
        self.plot.setAspectLocked(True)
        self.plot.getPlotItem().showAxes(True)
        left = self.plot.getPlotItem().getAxis("left")
        left.setTicks(None)
        self.plot.getPlotItem().invertY(False)
        for item, x, y in ((self.train_points, data.x_train, data.y_train),
                           (self.test_points, data.x_test, data.y_test)):
            item.setData(x[:, 0], x[:, 1], brush=[pg.mkBrush(theme.class_colour(int(k))) for k in y])
        for k, name in enumerate(data.class_names):
            self.legend.addItem(pg.ScatterPlotItem(size=8, brush=pg.mkBrush(theme.class_colour(k))), str(name))
        self.plot.autoRange()

    def _show_images(self, data) -> None:
        self.show_test.setVisible(False)
        self.legend.setVisible(False)  # the rows are labelled with the class names instead
        grid, self.found = sample_grid(data.x_train, data.y_train, data.n_classes)
        self.plot.setAspectLocked(True)
        self.plot.getPlotItem().invertY(True)
        self.images.setImage(grid, levels=(0.0, 1.0))
        side = data.x_train.shape[1] + 2
        axis = self.plot.getPlotItem().getAxis("left")
        names = data.class_names[:len(self.found)]
        axis.setTicks([[((k + 0.5) * side - 1, str(name)) for k, name in enumerate(names)]])
        self.plot.getPlotItem().showAxis("bottom", False)
        self.plot.autoRange()
