"""The 2-D sets on their defaults: seconds of training until the test accuracy first reaches 95%, the
final test accuracy, and the whole run's seconds (headless, the synchronous runner).

    python benchmarks/toy_defaults.py [seeds, default 3]
Run by hand after changing a default in nnplayground/session/experiment.py (_TOY_DEFAULTS): every set
should reach 95% well within 10 s (the window trains at 80% or more of this speed) and not in a blink.
"""

import argparse
import time

from nnplayground.session import Session
from nnplayground.session.experiment import experiment_for_dataset

CASES = (("circle", 2), ("xor", 2), ("gaussians", 2), ("spiral", 2), ("spiral", 3), ("moons", 2))


def run(dataset: str, n_classes: int, seed: int) -> tuple[float | None, float, float]:
    """(seconds to 95% test accuracy or None, final test accuracy, seconds of the whole run)."""
    session = Session(experiment_for_dataset(dataset, n_classes=n_classes, seed=seed))
    session.load_data()
    reached, started = [], time.perf_counter()

    def epochs_ended(ended):  # the epochs of one report: the time is as precise as a report (~50 ms)
        if not reached and any(logs["val_accuracy"] >= 0.95 for logs in ended):
            reached.append(time.perf_counter() - started)

    session.events.connect("epochs_ended", epochs_ended)
    session.train()
    return (reached[0] if reached else None), session.run_log.epochs[-1]["val_accuracy"], \
        time.perf_counter() - started


parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("seeds", nargs="?", type=int, default=3, help="how many network seeds (0, 1, ...)")
seeds = range(parser.parse_args().seeds)
print(f"{'dataset':<12}{'classes':>8}{'s to 95%':>10}{'final':>8}{'run s':>8}")
for dataset, n_classes in CASES:
    for seed in seeds:
        reached, final, seconds = run(dataset, n_classes, seed)
        shown = f"{reached:.2f}" if reached is not None else "never"
        print(f"{dataset:<12}{n_classes:>8}{shown:>10}{final:>8.3f}{seconds:>8.2f}", flush=True)
