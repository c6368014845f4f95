"""CurveLayer draws every curve of a plot in one item: where the data is, in each curve's style, with
symbols at their size in pixels, hidden from the legend, with gaps for what a log axis cannot show."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor

from nnplayground.app.curve_layer import CurveLayer

RED, BLUE = QColor(220, 0, 0), QColor(0, 0, 220)


def _plot(qtbot):
    widget = pg.PlotWidget()
    widget.setBackground("w")
    widget.hideAxis("left")
    widget.hideAxis("bottom")
    widget.resize(300, 200)
    qtbot.addWidget(widget)
    layer = CurveLayer()
    widget.addItem(layer, ignoreBounds=True)
    widget.getPlotItem().vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
    widget.show()
    qtbot.waitExposed(widget)
    return widget, layer


def _picture(widget):
    image = widget.grab().toImage()
    return image, widget.getPlotItem().vb


def _pixel_at(widget, x, y) -> QColor:
    """The colour drawn at data point (x, y)."""
    image, view = _picture(widget)
    point = widget.mapFromScene(view.mapViewToScene(QPointF(x, y)))
    return image.pixelColor(point.x(), point.y())


def _is(colour: QColor, wanted: QColor) -> bool:
    return abs(colour.red() - wanted.red()) < 60 and abs(colour.blue() - wanted.blue()) < 60 and colour.green() < 90


def test_a_curve_is_drawn_through_its_points_in_its_pen(qtbot):
    widget, layer = _plot(qtbot)
    layer.add("line", pg.PlotDataItem(pen=pg.mkPen(RED, width=3)))
    layer.set_data("line", np.array([0.0, 1.0]), np.array([0.5, 0.5]))
    assert _is(_pixel_at(widget, 0.5, 0.5), RED)
    assert _pixel_at(widget, 0.5, 0.25) == QColor("white")
    layer.set_data("line", np.array([0.0, 1.0]), np.array([0.25, 0.25]))  # new data replaces the old
    assert _is(_pixel_at(widget, 0.5, 0.25), RED) and _pixel_at(widget, 0.5, 0.5) == QColor("white")


def test_symbols_keep_their_size_in_pixels_whatever_the_zoom(qtbot):
    widget, layer = _plot(qtbot)
    layer.add("dots", pg.PlotDataItem(pen=None, symbol="o", symbolSize=9, symbolBrush=BLUE, symbolPen=BLUE))
    layer.set_data("dots", np.array([0.5]), np.array([0.5]))

    def width_in_pixels():
        image, view = _picture(widget)
        centre = widget.mapFromScene(view.mapViewToScene(QPointF(0.5, 0.5)))
        row = [image.pixelColor(x, centre.y()) for x in range(image.width())]
        return sum(_is(colour, BLUE) for colour in row)

    before = width_in_pixels()
    widget.getPlotItem().vb.setRange(xRange=(0.4, 0.6), yRange=(0.4, 0.6), padding=0)  # 5 times closer
    assert 7 <= before <= 11 and abs(width_in_pixels() - before) <= 1


def test_clicking_a_curves_legend_sample_hides_it(qtbot):
    widget, layer = _plot(qtbot)
    style = pg.PlotDataItem(pen=pg.mkPen(RED, width=3))
    layer.add("line", style)
    legend = widget.getPlotItem().addLegend()
    legend.addItem(style, "line")
    legend.sigSampleClicked.connect(lambda _item: layer.update())
    layer.set_data("line", np.array([0.0, 1.0]), np.array([0.5, 0.5]))
    assert _is(_pixel_at(widget, 0.5, 0.5), RED)
    sample = legend.items[0][0]
    where = widget.mapFromScene(sample.mapToScene(sample.boundingRect().center()))
    qtbot.mouseClick(widget.viewport(), Qt.LeftButton, pos=where)
    assert not style.isVisible()
    assert _pixel_at(widget, 0.5, 0.5) == QColor("white")


def test_on_a_log_axis_values_at_or_below_zero_are_gaps_not_clipped(qtbot):
    widget, layer = _plot(qtbot)
    layer.add("loss", pg.PlotDataItem(pen=pg.mkPen(RED, width=3)))
    widget.setLogMode(y=True)
    layer.set_data("loss", np.array([0.0, 0.5, 1.0]), np.array([1.0, 0.0, -1.0]))
    x, y = layer.data("loss")
    assert y[0] == 0.0 and np.isnan(y[1:]).all()
    widget.setLogMode(y=False)
    assert layer.data("loss")[1] == pytest.approx([1.0, 0.0, -1.0])


def test_a_point_far_off_the_view_still_draws_the_line_towards_it_and_infinity_is_a_gap(qtbot):
    """A diverging loss (1e16) on a zoomed linear axis: the wide line up to it still crosses the view
    (Qt dropped the whole line when handed the raw point). An infinite value is a gap, never a line."""
    widget, layer = _plot(qtbot)
    layer.add("loss", pg.PlotDataItem(pen=pg.mkPen(RED, width=2)))
    widget.getPlotItem().vb.setRange(xRange=(0, 1), yRange=(0.4, 0.6), padding=0)
    x = np.linspace(0.0, 1.0, 100)
    y = 0.5 + 0.05 * np.sin(x * 20)
    y[50] = 1e16
    layer.set_data("loss", x, y)
    image, _ = _picture(widget)
    reds = sum(_is(image.pixelColor(x, y), RED) for x in range(0, image.width(), 2)
               for y in range(0, image.height(), 2))
    assert reds > 50
    widget.getPlotItem().vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
    layer.set_data("loss", np.array([0.0, 0.5, 1.0]), np.array([0.2, np.inf, 0.2]))
    image, _ = _picture(widget)
    assert not any(_is(image.pixelColor(x, y), RED) for x in range(0, image.width(), 2)
                   for y in range(0, image.height(), 2))
