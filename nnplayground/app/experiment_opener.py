"""A whole experiment into the window at once (an autosave, the defaults, a file): its data first, off the
GUI thread where it is downloaded or read from a file, then the session's `open_experiment`."""

from nnplayground.session import Experiment
from nnplayground.session.data import catalog
from nnplayground.session.session import DATA_FIELDS


def open_experiment(window, experiment: Experiment, model=None, source=None) -> None:
    """Make `experiment` the window's, with `model` as its network if given (see Session.open_experiment).
    Built-in data loads at once; a download or a file loads in the background (with the window's
    progress dialog) and the experiment follows once it is there; if it fails the window says why and
    keeps what it had."""
    session = window.session
    same_data = session.dataset is not None and all(
        getattr(experiment, key) == getattr(session.experiment, key) for key in DATA_FIELDS)
    if same_data or (experiment.dataset not in catalog.DOWNLOADED and experiment.dataset != "file"):
        session.open_experiment(experiment, model=model, source=source)
        return
    window._load_in_background(experiment, lambda dataset: session.open_experiment(experiment, dataset, model,
                                                                                   source))
