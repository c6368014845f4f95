"""The tutorial (tutorial_accuracy.py) over several seeds: MNIST test accuracy of each, and their mean.

    python benchmarks/tutorial_seeds.py path/to/mnist.npz [seeds, default 5]
Run by hand, before and after a change to the engine, to see that accuracy did not move.
"""

import argparse
import contextlib
import io
import pathlib
import re
import runpy
import statistics
import sys

from nnplayground import config

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("path", help="MNIST in Keras's .npz layout")
parser.add_argument("seeds", nargs="?", type=int, default=5, help="how many seeds (0, 1, ...)")
arguments = parser.parse_args()
path, seeds = arguments.path, range(arguments.seeds)
tutorial = str(pathlib.Path(__file__).with_name("tutorial_accuracy.py"))
accuracies = []
for seed in seeds:
    config.set_random_seed(seed)
    sys.argv = [tutorial, path]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        runpy.run_path(tutorial, run_name="__main__")
    accuracy = float(re.search(r"test accuracy ([\d.]+)%", printed.getvalue()).group(1))
    seconds = re.search(r"5 epochs in ([\d.]+) s", printed.getvalue()).group(1)
    accuracies.append(accuracy)
    print(f"seed {seed}: test accuracy {accuracy:.2f}% ({seconds} s)", flush=True)
print(f"mean {statistics.mean(accuracies):.2f}%, sd {statistics.stdev(accuracies):.2f}, "
      f"min {min(accuracies):.2f}%, max {max(accuracies):.2f}%")
