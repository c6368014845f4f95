"""The hints of a session's current run, kept up to date as it trains, and their fixes applied.

Checked when an epoch ends (at most every CHECK_INTERVAL seconds while a run trains: a toy set's epochs
come by the hundred a second), when a run starts, ends or diverges, and when the experiment changes
(a fix taken by hand makes its hint go at once). Never per batch. A hint dismissed or fixed stays quiet
for the rest of its run.
"""

import time
import weakref

import numpy as np

from nnplayground.session.hints import Fix, Hint, HintContext, apply_fix, check_hints
from nnplayground.session.layer_stats import UnitHealthProbe

CHECK_INTERVAL = 0.5  # seconds between two checks at epoch ends while training


class HintBoard:
    """Follows a session and announces its hints on the session's ``hints`` event when they change."""

    def __init__(self, session, clock=time.monotonic):
        self.session = session
        self.clock = clock
        self.hints: list[Hint] = []
        self._quiet: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # RunLog -> hint ids
        self._diverged: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # RunLog -> the divergence
        self._last_check = -float("inf")
        session.add_probe(UnitHealthProbe())
        events = session.events
        events.connect("epochs_ended", self._epochs_ended)
        events.connect("diverged", self._on_diverged)
        for name in ("run_started", "run_finished", "experiment_changed"):
            events.connect(name, lambda *_: self.check())

    def check(self) -> list[Hint]:
        """The hints that hold now (announced if they changed)."""
        session = self.session
        self._last_check = self.clock()
        log = session.run_log
        context = HintContext(log, session.experiment, units=session.probe_results.get("unit_health"),
                              diverged=self._diverged.get(log), finished=session.control is None,
                              steps_per_epoch=session.steps_per_epoch())
        hints = check_hints(context, quiet=self._quiet.get(log, set()))
        if hints != self.hints:
            self.hints = hints
            session.events.emit("hints", hints)
        return hints

    def dismiss(self, hint_id: str) -> None:
        """Quiet for the rest of this run."""
        self._quiet.setdefault(self.session.run_log, set()).add(hint_id)
        self.check()

    def apply(self, hint: Hint, fix: Fix) -> None:
        """Apply one of a hint's fixes through the session; the hint stays quiet for the run it was about."""
        self._quiet.setdefault(self.session.run_log, set()).add(hint.id)
        apply_fix(self.session, fix)
        self.check()

    def _epochs_ended(self, _ended) -> None:
        if self.clock() - self._last_check >= CHECK_INTERVAL:
            self.check()

    def _on_diverged(self, message: str) -> None:
        session = self.session
        model = session.model
        self._diverged[session.run_log] = {
            "message": message, "step": session.run_log.step, "learning_rate": session.experiment.learning_rate,
            "weights_finite": model is None or bool(np.isfinite(model.flat_weights).all())}
        self.check()
