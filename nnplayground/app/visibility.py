"""A view's probe asked only while the view is on screen: a hidden tab costs the training nothing."""

from PySide6.QtCore import QEvent, QObject


class ProbeWhileVisible(QObject):
    """Switches the session's probe `name` on when `view` is shown and off when it is hidden (its tab left,
    its window closed or minimised); shown while idle, the probe answers at once."""

    def __init__(self, view, session, name: str):
        super().__init__(view)
        self.session, self.name = session, name
        view.installEventFilter(self)
        session.set_probe_active(name, view.isVisible())

    def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
        if event.type() == QEvent.Show:
            self.session.set_probe_active(self.name, True)
        elif event.type() == QEvent.Hide:
            self.session.set_probe_active(self.name, False)
        return False
