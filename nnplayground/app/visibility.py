"""A view's probe asked only while the view is on screen: a hidden tab costs the training nothing."""

import weakref

from PySide6.QtCore import QEvent, QObject


class ProbeWhileVisible(QObject):
    """Switches the session's probe `name` on when `view` is shown and off when it is hidden (its tab left,
    its window closed or minimised); shown while idle, the probe answers at once."""

    def __init__(self, view, session, name: str):
        super().__init__(view)
        # Weakly: a view hidden while the garbage collector takes its window apart would otherwise reach
        # a session whose attributes the collector has already cleared (weak references go first).
        self._session, self.name = weakref.ref(session), name
        view.installEventFilter(self)
        session.set_probe_active(name, view.isVisible())

    def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Show, QEvent.Hide):
            session = self._session()
            if session is not None:
                session.set_probe_active(self.name, event.type() == QEvent.Show)
        return False


class DrawWhenShown(QObject):
    """Runs `draw` now if `view` is on screen, else once it is next shown. A view whose results keep
    coming while its tab is hidden (the evaluation, the layer statistics) then draws only the latest one,
    when the user opens it: the training job waits for the GUI to handle each report (app/worker.py),
    and drawing a confusion matrix nobody sees cost it 5 ms a second."""

    def __init__(self, view, draw):
        super().__init__(view)
        self.view, self.draw = view, draw
        self.stale = False
        view.installEventFilter(self)

    def request(self) -> None:
        if self.view.isVisible():
            self.stale = False
            self.draw()
        else:
            self.stale = True

    def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
        if event.type() == QEvent.Show and self.stale and watched is self.view:
            self.stale = False
            self.draw()
        return False
