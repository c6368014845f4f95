"""What the hints and the learning-rate finder cost. Run by hand:

    python benchmarks/hints_and_lr_finder.py

- a hint check (every rule) on a run log of a million batches and 20,000 epochs: the GUI thread does one
  at most twice a second while a run trains, so it must stay far below a frame;
- the range test (300 batches at most) on moons and on the MNIST sample, with its suggestion, and the
  validation accuracy a run at that rate reaches against one at the dataset's default rate.
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nnplayground.session import Session  # noqa: E402
from nnplayground.session.experiment import experiment_for_dataset  # noqa: E402
from nnplayground.session.hint_board import HintBoard  # noqa: E402
from nnplayground.session.lr_finder import start_range_test  # noqa: E402


def hint_check_ms(batches: int = 1_000_000, epochs: int = 20_000, repeats: int = 50) -> float:
    session = Session(experiment_for_dataset("moons", epochs=2))
    session.load_data()
    board = HintBoard(session)
    session.train()
    log = session.run_log
    rng = np.random.default_rng(0)
    loss = 0.7 * np.exp(-np.arange(batches) / (batches / 5)) + 0.05 * rng.random(batches)
    log.add_batches({"step": np.arange(batches) + log.step + 1, "position": np.arange(batches) / 25,
                     "loss": loss, "accuracy": np.full(batches, 0.9)})
    for i in range(epochs):
        log.add_epoch({"loss": 0.5, "accuracy": 0.9, "val_loss": 0.6 + 1e-6 * i, "val_accuracy": 0.8}, i, i)
    start = time.perf_counter()
    for _ in range(repeats):
        board.check()
    return (time.perf_counter() - start) / repeats * 1e3


def range_test(dataset: str, epochs: int) -> None:
    experiment = experiment_for_dataset(dataset, epochs=epochs)
    session = Session(experiment)
    session.load_data()
    start = time.perf_counter()
    result = start_range_test(session, lambda report: None, lambda reason: None).result
    seconds = time.perf_counter() - start
    print(f"{dataset}: range test {seconds:.2f} s, {len(result.rates)} batches ({result.ended}), "
          f"suggestion {result.suggestion:g}")
    for rate in (result.suggestion, experiment.learning_rate):
        trained = Session(experiment.replaced(learning_rate=rate))
        trained.train()
        print(f"  {epochs} epochs at {rate:g}: validation accuracy {trained.run_log.epochs[-1]['val_accuracy']:.1%}")


if __name__ == "__main__":
    print(f"hint check on a million batches and 20,000 epochs: {hint_check_ms():.2f} ms")
    range_test("moons", epochs=20)
    range_test("mnist-sample", epochs=2)
