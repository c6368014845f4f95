"""The hints panel: under the centre tabs, so it is seen from every tab while a run trains. Each hint says
what is wrong with the numbers that show it, a button per fix and Dismiss; the panel is hidden while
there is none. The rules and the fixes are the session's (``session.hints``, ``session.hint_board``): a
fix goes through the session, and the panels follow its events as after any edit.

A divergence (NaN or infinite loss) is one of these hints: its message is the session's, shown here
with its fixes instead of in the message banner.
"""

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from nnplayground.app.banner import COLOURS
from nnplayground.session.hint_board import HintBoard

MAX_HEIGHT = 220  # pixels: two hints show whole, more scroll; the curves keep most of the page ...
MAX_SHARE = 0.3  # ... and at most this share of the column (at 720 pixels: one hint whole, the next scrolls)
MIN_HEIGHT = 60  # a hint's first line and its buttons, whatever room is left


class _HintCard(QFrame):
    """One hint: title and message, its evidence, its fix buttons and Dismiss."""

    def __init__(self, panel: "HintsPanel", hint):
        super().__init__()
        self.panel, self.hint = panel, hint
        self.setObjectName(f"hint_{hint.id}")
        self.setProperty("hintCard", True)
        self.text = QLabel()
        self.text.setObjectName("hintText")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.evidence = QLabel()
        self.evidence.setObjectName("hintEvidence")
        self.evidence.setWordWrap(True)
        self.evidence.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.buttons = QHBoxLayout()
        self.buttons.setContentsMargins(0, 0, 0, 0)
        self.dismiss = QPushButton(self.tr("Dismiss"))
        self.dismiss.setObjectName("hintDismiss")
        self.dismiss.setToolTip(self.tr("Hide this hint for the rest of this run"))
        self.dismiss.clicked.connect(lambda: self.panel.board.dismiss(self.hint.id))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 5, 8, 5)
        layout.setSpacing(3)
        layout.addWidget(self.text)
        layout.addWidget(self.evidence)
        layout.addLayout(self.buttons)
        self.fix_buttons: list[QPushButton] = []
        self.show_hint(hint)

    def show_hint(self, hint) -> None:
        """Show `hint` (the same rule's, with fresh numbers) in place: a button under the pointer stays."""
        self.hint = hint
        self.text.setText(f"<b>{hint.title}.</b> {hint.message}")
        self.evidence.setText(self.tr("Evidence: {0}").format(hint.evidence_text()))
        if [button.text() for button in self.fix_buttons] != [fix.label for fix in hint.fixes]:
            self._make_buttons()
        for button, fix in zip(self.fix_buttons, hint.fixes, strict=True):
            button.setToolTip(fix.description)

    def _make_buttons(self) -> None:
        while self.buttons.count():
            item = self.buttons.takeAt(0)
            if item.widget() is not None and item.widget() is not self.dismiss:
                item.widget().deleteLater()
        self.fix_buttons = []
        for index, fix in enumerate(self.hint.fixes):
            button = QPushButton(fix.label)
            button.setObjectName(f"hintFix{index}")
            button.clicked.connect(lambda _=False, index=index: self.panel.apply(self.hint, index))
            self.fix_buttons.append(button)
            self.buttons.addWidget(button)
        self.buttons.addStretch(1)
        self.buttons.addWidget(self.dismiss)


class HintsPanel(QScrollArea):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.setObjectName("hintsPanel")
        self.session = session
        self.board = HintBoard(session)
        self.cards: dict[str, _HintCard] = {}
        inner = QWidget()
        inner.setObjectName("hintsList")
        self.list = QVBoxLayout(inner)
        self.list.setContentsMargins(0, 0, 0, 0)
        self.list.setSpacing(4)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)
        session.events.connect("hints", self.show_hints)
        self.restyle()
        self.hide()

    def show_hints(self, hints) -> None:
        """Cards for `hints`, in their order; a card whose rule still speaks is updated in place."""
        wanted = {hint.id for hint in hints}
        for hint_id in [hint_id for hint_id in self.cards if hint_id not in wanted]:
            card = self.cards.pop(hint_id)
            card.hide()
            card.deleteLater()  # not now: its own button may be what asked for this
        for position, hint in enumerate(hints):
            card = self.cards.get(hint.id)
            if card is None:
                card = self.cards[hint.id] = _HintCard(self, hint)
            else:
                card.show_hint(hint)
            self.list.insertWidget(position, card)
        self.setVisible(bool(hints))
        column = self.parentWidget()
        if column is not None and not column.property("hintsPanelWatches"):  # its height limits the panel's
            column.setProperty("hintsPanelWatches", True)
            column.installEventFilter(self)
        self._fit()

    def apply(self, hint, index: int) -> None:
        self.board.apply(hint, hint.fixes[index])

    def hint_ids(self) -> list[str]:
        return [hint.id for hint in self.board.hints]

    def _fit(self) -> None:
        """As tall as the cards, up to MAX_HEIGHT, MAX_SHARE of the column and the room the column's other
        widgets leave at their smallest (then it scrolls): a hint never makes the window taller than a
        small screen. At least MIN_HEIGHT, a hint's first line and buttons."""
        layout = self.widget().layout()
        width = self.viewport().width()
        needed = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else layout.totalSizeHint().height()
        column = self.parentWidget()
        height = column.height() if column is not None else MAX_HEIGHT / MAX_SHARE
        room = height - self._others_need(column) if column is not None else MAX_HEIGHT
        self.setFixedHeight(max(MIN_HEIGHT, min(MAX_HEIGHT, max(90, int(MAX_SHARE * height)), room, needed + 2)))

    def _others_need(self, column) -> int:
        """The height the column's other widgets need at their smallest, with the spacing between them."""
        layout = column.layout()
        if layout is None:
            return 0
        shown = [layout.itemAt(i) for i in range(layout.count())]
        others = [item for item in shown if item.widget() is not self and not item.isEmpty()]
        margins = layout.contentsMargins()
        return (sum(item.minimumSize().height() for item in others) + layout.spacing() * len(others)
                + margins.top() + margins.bottom())

    def resizeEvent(self, event):  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():  # the text wraps anew
            self._fit()

    def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
        if watched is self.parentWidget() and event.type() == QEvent.Resize and self.isVisible():
            self._fit()
        return False

    def restyle(self) -> None:
        """The message banner's colours, from the current palette (light or dark): the window calls it when
        the theme changes, as it does the banner's."""
        dark = QApplication.palette().color(QPalette.Window).lightness() < 128
        background, text, border = COLOURS["dark" if dark else "light"]
        self.setStyleSheet(f"QFrame[hintCard=\"true\"] {{ background: {background}; border: 1px solid {border}; "
                           f"border-radius: 4px; }} #hintText, #hintEvidence {{ color: {text}; }} "
                           f"#hintEvidence {{ font-size: 8pt; }}")
