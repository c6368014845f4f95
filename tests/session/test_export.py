"""Session.export_model: the session's network as an ONNX file, from one consistent state of its weights,
idle or mid-run, every failure said in words."""

import sys

import numpy as np
import onnxruntime

from nnplayground.session import Experiment, LayerSpec, Session, State
from tests.session.test_session import _finish, _paused_heard, _training_heard, _until


def predictions(path, x) -> np.ndarray:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["predictions"], {"inputs": np.asarray(x, np.float32)})[0]


def trained(**fields) -> tuple[Session, list[str]]:
    session = Session(Experiment(**{"dataset": "spiral", "n_classes": 3, "epochs": 3, **fields}))
    said = []
    session.events.connect("message", said.append)
    session.train()
    return session, said


def test_an_idle_network_is_exported_at_once(tmp_path):
    session, said = trained(deskew=False, layers=[LayerSpec(12, "gelu", 0.2), LayerSpec(8, "softplus")])
    assert session.export_model(tmp_path / "spiral")
    assert said[-1] == f"Exported the network to {tmp_path / 'spiral.onnx'} (ONNX)"
    x = session.dataset.x_test
    np.testing.assert_allclose(predictions(tmp_path / "spiral.onnx", x), session.model.predict(x), rtol=0, atol=1e-5)


def test_the_window_s_deskewed_digit_network_exports(tmp_path):
    session, said = trained(dataset="mnist-sample", deskew=True, layers=[LayerSpec(32)], epochs=1)
    assert session.export_model(tmp_path / "digits.onnx")
    x = session.dataset.x_test[:200]  # raw uint8 pixels: the network rescales them itself
    np.testing.assert_allclose(predictions(tmp_path / "digits.onnx", x), session.model.predict(x), rtol=0, atol=1e-5)


def test_written_elsewhere_it_holds_the_weights_of_the_moment_it_was_asked_for(tmp_path):
    session, said = trained()
    x = session.dataset.x_test
    asked = session.model.predict(x)
    jobs = []
    assert not session.export_model(tmp_path / "then.onnx", elsewhere=lambda write, then: jobs.append((write, then)))
    assert said == [] and not (tmp_path / "then.onnx").exists()
    session.update(epochs=6)
    session.train()  # the network moves on before the writing thread gets to it
    assert np.abs(session.model.predict(x) - asked).max() > 1e-3
    write, then = jobs[0]
    then(write())
    assert said[-1].startswith("Exported the network to")
    np.testing.assert_allclose(predictions(tmp_path / "then.onnx", x), asked, rtol=0, atol=1e-5)
    assert not session.saves_waiting()


def test_an_export_while_training_is_written_between_two_batches_and_the_run_goes_on(tmp_path):
    session, runner, said = _training_heard()
    session.export_model(tmp_path / "mid.onnx")
    _until(runner, lambda: said)
    assert said[-1] == f"Exported the network to {tmp_path / 'mid.onnx'} (ONNX)"
    marker = next(marker for marker in session.run_log.markers if marker["text"] == "exported")
    _until(runner, lambda: session.run_log.step > marker["step"] + 5)
    assert session.state is State.RUNNING
    session.stop()
    _finish(session, runner)
    x = session.dataset.x_test
    out = predictions(tmp_path / "mid.onnx", x)
    assert out.shape == (len(x), 1) and np.abs(out - session.model.predict(x)).max() > 1e-6  # trained on after


def test_an_export_while_paused_holds_the_paused_weights(tmp_path):
    session, runner, said = _paused_heard()
    session.export_model(tmp_path / "paused.onnx")
    _until(runner, lambda: said)
    assert session.state is State.PAUSED
    x = session.dataset.x_test
    np.testing.assert_allclose(predictions(tmp_path / "paused.onnx", x), session.model.predict(x), rtol=0, atol=1e-5)
    session.stop()
    _finish(session, runner)


def test_without_onnx_the_message_says_what_to_install(monkeypatch, tmp_path):
    session, said = trained()
    monkeypatch.setitem(sys.modules, "onnx", None)
    assert not session.export_model(tmp_path / "net.onnx")
    assert "pip install 'nnplayground[onnx]'" in said[-1] and "Could not export" in said[-1]
    assert list(tmp_path.iterdir()) == [] and not session.saves_waiting()


def test_a_folder_that_cannot_be_written_is_named(tmp_path):
    session, said = trained()
    (tmp_path / "a file").write_text("not a folder")
    assert not session.export_model(tmp_path / "a file" / "net.onnx")
    assert said[-1].startswith(f"Could not export the model to {tmp_path / 'a file' / 'net.onnx'}")


def test_with_no_network_there_is_nothing_to_export(tmp_path):
    session = Session(Experiment(dataset="moons"))
    said = []
    session.events.connect("message", said.append)
    assert not session.export_model(tmp_path / "net.onnx")
    assert said == ["There is no network to export yet: pick data and layers first."]
