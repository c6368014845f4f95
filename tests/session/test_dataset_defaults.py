"""Each dataset's starting point: the 2-D sets' defaults learn (>= 95% test accuracy on one Train), a new
dataset brings its defaults only for the fields the user left alone, and "run until paused" has no end."""

import pytest

from nnplayground.session import Experiment, LayerSpec, Session, State, ThreadRunner
from nnplayground.session.experiment import dataset_defaults, defaults_for_switch, experiment_for_dataset
from tests.session.test_session import _finish, _until

TOY_SETS = ("circle", "xor", "gaussians", "spiral", "moons")


@pytest.mark.parametrize("dataset", TOY_SETS)
def test_one_train_on_a_toy_sets_defaults_reaches_95_percent(dataset):
    session = Session(experiment_for_dataset(dataset))
    session.train()
    assert session.run_log.finish_reason == "completed"
    assert session.run_log.epochs[-1]["val_accuracy"] >= 0.95


def test_the_image_sets_keep_the_experiments_own_defaults():
    default = Experiment()
    for dataset in ("mnist-sample", "mnist", "fashion-mnist", "file"):
        assert dataset_defaults(dataset) == {"learning_rate": default.learning_rate, "epochs": default.epochs,
                                             "layers": default.layers, "batch_size": default.batch_size}


def test_picking_a_toy_set_brings_its_defaults():
    session = Session(Experiment(dataset="mnist-sample"))
    session.load_data(dataset="spiral")
    spiral = dataset_defaults("spiral")
    e = session.experiment
    assert (e.learning_rate, e.epochs, e.batch_size, e.layers) == \
        (spiral["learning_rate"], spiral["epochs"], spiral["batch_size"], spiral["layers"])
    assert [layer.units for layer in session.model.layers if hasattr(layer, "units")] == [32, 32, 1]


def test_a_field_the_user_changed_survives_a_new_dataset():
    session = Session(experiment_for_dataset("circle"))
    session.load_data()
    session.update(learning_rate=0.05, layers=[LayerSpec(5)])
    session.load_data(dataset="spiral")
    e = session.experiment
    assert e.learning_rate == 0.05 and e.layers == [LayerSpec(5)]  # the user's
    assert e.epochs == dataset_defaults("spiral")["epochs"]  # left at circle's default: spiral's now
    session.load_data(dataset="mnist-sample")
    assert session.experiment.learning_rate == 0.05
    assert session.experiment.epochs == Experiment().epochs


def test_the_same_dataset_with_other_options_changes_no_training_field():
    experiment = experiment_for_dataset("circle", epochs=7)
    assert defaults_for_switch(experiment, "circle") == {}
    session = Session(experiment)
    session.load_data(n_classes=3)
    assert session.experiment.epochs == 7


def test_run_until_paused_trains_past_any_epoch_count_until_stopped():
    runner = ThreadRunner()
    session = Session(Experiment(dataset="gaussians", n_samples=40, batch_size=20, epochs=2,
                                 run_until_paused=True), runner=runner)
    session.load_data()
    reports = []
    session.events.connect("progress", reports.append)
    session.train()
    _until(runner, lambda: session.run_log.complete_epochs > 50, limit=10_000)
    assert session.state is State.RUNNING
    assert reports[-1]["eta"] is None and reports[-1]["fraction"] is None and reports[-1]["epochs"] is None
    assert reports[-1]["end_position"] > reports[-1]["position"]
    session.stop()
    _finish(session, runner)
    assert session.run_log.finish_reason == "stopped"
    assert session.run_log.complete_epochs > 50


def test_run_until_paused_round_trips_as_plain_data():
    experiment = Experiment(run_until_paused=True)
    assert Experiment.from_dict(experiment.to_dict()).run_until_paused is True
