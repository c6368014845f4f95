"""`nnplayground bench`: training speed of the engine, printed, never asserted.

The network is 784-128-64-10 (ReLU, softmax) on 60,000 MNIST samples (``--data mnist.npz``) or, without
data, on MNIST-shaped digits drawn here: strokes with a black border and learnable labels, because uniform
noise on random labels kills every ReLU and measures nothing real. Each configuration (Adam and SGD with
momentum, batch 32, 128 and 512) trains a fresh model for 5 epochs and reports every epoch's time, the
median of epochs 2-5 and last/first: a last epoch slower than the first is the sign of a slowdown that
builds up while training (denormal floats in the optimizer's state, on Intel CPUs).

With ``--torch`` PyTorch's eager mode trains the same network on the same data, and with ``--peer PATH``
neural-network-digits' own NumPy loop (its unpacked wheel or the wheel file at PATH) does, each epoch
interleaved with ours so that a slow spell on the machine hits all alike. Machines are noisy: compare
figures from one run only.
"""

import os
import platform
import resource
import statistics
import sys
import time

import numpy as np

from nnplayground import config, optimizers
from nnplayground.layers import Dense, Flatten, Rescaling
from nnplayground.models import Sequential

BATCH_SIZES = (32, 128, 512)
OPTIMIZERS = ("adam", "sgd")  # sgd: momentum 0.9, as the peer trains
SGD_RATE, MOMENTUM = 0.01, 0.9
EPOCHS = 5


# ----- the machine ---------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_description() -> str:
    """NumPy's BLAS library and the number of threads it runs (threadpoolctl's figure when installed)."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        name = f"{blas['name']} {blas.get('version', '')}".strip()
    except Exception:  # the layout of show_config differs between NumPy versions
        name = "unknown BLAS"
    try:
        from threadpoolctl import threadpool_info

        threads = ", ".join(f"{pool['internal_api']} {pool['num_threads']} threads ({pool.get('architecture')})"
                            for pool in threadpool_info() if pool["user_api"] == "blas")
    except ImportError:
        threads = f"threads: OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
    settings = " ".join(f"{key}={os.environ[key]}" for key in sorted(os.environ) if key.startswith("OPENBLAS_"))
    return f"NumPy {np.__version__}, {name}; {threads}; {settings or 'no OPENBLAS_ settings'}"


# ----- the data ------------------------------------------------------------------------------------


def load_mnist(path):
    with np.load(path) as f:
        return f["x_train"], f["y_train"]


def synthetic_digits(samples: int, seed: int = 0):
    """MNIST-shaped uint8 images of 10 classes: each class a stroke, each of its writers draws it a little
    differently, and every image is moved by up to 2 pixels and given pixel noise.

    Like MNIST the 4-pixel border is always black (weights whose gradient stays zero) and the labels are
    learnable but not at once, so training behaves like training on digits: some ReLUs die, most do not.
    """
    rng = np.random.default_rng(seed)
    writers = 20
    shapes = rng.uniform(8, 19, (10, 1, 5, 2))  # 5 control points of each class's stroke
    points = np.clip(shapes + rng.normal(0, 1.5, (10, writers, 5, 2)), 8, 19)
    templates = np.stack([_stroke_image(p) for p in points.reshape(-1, 5, 2)]).reshape(10, writers, 28, 28)
    y = rng.integers(0, 10, samples).astype(np.uint8)
    x = templates[y, rng.integers(0, writers, samples)]
    shifts = rng.integers(-2, 3, (samples, 2))
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            chosen = np.flatnonzero((shifts[:, 0] == dy) & (shifts[:, 1] == dx))
            x[chosen] = np.roll(x[chosen], (dy, dx), axis=(1, 2))  # ink stays inside rows and columns 4..23
    for start in range(0, samples, 10000):  # pixel noise and stroke intensity, in chunks to keep memory low
        part = x[start:start + 10000].astype(np.float32)
        part *= rng.uniform(0.6, 1.0, (len(part), 1, 1)).astype(np.float32)
        part *= rng.uniform(0.5, 1.2, part.shape).astype(np.float32)
        x[start:start + 10000] = np.clip(part, 0, 255).astype(np.uint8)
    return x, y


def _stroke_image(points) -> np.ndarray:
    """A 28x28 uint8 image of the stroke through `points` (inside rows and columns 8..19), blurred by 2 pixels."""
    image = np.zeros((28, 28), np.float32)
    for a, b in zip(points, points[1:], strict=False):
        t = np.linspace(0, 1, 40)[:, None]
        rows, columns = np.round(a + t * (b - a)).astype(int).T
        image[rows, columns] = 1.0
    for _ in range(2):  # a 3x3 box blur, twice: strokes about 3 pixels wide, soft edges
        padded = np.pad(image, 1)
        image = sum(padded[i:i + 28, j:j + 28] for i in range(3) for j in range(3)) / 9
    return np.clip(image / image.max() * 400, 0, 255).astype(np.uint8)


# ----- the trainers --------------------------------------------------------------------------------


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


class OursRunner:
    name = "nnplayground"

    def __init__(self, x, y, optimizer: str, batch_size: int):
        config.set_random_seed(0)
        self.model = Sequential([Rescaling(1 / 255, input_shape=(28, 28)), Flatten(), Dense(128, activation="relu"),
                                 Dense(64, activation="relu"), Dense(10, activation="softmax")])
        self.optimizer = optimizers.SGD(SGD_RATE, momentum=MOMENTUM) if optimizer == "sgd" else optimizers.Adam()
        self.model.compile(optimizer=self.optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        self.x, self.y, self.batch_size = x, y, batch_size

    def epoch(self) -> float:
        return _timed(lambda: self.model.fit(self.x, self.y, batch_size=self.batch_size, epochs=1, verbose=0))

    def subnormals(self) -> int:
        """How many of the weights and optimizer slots are subnormal floats now."""
        arrays = [self.model.flat_weights, *self.optimizer.slots.values()]
        return sum(count_subnormals(a) for a in arrays)

    def accuracy(self) -> float:
        return self.model.history.history["accuracy"][-1]


def count_subnormals(a: np.ndarray) -> int:
    return int(np.count_nonzero((np.abs(a) < np.finfo(a.dtype).tiny) & (a != 0)))


class TorchRunner:
    """PyTorch eager on the same uint8 data: gather a batch, convert and rescale it, one step, and the
    batch's loss and accuracy, which ours computes too (the model is compiled with metrics=["accuracy"])."""

    name = "PyTorch eager"

    def __init__(self, x, y, optimizer: str, batch_size: int):
        import torch

        self.torch = torch
        torch.manual_seed(0)
        self.model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                         torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
        parameters = self.model.parameters()
        self.optimizer = (torch.optim.SGD(parameters, lr=SGD_RATE, momentum=MOMENTUM) if optimizer == "sgd"
                          else torch.optim.Adam(parameters, lr=1e-3, eps=1e-7))
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.xs, self.ys = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
        self.batch_size = batch_size

    def epoch(self) -> float:
        return _timed(self._epoch)

    def _epoch(self):
        order = self.torch.randperm(len(self.xs))
        for start in range(0, len(self.xs), self.batch_size):
            index = order[start:start + self.batch_size]
            xb = self.xs[index].float().div_(255.0)
            self.optimizer.zero_grad(set_to_none=True)
            logits = self.model(xb)
            loss = self.loss_fn(logits, self.ys[index])
            loss.backward()
            self.optimizer.step()
            # What ours logs each batch, as Keras does: the loss and the accuracy (equal work).
            loss.item(), (logits.detach().argmax(1) == self.ys[index]).float().mean().item()


class PeerRunner:
    """neural-network-digits' own training loop (the inner loop of its Trainer.run_epoch, without its
    data augmentation and its evaluation): shuffle, gather float32 rows, NeuralNetwork.train_step."""

    name = "nn-digits"

    def __init__(self, x, y, batch_size: int, path: str):
        if path not in sys.path:
            sys.path.insert(0, path)
        from nn_digits.neural_net.network import NeuralNetwork

        self.net = NeuralNetwork((784, 128, 64, 10), "relu", seed=0)
        self.x = x.reshape(len(x), -1).astype(np.float32) / 255  # as its normalize() does, once
        self.y = np.eye(10, dtype=np.float32)[y]  # its one_hot()
        self.batch_size, self.rng = batch_size, np.random.default_rng(0)

    def epoch(self) -> float:
        return _timed(self._epoch)

    def _epoch(self):
        order = self.rng.permutation(len(self.x))
        with np.errstate(all="ignore"):  # as its loop does
            for k in range(int(np.ceil(len(self.x) / self.batch_size))):
                group = order[k * self.batch_size:(k + 1) * self.batch_size]
                self.net.train_step(self.x[group], self.y[group], SGD_RATE, MOMENTUM)


# ----- the report ----------------------------------------------------------------------------------


def summary(times: list[float]) -> tuple[float, float]:
    """The median of epochs 2.. (the first pays for warming up) and last / first."""
    return statistics.median(times[1:] or times), times[-1] / times[0]


def run_configuration(x, y, optimizer, batch_size, epochs, torch, peer) -> None:
    runners = [OursRunner(x, y, optimizer, batch_size)]
    if torch:
        runners.append(TorchRunner(x, y, optimizer, batch_size))
    if peer and optimizer == "sgd":  # the peer trains with SGD and momentum only
        runners.append(PeerRunner(x, y, batch_size, peer))
    times = {runner.name: [] for runner in runners}
    for _ in range(epochs):
        for runner in runners:  # one epoch each in turn: a slow spell hits them alike
            times[runner.name].append(runner.epoch())
    ours = runners[0]
    median_ours, _ = summary(times[ours.name])
    label = "Adam" if optimizer == "adam" else f"SGD m={MOMENTUM}"
    print(f"\n{label}, batch {batch_size}: ours reaches {ours.accuracy():.1%} training accuracy; "
          f"{ours.subnormals():,} subnormal weights and slots at the end")
    for runner in runners:
        median, growth = summary(times[runner.name])
        epochs_text = " ".join(f"{t:6.3f}" for t in times[runner.name])
        ratio = "" if runner is ours else f"   ours/this {median_ours / median:5.2f}"
        print(f"  {runner.name:<14} {epochs_text}   median {median:6.3f}   last/first {growth:5.2f}{ratio}")


def run_bench(quick: bool = False, torch: bool = False, data: str | None = None, peer: str | None = None) -> int:
    samples = 6000 if quick else 60000
    if data:
        x, y = load_mnist(data)
        x, y, source = x[:samples], y[:samples], f"MNIST from {data}"
    else:
        x, y = synthetic_digits(samples)
        source = "MNIST-shaped synthetic digits (give --data mnist.npz for real MNIST)"
    print(f"784-128-64-10 ReLU, {len(x):,} samples: {source}; {EPOCHS} epochs per configuration")
    print(f"CPU: {cpu_model()}, {os.cpu_count()} logical cores")
    print(blas_description())
    if torch:
        import torch as torch_module

        torch_module.set_num_threads(os.cpu_count() or 1)
        print(f"PyTorch {torch_module.__version__}, {torch_module.get_num_threads()} threads, eager mode")
    print("seconds per epoch, epochs 1..5; median of epochs 2-5; last/first; ours/this = ours' median / its median")
    for optimizer in OPTIMIZERS:
        for batch_size in BATCH_SIZES:
            run_configuration(x, y, optimizer, batch_size, EPOCHS, torch, peer)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak_rss:.0f} MB{' (PyTorch included)' if torch else ''}; the data itself "
          f"{(x.nbytes + y.nbytes) / 1e6:.0f} MB")
    return 0
