"""A sweep of 4 runs on a 2-D set (spiral, its window defaults, two learning rates by two activations):
in parallel worker processes (the default pool: one per core, one BLAS thread each) against the same 4
runs one after another in this process; also the pool with BLAS left as it is. Prints each time, the
ratio and the number of cores, and checks that the parallel runs ended with the sequential runs' weights.

    python benchmarks/sweep.py [--epochs 150] [--repeats 1]
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
    parser.add_argument("--epochs", type=int, default=150, help="epochs of each run (default 150)")
    parser.add_argument("--repeats", type=int, default=1, help="measure this many times, keep the best")
    args = parser.parse_args()
    experiment = experiment_for_dataset("spiral", epochs=args.epochs)
    data = experiment.load_data()
    kinds = {"one after another": lambda: Sweep(experiment, VARY, data, executor=SequentialExecutor()),
             "parallel (1 BLAS thread per worker)": lambda: Sweep(experiment, VARY, data),
             "parallel (BLAS as it is)": lambda: Sweep(experiment, VARY, data, threads=0)}
    best, results = {}, {}
    for _ in range(args.repeats):
        for kind, make in kinds.items():
            seconds, results[kind] = timed(make)
            best[kind] = min(seconds, best.get(kind, seconds))
    print(f"4 runs of spiral ({len(data.x_train)} training points, layers 32-32, {args.epochs} epochs each) "
          f"on {cores()} cores")
    sequential = best["one after another"]
    for kind, seconds in best.items():
        print(f"  {kind:<38}{seconds:7.2f} s   {sequential / seconds:5.2f}x")
    equal = all(same_weights(a.weights, b.weights)
                for a, b in zip(results["one after another"], results["parallel (1 BLAS thread per worker)"],
                                strict=True))
    print(f"  parallel runs end with the sequential runs' weights: {'yes' if equal else 'NO'}")


if __name__ == "__main__":
    main()
