"""The Runs tab and Compare..., driven with real clicks and keys: sorting, overlaying, the differences in
words, renaming, bringing a run back, deleting with Undo, a damaged record, and a sweep from the dialog."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit

from nnplayground.session import Experiment, State
from nnplayground.session.history import read_record
from tests.app.helpers import click, open_window

RATES = (0.03, 0.001, 0.01)


def _train(qtbot, window, **changes):
    """One real run in the window (3 epochs unless said), then a reset: the next Train is a new run."""
    window.session.update(**{"epochs": 3, **changes})
    click(qtbot, window, "trainButton")
    qtbot.waitUntil(lambda: window.session.state is State.IDLE and bool(window.session.run_log.finish_reason),
                    timeout=20_000)
    record_id = window.session.run_log.record_id
    window.session.reset()
    return record_id


@pytest.fixture
def window(qtbot):
    window = open_window(qtbot)
    window.session.load_data(dataset="moons", n_samples=200)
    window.session.update(layers=[], batch_size=20)
    window.ids = [_train(qtbot, window, learning_rate=rate) for rate in RATES]
    window.centre_tabs.setCurrentWidget(window.runs_view)
    window.session.history.flush(10)
    return window


def _cell(view, row, column):
    table = view.table
    return table.visualRect(view.proxy.index(row, column)).center()


def _click_row(qtbot, view, row, modifier=Qt.NoModifier):
    qtbot.mouseClick(view.table.viewport(), Qt.LeftButton, modifier, _cell(view, row, 1))


def _column(view, column) -> list[str]:
    return [view.proxy.index(row, column).data() for row in range(view.proxy.rowCount())]


def test_every_finished_run_is_a_row_newest_first(qtbot, window):
    view = window.runs_view
    assert window.centre_tabs.tabText(window.centre_tabs.currentIndex()) == "Runs"
    assert view.objectName() == "runsView" and view.proxy.rowCount() == 3
    assert _column(view, 0) == ["run 3", "run 2", "run 1"]
    assert _column(view, 4) == ["0.01", "0.001", "0.03"] and set(_column(view, 1)) == {"moons"}
    assert _column(view, 2) == ["none"] * 3 and _column(view, 6) == ["3"] * 3
    assert all(text.endswith("%") for text in _column(view, 5))
    _train(qtbot, window, learning_rate=0.002)  # it updates when a run ends
    qtbot.waitUntil(lambda: view.proxy.rowCount() == 4)
    assert _column(view, 0)[0] == "run 4"


def test_a_click_on_a_column_title_sorts_by_it(qtbot, window):
    view = window.runs_view
    header = view.table.horizontalHeader()
    position = QPoint(header.sectionViewportPosition(4) + header.sectionSize(4) // 2, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=position)
    first = _column(view, 4)
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=position)
    assert sorted([first, _column(view, 4)]) == [["0.001", "0.01", "0.03"], ["0.03", "0.01", "0.001"]]


def test_two_selected_runs_are_overlaid_with_their_differences_in_words(qtbot, window):
    view = window.runs_view
    assert view.overlay.drawn() == 0 and "Select two or more" in view.differences_text()
    _click_row(qtbot, view, 0)  # run 3, 0.01
    assert view.overlay.drawn() == 1 and view.restore_button.isEnabled()
    _click_row(qtbot, view, 2, Qt.ControlModifier)  # run 1, 0.03
    assert view.selected_ids() == [window.ids[2], window.ids[0]]
    assert view.overlay.drawn() == 2 and not view.restore_button.isEnabled()
    text = view.differences_text()
    assert "learning rate 0.01 vs 0.03" in text and "run 3 · run 1" in text
    assert "seed" in text  # each reset took the next seed
    slot = view.overlay.curves[1]["val_loss"]
    assert len(slot.getData()[0]) == 3 and slot.opts["pen"].color().name() != \
        view.overlay.curves[0]["val_loss"].opts["pen"].color().name()


def test_a_name_edited_in_the_table_is_kept_on_disk(qtbot, window):
    view = window.runs_view
    qtbot.mouseClick(view.table.viewport(), Qt.LeftButton, pos=_cell(view, 2, 0))
    qtbot.mouseDClick(view.table.viewport(), Qt.LeftButton, pos=_cell(view, 2, 0))
    editor = view.table.viewport().findChild(QLineEdit)
    assert editor is not None and editor.isVisible() and editor.text() == "run 1"
    editor.selectAll()
    qtbot.keyClicks(editor, "fast but wobbly")
    qtbot.keyClick(editor, Qt.Key_Return)
    history = window.session.history
    qtbot.waitUntil(lambda: history.records[window.ids[0]].name == "fast but wobbly")  # committed when idle
    history.flush(10)
    assert read_record(history.path(window.ids[0])).name == "fast but wobbly"
    assert "fast but wobbly" in _column(view, 0)
    run = next(run for run in window.session.runs if run.record_id == window.ids[0])
    assert run.name == "fast but wobbly"  # the Runs menu says it too


def test_bring_back_restores_the_runs_experiment_through_the_session(qtbot, window):
    view = window.runs_view
    _click_row(qtbot, view, 2)  # run 1
    click(qtbot, view, "restoreRunButton")
    record = read_record(window.session.history.path(window.ids[0]))
    assert window.session.experiment == Experiment.from_dict(record.experiment)
    assert window.session.experiment.learning_rate == 0.03
    assert window.settings_panel.values()["learning_rate"] == 0.03  # the panels follow
    assert window.session.run_log.record_id == window.ids[0]  # its network and curves came back too


def test_the_delete_key_removes_the_selected_run_and_undo_brings_it_back(qtbot, window):
    view = window.runs_view
    _click_row(qtbot, view, 1)  # run 2
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key_Delete)
    path = window.session.history.path(window.ids[1])
    assert not path.exists() and view.proxy.rowCount() == 2 and "run 2" not in _column(view, 0)
    click(qtbot, view, "undoDeleteButton")
    window.session.history.flush(10)
    assert path.exists() and view.proxy.rowCount() == 3 and view.selected_ids() == [window.ids[1]]
    _click_row(qtbot, view, 0)
    click(qtbot, view, "deleteRunsButton")
    assert not window.session.history.path(window.ids[2]).exists()


def test_a_damaged_record_is_skipped_with_a_message(qtbot, tmp_path):
    from nnplayground.session.history import default_folder

    folder = default_folder()
    folder.mkdir(parents=True)
    (folder / "20240101-000000-aaaaaa.json").write_text("{not a record")
    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.session.history.loaded)
    assert "20240101-000000-aaaaaa.json" in window.banner.text() and "skipped" in window.banner.text()
    assert window.runs_view.proxy.rowCount() == 0


def _dialog(qtbot, window, values, epochs):
    click(qtbot, window, "compareButton")
    dialog = window.runs_view.sweep_dialog
    qtbot.waitUntil(dialog.isVisible)
    box = dialog.findChild(object, "sweepSetting1")
    box.setCurrentIndex(box.findData("learning_rate"))
    edit = dialog.findChild(object, "sweepValues1")
    edit.selectAll()
    qtbot.keyClicks(edit, values)
    spin = dialog.findChild(object, "sweepEpochs")
    spin.selectAll()
    qtbot.keyClicks(spin, str(epochs))
    return dialog


def test_compare_runs_a_sweep_and_the_runs_tab_overlays_it(qtbot):
    window = open_window(qtbot)
    window.session.load_data(dataset="moons", n_samples=200)
    window.session.update(layers=[], batch_size=20)
    dialog = _dialog(qtbot, window, "0.01, 0.1", 2)
    assert "2 runs of 2 epochs each on moons" in dialog.summary.text()
    finished = []
    dialog.recorded.connect(finished.append)
    click(qtbot, dialog, "sweepRunButton")
    qtbot.waitUntil(lambda: bool(finished), timeout=60_000)
    view = window.runs_view
    assert window.centre_tabs.currentWidget() is view
    qtbot.waitUntil(lambda: view.sweep_dialog is None)  # closed
    assert view.proxy.rowCount() == 2 and len(view.selected_ids()) == 2 == len(finished[0])
    assert view.overlay.drawn() == 2
    text = view.differences_text()
    assert "learning rate 0.01 vs 0.1" in text or "learning rate 0.1 vs 0.01" in text
    assert sorted(_column(view, 0)) == ["learning rate 0.01", "learning rate 0.1"]
    assert _column(view, 6) == ["2", "2"]


def test_cancel_stops_a_comparison_and_records_nothing_unfinished(qtbot):
    window = open_window(qtbot)
    window.session.load_data(dataset="moons", n_samples=200)
    window.session.update(layers=[], batch_size=1)
    dialog = _dialog(qtbot, window, "0.01, 0.02, 0.03, 0.04", 100_000)
    click(qtbot, dialog, "sweepRunButton")
    qtbot.waitUntil(lambda: dialog.timer.isActive(), timeout=30_000)  # the workers are training
    sweep = dialog.sweep
    click(qtbot, dialog, "sweepCancelButton")
    qtbot.waitUntil(lambda: window.runs_view.sweep_dialog is None, timeout=30_000)  # closed once they stopped
    assert sweep.cancelled and sweep.done and all(result.cancelled for result in sweep.results)
    assert window.runs_view.proxy.rowCount() == 0 and window.session.history.records == {}
