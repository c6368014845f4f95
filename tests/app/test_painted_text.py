"""Texts that change many times a second, painted without re-laying out the window."""

from PySide6.QtCore import Qt

from nnplayground.app.painted_text import PaintedText


def test_one_line_too_long_ends_in_dots_with_the_whole_text_as_tooltip(qtbot):
    text = PaintedText(Qt.AlignLeft | Qt.AlignVCenter)
    qtbot.addWidget(text)
    text.resize(120, text.sizeHint().height())
    text.show()
    text.setText("epoch 12/500 · batch 31/125 · step 1,406")
    text.grab()  # paints
    shown = text.shown_text()
    assert shown.endswith("…") and text.fontMetrics().horizontalAdvance(shown) <= 120
    assert text.toolTip() == text.text()
    text.resize(1000, text.height())
    text.grab()
    assert text.shown_text() == text.text() and text.toolTip() == ""


def test_a_new_text_asks_for_no_new_layout(qtbot):
    """Its size hint never follows its text: a QLabel's did, and the window then repainted around it."""
    text = PaintedText(min_text="000,000,000 samples/s")
    qtbot.addWidget(text)
    hint = text.sizeHint()
    for figure in ("1 samples/s", "123,456,789 samples/s", ""):
        text.setText(figure)
        assert text.sizeHint() == hint and text.text() == figure
    assert hint.width() >= text.fontMetrics().horizontalAdvance("000,000,000 samples/s")
