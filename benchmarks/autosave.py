"""What an autosave costs: the copy of the network (on the GUI thread when idle, between two batches while
training) and the write (on the autosave's writer thread), for the tutorial's network and a large one.

    python benchmarks/autosave.py
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from nnplayground.session import Experiment, LayerSpec, Session  # noqa: E402
from nnplayground.session.autosave import Autosave  # noqa: E402

NETWORKS = {"tutorial 784-128-64-10, Adam": [128, 64], "large 784-3000-3000-10, Adam": [3000, 3000]}


def measure(layers: list[int], rounds: int = 5) -> tuple[float, float, float]:
    session = Session(Experiment(dataset="mnist-sample", layers=[LayerSpec(units) for units in layers], epochs=1,
                                 batch_size=256))
    session.load_data()
    session.step()  # one batch: a trained network, which autosave writes (an untrained one it rebuilds)
    with tempfile.TemporaryDirectory() as folder:
        store = Autosave(session, folder)
        copies, writes = [], []
        for _ in range(rounds):
            store.save().result(60)
            copies.append(store.copy_seconds)
            writes.append(store.write_seconds)
        size = sum(p.stat().st_size for p in store.folder.glob("model-*.npz"))
    return statistics.median(copies), statistics.median(writes), size


def main() -> None:
    for name, layers in NETWORKS.items():
        start = time.perf_counter()
        copy, write, size = measure(layers)
        print(f"{name}: copy {copy * 1000:.1f} ms, write {write * 1000:.1f} ms, file {size / 1e6:.1f} MB "
              f"({time.perf_counter() - start:.0f} s in all)")
    print(f"numpy {np.__version__}")


if __name__ == "__main__":
    main()
