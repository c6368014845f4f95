"""Messages float over the page (no control moves), can be closed, go once untrue, speak plainly, and
follow the theme."""

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor

from nnplayground.layers import Dense, Flatten
from nnplayground.models import Sequential
from tests.app.helpers import choose, open_window, settle


def _broken_file(window, tmp_path, qtbot):
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"not a zip")
    window.open_data_path(str(bad))
    qtbot.waitUntil(lambda: "broken.npz" in window.banner.text())


def test_a_message_moves_no_control_and_a_click_on_a_tab_still_lands_on_the_tab(qtbot, tmp_path):
    window = open_window(qtbot)
    bar = window.centre_tabs.tabBar()
    before = (bar.mapTo(window, QPoint(0, 0)), window.diagram.mapTo(window, QPoint(0, 0)))
    _broken_file(window, tmp_path, qtbot)
    assert window.banner.isVisible()
    assert (bar.mapTo(window, QPoint(0, 0)), window.diagram.mapTo(window, QPoint(0, 0))) == before
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(1).center())
    assert window.centre_tabs.currentIndex() == 1


def test_the_close_button_closes_it(qtbot, tmp_path):
    window = open_window(qtbot)
    _broken_file(window, tmp_path, qtbot)
    qtbot.mouseClick(window.banner.close_button, Qt.LeftButton)
    assert not window.banner.isVisible()


def test_a_data_failure_message_goes_once_data_loads(qtbot, tmp_path):
    window = open_window(qtbot)
    _broken_file(window, tmp_path, qtbot)
    choose(qtbot, window, "datasetPicker", "Moons")
    qtbot.waitUntil(lambda: window.session.dataset.name == "moons")
    assert not window.banner.isVisible()


def test_a_model_for_other_data_is_explained_in_plain_words(qtbot, tmp_path):
    window = open_window(qtbot)
    choose(qtbot, window, "datasetPicker", "Moons")
    qtbot.waitUntil(lambda: window.session.dataset.name == "moons")
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.save(tmp_path / "digits.npz")
    window.open_model(str(tmp_path / "digits.npz"))
    settle(qtbot, window)
    text = window.banner.text()
    assert "28x28 images" in text and "points with 2 coordinates" in text and "(2,)" not in text


def test_the_banner_follows_the_dark_theme(qtbot, tmp_path):
    window = open_window(qtbot)
    _broken_file(window, tmp_path, qtbot)
    light = QColor(window.banner.grab().toImage().pixel(3, 3)).lightness()
    window.set_theme("dark")
    dark = QColor(window.banner.grab().toImage().pixel(3, 3)).lightness()
    window.set_theme("light")
    assert light > 180 and dark < 90


def test_a_theme_switch_leaves_no_white_chart_behind(qtbot):
    import pyqtgraph as pg

    window = open_window(qtbot)
    window.centre_tabs.setCurrentIndex(1)  # the draw tab's charts too
    window.set_theme("dark")
    views = window.findChildren(pg.GraphicsView)
    assert len(views) >= 6
    for view in views:
        corner = QColor(view.grab().toImage().pixel(2, 2))
        assert corner.lightness() < 80, view.objectName()
    window.set_theme("light")
    assert all(QColor(view.grab().toImage().pixel(2, 2)).lightness() > 200 for view in views)


def test_the_data_list_names_the_opened_file_and_can_pick_it_again(qtbot, tmp_path):
    import numpy as np

    rng = np.random.default_rng(0)
    path = tmp_path / "my-digits.npz"
    np.savez(path, x_train=rng.integers(0, 255, (60, 28, 28), dtype=np.uint8), y_train=rng.integers(0, 10, 60),
             x_test=rng.integers(0, 255, (20, 28, 28), dtype=np.uint8), y_test=rng.integers(0, 10, 20))
    window = open_window(qtbot)
    window.open_data_path(str(path))
    qtbot.waitUntil(lambda: window.session.dataset.name != "mnist-sample")
    picker = window.data_panel.picker
    assert picker.currentText() == "my-digits.npz" and window.data_panel.dataset == "file"
    choose(qtbot, window, "datasetPicker", "Moons")
    qtbot.waitUntil(lambda: window.session.dataset.name == "moons")
    picker.setCurrentIndex(picker.findText("my-digits.npz"))
    qtbot.waitUntil(lambda: window.session.dataset.input_shape == (28, 28))
    assert picker.currentText() == "my-digits.npz" and window.session.experiment.data_path == str(path)


def test_the_banner_leaves_the_canvas_free_and_shows_all_of_a_long_message(qtbot):
    window = open_window(qtbot, 1280, 720)
    window.centre_tabs.setCurrentIndex(1)
    long = "A long message that wraps over several lines in the banner, as a damaged file's path does. " * 3
    window.show_message(long)
    qtbot.waitUntil(window.banner.isVisible)
    canvas = window.draw_panel.canvas
    canvas_rect = QRect(canvas.mapTo(window, QPoint(0, 0)), canvas.size())
    banner_rect = QRect(window.banner.mapTo(window, QPoint(0, 0)), window.banner.size())
    assert not banner_rect.intersects(canvas_rect)
    label = window.banner.label
    assert label.height() >= label.heightForWidth(label.width())  # no line cut off
