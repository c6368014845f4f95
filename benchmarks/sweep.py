"""A sweep of 4 runs on a 2-D set (spiral, its window defaults, two learning rates by two activations):
in parallel worker processes (the default pool: one per core, one BLAS thread each) against the same 4
runs one after another in this process (with BLAS as it is, and with one BLAS thread); also the pool
with BLAS left as it is. Prints each time, the ratio and the number of cores, and checks that the parallel
runs ended with the weights of the sequential ones (with the same number of BLAS threads).

    python benchmarks/sweep.py [--epochs 600] [--repeats 1] [--dataset spiral]
(--dataset mnist-sample --epochs 3: a network big enough for BLAS to use threads, where limiting the
workers' BLAS matters.)
Run by hand; on a machine shared with other work the figures move with its load.
"""

import argparse
import time

from nnplayground.session.experiment import experiment_for_dataset
from nnplayground.session.sweep import SequentialExecutor, Sweep, same_weights
from nnplayground.session.threads import cores

VARY = {"learning_rate": [0.003, 0.01], "activation": ["relu", "tanh"]}


def timed(make_sweep) -> tuple[float, list]:
    sweep = make_sweep()
    started = time.perf_counter()
    results = sweep.run()
    return time.perf_counter() - started, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=600, help="epochs of each run (default 600)")
    parser.add_argument("--dataset", default="spiral", help="a dataset with window defaults (default spiral)")
    parser.add_argument("--repeats", type=int, default=1, help="measure this many times, keep the best")
    args = parser.parse_args()
    experiment = experiment_for_dataset(args.dataset, epochs=args.epochs)
    data = experiment.load_data()
    kinds = {"one after another": lambda: Sweep(experiment, VARY, data, executor=SequentialExecutor()),
             "one after another (1 BLAS thread)": lambda: Sweep(experiment, VARY, data, executor=SequentialExecutor(),
                                                                threads=1),
             "parallel (1 BLAS thread per worker)": lambda: Sweep(experiment, VARY, data),
             "parallel (BLAS as it is)": lambda: Sweep(experiment, VARY, data, threads=0)}
    best, results = {}, {}
    for _ in range(args.repeats):
        for kind, make in kinds.items():
            seconds, results[kind] = timed(make)
            best[kind] = min(seconds, best.get(kind, seconds))
    layers = "-".join(str(spec.units) for spec in experiment.layers)
    print(f"4 runs of {args.dataset} ({len(data.x_train)} training samples, layers {layers}, batches of "
          f"{experiment.batch_size}, {args.epochs} epochs each) on {cores()} cores")
    sequential = best["one after another"]
    for kind, seconds in best.items():
        print(f"  {kind:<38}{seconds:7.2f} s   {sequential / seconds:5.2f}x")
    # Summation order inside a matrix product can depend on the BLAS's thread count: equal weights are
    # promised for equal thread counts (on a 2-D set's small products, BLAS uses one thread anyway).
    equal = all(same_weights(a.weights, b.weights)
                for a, b in zip(results["one after another (1 BLAS thread)"],
                                results["parallel (1 BLAS thread per worker)"], strict=True))
    print(f"  parallel runs end with the weights of the same runs one after another (1 BLAS thread each): "
          f"{'yes' if equal else 'NO'}")


if __name__ == "__main__":
    main()
