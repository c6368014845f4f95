"""Autosave without a window: what is written, when a network is copied, what a starting window finds."""

import json
import subprocess
import sys

import numpy as np
import pytest

from nnplayground.session import Experiment, LayerSpec, Session, State, ThreadRunner, autosave
from nnplayground.session.autosave import Autosave, AutosaveError


def _trained(**fields) -> Session:
    session = Session(Experiment(dataset="moons", layers=[LayerSpec(6)], learning_rate=0.02, epochs=3, **fields))
    session.train()
    return session


def _weights_equal(a, b) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_an_idle_autosave_brings_back_the_experiment_and_the_weights(tmp_path):
    session = _trained(seed=7)
    store = Autosave(session, tmp_path)
    store.save().result(10)
    saved = autosave.read(tmp_path)
    assert saved.experiment == session.experiment
    assert _weights_equal(saved.load_model().get_weights(), session.model.get_weights())
    assert saved.step == session.run_log.step > 0 and not saved.closed

    fresh = Session(Experiment(dataset="spiral", n_classes=3))
    fresh.use_experiment(saved.experiment, model=saved.load_model())
    assert fresh.experiment == session.experiment
    assert fresh.dataset.name == "moons"
    assert _weights_equal(fresh.model.get_weights(), session.model.get_weights())
    fresh.train()  # it goes on training from there
    assert not _weights_equal(fresh.model.get_weights(), session.model.get_weights())


def test_a_network_the_seed_rebuilds_is_not_written(tmp_path):
    session = Session(Experiment(dataset="moons"))
    session.load_data()
    Autosave(session, tmp_path).save().result(10)
    assert autosave.read(tmp_path).model_file is None
    assert not list(tmp_path.glob("model-*.npz"))


def test_only_the_newest_network_file_stays(tmp_path):
    session = _trained()
    store = Autosave(session, tmp_path)
    for _ in range(3):
        store.save().result(10)
    files = list(tmp_path.glob("model-*.npz"))
    assert [f.name for f in files] == [autosave.read(tmp_path).model_file.name]


def test_while_training_the_network_is_copied_between_batches_without_a_marker(tmp_path):
    runner = ThreadRunner()
    session = Session(Experiment(dataset="moons", batch_size=8, epochs=1000), runner=runner)
    session.load_data()
    store = Autosave(session, tmp_path)
    session.train()
    while session.run_log.step < 20:
        runner.deliver()
    done = store.save()
    while not done.done():
        assert runner.deliver(), "the job went quiet"
    saved = autosave.read(tmp_path)
    model = saved.load_model()
    assert model.optimizer.iterations >= 20
    session.stop()
    while session.state is not State.IDLE:
        runner.deliver()
    assert session.run_log.markers == []


def test_the_timer_saves_only_what_changed(tmp_path):
    session = _trained()
    store = Autosave(session, tmp_path)
    assert store.save_if_changed() is None  # nothing changed since the store began
    session.update(learning_rate=0.005)
    store.save_if_changed().result(10)
    assert autosave.read(tmp_path).experiment.learning_rate == 0.005
    assert store.save_if_changed() is None


def test_closing_marks_the_autosave_closed_and_a_launch_brings_it_back_silently(tmp_path):
    session = _trained()
    assert Autosave(session, tmp_path).close()
    found = autosave.at_launch(tmp_path)
    assert found.closed is not None and found.crashed is None
    assert _weights_equal(found.closed.load_model().get_weights(), session.model.get_weights())


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_an_autosave_left_by_a_dead_process_is_set_aside_and_offered(tmp_path):
    session = _trained()
    Autosave(session, tmp_path).save().result(10)
    manifest = json.loads((tmp_path / autosave.MANIFEST).read_text())
    (tmp_path / autosave.MANIFEST).write_text(json.dumps({**manifest, "pid": _dead_pid()}))
    found = autosave.at_launch(tmp_path)
    assert found.closed is None and found.crashed is not None
    assert not (tmp_path / autosave.MANIFEST).exists()
    assert _weights_equal(found.crashed.load_model().get_weights(), session.model.get_weights())
    # A new window autosaves beside it; the crash stays offered until it is answered.
    Autosave(_trained(), tmp_path).save().result(10)
    assert autosave.at_launch(tmp_path).crashed.experiment == session.experiment
    autosave.discard(found.crashed.folder)
    assert autosave.at_launch(tmp_path).crashed is None


def test_a_running_window_s_autosave_is_not_taken_for_a_crash(tmp_path):
    Autosave(_trained(), tmp_path).save().result(10)  # this process wrote it and is running
    found = autosave.at_launch(tmp_path)
    assert found.crashed is None and (tmp_path / autosave.MANIFEST).exists()


@pytest.mark.parametrize("manifest, words", [
    ({"format": "nnplayground.autosave", "version": 99}, "newer nnplayground"),
    ({"format": "nnplayground.model", "version": 1}, "not an nnplayground autosave"),
    ({"format": "nnplayground.autosave", "version": 1, "model": "../../etc/passwd"}, "no network file"),
])
def test_an_autosave_from_a_newer_version_or_of_another_kind_is_refused_and_left_alone(tmp_path, manifest, words):
    (tmp_path / autosave.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(AutosaveError, match=words):
        autosave.read(tmp_path)
    assert words in autosave.at_launch(tmp_path).problem
    assert json.loads((tmp_path / autosave.MANIFEST).read_text()) == manifest


def test_a_failing_write_leaves_the_last_autosave_and_says_why(tmp_path):
    session = _trained()
    store = Autosave(session, tmp_path)
    store.save().result(10)
    before = (tmp_path / autosave.MANIFEST).read_bytes()
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the folder should be")
    store.folder = blocker / "autosave"
    session.update(learning_rate=0.004)
    with pytest.raises(OSError):
        store.save().result(10)
    assert store.last_error
    assert (tmp_path / autosave.MANIFEST).read_bytes() == before
