import numpy as np

from nnplayground import optimizers
from nnplayground.callbacks import Callback, EarlyStopping, LambdaCallback, LearningRateScheduler
from nnplayground.layers import Dense
from nnplayground.models import Sequential


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.uint8)
    return x, y


def test_early_stopping_restores_best_weights():
    x, y = _data()
    model = Sequential([Dense(16, activation="tanh", input_shape=(2,)), Dense(2, activation="softmax")])
    model.compile(optimizer=optimizers.SGD(0.05), loss="sparse_categorical_crossentropy")
    snapshots = {}
    keep = LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.__setitem__(epoch, (logs["val_loss"], model.get_weights())))
    # From epoch 4 on the learning rate is absurd, so the validation loss gets worse and stays worse.
    wreck = LearningRateScheduler(lambda epoch, lr: 0.05 if epoch < 4 else 50.0)
    stopper = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(x, y, epochs=30, validation_split=0.25, callbacks=[wreck, keep, stopper], verbose=0)
    assert len(history.history["loss"]) < 30
    best_epoch = min(snapshots, key=lambda epoch: snapshots[epoch][0])
    assert stopper.best_epoch == best_epoch
    for restored, best in zip(model.get_weights(), snapshots[best_epoch][1], strict=True):
        np.testing.assert_array_equal(restored, best)


def test_early_stopping_waits_for_patience():
    model = Sequential([Dense(2, activation="softmax", input_shape=(2,))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    stopper = EarlyStopping(monitor="loss", patience=3)
    stopper.set_model(model)
    stopper.on_train_begin()
    for epoch, loss in enumerate([1.0, 0.9, 0.95, 0.95, 0.91]):
        stopper.on_epoch_end(epoch, {"loss": loss})
    assert model.stop_training and stopper.stopped_epoch == 4


def test_params_reach_callbacks():
    seen = {}

    class Peek(Callback):
        def on_train_begin(self, logs=None):
            seen.update(self.params)

    x, y = _data()
    model = Sequential([Dense(2, activation="softmax", input_shape=(2,))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=64, epochs=2, callbacks=[Peek()], verbose=0)
    assert seen["epochs"] == 2 and seen["steps"] == 4 and seen["samples"] == 200


def test_every_hook_is_called_in_order_subclass_or_lambda_even_one_set_during_training():
    """CallbackList calls each callback's hooks as they are when called, as Keras does: a subclass's method,
    an inherited one, a LambdaCallback's function, and a hook a callback sets on itself mid-run."""
    seen = []

    class Counter(Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(("counter", batch))

    class Quiet(Counter):  # inherits the override from its parent
        pass

    x, y = _data()
    model = Sequential([Dense(2, activation="softmax", input_shape=(2,))])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    lam = LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(("lambda", batch)))
    model.fit(x[:64], y[:64], batch_size=32, epochs=1, callbacks=[lam, Counter(), Quiet()], verbose=0)
    assert seen == [("lambda", 0), ("counter", 0), ("counter", 0), ("lambda", 1), ("counter", 1), ("counter", 1)]

    class Late(Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.on_train_batch_end = lambda batch, logs=None: seen.append(("late", epoch, batch))

    seen.clear()
    model.fit(x[:64], y[:64], batch_size=32, epochs=2, callbacks=[Late()], verbose=0)
    assert seen == [("late", 0, 0), ("late", 0, 1)]  # set at the end of epoch 0, called in epoch 1
