"""The diagram's captions stay readable with many layers: no two overlap and each fits its box."""

from PySide6.QtCore import QRectF
from PySide6.QtGui import QFontMetricsF

from nnplayground.app.network_diagram import NetworkDiagram
from nnplayground.session import Experiment, LayerSpec, Session


def test_captions_of_twelve_layers_neither_overlap_nor_spill(qtbot):
    session = Session(Experiment(dataset="moons", layers=[LayerSpec(8, "leaky_relu") for _ in range(12)]))
    diagram = NetworkDiagram(session)
    qtbot.addWidget(diagram)
    diagram.resize(520, 170)
    session.load_data()
    assert len(diagram.sizes) == 14
    captions = diagram.captions(QRectF(diagram.rect()).adjusted(40, 12, -40, -26))
    assert [text.split("\n")[-1] for _, text, _ in captions] == [str(n) for n in diagram.sizes]  # units whole
    for (box, text, font), (following, _, _) in zip(captions, captions[1:], strict=False):
        assert box.right() <= following.left()
        assert all(QFontMetricsF(font).horizontalAdvance(line) <= box.width() for line in text.split("\n"))
    diagram.grab()  # paints without an error


def test_a_small_network_keeps_one_line_captions(qtbot):
    session = Session(Experiment(dataset="moons", layers=[LayerSpec(8)]))
    diagram = NetworkDiagram(session)
    qtbot.addWidget(diagram)
    diagram.resize(520, 170)
    session.load_data()
    texts = [text for _, text, _ in diagram.captions(QRectF(diagram.rect()).adjusted(40, 12, -40, -26))]
    assert texts == ["input · 2", "relu · 8", "sigmoid · 1"]


def test_two_line_captions_fit_inside_the_widget(qtbot):
    session = Session(Experiment(dataset="spiral", n_classes=3, layers=[LayerSpec(32), LayerSpec(32)]))
    diagram = NetworkDiagram(session)
    qtbot.addWidget(diagram)
    diagram.resize(250, 160)  # the training tab's diagram on a 1280x720 screen
    session.load_data()
    captions = diagram.captions(diagram._drawing_rect())
    assert any("\n" in text for _, text, _ in captions)
    for box, text, font in captions:
        lines = text.count("\n") + 1
        assert box.height() >= lines * QFontMetricsF(font).lineSpacing()
        assert box.bottom() <= diagram.height(), text


def test_links_are_coloured_and_sized_by_their_weight(qtbot):
    """A small layer's links: red for a positive weight, blue for a negative one, grey for one that is not
    finite, the largest weights the widest."""
    import numpy as np
    from PySide6.QtCore import QLineF

    from nnplayground.app import theme

    session = Session(Experiment(dataset="moons", layers=[LayerSpec(2)]))
    diagram = NetworkDiagram(session)
    qtbot.addWidget(diagram)
    diagram.resize(400, 200)
    kernel = np.array([[4.0, -4.0], [np.nan, 1.0]])
    diagram.show_weights({"layers": [{"activation": "relu", "weights": {"kernel": kernel}},
                                     {"activation": "sigmoid", "weights": {"kernel": np.ones((2, 1))}}]})
    image = diagram.grab().toImage()
    rect = diagram._drawing_rect()
    inputs, hidden = diagram._positions(0, 2, rect), diagram._positions(1, 2, rect)

    def colour_along(i, j):
        middle = QLineF(inputs[i], hidden[j]).pointAt(0.3)
        return image.pixelColor(round(middle.x()), round(middle.y()))

    def width_across(i, j):
        """Pixels not of the background on a vertical line through a point of the link."""
        middle = QLineF(inputs[i], hidden[j]).pointAt(0.3)
        background = image.pixelColor(0, 0)
        x, y = round(middle.x()), round(middle.y())
        return sum(image.pixelColor(x, y + dy) != background for dy in range(-8, 9))

    positive, negative, missing = colour_along(0, 0), colour_along(0, 1), colour_along(1, 0)
    assert positive.red() > 150 and positive.blue() < 100
    assert negative.blue() > 150 and negative.red() < 100
    assert abs(missing.red() - missing.blue()) < 30 and missing != image.pixelColor(0, 0)
    assert missing.name() == theme.MUTED.lower() or abs(missing.red() - missing.green()) < 30
    assert width_across(0, 0) > width_across(1, 1) > 0


def test_after_a_resize_a_theme_switch_and_a_new_network_the_picture_is_a_fresh_drawing(qtbot):
    """The diagram keeps what only the architecture, the size and the palette decide as pictures between
    paints; each of them changing draws those again."""
    import numpy as np
    from PySide6.QtGui import QColor, QPalette

    def dark(widget):
        palette = QPalette(widget.palette())
        palette.setColor(QPalette.Window, QColor("#202020"))
        palette.setColor(QPalette.WindowText, QColor("#e8e8e8"))
        widget.setPalette(palette)

    def weights(*sizes):
        rng = np.random.default_rng(len(sizes))
        return {"layers": [{"activation": "relu", "weights": {"kernel": rng.normal(size=(a, b))}}
                           for a, b in zip(sizes[:-1], sizes[1:], strict=True)]}

    def picture(widget):
        widget.repaint()
        return widget.grab().toImage()

    session = Session(Experiment(dataset="moons", layers=[LayerSpec(4)]))
    diagram = NetworkDiagram(session)
    qtbot.addWidget(diagram)
    diagram.resize(400, 200)
    diagram.show_weights(weights(2, 4, 1))
    before = picture(diagram)
    changed = []
    for change in (lambda d: d.resize(420, 180), lambda d: d.show_weights(weights(2, 40, 3, 1)), dark):
        change(diagram)
        fresh = NetworkDiagram(session)
        qtbot.addWidget(fresh)
        fresh.resize(diagram.size())
        fresh.setPalette(diagram.palette())
        fresh.show_weights(weights(*diagram.sizes) if diagram.sizes != [2, 4, 1] else weights(2, 4, 1))
        now = picture(diagram)
        assert now == picture(fresh)
        changed.append(now != before)
        before = now
    assert all(changed)
