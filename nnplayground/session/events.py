"""A small hub of named events with plain callables as handlers: the session's way of saying what changed.

Handlers run on the thread that emits, in the order they connected. The session emits only on its own
thread (the GUI thread in the window, the caller's in a script), so views never need a lock.
"""

from collections import defaultdict
from collections.abc import Callable

# Every event the session emits, with what its handlers receive.
NAMES = {
    "experiment_changed": "the Experiment, after any edit (panels refresh from it with their signals blocked)",
    "data_changed": "the catalog.Dataset now in use, or None",
    "model_changed": "the Sequential now in use, or None (a new network, a reset, a file opened)",
    "mirror_changed": "the Mirror, now holding another network (or none) for views that run one",
    "state_changed": "the session's State (idle, running, paused)",
    "run_started": "the RunLog of the run that begins (a fresh run, or one that continues)",
    "batches": "a dict of arrays: the batches trained since the last report (step, position, loss, accuracy)",
    "epochs_ended": "a list of Keras-style logs (loss, accuracy, val_loss, val_accuracy), one dict per whole "
                    "epoch ended since the last report, oldest first (small data ends dozens a report)",
    "progress": "a dict: epoch, epochs, batch, steps, step, position, end_position, samples_per_second, eta, "
                "fraction, seconds (epochs, eta and fraction None when the run has no epoch limit)",
    "probed": "(probe name, result): a probe's fresh answer, copies the view may keep",
    "marker": "a dict: step, position, text; a setting changed at that point of the run",
    "diverged": "a message: the loss became NaN or infinite; the session paused and restored weights",
    "run_finished": "why the run ended: completed, stopped, early stopping or failed",
    "message": "a sentence for the user (a problem, or what just happened)",
    "hints": "the list of hints.Hint that hold for the current run, each time it changes (a HintBoard's)",
    "history_changed": "the RunHistory, after a run was recorded, renamed or deleted, or the records were read",
    "personal_changed": "the PersonalDigits after a digit was added, removed or relabelled",
}


class Events:
    def __init__(self):
        self._handlers: dict[str, list[Callable]] = defaultdict(list)

    def connect(self, name: str, handler: Callable) -> None:
        if name not in NAMES:
            raise ValueError(f"no event {name!r}; the session emits {', '.join(NAMES)}")
        self._handlers[name].append(handler)

    def disconnect(self, name: str, handler: Callable) -> None:
        if handler in self._handlers.get(name, ()):
            self._handlers[name].remove(handler)

    def emit(self, name: str, *args) -> None:
        for handler in list(self._handlers.get(name, ())):
            handler(*args)
