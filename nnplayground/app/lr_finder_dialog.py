"""The learning-rate finder's dialog: the range test (``session.lr_finder``) on a copy of the network, its
smoothed loss against the rate on a log axis as it runs, a progress bar, Cancel, the suggested rate
marked, and "Use this rate", which sets it through the session like any edit of the rate."""

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout

from nnplayground.app import theme
from nnplayground.app.plots import LossAxis
from nnplayground.session.lr_finder import END, START, STEPS, start_range_test


class LearningRateFinderDialog(QDialog):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("lrFinderDialog")
        self.setWindowTitle(self.tr("Find a learning rate"))
        self.setWindowModality(Qt.WindowModal)  # no Train, no edit while it runs: it tests this network
        self.session = session
        self.job = None
        self.suggestion: float | None = None
        about = QLabel(self.tr("A copy of the network trains for up to {0} batches while the learning rate grows "
                               "from {1:g} to {2:g}; the network itself is not changed. A good rate is where the "
                               "loss falls fastest, well before it blows up.").format(STEPS, START, END))
        about.setWordWrap(True)
        self.plot = pg.PlotWidget(axisItems={"bottom": LossAxis(orientation="bottom"),
                                             "left": LossAxis(orientation="left")})
        self.plot.setObjectName("lrFinderPlot")
        self.plot.setLogMode(x=True, y=False)
        self.plot.setLabel("bottom", self.tr("learning rate"))
        self.plot.setLabel("left", self.tr("loss"))
        self.plot.getAxis("left").enableAutoSIPrefix(False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMinimumSize(420, 240)
        self.raw_curve = self.plot.plot(pen=pg.mkPen((120, 170, 210), width=1))
        self.curve = self.plot.plot(pen=pg.mkPen(theme.TRAIN, width=2))
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen(theme.ACCENT, width=2, style=Qt.DashLine))
        self.marker.hide()
        self.plot.addItem(self.marker)
        self.point = self.plot.plot(pen=None, symbol="o", symbolSize=10, symbolBrush=theme.ACCENT)
        self.progress = QProgressBar()
        self.progress.setObjectName("lrFinderProgress")
        self.status = QLabel()
        self.status.setObjectName("lrFinderStatus")
        self.status.setWordWrap(True)
        self.use_button = QPushButton(self.tr("Use this rate"))
        self.use_button.setObjectName("useRateButton")
        self.use_button.setEnabled(False)
        self.use_button.setToolTip(self.tr("Set the learning rate to the suggestion and close"))
        self.use_button.clicked.connect(self.use_rate)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setObjectName("lrFinderCancel")
        self.cancel_button.setToolTip(self.tr("Stop the test (the network is unchanged either way) and close"))
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(620, 460)

    @property
    def running(self) -> bool:
        return self.job is not None and not self.job.result.ended

    def start(self) -> bool:
        """Start the range test and show the dialog; if it cannot run now, the session says why (a message)
        and nothing opens."""
        if self.running:
            return False
        self.suggestion = None
        for item in (self.raw_curve, self.curve, self.point):
            item.setData([], [])
        self.marker.hide()
        self.use_button.setEnabled(False)
        self.cancel_button.setText(self.tr("Cancel"))
        self.progress.setRange(0, STEPS)
        self.progress.setValue(0)
        self.status.setText(self.tr("Training a copy of the network..."))
        self.job = start_range_test(self.session, self._report, self._finished)
        if self.job is None:
            return False
        self.open()
        return True

    def _report(self, payload: dict) -> None:
        if "range_test" not in payload:
            if "message" in payload:
                self.status.setText(payload["message"])
            return
        result = self.job.result
        self.progress.setValue(len(result.rates))
        rates = np.asarray(result.rates)
        smoothed, raw = np.asarray(result.smoothed), np.asarray(result.losses)
        shown = np.isfinite(smoothed) & np.isfinite(raw)
        self.raw_curve.setData(rates[shown], raw[shown])
        self.curve.setData(rates[shown], smoothed[shown])
        self._fit_view(smoothed[shown])

    def _fit_view(self, smoothed: np.ndarray) -> None:
        """The whole range across; up the side, the curve up to twice its starting loss (a blow-up would
        flatten everything else)."""
        self.plot.setXRange(np.log10(START), np.log10(END), padding=0.02)
        if len(smoothed):
            low, high = float(smoothed.min()), float(min(smoothed.max(), 2 * smoothed[0]))
            self.plot.setYRange(low, max(high, low * 1.01 + 1e-9), padding=0.05)

    def _finished(self, reason: str) -> None:
        result = self.job.result
        self.cancel_button.setText(self.tr("Close"))
        self.progress.setValue(self.progress.maximum() if result.ended != "cancelled" else len(result.rates))
        self.suggestion = result.suggestion
        if result.ended == "cancelled":
            self.status.setText(self.tr("Cancelled after {0} batches.").format(len(result.rates)))
        elif self.suggestion is None:
            self.status.setText(self.tr("No suggestion: the loss never fell over the range."))
        else:
            self._mark(self.suggestion)
            why = self.tr("the loss blew up at {0:.2g}").format(result.rates[-1]) if result.ended == "loss blew up" \
                else self.tr("the whole range tried")
            self.status.setText(self.tr("Suggested learning rate: <b>{0:g}</b>, where the smoothed loss falls "
                                        "fastest ({1}).").format(self.suggestion, why))
        self.use_button.setEnabled(self.suggestion is not None)

    def _mark(self, rate: float) -> None:
        result = self.job.result
        rates = np.asarray(result.rates)
        nearest = int(np.argmin(np.abs(np.log10(rates) - np.log10(rate))))
        self.marker.setValue(np.log10(rate))
        self.marker.show()
        self.point.setData([rates[nearest]], [result.smoothed[nearest]])

    def use_rate(self) -> None:
        """The suggestion becomes the learning rate, through the session: the settings panel follows."""
        if self.suggestion is not None:
            self.session.update(learning_rate=self.suggestion)
        self.accept()

    def reject(self) -> None:
        """Cancel (or Esc, or closing the dialog): stops a test under way, then closes; Close once it is over."""
        if self.running and self.session.side_control is not None:
            self.session.side_control.stop()
        super().reject()
