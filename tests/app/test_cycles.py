"""200 random cycles of a careless user: nothing reaches a slot or paint event, and the window still works.

pytest-qt fails the test when an exception escapes into Qt (a slot, paintEvent); `caplog` catches the
ones our own guards log instead of raising."""

import logging

import pytest

from nnplayground.models import load_model
from nnplayground.session import State
from nnplayground.session.probes import kernels
from tests.app.cycles import Cycles
from tests.app.helpers import click, open_window


@pytest.mark.qt_log_level_fail("CRITICAL")  # and a Qt critical or fatal message fails it too
@pytest.mark.parametrize("seed", [9, 10])
def test_200_random_cycles_leave_a_working_window(qtbot, tmp_path, caplog, seed):
    caplog.set_level(logging.ERROR)
    window = open_window(qtbot)
    cycles = Cycles(qtbot, window, tmp_path, seed=seed)
    cycles.run(200)
    cycles.settle()
    assert len(cycles.done) >= 15  # most kinds of action happened
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []

    session = window.session
    assert session.model is not None and session.experiment.problems() == {}
    shown = [kernel.shape for kernel in kernels(session.probe_results["weights"])]
    assert shown == [layer.kernel.shape for layer in session.model.layers if hasattr(layer, "kernel")]
    assert window.diagram.sizes == [shown[0][0], *(shape[1] for shape in shown)]
    step = session.run_log.step
    click(qtbot, window, "stepButton")
    qtbot.waitUntil(lambda: session.run_log.step == step + 1 and session.state is State.PAUSED, timeout=20_000)
    for saved in tmp_path.glob("saved-*.npz"):  # every save that was said to be done can be read back
        assert load_model(saved).count_params() > 0
