"""The window's runner: a session job on a QThread, the only bridge between training and the GUI.

The job (``nnplayground.session.jobs``) knows nothing of Qt. This runner carries its reports to the GUI
thread as queued signals, where the session turns them into events, and makes the job wait after each
report (holding no GIL) until the GUI has drawn it, at most GUI_WAIT seconds.
"""

import threading
import weakref

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from nnplayground.session.threads import BlasTuner, blas_setter, blas_threads, candidates_beside_a_gui

# Without this turn-taking a small network's pure-Python training loop keeps the GIL and starves the GUI
# thread, whose every call into Qt then waits for it: drawing falls behind and the event queue grows.
# Taking turns beats overlapping here: measured, the GUI draws a report in a third of the time when it
# need not fight the job for the GIL (nnplayground bench --gui).
GUI_WAIT = 0.25
# Threads left finishing a long call after their window closed. They stay referenced for good: dropping
# the last reference from the `finished` signal (emitted in the thread itself) deleted the QThread while
# it was still running, which aborts the process ("QThread: Destroyed while thread is still running").
_detached: set = set()


class _JobThread(QThread):
    reported = Signal(object)
    done = Signal(str)

    def __init__(self, job, control, parent=None):
        super().__init__(parent)
        self.setObjectName("trainingWorker")
        self.job, self.control = job, control
        self._drawn = threading.Event()
        self._closing = False
        self.reason: str | None = None
        self.delivered = False  # its end has been handled (by the done signal or by a closing window)

    def run(self) -> None:
        candidates = candidates_beside_a_gui()
        with blas_threads(candidates[0]):  # every core but the GUI's, until the tuner has measured
            if hasattr(self.job, "blas_tuner") and len(candidates) > 1:
                self.job.blas_tuner = BlasTuner(candidates, blas_setter())
            self.reason = self.job.run(self.control, self._report)
        self.done.emit(self.reason)

    def _report(self, payload: dict) -> None:
        self._drawn.clear()
        self.reported.emit(payload)
        if not self._closing:  # a closing window draws nothing more: no turn to wait for
            self._drawn.wait(GUI_WAIT)

    @property
    def closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        self._closing = True
        self._drawn.set()

    def gui_ready(self) -> None:
        """The GUI has drawn the last report (called on the GUI thread once its event loop is idle)."""
        self._drawn.set()


class QtRunner(QObject):
    can_wait = True

    def __init__(self, parent=None):
        super().__init__(parent)
        self.thread: _JobThread | None = None

    def start(self, job, control, on_report, on_finished) -> None:
        thread = self.thread = _JobThread(job, control, self)
        runner = weakref.ref(self)  # no cycle through the runner: the collector must not be the one to free it

        def report(payload):
            if thread.closing:
                return  # queued before the window closed: its views may be gone
            try:
                on_report(payload)
            finally:  # a view that failed on this report must not leave the job waiting out GUI_WAIT each time
                # Acknowledge once the event loop is idle again, i.e. after the repaints this report caused.
                QTimer.singleShot(0, thread.gui_ready)

        def done(reason):
            if thread.delivered:
                return  # already handled by shut_down
            thread.delivered = True
            thread.wait()
            owner = runner()
            if owner is not None and owner.thread is thread:
                owner.thread = None
            thread.deleteLater()
            on_finished(reason)

        thread.reported.connect(report)
        thread.done.connect(done)
        thread.start()

    def shut_down(self, timeout_ms: int = 1000) -> bool:
        """For a closing window: wait up to `timeout_ms` for the job (already told to stop). If it ends in
        time, its end is handled now, since the event loop that would deliver it is ending: what waited
        for the run to stop (a save) happens. False if the job is still running and was left to finish."""
        thread = self.thread
        if thread is None:
            return True
        thread.close()
        if not let_finish(thread, timeout_ms):
            thread.delivered = True  # its end, whenever it comes, has no window left to tell
            return False
        if not thread.delivered:  # emitted here, on the GUI thread, it is handled at once
            thread.done.emit(thread.reason or "failed")
        return True


def unfinished_threads() -> int:
    """Threads detached by closed windows that are still running (see let_finish)."""
    return sum(thread.isRunning() for thread in list(_detached))


def let_finish(thread: QThread, timeout_ms: int) -> bool:
    """Wait up to `timeout_ms` for a thread; one still inside a long call (a big batch, a download waiting on
    the network) is left to finish on its own, unparented, rather than destroyed while it runs. True if
    it finished."""
    if thread.wait(timeout_ms):
        return True
    thread.setParent(None)
    _detached.add(thread)
    return False
