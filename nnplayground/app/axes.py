"""Plot axes and ranges that come to rest."""


def steady_axes(plot) -> None:
    """Room for tick labels that grows but never shrinks, on every axis of `plot` (a PlotWidget or PlotItem).

    In a plot whose aspect is locked, the range sets the tick labels, their width the axis's, the axis's
    the view's, and the view's width the range again. Free to shrink, the left axis of the decision view
    flipped between two widths for ever at some window sizes, repainting the plot at every turn of the
    event loop even with nothing training."""
    for name in ("left", "right", "bottom", "top"):
        plot.getAxis(name).setStyle(autoReduceTextSpace=False)


def settle(*widgets) -> None:
    """Work out now the ranges pyqtgraph leaves to the next paint of `widgets` (GraphicsViews): a view that
    follows its data changes its range while painting, and the plot is then painted a second time, whole.
    Call it once the data is set."""
    for widget in widgets:
        widget.scene().prepareForPaint()
