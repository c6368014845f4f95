"""The message banner: floats over the bottom of the centre tabs' page, so it never pushes a control down
and never lies over the tabs or the top of the canvas; it can be closed, and it goes by itself once what
it says is no longer true (a failed download's message, once data loads)."""

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QTabWidget, QToolButton

# What a message is about decides when it stops being true.
ABOUT_DATA = "data"  # cleared when data loads
ABOUT_RUN = "run"  # cleared when a run starts
ABOUT_FILE = "file"  # a damaged side file: stays until closed or acted on
COLOURS = {"light": ("#fff3cd", "#5c4400", "#e0c36a"), "dark": ("#4a3b10", "#ffe7a3", "#8a6d1c")}


class Banner(QFrame):
    def __init__(self, tabs: QTabWidget):
        super().__init__(tabs)
        self.setObjectName("messageBanner")
        self.tabs = tabs
        self.about: str | None = None
        self.label = QLabel()
        self.label.setObjectName("messageText")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextSelectableByMouse)  # a path or an error can be copied
        self.close_button = QToolButton()
        self.close_button.setObjectName("messageClose")
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip(self.tr("Close this message"))
        self.close_button.clicked.connect(self.hide)
        self.action_button = QPushButton()
        self.action_button.setObjectName("messageAction")
        self.action_button.setToolTip(self.tr("Do what the message suggests"))
        self.action_button.clicked.connect(lambda: self._act(0))
        self.action_button.hide()
        self.second_button = QPushButton()  # a second answer (Restore / Discard)
        self.second_button.setObjectName("messageSecondAction")
        self.second_button.setToolTip(self.tr("The other answer to the message"))
        self.second_button.clicked.connect(lambda: self._act(1))
        self.second_button.hide()
        self._actions: list = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button, 0, Qt.AlignTop)
        layout.addWidget(self.second_button, 0, Qt.AlignTop)
        layout.addWidget(self.close_button, 0, Qt.AlignTop)
        tabs.installEventFilter(self)
        self.restyle()
        self.hide()

    def text(self) -> str:
        return self.label.text()

    def show_message(self, text: str, about: str = ABOUT_RUN, action=None) -> None:
        """`action`: (button text, callable) for a one-click answer, or a list of two such answers; the
        message goes once one is clicked."""
        self.label.setText(text)
        self.about = about
        actions = action if isinstance(action, list) else [action] if action else []
        self._actions = [call for _, call in actions]
        for button, answer in zip((self.action_button, self.second_button), [*actions, None, None], strict=False):
            button.setText(answer[0] if answer else "")
            button.setVisible(answer is not None)
        if text:
            self._place()
            self.show()
            self.raise_()
        else:
            self.hide()

    def _act(self, which: int) -> None:
        actions, self._actions = self._actions, []
        self.hide()
        if which < len(actions):
            actions[which]()

    def clear(self, about: str | None = None) -> None:
        """Hide the message if it is about `about` (any message when None)."""
        if about is None or about == self.about:
            self.hide()

    def restyle(self) -> None:
        dark = QApplication.palette().color(QPalette.Window).lightness() < 128
        background, text, border = COLOURS["dark" if dark else "light"]
        self.setStyleSheet(f"#messageBanner {{ background: {background}; border: 1px solid {border}; "
                           f"border-radius: 4px; }} #messageText, #messageClose {{ color: {text}; }}")

    def _place(self) -> None:
        """Across the bottom of the current page, as tall as its text needs up to a third of the page:
        at the top it covered the canvas, where a stroke would start on it (the whole text is in the
        tooltip when it is cut)."""
        width = max(120, self.tabs.width() - 16)
        layout = self.layout()
        layout.invalidate()  # the buttons shown or hidden since change what the text has left
        needed = layout.totalHeightForWidth(width)
        height = min(needed, max(40, self.tabs.height() // 3))
        self.setToolTip(self.label.text() if height < needed else "")
        self.setGeometry(8, self.tabs.height() - height - 8, width, height)

    def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
        if watched is self.tabs and event.type() in (QEvent.Resize, QEvent.Show) and self.isVisible():
            self._place()
        return False
