"""CurveLayer: every live curve of one plot, drawn by a single item in a single paint.

pyqtgraph draws each PlotDataItem as two items of its own (a curve and a scatter), each with a Python
paint, its bounds and the bookkeeping of setData. For the loss plot's four curves that cost about 2 ms of
the GUI thread per report, and the training job waits for the GUI to draw each report (app/worker.py).
Here a curve is its data plus the style of a PlotDataItem kept out of the scene: the legend draws its
sample from that item, as for any curve, and clicking the sample hides the curve.

A curve that only grew (see thinning.BucketThinner) repaints only the strip from where it changed to its
newest point: a report then costs its new pixels, not the whole plot.
"""

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsItem


class CurveLayer(pg.GraphicsObject):
    def __init__(self):
        super().__init__()
        self.styles: dict[str, pg.PlotDataItem] = {}
        self._data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._paths: dict = {}  # name -> QPainterPath of the line as drawn, made at its first paint
        self._drawn: dict = {}  # name -> its points as drawn (see data), worked out once per set_data
        self._log_y = False
        self._symbols: dict = {}  # (symbol, size, pen, brush, pixel ratio) -> its picture
        # Qt then tells paint which part of the plot it repaints (option.exposedRect).
        self.setFlag(QGraphicsItem.ItemUsesExtendedStyleOption)

    def add(self, name: str, style: pg.PlotDataItem) -> None:
        """A curve drawn with `style`'s pen and symbol (read at every paint: restyle it, then `update`)."""
        self.styles[name] = style
        self.set_data(name, np.zeros(0), np.zeros(0))

    def set_data(self, name: str, x: np.ndarray, y: np.ndarray, changed_from: float | None = None) -> None:
        """The curve's points. Non-finite values are gaps, and so are non-positive ones on a log axis.
        `changed_from`: the smallest x where the drawing differs from the last points' (inf: nowhere); the
        plot then repaints from there on only. None: anywhere."""
        self._data[name] = (np.asarray(x, float), np.asarray(y, float))
        self._drawn.pop(name, None)
        if changed_from == math.inf:
            return
        self._paths.pop(name, None)
        if changed_from is None or changed_from == -math.inf:
            self.update()
        else:
            finite = x[np.isfinite(x)]
            self.update(self._strip(name, changed_from, float(finite[-1]) if len(finite) else changed_from))

    def _strip(self, name: str, left: float, right: float) -> QRectF:
        """The view's full height from x `left` to `right`, and the pixels curve `name`'s symbols or wide
        line reach beyond (paint then draws every curve over that strip)."""
        view = self.getViewBox()
        if view is None or view.width() <= 0 or view.height() <= 0:
            return QRectF()
        rect = view.viewRect()
        reach = self._reach(self.styles[name].opts)
        dx, dy = reach * self._data_per_pixel(), reach * rect.height() / view.height()
        left, right = max(left, rect.left()) - dx, min(max(right, left), rect.right()) + dx
        return QRectF(left, rect.top() - dy, right - left, rect.height() + 2 * dy)

    @staticmethod
    def _reach(opts: dict) -> float:
        """How far in pixels a curve's drawing reaches beyond its points: half a symbol or half a line, and
        a pixel or two of antialiasing."""
        pen = _pen(opts["pen"])
        half_line = pen.widthF() / 2 if pen is not None else 0.0
        half_symbol = (opts["symbolSize"] + 1) / 2 if opts["symbol"] is not None else 0.0
        return max(half_line, half_symbol) + 3.0

    def data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The curve's points as drawn: on a log axis, y is log10 of the value (as pyqtgraph's getData)."""
        drawn = self._drawn.get(name)
        if drawn is None:
            x, y = self._data[name]
            if self._log_y:
                with np.errstate(divide="ignore", invalid="ignore"):
                    y = np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)
            drawn = self._drawn[name] = (x, y)
        return drawn

    def setLogMode(self, _x: bool, y: bool) -> None:  # noqa: N802 - the name PlotItem calls on its items
        if y != self._log_y:
            self._log_y = y
            self._paths.clear()
            self._drawn.clear()
            self.update()

    # ----- drawing -------------------------------------------------------------------------------

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt's name
        """The visible range and a pixel around it: the plot clips the curves to the range, and what is
        repainted then includes the whole of the pixels along its edges (the view's frame crosses them)."""
        view = self.getViewBox()
        if view is None:
            return QRectF()
        x, y = abs(self.pixelWidth()), abs(self.pixelHeight())
        return view.viewRect().adjusted(-x, -y, x, y)

    def viewTransformChanged(self) -> None:  # noqa: N802 - pyqtgraph's name
        super().viewTransformChanged()
        self._paths.clear()  # their far points are pulled in by the view's size (see _path)
        self.prepareGeometryChange()

    def paint(self, painter: QPainter, option, *_args) -> None:
        strip = self._exposed_strip(option)
        for name, style in self.styles.items():
            if not style.isVisible():  # hidden from its legend sample
                continue
            opts = style.opts
            pen = _pen(opts["pen"])
            if pen is not None and pen.style() != Qt.NoPen:
                painter.setRenderHint(QPainter.Antialiasing, bool(opts.get("antialias")))
                painter.setPen(pen)
                painter.drawPath(self._path(name) if strip is None else self._strip_path(name, strip))
            if opts["symbol"] is not None:
                self._draw_symbols(painter, name, style, strip)

    def _exposed_strip(self, option) -> tuple[float, float] | None:
        """The x range Qt repaints, when it is a part of the view (None: all of it)."""
        view = self.getViewBox()
        exposed = getattr(option, "exposedRect", None)
        if view is None or exposed is None or exposed.isEmpty():
            return None
        rect = view.viewRect()
        if exposed.left() <= rect.left() and exposed.right() >= rect.right():
            return None
        return exposed.left(), exposed.right()

    def _path(self, name: str):
        path = self._paths.get(name)
        if path is None:
            x, y = self._near_view(*self.data(name))
            path = self._paths[name] = pg.arrayToQPath(x, y, connect="finite")
        return path

    def _data_per_pixel(self) -> float:
        view = self.getViewBox()
        return view.viewRect().width() / view.width() if view is not None and view.width() > 0 else 0.0

    def _strip_path(self, name: str, strip: tuple[float, float]):
        """The line over a strip of the view only: its points there, those whose line's end or antialiasing
        reaches into it, and one more either side."""
        x, y = self.data(name)
        reach = self._reach(self.styles[name].opts) * self._data_per_pixel()
        start = max(0, int(np.searchsorted(x, strip[0] - reach, "left")) - 1)
        stop = min(len(x), int(np.searchsorted(x, strip[1] + reach, "right")) + 1)
        return pg.arrayToQPath(*self._near_view(x[start:stop], y[start:stop]), connect="finite")

    def _near_view(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Points far outside the view pulled in to ten views' distance: Qt drops a wide line to a point
        at 1e16 altogether (a diverging loss on a zoomed linear axis), and from that far the line crosses
        the view at the same slope to the eye."""
        view = self.getViewBox()
        if view is None:
            return x, y
        rect = view.viewRect()
        w, h = max(rect.width(), 1e-300), max(rect.height(), 1e-300)
        def pulled(values, low, high):  # an infinite value stays a gap, as NaN
            return np.where(np.isfinite(values), np.clip(values, low, high), values)
        return (pulled(x, rect.left() - 10 * w, rect.right() + 10 * w),
                pulled(y, rect.top() - 10 * h, rect.bottom() + 10 * h))

    def _draw_symbols(self, painter: QPainter, name: str, style: pg.PlotDataItem,
                      strip: tuple[float, float] | None = None) -> None:
        """Each point's symbol at its size in pixels, whatever the zoom: one picture, drawn at every point
        (of the strip of the view repainted, if given)."""
        x, y = self.data(name)
        shown = np.isfinite(x) & np.isfinite(y)
        if strip is not None:
            reach = self._reach(style.opts) * self._data_per_pixel()
            shown &= (x >= strip[0] - reach) & (x <= strip[1] + reach)
        if not shown.any():
            return
        t = painter.transform()
        px = t.m11() * x[shown] + t.m21() * y[shown] + t.dx()
        py = t.m12() * x[shown] + t.m22() * y[shown] + t.dy()
        picture = self._symbol_picture(style.opts, painter.device())
        half = picture.width() / picture.devicePixelRatio() / 2
        painter.save()
        painter.resetTransform()
        for u, v in zip((px - half).tolist(), (py - half).tolist(), strict=True):
            painter.drawPixmap(QPointF(u, v), picture)
        painter.restore()

    def _symbol_picture(self, opts: dict, device) -> QPixmap:
        ratio = device.devicePixelRatioF() if device is not None else 1.0
        pen, brush = pg.mkPen(opts["symbolPen"]), pg.mkBrush(opts["symbolBrush"])
        symbol, size = opts["symbol"], opts["symbolSize"]
        key = (symbol, size, pen.color().rgba(), pen.widthF(), brush.color().rgba(), ratio)
        picture = self._symbols.get(key)
        if picture is None:
            side = int(np.ceil((size + pen.widthF() + 2) * ratio))
            picture = QPixmap(side, side)
            picture.setDevicePixelRatio(ratio)
            picture.fill(Qt.transparent)
            with_painter = QPainter(picture)
            with_painter.setRenderHint(QPainter.Antialiasing)
            with_painter.translate(side / ratio / 2, side / ratio / 2)
            pg.graphicsItems.ScatterPlotItem.drawSymbol(with_painter, symbol, size, pen, brush)
            with_painter.end()
            self._symbols[key] = picture
        return picture


def _pen(style) -> QPen | None:
    """A style's pen as a QPen (PlotDataItem keeps one already; making another costs at every paint)."""
    if style is None or isinstance(style, QPen):
        return style
    return pg.mkPen(style)
