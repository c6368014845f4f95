"""`nnplayground bench`: training speed and memory of the engine, printed, never asserted.

The network is 784-128-64-10 (ReLU, softmax) with Adam on 60,000 MNIST-shaped uint8 samples,
rescaled per batch inside the model. Speeds are compared within one run (machines are noisy):
against this machine's own float32 matmul peak, and against PyTorch's eager CPU mode with --torch.
"""

import os
import resource
import time

import numpy as np

from nnplayground import config
from nnplayground.layers import Dense, Flatten, Rescaling
from nnplayground.models import Sequential

BATCH_SIZES = (32, 128, 512)
SIZES = (784, 128, 64, 10)


def _flops_per_sample() -> int:
    """Multiply-adds x 2 of one forward and backward pass (no input gradient for the first layer)."""
    forward = sum(a * b for a, b in zip(SIZES, SIZES[1:], strict=False))
    input_grads = sum(a * b for a, b in zip(SIZES[1:], SIZES[2:], strict=False))
    return 2 * (2 * forward + input_grads)


def matmul_peak_gflops(n: int = 2048, repeats: int = 5) -> float:
    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    b, out = a.copy(), np.empty_like(a)
    np.matmul(a, b, out=out)
    best = min(_timed(lambda: np.matmul(a, b, out=out)) for _ in range(repeats))
    return 2 * n**3 / best / 1e9


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _data(samples: int):
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (samples, 28, 28), dtype=np.uint8), rng.integers(0, 10, samples).astype(np.uint8)


def numpy_epoch_seconds(x, y, batch_size: int, repeats: int = 2) -> float:
    """The best of `repeats` epochs (the minimum is the least disturbed by other work on the machine)."""
    config.set_random_seed(0)
    model = Sequential([Rescaling(1 / 255, input_shape=(28, 28)), Flatten(), Dense(128, activation="relu"),
                        Dense(64, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[:2048], y[:2048], batch_size=batch_size, epochs=1, verbose=0)  # warm-up: buffers, caches
    return min(_timed(lambda: model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)) for _ in range(repeats))


def torch_epoch_seconds(x, y, batch_size: int, repeats: int = 2) -> float:
    import torch

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    xs, ys = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))

    def epoch(limit):
        order = torch.randperm(limit)
        for start in range(0, limit, batch_size):
            index = order[start:start + batch_size]
            xb = xs[index].float().div_(255.0)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), ys[index])
            loss.backward()
            optimizer.step()
            (loss.detach(),)  # what a training loop logs each batch

    epoch(2048)
    return min(_timed(lambda: epoch(len(xs))) for _ in range(repeats))


def run_bench(quick: bool = False, torch: bool = False) -> int:
    samples = 6000 if quick else 60000
    x, y = _data(samples)
    peak = matmul_peak_gflops()
    blas = os.environ.get("OPENBLAS_CORETYPE", "unset")
    print(f"784-128-64-10, Adam, {samples:,} uint8 samples of 28x28 ({x.nbytes / 1e6:.0f} MB, kept uint8); "
          f"{os.cpu_count()} cores; OPENBLAS_CORETYPE={blas}")
    print(f"float32 matmul peak (2048x2048): {peak:.1f} GFLOP/s")
    rows = [(batch_size, numpy_epoch_seconds(x, y, batch_size)) for batch_size in BATCH_SIZES]
    # Peak RSS before PyTorch is imported: it is the engine's figure, not the comparison's.
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    torch_seconds = {}
    if torch:
        import torch as torch_module

        torch_module.set_num_threads(os.cpu_count() or 1)
        print(f"PyTorch {torch_module.__version__}, {torch_module.get_num_threads()} threads, eager mode")
        for i, (batch_size, seconds) in enumerate(rows):
            # Alternate the two so that a slow spell on the machine hits both alike.
            torch_seconds[batch_size] = torch_epoch_seconds(x, y, batch_size)
            rows[i] = (batch_size, min(seconds, numpy_epoch_seconds(x, y, batch_size)))
    print(f"{'batch':>6} {'s/epoch':>9} {'samples/s':>11} {'of peak':>8}"
          + (f" {'torch s/epoch':>14} {'speed-up':>9}" if torch else ""))
    for batch_size, seconds in rows:
        rate = samples / seconds
        line = f"{batch_size:>6} {seconds:>9.3f} {rate:>11,.0f} {rate * _flops_per_sample() / 1e9 / peak:>8.1%}"
        if torch:
            line += f" {torch_seconds[batch_size]:>14.3f} {torch_seconds[batch_size] / seconds:>8.2f}x"
        print(line)
    print(f"peak RSS of the engine's runs: {peak_rss:.0f} MB (the data itself: {(x.nbytes + y.nbytes) / 1e6:.0f} MB)")
    return 0
