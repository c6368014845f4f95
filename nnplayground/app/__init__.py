"""Everything Qt: the main window, its widgets, and the training worker (the only bridge to the engine)."""

from nnplayground.app.main_window import MainWindow

__all__ = ["MainWindow"]
