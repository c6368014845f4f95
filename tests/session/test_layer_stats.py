"""Inside the layers, without Qt: activation histograms, dead ReLUs, saturated units, weight and gradient
histograms, on real trained networks; and the per-epoch history the over-time view draws."""

import numpy as np
import pytest

from nnplayground.session import Experiment, LayerSpec, Session
from nnplayground.session.layer_stats import BATCH, HistogramHistory, LayerStatsProbe, histogram


@pytest.fixture(scope="module")
def spiral() -> Session:
    session = Session(Experiment(dataset="spiral", n_classes=3, learning_rate=0.03, epochs=40))
    session.train()
    return session


def _stats(session: Session, probe=None) -> dict:
    return (probe or LayerStatsProbe())(session.model, session._idle_context())


def _hidden(result: dict) -> list[dict]:
    return [layer for layer in result["layers"] if layer["activation"] == "relu"]


def test_a_healthy_trained_network_has_live_relus_and_counts_every_activation(spiral):
    result = _stats(spiral)
    x_val = spiral._idle_context().validation[0]
    assert result["samples"] == min(BATCH, len(x_val))
    hidden = _hidden(result)
    assert [layer["units"] for layer in hidden] == [spec.units for spec in spiral.experiment.layers]
    for layer in hidden:
        assert layer["dead_share"] < 1.0
        assert layer["activations"]["counts"].sum() == result["samples"] * layer["units"]
        assert layer["saturated_share"] is None
    output = result["layers"][-1]
    assert output["activation"] == "softmax" and output["dead_share"] is None
    assert output["activations"]["edges"][[0, -1]].tolist() == [0.0, 1.0]


def test_dead_share_is_the_share_of_units_never_active_on_the_batch(spiral):
    model = spiral.model
    x = spiral._idle_context().validation[0][:BATCH].astype(model.dtype)
    first = model.layers[1]  # after the Flatten
    hidden = np.maximum(x @ first.kernel + first.bias, 0)
    expected = float(np.mean(hidden.max(axis=0) <= 0))
    assert _hidden(_stats(spiral))[0]["dead_share"] == pytest.approx(expected)


def test_a_hugely_negative_bias_kills_every_relu():
    session = Session(Experiment(dataset="spiral", n_classes=3, epochs=2))
    session.train()
    first = session.model.layers[1]
    first.bias[...] = -1e6
    layer = _hidden(_stats(session))[0]
    assert layer["dead_share"] == 1.0
    assert layer["activations"]["counts"][0] == layer["activations"]["counts"].sum()  # all in the zero bin


def test_huge_weights_saturate_a_tanh_layer_and_small_ones_do_not():
    session = Session(Experiment(dataset="spiral", n_classes=3, layers=[LayerSpec(16, "tanh")], epochs=1))
    session.load_data()
    tanh = session.model.layers[1]
    assert _stats(session)["layers"][0]["saturated_share"] < 0.5  # Glorot's start: mostly in the slope
    tanh.kernel[...] *= 1e4
    assert _stats(session)["layers"][0]["saturated_share"] >= 0.9


def test_sigmoid_saturation_follows_the_documented_rule():
    session = Session(Experiment(dataset="moons", layers=[LayerSpec(4, "sigmoid")], epochs=1))
    session.load_data()
    layer = session.model.layers[1]
    layer.kernel[...] = 0.0
    layer.bias[...] = [10.0, -10.0, 0.0, 3.0]  # sigmoid 0.99995, 0.00005, 0.5, 0.953: two units on a tail
    result = _stats(session)
    assert result["layers"][0]["saturated_share"] == 0.5
    output = result["layers"][-1]
    assert output["activation"] == "sigmoid" and output["units"] == 1  # the 2-class head is measured too


def test_mnist_sample_weights_and_gradients_are_histogrammed_per_array():
    session = Session(Experiment(dataset="mnist-sample", layers=[LayerSpec(32)], epochs=1))
    session.train()
    result = _stats(session)
    hidden = _hidden(result)[0]
    assert hidden["activations"]["counts"].sum() == BATCH * 32
    layer = session.model.layers[hidden["index"]]
    for name in ("kernel", "bias"):
        weights, gradients = hidden["weights"][name], hidden["gradients"][name]
        assert weights["counts"].sum() == getattr(layer, name).size
        assert weights["edges"][0] == pytest.approx(getattr(layer, name).min())
        assert weights["edges"][-1] == pytest.approx(getattr(layer, name).max())
        assert gradients["counts"].sum() == layer.grads[name].size
    assert np.any(hidden["gradients"]["kernel"]["edges"] != 0)  # the last batch's gradient, not zeros


def test_an_untrained_network_has_no_gradient_histograms_yet():
    session = Session(Experiment(dataset="moons", epochs=1))
    session.load_data()
    result = _stats(session)
    assert all(layer["gradients"] == {} and set(layer["weights"]) == {"kernel", "bias"}
               for layer in result["layers"])


def test_the_probe_copes_without_data_and_with_data_it_cannot_read(spiral):
    context = spiral._idle_context()
    context.data = context.validation = None
    result = LayerStatsProbe()(spiral.model, context)
    assert result["samples"] == 0
    assert all(layer["activations"] is None and layer["weights"] for layer in result["layers"])
    context.validation = (np.zeros((5, 3)), np.zeros(5))
    assert LayerStatsProbe()(spiral.model, context)["samples"] == 0


def test_probing_while_training_leaves_training_exactly_as_without():
    def trained(with_probe: bool):
        session = Session(Experiment(dataset="mnist-sample", layers=[LayerSpec(16)], epochs=1, batch_size=64))
        if with_probe:
            probe = LayerStatsProbe()
            probe.interval = 0.0  # at every report: as often as it can get in the way
            session.add_probe(probe)
        session.train()
        return session.model.flat_weights.copy()

    assert np.array_equal(trained(False), trained(True))


def test_nonfinite_values_are_counted_apart():
    found = histogram(np.array([np.nan, 1.0, 2.0, np.inf]), bins=4)
    assert found["nonfinite"] == 2 and found["counts"].sum() == 2


def test_the_history_keeps_one_result_per_epoch_and_thins_out_past_its_limit():
    history = HistogramHistory(limit=4)
    assert history.add(0, {"layers": []}) and not history.add(0, {"layers": [1]})
    for epoch in range(1, 9):
        history.add(epoch, {"layers": []})
    assert len(history.entries) <= 4 and history.epochs() == [0, 4, 8]
    assert history.entries[0] == {"layers": []}  # the first result of an epoch stays
    history.clear()
    assert history.epochs() == [] and history.add(1, {"layers": []})


def test_the_history_gives_a_layers_series_oldest_first(spiral):
    history = HistogramHistory()
    probe = LayerStatsProbe()
    history.add(3, _stats(spiral, probe))
    history.add(1, _stats(spiral, probe))
    series = history.series("dense", "weights")
    assert [epoch for epoch, _ in series] == [1, 3]
    assert series[0][1]["counts"].sum() == spiral.model.layers[1].kernel.size
    assert len(history.series("dense", "activations")) == 2


def test_the_probes_forward_pass_matches_predict_and_leaves_the_layers_buffers_alone(spiral):
    from nnplayground.session.layer_stats import layer_outputs

    session = Session(Experiment(dataset="mnist-sample", layers=[LayerSpec(16)], epochs=1, deskew=True))
    session.load_data()
    model = session.model
    x = session.dataset.x_test[:300]
    buffers = {layer.name: {key: value.shape for key, value in layer._buffers.items()} for layer in model.layers}
    outputs = layer_outputs(model, x)
    assert {layer.name: {key: value.shape for key, value in layer._buffers.items()}
            for layer in model.layers} == buffers
    assert np.allclose(outputs[-1], model.predict(x), atol=1e-5)
