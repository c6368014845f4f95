"""The wheel scrolls panels instead of editing what passes under the pointer; number boxes read what
tutorials write and keep a bad number in view."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QScrollArea, QSlider, QSpinBox

from nnplayground.app.inputs import NumberBox, format_number, parse_number
from nnplayground.app.settings_panel import SettingsPanel
from tests.app.helpers import open_window, type_into, wheel


def test_the_wheel_scrolls_the_settings_instead_of_editing_them(qtbot):
    window = open_window(qtbot, 1280, 600)
    scroll = window.findChild(QScrollArea, "controlsScroll")
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0  # the column is taller than the window: there is something to scroll
    targets = [window.findChild(QSpinBox, "batchSize"), window.findChild(QComboBox, "optimizerPicker"),
               window.findChild(QSlider, "learningRateSlider"), window.findChild(QComboBox, "layerActivation"),
               window.findChild(QSpinBox, "layerUnits")]
    before = [w.value() if hasattr(w, "value") else w.currentText() for w in targets]
    experiment = window.session.experiment
    for widget in targets:
        bar.setValue(0)
        scroll.ensureWidgetVisible(widget)
        position = bar.value()
        wheel(widget, -1)
        assert bar.value() > position or bar.value() == bar.maximum(), widget.objectName()
    after = [w.value() if hasattr(w, "value") else w.currentText() for w in targets]
    assert after == before
    assert window.session.experiment == experiment


def test_a_focused_control_takes_the_wheel(qtbot):
    window = open_window(qtbot, 1280, 600)
    batch = window.findChild(QSpinBox, "batchSize")
    qtbot.mouseClick(batch, Qt.LeftButton)  # a click gives focus, as a user does before turning the wheel
    assert batch.hasFocus()
    wheel(batch, 1)
    assert batch.value() == 33
    qtbot.waitUntil(lambda: window.session.experiment.batch_size == 33)


@pytest.mark.parametrize("text", ["1e-3", "0.001", "1E-3", ".001", " 1e-3 ", "0,001"])
def test_the_learning_rate_box_reads_the_notations_of_tutorials(qtbot, text):
    panel = SettingsPanel()
    qtbot.addWidget(panel)
    panel.show()
    type_into(qtbot, panel, "learningRateBox", text)
    assert panel.learning_rate.value() == pytest.approx(0.001)
    assert panel.learning_rate.box.text() == "0.001" and panel.problems.isHidden()


@pytest.mark.parametrize("text", ["0", "1e9", "20", "1e-"])
def test_an_unusable_learning_rate_stays_in_view_with_the_allowed_range(qtbot, text):
    panel = SettingsPanel()
    qtbot.addWidget(panel)
    panel.show()
    edits = []
    panel.live_changed.connect(lambda: edits.append(panel.learning_rate.value()))
    type_into(qtbot, panel, "learningRateBox", text)
    box = panel.learning_rate.box
    assert box.text().strip() == text and panel.learning_rate.value() == 0.001 and edits == []
    assert not panel.problems.isHidden()
    assert f'"{text}"' in panel.problems.text() and "from 1e-6 to 10" in panel.problems.text()
    assert "#d62728" in box.styleSheet()
    panel.epochs.setFocus()  # leaving the box keeps what was typed too
    assert box.text().strip() == text
    type_into(qtbot, panel, box, "3e-4")
    assert panel.learning_rate.value() == pytest.approx(3e-4) and edits == [pytest.approx(3e-4)]
    assert panel.problems.isHidden() and box.styleSheet() == ""


def test_letters_cannot_be_typed_and_penalties_read_exponents_too(qtbot):
    panel = SettingsPanel()
    qtbot.addWidget(panel)
    panel.show()
    type_into(qtbot, panel, "l2", "1e-4x")  # the x is refused as it is typed
    assert panel.l2.value() == pytest.approx(1e-4) and panel.l2.text() == "0.0001"
    type_into(qtbot, panel, "l1", "5e-6")
    assert panel.l1.value() == pytest.approx(5e-6) and panel.l1.text() == "5e-6"


def test_numbers_are_written_short_and_read_back_exactly():
    for value in (0.001, 0.25, 3e-5, 1e-6, 10.0, 0.0, 0.0003):
        assert parse_number(format_number(value)) == pytest.approx(value, rel=1e-3)
    assert [format_number(v) for v in (0.001, 3e-5, 10.0, 0.0)] == ["0.001", "3e-5", "10", "0"]
    assert parse_number("e-3") is None and parse_number("1e") is None and parse_number("abc") is None


def test_stepping_the_box_with_arrow_keys_still_works(qtbot):
    box = NumberBox(1e-6, 10, "Learning rate")
    qtbot.addWidget(box)
    box.setValue(0.001)
    box.show()
    box.setFocus()
    qtbot.keyClick(box, Qt.Key_Up)
    assert box.value() == pytest.approx(0.0011)
