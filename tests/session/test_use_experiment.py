"""Session.use_experiment: an opened file or a preset taken whole, through the session."""

import pytest

from nnplayground.session import Experiment, LayerSpec, Session
from nnplayground.session.data import DatasetError


def _trained_session() -> Session:
    session = Session(Experiment(dataset="circle", n_samples=100, layers=[LayerSpec(4)], epochs=2, batch_size=10))
    session.train()
    return session


def test_every_setting_is_taken_as_written_and_the_run_before_is_kept():
    session = _trained_session()
    # spiral's own defaults (32,32 layers, rate 0.003) must not slip in where the file says otherwise
    wanted = Experiment(dataset="spiral", n_samples=120, n_classes=3, layers=[LayerSpec(5, "tanh")],
                        learning_rate=0.001, epochs=4, batch_size=32, seed=7, data_seed=2)
    changed = []
    session.events.connect("experiment_changed", changed.append)
    session.use_experiment(wanted)
    assert session.experiment == wanted and session.experiment is not wanted
    assert session.dataset.name == "spiral" and len(session.dataset.x_train) + len(session.dataset.x_test) == 120
    assert session.model.count_params() == 2 * 5 + 5 + 5 * 3 + 3
    assert len(session.runs) == 1 and session.run_log.step == 0 and changed


def test_the_same_data_is_not_loaded_again():
    session = _trained_session()
    data = session.dataset
    session.use_experiment(session.experiment.replaced(layers=[LayerSpec(9)], seed=3))
    assert session.dataset is data and session.model.layers[-2].units == 9


def test_data_that_cannot_be_loaded_changes_nothing(tmp_path):
    session = _trained_session()
    before, model = session.experiment.replaced(), session.model
    with pytest.raises(DatasetError):
        session.use_experiment(Experiment(dataset="file", data_path=str(tmp_path / "missing.npz")))
    assert session.experiment == before and session.model is model and not session.runs
