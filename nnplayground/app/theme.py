"""Light and dark palettes (Fusion style) and the matching pyqtgraph colours."""

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("light", "dark")
# Colours that read on both backgrounds (Okabe-Ito, safe for colour-blind eyes).
TRAIN, VALIDATION, ACCENT, MUTED = "#0072B2", "#E69F00", "#CC79A7", "#888888"
DIVERGING = pg.colormap.get("CET-D1")  # blue - white - red, centred on zero
# One colour per class, in order (Okabe-Ito, then two more that stay apart from them).
CLASS_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#999933",
                 "#8C564B", "#7F7F7F")


def class_colour(index: int) -> str:
    return CLASS_COLOURS[index % len(CLASS_COLOURS)]

_DARK = {QPalette.Window: "#2b2b2b", QPalette.WindowText: "#e6e6e6", QPalette.Base: "#1e1e1e",
         QPalette.AlternateBase: "#333333", QPalette.ToolTipBase: "#3c3c3c", QPalette.ToolTipText: "#f0f0f0",
         QPalette.Text: "#e6e6e6", QPalette.Button: "#3a3a3a", QPalette.ButtonText: "#e6e6e6",
         QPalette.BrightText: "#ff6b6b", QPalette.Highlight: "#2f7ed8", QPalette.HighlightedText: "#ffffff",
         QPalette.Link: "#6cb6ff", QPalette.PlaceholderText: "#9a9a9a",
         # Fusion draws frames and check-box borders from these: without them they vanish on dark grey.
         QPalette.Light: "#6a6a6a", QPalette.Midlight: "#555555", QPalette.Mid: "#444444",
         QPalette.Dark: "#888888", QPalette.Shadow: "#111111"}


def apply_theme(app: QApplication, name: str) -> None:
    """Fusion with a light or dark palette; plots follow."""
    app.setStyle("Fusion")
    palette = app.style().standardPalette()
    if name == "dark":
        for role, colour in _DARK.items():
            palette.setColor(role, QColor(colour))
        palette.setColor(QPalette.Disabled, QPalette.Text, QColor("#777777"))
        palette.setColor(QPalette.Disabled, QPalette.ButtonText, QColor("#777777"))
        palette.setColor(QPalette.Disabled, QPalette.WindowText, QColor("#777777"))
    app.setPalette(palette)
    pg.setConfigOptions(antialias=True, imageAxisOrder="row-major",
                        background=palette.color(QPalette.Base), foreground=palette.color(QPalette.Text))


def trend_colours() -> tuple[str, str]:
    """(raw, smoothed) pen colours of a noisy curve and its moving average: the average must stand out on
    top of the noise. On a dark background the blue that reads on white is the darker of the two."""
    dark = plot_colours()[0].lightness() < 128
    return ("#3f6f96", "#9fd4ff") if dark else ("#78aad2", TRAIN)


def plot_colours() -> tuple[QColor, QColor]:
    palette = QApplication.palette()
    return palette.color(QPalette.Base), palette.color(QPalette.Text)


def restyle_all(root) -> None:
    """Every pyqtgraph view under `root` (plots, heatmaps, colour bars, the draw tab's charts) takes the
    current palette's background and text colours: a theme switch leaves no white chart behind."""
    base, text = plot_colours()
    for view in root.findChildren(pg.GraphicsView):
        view.setBackground(base)
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                item.setPen(text)
                item.setTextPen(text)
            elif isinstance(item, pg.LabelItem) and item.text:
                item.setText(item.text, color=text)
            elif isinstance(item, pg.ViewBox) and item.border is not None and item.border.style() != Qt.NoPen:
                item.setBorder(text)  # a plot framed by its view box (the training curves)
            elif isinstance(item, pg.LegendItem):
                item.setLabelTextColor(text)
