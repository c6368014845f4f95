"""Plot axes and ranges that come to rest."""


AXES = ("left", "right", "bottom", "top")
NEW_AXIS_ROOM = (30, 18)  # pixels: the label width and height a new pyqtgraph AxisItem starts with


def steady_axes(plot) -> None:
    """Room for tick labels that grows but never shrinks, on every axis of `plot` (a PlotWidget or PlotItem)
    whose aspect is locked and whose ticks follow the range; `release_axes` when its data changes.

    In such a plot the range sets the tick labels, their width the axis's, the axis's the view's, and the
    view's width the range again. Free to shrink, the left axis of the decision view flipped between two
    widths for ever at some window sizes, repainting the plot at every turn of the event loop even with
    nothing training."""
    for name in AXES:
        plot.getAxis(name).setStyle(autoReduceTextSpace=False)


def release_axes(plot) -> None:
    """Let `plot`'s steady axes take the room their next tick labels need, no more (other data: class
    names gone from an axis must not leave their margin behind)."""
    for name in AXES:
        axis = plot.getAxis(name)
        axis.textWidth, axis.textHeight = NEW_AXIS_ROOM  # pyqtgraph's record of the widest label yet
        axis.picture = None  # its labels worked out again at the next paint
        axis.update()


def settle(*widgets) -> None:
    """Work out now the ranges pyqtgraph leaves to the next paint of `widgets` (GraphicsViews): a view that
    follows its data changes its range while painting, and the plot is then painted a second time, whole.
    Call it once the data is set."""
    for widget in widgets:
        widget.scene().prepareForPaint()
