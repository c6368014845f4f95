"""Keras-style round trips: every object the engine can serialize comes back with every parameter, through
JSON, as it went in (a lost parameter silently changes a saved network)."""

import json

import numpy as np
import pytest

from nnplayground import activations, initializers, layers, losses, optimizers, regularizers, schedules
from nnplayground.models import Sequential


def _through_json(data):
    return json.loads(json.dumps(data))


@pytest.mark.parametrize("activation", [activations.LeakyReLU(0.05), activations.ELU(0.5), *(
    activations.get(name) for name in activations.NAMES)])
def test_activations(activation):
    again = activations.get(_through_json(activations.serialize(activation)))
    assert type(again) is type(activation) and again.get_config() == activation.get_config()
    z = np.linspace(-3, 3, 13, dtype=np.float32).reshape(1, -1)
    np.testing.assert_array_equal(again(z), activation(z))


LAYERS = [
    layers.Dense(7, activation=activations.LeakyReLU(0.05), use_bias=False, kernel_initializer="he_normal",
                 kernel_regularizer=regularizers.L1L2(0.01, 0.02), name="hidden", input_shape=(5,)),
    layers.Dense(3, activation=activations.ELU(0.3), bias_initializer="ones", bias_regularizer="l2",
                 kernel_initializer=initializers.VarianceScaling(0.5, "fan_out", "uniform"), trainable=False),
    layers.Flatten(input_shape=(2, 3)),
    layers.Dropout(0.3, seed=4),
    layers.Activation(activations.LeakyReLU(0.1)),
    layers.Rescaling(0.5, offset=-1.0),
    layers.Deskew(),
]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda layer: type(layer).__name__)
def test_layers(layer):
    again = layers.deserialize(_through_json(layers.serialize(layer)))
    assert type(again) is type(layer)
    assert layers.serialize(again) == layers.serialize(layer)


def test_dense_activation_parameter_survives_a_saved_model(tmp_path):
    from nnplayground.models import load_model

    model = Sequential([layers.Dense(4, activation=activations.LeakyReLU(0.05), input_shape=(3,)),
                        layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.save(tmp_path / "m.npz")
    assert load_model(tmp_path / "m.npz").layers[0].activation.negative_slope == 0.05


@pytest.mark.parametrize("initializer", [*(initializers.get(name) for name in initializers.NAMES),
                                         initializers.VarianceScaling(3.0, "fan_avg", "truncated_normal")])
def test_initializers(initializer):
    again = initializers.deserialize(_through_json(initializers.serialize(initializer)))
    assert type(again) is type(initializer) and again.get_config() == initializer.get_config()


@pytest.mark.parametrize("regularizer", [regularizers.L1(0.3), regularizers.L2(0.2), regularizers.L1L2(0.1, 0.4)])
def test_regularizers(regularizer):
    again = regularizers.get(_through_json(regularizer.get_config()))
    assert again.get_config() == regularizer.get_config()


SCHEDULES = [schedules.ExponentialDecay(0.1, 50, 0.5, staircase=True),
             schedules.PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001]),
             schedules.CosineDecay(0.01, 100, alpha=0.1, warmup_target=0.1, warmup_steps=5)]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: type(s).__name__)
def test_schedules(schedule):
    again = schedules.deserialize(_through_json(schedules.serialize(schedule)))
    assert type(again) is type(schedule) and again.get_config() == schedule.get_config()
    assert [again(step) for step in range(0, 120, 7)] == [schedule(step) for step in range(0, 120, 7)]


@pytest.mark.parametrize("optimizer", [
    optimizers.SGD(0.05, momentum=0.8, nesterov=True, clipnorm=2.0),
    optimizers.RMSprop(0.002, rho=0.8, epsilon=1e-5, global_clipnorm=3.0),
    optimizers.Adam(SCHEDULES[0], beta_1=0.8, beta_2=0.99, epsilon=1e-6),
    optimizers.AdamW(0.003, weight_decay=0.01, beta_1=0.85),
], ids=lambda o: type(o).__name__)
def test_optimizers(optimizer):
    again = optimizers.deserialize(_through_json(optimizers.serialize(optimizer)))
    assert type(again) is type(optimizer)
    assert optimizers.serialize(again) == optimizers.serialize(optimizer)


@pytest.mark.parametrize("loss", [losses.get(name) for name in losses.NAMES] + [
    losses.SparseCategoricalCrossentropy(from_logits=True), losses.BinaryCrossentropy(from_logits=True)])
def test_losses(loss):
    again = losses.get(_through_json(losses.serialize(loss)))
    assert type(again) is type(loss) and again.get_config() == loss.get_config()
