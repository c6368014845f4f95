"""The classic first-network tutorial, unchanged but for its imports; prints the MNIST test accuracy.

    python benchmarks/tutorial_accuracy.py [path/to/mnist.npz]   (default: download or cache)
Run by hand; not part of the tests.
"""

import os
import sys
import tempfile
import time

from nnplayground.datasets import mnist
from nnplayground.layers import Dense, Dropout, Flatten  # noqa: F401 - the tutorial's imports
from nnplayground.models import Sequential, load_model

path = sys.argv[1] if len(sys.argv) > 1 else None
(x_train, y_train), (x_test, y_test) = mnist.load_data(path)
x_train, x_test = x_train / 255.0, x_test / 255.0
model = Sequential([Flatten(input_shape=(28, 28)), Dense(128, activation="relu"),
                    Dense(64, activation="relu"), Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
start = time.perf_counter()
history = model.fit(x_train, y_train, batch_size=128, epochs=5, validation_data=(x_test, y_test), verbose=2)
print(f"5 epochs in {time.perf_counter() - start:.1f} s")
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
probabilities = model.predict(x_test)
saved = os.path.join(tempfile.mkdtemp(prefix="nnplayground-tutorial-"), "digits.npz")  # never someone's file
model.save(saved)
same = load_model(saved)
assert (same.predict(x_test) == probabilities).all()
print(f"test loss {loss:.4f}, test accuracy {accuracy:.2%}")
