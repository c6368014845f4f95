"""The window fits the screen it opens on and stays usable down to 1024x600."""

from PySide6.QtCore import QRect, Qt

from nnplayground.app.main_window import window_placement
from tests.app.helpers import click, open_window


def test_a_saved_place_is_kept_only_if_it_fits_this_screen():
    laptop = QRect(0, 0, 1280, 720)
    assert window_placement(QRect(100, 50, 900, 600), laptop) == (QRect(100, 50, 900, 600), False)
    rect, maximized = window_placement(QRect(0, 0, 1920, 1080), laptop)  # saved on a bigger screen
    assert maximized and laptop.contains(rect)
    rect, maximized = window_placement(None, QRect(0, 0, 1920, 1050))
    assert not maximized and rect.size().toTuple() == (1280, 800) and rect.center() == QRect(0, 0, 1920, 1050).center()
    rect, maximized = window_placement(None, QRect(0, 0, 1024, 600))
    assert maximized and rect.width() <= 1024 and rect.bottom() < 600


def test_every_panel_fits_a_1024x600_screen(qtbot):
    window = open_window(qtbot, 1024, 600 - 40)
    assert window.minimumSizeHint().width() <= 1024 and window.minimumSizeHint().height() <= 560
    assert window.size().toTuple() == (1024, 560)
    status = window.statusBar()
    assert status.isVisible() and status.geometry().bottom() < window.height()
    heatmap = window.weight_view.heatmap  # the weights column: its plot and colour bar inside its width
    assert heatmap.ci.geometry().width() <= heatmap.width() + 1
    assert window.findChild(object, "plotsHint").isVisible()  # before the first batch: a hint, not empty axes
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: window.session.run_log.step == 1 and window.plots.loss_plot.isVisible(), timeout=10_000)
    for name in ("lossPlot", "accuracyPlot", "networkDiagram"):
        widget = window.findChild(object, name)
        assert widget.isVisible() and widget.height() >= 90, name


def test_the_draw_tab_fits_a_1024_wide_screen_and_gives_the_weights_back(qtbot):
    from PySide6.QtWidgets import QApplication, QScrollArea

    window = open_window(qtbot, 1024, 560)
    weights = window.splitter.sizes()[2]
    qtbot.mouseClick(window.centre_tabs.tabBar(), Qt.LeftButton,
                     pos=window.centre_tabs.tabBar().tabRect(1).center())
    QApplication.sendPostedEvents()
    scroll = window.findChild(QScrollArea, "drawScroll")
    qtbot.waitUntil(lambda: scroll.viewport().width() >= window.draw_panel.minimumSizeHint().width())
    assert scroll.horizontalScrollBar().maximum() == 0  # the probabilities are in view, not off to the right
    qtbot.mouseClick(window.centre_tabs.tabBar(), Qt.LeftButton,
                     pos=window.centre_tabs.tabBar().tabRect(0).center())
    assert window.splitter.sizes()[2] == weights


def test_a_bad_learning_rate_and_its_reason_are_in_view_together_at_720(qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QAbstractSpinBox, QScrollArea

    window = open_window(qtbot, 1280, 690)
    box = window.findChild(QAbstractSpinBox, "learningRateBox")
    scroll = window.findChild(QScrollArea, "controlsScroll")
    scroll.ensureWidgetVisible(box)
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "1e99")
    qtbot.keyClick(box, Qt.Key_Return)
    reason = window.settings_panel.problems
    assert reason.isVisible() and "Learning rate" in reason.text()
    viewport = scroll.viewport()
    seen = QRect(QPoint(0, 0), viewport.size())
    for widget in (box, reason):
        assert seen.contains(QRect(widget.mapTo(viewport, QPoint(0, 0)), widget.size())), widget.objectName()


def test_the_mistakes_page_stacks_its_views_on_a_narrow_screen_and_puts_them_side_by_side_on_a_wide_one(qtbot):
    narrow = open_window(qtbot, 1024, 560)
    narrow.centre_tabs.setCurrentWidget(narrow.mistakes_page)
    splitter = narrow.mistakes_page.widget()
    qtbot.waitUntil(lambda: splitter.orientation() == Qt.Vertical)
    mistakes = narrow.mistakes_page.mistakes_view
    assert mistakes.width() <= narrow.mistakes_page.viewport().width()  # nothing cut off on the right
    wide = open_window(qtbot, 1920, 1040)
    wide.centre_tabs.setCurrentWidget(wide.mistakes_page)
    qtbot.waitUntil(lambda: wide.mistakes_page.widget().orientation() == Qt.Horizontal)
    assert wide.mistakes_page.mistakes_view.isVisible()
