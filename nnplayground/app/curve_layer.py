"""CurveLayer: every live curve of one plot, drawn by a single item in a single paint.

pyqtgraph draws each PlotDataItem as two items of its own (a curve and a scatter), each with a Python
paint, its bounds and the bookkeeping of setData. For the loss plot's four curves that cost about 2 ms of
the GUI thread per report, and the training job waits for the GUI to draw each report (app/worker.py).
Here a curve is its data plus the style of a PlotDataItem kept out of the scene: the legend draws its
sample from that item, as for any curve, and clicking the sample hides the curve.
"""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPixmap


class CurveLayer(pg.GraphicsObject):
    def __init__(self):
        super().__init__()
        self.styles: dict[str, pg.PlotDataItem] = {}
        self._data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._paths: dict = {}  # name -> QPainterPath of the line as drawn, made at its first paint
        self._log_y = False
        self._symbols: dict = {}  # (symbol, size, pen, brush, pixel ratio) -> its picture

    def add(self, name: str, style: pg.PlotDataItem) -> None:
        """A curve drawn with `style`'s pen and symbol (read at every paint: restyle it, then `update`)."""
        self.styles[name] = style
        self.set_data(name, np.zeros(0), np.zeros(0))

    def set_data(self, name: str, x: np.ndarray, y: np.ndarray) -> None:
        """The curve's points. Non-finite values are gaps, and so are non-positive ones on a log axis."""
        self._data[name] = (np.asarray(x, float), np.asarray(y, float))
        self._paths.pop(name, None)
        self.update()

    def data(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The curve's points as drawn: on a log axis, y is log10 of the value (as pyqtgraph's getData)."""
        x, y = self._data[name]
        if self._log_y:
            with np.errstate(divide="ignore", invalid="ignore"):
                y = np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)
        return x, y

    def setLogMode(self, _x: bool, y: bool) -> None:  # noqa: N802 - the name PlotItem calls on its items
        if y != self._log_y:
            self._log_y = y
            self._paths.clear()
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

    def paint(self, painter: QPainter, *_args) -> None:
        for name, style in self.styles.items():
            if not style.isVisible():  # hidden from its legend sample
                continue
            opts = style.opts
            pen = pg.mkPen(opts["pen"]) if opts["pen"] is not None else None
            if pen is not None and pen.style() != Qt.NoPen:
                painter.setRenderHint(QPainter.Antialiasing, bool(opts.get("antialias")))
                painter.setPen(pen)
                painter.drawPath(self._path(name))
            if opts["symbol"] is not None:
                self._draw_symbols(painter, name, style)

    def _path(self, name: str):
        path = self._paths.get(name)
        if path is None:
            x, y = self._near_view(*self.data(name))
            path = self._paths[name] = pg.arrayToQPath(x, y, connect="finite")
        return path

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

    def _draw_symbols(self, painter: QPainter, name: str, style: pg.PlotDataItem) -> None:
        """Each point's symbol at its size in pixels, whatever the zoom: one picture, drawn at every point."""
        x, y = self.data(name)
        shown = np.isfinite(x) & np.isfinite(y)
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
