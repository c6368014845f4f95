"""ONNX export: onnxruntime, given the exported file, predicts what the model predicts (atol 1e-5)."""

import json
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime
import pytest

from nnplayground import activations, onnx_export
from nnplayground.datasets import mnist, toy
from nnplayground.layers import Activation, Dense, Deskew, Dropout, Flatten, Layer, Rescaling
from nnplayground.models import Sequential, load_model
from nnplayground.onnx_export import OnnxExportError, OnnxUnavailable
from nnplayground.regularizers import Regularizer


def run_onnx(path, x: np.ndarray) -> np.ndarray:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # the machine's cores are shared
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(["predictions"], {"inputs": np.asarray(x, np.float32)})[0]


def assert_same_predictions(model: Sequential, x, tmp_path) -> np.ndarray:
    """Export, check the file against the ONNX spec, run it; returns the predictions."""
    path = model.export(tmp_path / "model.onnx")
    onnx.checker.check_model(str(path), full_check=True)
    predicted = run_onnx(path, x)
    np.testing.assert_allclose(predicted, model.predict(x), rtol=0, atol=1e-5)
    return predicted


@pytest.fixture(scope="module")
def digits():
    """300 raw MNIST digits of the embedded sample (0..255 as float32, as the window feeds them) and labels."""
    (x, y), _ = mnist.load_sample()
    return x[:300].astype(np.float32), y[:300]


def _trained(model: Sequential, x, y, loss="sparse_categorical_crossentropy", epochs=3) -> Sequential:
    model.compile(optimizer="adam", loss=loss)
    model.fit(x, y, batch_size=32, epochs=epochs, verbose=0)
    return model


ACTIVATIONS = [*activations.NAMES, activations.LeakyReLU(0.01), activations.LeakyReLU(1.5), activations.ELU(0.5)]


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=lambda a: a if isinstance(a, str) else repr(a.get_config()))
def test_an_mlp_of_each_activation_predicts_the_same(activation, tmp_path):
    x = np.random.default_rng(0).normal(scale=3.0, size=(64, 4)).astype(np.float32)
    model = Sequential([Dense(16, activation=activation, input_shape=(4,)),
                        Dense(8, activation=activations.get(activation) if isinstance(activation, str)
                              else type(activation)(**activation.get_config())),
                        Dense(3, activation="softmax")])
    assert_same_predictions(model, x, tmp_path)


@pytest.mark.parametrize("name", activations.NAMES)
def test_each_activation_alone_agrees_far_from_zero(name, tmp_path):
    """Large inputs are where an unstable form overflows (softplus's exp, sigmoid's exp(-z))."""
    x = np.linspace(-40, 40, 161, dtype=np.float32).reshape(7, 23)
    predicted = assert_same_predictions(Sequential([Activation(name, input_shape=(23,))]), x, tmp_path)
    assert np.all(np.isfinite(predicted))


def test_dropout_is_left_out_at_inference(tmp_path):
    x, y = toy.make_spiral(n_samples=200, n_classes=3, seed=0)[0]
    model = _trained(Sequential([Dense(32, activation="relu", input_shape=(2,)), Dropout(0.5),
                                 Dense(3, activation="softmax")]), x, y)
    assert_same_predictions(model, x, tmp_path)
    operators = [node.op_type for node in onnx.load(str(tmp_path / "model.onnx")).graph.node]
    assert operators == ["Gemm", "Relu", "Gemm", "Softmax", "Identity"]  # no trace of the dropout


def test_the_windows_deskewed_digit_network_reads_digits_alike(digits, tmp_path):
    """Deskew, Rescaling(1/255), Flatten, Dense: what "Straighten slanted digits" builds, on raw pixels."""
    x, y = digits
    model = _trained(Sequential([Deskew(input_shape=(28, 28)), Rescaling(1 / 255), Flatten(),
                                 Dense(64, activation="relu"), Dense(10, activation="softmax")]), x, y)
    predicted = assert_same_predictions(model, x, tmp_path)
    assert np.mean(predicted.argmax(axis=1) == y) > 0.5  # a network that learned something, not all zeros


def test_deskewed_images_agree_pixel_for_pixel(digits, tmp_path):
    x, _ = digits
    deskewed = assert_same_predictions(Sequential([Deskew(input_shape=(28, 28))]), x, tmp_path)
    assert not np.allclose(deskewed, x)  # it did straighten them
    edge_cases = np.zeros((3, 28, 28), np.float32)  # blank, one dot, one row: no slant to measure
    edge_cases[1, 5, 7] = 255
    edge_cases[2, 9, 3:20] = 255
    assert_same_predictions(Sequential([Deskew(input_shape=(28, 28))]), edge_cases, tmp_path)


def test_rescaling_with_an_offset_and_a_flat_mnist_mlp(digits, tmp_path):
    x, y = digits
    model = _trained(Sequential([Flatten(input_shape=(28, 28)), Rescaling(1 / 127.5, offset=-1),
                                 Dense(32, activation="tanh"), Dense(10, activation="softmax", use_bias=False)]), x, y)
    assert_same_predictions(model, x, tmp_path)


def test_two_classes_with_one_sigmoid_output(tmp_path):
    x, y = toy.make_moons(n_samples=200, noise=0.1, seed=0)[0]
    model = _trained(Sequential([Dense(8, activation="tanh", input_shape=(2,)), Dense(1, activation="sigmoid")]),
                     x, y.astype(np.float32), loss="binary_crossentropy")
    predicted = assert_same_predictions(model, x, tmp_path)
    assert predicted.shape == (len(x), 1)


def test_three_classes_with_softmax(tmp_path):
    x, y = toy.make_spiral(n_samples=300, n_classes=3, seed=1)[0]
    model = _trained(Sequential([Dense(16, activation="relu", input_shape=(2,)), Dense(16, activation="elu"),
                                 Dense(3, activation="softmax")]), x, y)
    predicted = assert_same_predictions(model, x, tmp_path)
    np.testing.assert_allclose(predicted.sum(axis=1), 1.0, atol=1e-5)


def test_regularizers_change_nothing_at_inference(tmp_path):
    x, y = toy.make_gaussians(n_samples=200, n_classes=4, seed=0)[0]
    hidden = Dense(16, activation="relu", input_shape=(2,), kernel_regularizer=Regularizer(0.01, 0.01),
                   bias_regularizer=Regularizer(l2=0.1))
    head = Dense(4, activation="softmax", kernel_regularizer=Regularizer(l1=0.001))
    model = _trained(Sequential([hidden, head]), x, y)
    assert model.penalty() > 0
    assert_same_predictions(model, x, tmp_path)


def test_a_model_opened_from_its_file_exports_alike(digits, tmp_path):
    x, y = digits
    trained = _trained(Sequential([Deskew(input_shape=(28, 28)), Rescaling(1 / 255), Flatten(),
                                   Dense(32, activation="gelu"), Dropout(0.2), Dense(10, activation="softmax")]), x, y)
    trained.save(tmp_path / "digits.npz")
    opened = load_model(tmp_path / "digits.npz")
    np.testing.assert_allclose(assert_same_predictions(opened, x, tmp_path), trained.predict(x), rtol=0, atol=1e-5)


def test_a_float64_model_exports_as_float32(float64, tmp_path):
    x = np.random.default_rng(0).normal(size=(20, 5))
    model = Sequential([Dense(12, activation="softplus", input_shape=(5,)), Dense(2, activation="softmax")])
    assert model.dtype == np.float64
    assert_same_predictions(model, x, tmp_path)


def test_the_file_takes_any_batch_size_and_names_its_tensors(tmp_path):
    model = Sequential([Flatten(input_shape=(28, 28)), Dense(10, activation="softmax")])
    path = model.export(tmp_path / "digits")
    assert path == tmp_path / "digits.onnx" and path.is_file()
    proto = onnx.load(str(path))
    assert [opset.version for opset in proto.opset_import] == [onnx_export.OPSET]
    (inputs,), (outputs,) = proto.graph.input, proto.graph.output
    assert inputs.name == "inputs" and inputs.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert [d.dim_param or d.dim_value for d in inputs.type.tensor_type.shape.dim] == ["batch", 28, 28]
    assert [d.dim_param or d.dim_value for d in outputs.type.tensor_type.shape.dim] == ["batch", 10]
    for n in (1, 7):
        x = np.random.default_rng(n).random((n, 28, 28), np.float32)
        np.testing.assert_allclose(run_onnx(path, x), model.predict(x), rtol=0, atol=1e-5)


def test_a_suffix_given_is_kept(tmp_path):
    model = Sequential([Dense(2, input_shape=(3,))])
    assert model.export(tmp_path / "net.v2") == tmp_path / "net.v2"
    assert model.export(str(tmp_path / "net.onnx")) == tmp_path / "net.onnx"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.onnx", "net.v2"]


def test_an_unbuilt_model_is_built_from_its_input_shape_or_refused(tmp_path):
    assert Sequential([Dense(3, input_dim=2)]).export(tmp_path / "a.onnx").is_file()
    with pytest.raises(ValueError, match="input shape"):
        Sequential([Dense(3)]).export(tmp_path / "b.onnx")
    assert not (tmp_path / "b.onnx").exists()


# ----- clear errors ---------------------------------------------------------------------------------------

def test_without_onnx_the_error_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)  # what `import onnx` meets when it is not installed
    with pytest.raises(OnnxUnavailable, match=r"pip install 'nnplayground\[onnx\]'") as raised:
        Sequential([Dense(2, input_shape=(3,))]).export(tmp_path / "model.onnx")
    assert isinstance(raised.value, ImportError)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match="'tf_saved_model'.*'onnx'"):
        Sequential([Dense(2, input_shape=(3,))]).export(tmp_path / "model", format="tf_saved_model")


class Doubling(Layer):
    def forward(self, x, training=False):
        return 2 * x


class Cube(activations.Activation):
    name = "cube"

    def forward(self, z, out):
        return np.power(z, 3, out=out)


def test_a_layer_without_an_onnx_form_is_named(tmp_path):
    with pytest.raises(OnnxExportError, match="'twice' \\(Doubling\\) has no ONNX form"):
        Sequential([Dense(2, input_shape=(3,)), Doubling(name="twice")]).export(tmp_path / "model.onnx")


def test_an_activation_without_an_onnx_form_is_named_with_its_layer(tmp_path):
    with pytest.raises(OnnxExportError, match="'hidden'.*Cube"):
        Sequential([Dense(2, activation=Cube(), input_shape=(3,), name="hidden")]).export(tmp_path / "model.onnx")


def test_deskew_on_flat_samples_is_refused(tmp_path):
    with pytest.raises(OnnxExportError, match="'deskew'.*\\(batch, height, width\\)"):
        Sequential([Deskew(input_shape=(784,))]).export(tmp_path / "model.onnx")


def test_a_model_too_large_for_one_file_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(onnx_export, "MAX_WEIGHT_BYTES", 100)
    with pytest.raises(OnnxExportError, match="more than one ONNX file can hold"):
        Sequential([Dense(30, input_shape=(3,))]).export(tmp_path / "model.onnx")


def test_a_failed_export_leaves_the_previous_file_as_it_was(tmp_path):
    target = tmp_path / "model.onnx"
    target.write_bytes(b"the export before")
    with pytest.raises(OnnxExportError):
        Sequential([Dense(2, input_shape=(3,)), Doubling()]).export(target)
    with pytest.raises(OSError):
        Sequential([Dense(2, input_shape=(3,))]).export(tmp_path / "no such folder" / "model.onnx")
    assert target.read_bytes() == b"the export before"
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]


def test_nothing_imports_onnx_until_a_model_is_exported():
    code = ("import json, sys, nnplayground.models, nnplayground.onnx_export, nnplayground.session, "
            "nnplayground.app.main_window\nprint(json.dumps(sorted(sys.modules)))")
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                       check=True).stdout)
    assert not [name for name in loaded if name.split(".")[0] in ("onnx", "onnxruntime")]
