"""How the training job schedules its reports' probes: slow probes take turns, never two in one report
(each costs the job, and the views that draw them, a long moment), and the last report has them all."""

import pytest

from nnplayground.session import Experiment, Session, jobs
from nnplayground.session.probes import Probe


class _Counting(Probe):
    def __init__(self, name: str, interval: float):
        self.name, self.interval = name, interval

    def __call__(self, model, context):
        return context.step


@pytest.fixture
def reports(monkeypatch):
    """The probe names of every report of a short run with three slow probes due at every report."""
    monkeypatch.setattr(jobs, "REPORT_INTERVAL", 0.0)  # a report after every batch: many turns to look at
    monkeypatch.setattr(jobs, "MIN_TRAINING", 0.0)
    monkeypatch.setattr(jobs, "SLOW_PROBE", 1e-9)  # slow probes, due at every report in so short a run
    session = Session(Experiment(dataset="moons", batch_size=8, epochs=3))
    for name in ("slow-a", "slow-b", "slow-c"):
        session.add_probe(_Counting(name, 1e-6))
    session.add_probe(_Counting("fast", 0.0))
    seen = []
    original = session._on_report

    def on_report(payload):
        seen.append(sorted(payload.get("probes", {})))
        original(payload)

    monkeypatch.setattr(session, "_on_report", on_report)
    session.train()
    return seen


def test_no_report_carries_two_slow_probes_but_the_last(reports):
    *during, last = reports
    assert len(during) > 30
    slow = [[name for name in names if name.startswith("slow")] for names in during]
    assert all(len(names) <= 1 for names in slow)
    assert {"slow-a", "slow-b", "slow-c"} <= set(last)
    assert all("fast" in names for names in during)  # a quick probe is never held back


def test_the_slow_probes_take_turns(reports):
    *during, _ = reports
    turns = [names[0] for names in ([n for n in names if n.startswith("slow")] for names in during) if names]
    assert {turns.count(name) for name in ("slow-a", "slow-b", "slow-c")} <= {len(turns) // 3, len(turns) // 3 + 1}
