"""Downloads against a real HTTP server on 127.0.0.1: good file, wrong checksum, cut transfer, no server."""

import hashlib
import http.server
import io
import socket
import threading
import time

import numpy as np
import pytest

from nnplayground.datasets import DownloadCancelled, DownloadError, download, mnist

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    truncate: set[str] = set()
    drip: dict[str, float] = {}  # name -> seconds between two 1 KiB pieces
    stall: set[str] = set()  # send 100 bytes, then nothing
    answer_when: dict[str, threading.Event] = {}  # connect at once, answer only once the event is set
    release = threading.Event()  # set at teardown: ends dripping and stalled responses
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - the http.server API
        type(self).requests.append(self.path)
        name = self.path.rsplit("/", 1)[-1]
        if name not in self.files:
            self.send_error(404)
            return
        body = self.files[name]
        if name in self.answer_when:
            self.answer_when[name].wait(60)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            if name in self.drip:
                for start in range(0, len(body), 1024):
                    self.wfile.write(body[start: start + 1024])
                    self.wfile.flush()
                    if self.release.wait(self.drip[name]):
                        return
            elif name in self.stall:
                self.wfile.write(body[:100])
                self.wfile.flush()
                self.release.wait(60)
            else:  # a cut transfer: promise the whole body, send half, hang up
                self.wfile.write(body[: len(body) // 2] if name in self.truncate else body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up: what the tests want
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Handler.files, _Handler.truncate, _Handler.requests = {}, set(), []
    _Handler.drip, _Handler.stall, _Handler.release = {}, set(), threading.Event()
    _Handler.answer_when = {}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, f"http://127.0.0.1:{httpd.server_port}/data/"
    _Handler.release.set()
    httpd.shutdown()
    httpd.server_close()


def _sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_good_file_lands_in_cache_with_progress(server, tmp_path):
    _, url = server
    _Handler.files["blob.bin"] = PAYLOAD
    seen = []
    path = download.fetch("blob.bin", _sha(PAYLOAD), url=url, cache=tmp_path, retries=0,
                          progress=lambda done, total: seen.append((done, total)))
    assert path.read_bytes() == PAYLOAD
    assert seen[-1] == (len(PAYLOAD), len(PAYLOAD)) and len(seen) > 2
    # Cached: a second call does not ask the server again.
    download.fetch("blob.bin", _sha(PAYLOAD), url=url, cache=tmp_path, retries=0)
    assert len(_Handler.requests) == 1


def test_wrong_checksum_keeps_nothing(server, tmp_path):
    _, url = server
    _Handler.files["blob.bin"] = PAYLOAD
    with pytest.raises(DownloadError, match="damaged or altered"):
        download.fetch("blob.bin", _sha(b"something else"), url=url, cache=tmp_path, retries=0)
    assert list(tmp_path.iterdir()) == []


def test_truncated_transfer_keeps_nothing(server, tmp_path):
    _, url = server
    _Handler.files["blob.bin"] = PAYLOAD
    _Handler.truncate.add("blob.bin")
    with pytest.raises(DownloadError, match="cut off after 524,288 of 1,048,576 bytes") as info:
        download.fetch("blob.bin", _sha(PAYLOAD), url=url, cache=tmp_path, retries=0)
    assert "offline" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_server_gone_says_offline_and_what_to_do(tmp_path):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DownloadError, match="offline.*path"):
        download.fetch("mnist.npz", _sha(PAYLOAD), url=f"http://127.0.0.1:{port}/", cache=tmp_path, retries=0)
    assert list(tmp_path.iterdir()) == []


def test_missing_file_names_the_status(server, tmp_path):
    _, url = server
    with pytest.raises(DownloadError, match="404"):
        download.fetch("nothing.bin", _sha(PAYLOAD), url=url, cache=tmp_path, retries=0)


def test_cancel_from_progress_removes_the_partial_file(server, tmp_path):
    _, url = server
    _Handler.files["blob.bin"] = PAYLOAD

    def cancel(done, total):
        raise DownloadCancelled()

    with pytest.raises(DownloadCancelled):
        download.fetch("blob.bin", _sha(PAYLOAD), url=url, cache=tmp_path, retries=0, progress=cancel)
    assert list(tmp_path.iterdir()) == []


def test_mnist_load_data_downloads_and_reads_keras_layout(server, tmp_path, monkeypatch):
    _, url = server
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    np.savez(buffer, x_train=rng.integers(0, 256, (6, 28, 28), dtype=np.uint8), y_train=np.arange(6, dtype=np.uint8),
             x_test=rng.integers(0, 256, (2, 28, 28), dtype=np.uint8), y_test=np.arange(2, dtype=np.uint8))
    _Handler.files["mnist.npz"] = buffer.getvalue()
    monkeypatch.setenv("NNPLAYGROUND_DATA_URL", url)
    monkeypatch.setenv("NNPLAYGROUND_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(mnist, "SHA256", hashlib.sha256(buffer.getvalue()).hexdigest())
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    assert x_train.shape == (6, 28, 28) and x_train.dtype == np.uint8 and list(y_test) == [0, 1]
    assert (tmp_path / "mnist.npz").is_file()


def _download_threads():
    return [thread for thread in threading.enumerate() if thread.name == "download" and thread.is_alive()]


def test_cancel_takes_effect_within_a_second_while_the_server_drips_1_kib_a_second(server, tmp_path):
    _, url = server
    _Handler.files["blob.bin"] = PAYLOAD[:8192]
    _Handler.drip["blob.bin"] = 1.0
    pressed = threading.Event()
    pressed_at = []

    def press_cancel():
        pressed_at.append(time.monotonic())
        pressed.set()

    def progress(done, total):
        if pressed.is_set():
            raise DownloadCancelled()

    timer = threading.Timer(0.5, press_cancel)  # the user, half a second into the download
    timer.start()
    with pytest.raises(DownloadCancelled):
        download.fetch("blob.bin", _sha(PAYLOAD[:8192]), url=url, cache=tmp_path, retries=0, progress=progress)
    assert time.monotonic() - pressed_at[0] < 1.0
    assert _download_threads() == [] and list(tmp_path.iterdir()) == []


def test_after_a_cancel_before_the_server_answered_nothing_more_is_read(server, tmp_path):
    """The user cancels while the server has not answered yet; when it answers, the helper thread must not
    go on reading (and keeping in memory) a file nobody waits for."""
    _, url = server
    _Handler.files["blob.bin"] = PAYLOAD[:64 * 1024]
    _Handler.drip["blob.bin"] = 0.05  # 64 pieces: three seconds of reading for a thread that went on
    answer = _Handler.answer_when["blob.bin"] = threading.Event()

    def cancel(done, total):
        raise DownloadCancelled()

    with pytest.raises(DownloadCancelled):
        download.fetch("blob.bin", _sha(PAYLOAD[:64 * 1024]), url=url, cache=tmp_path, retries=0, progress=cancel)
    helpers = _download_threads()
    assert helpers, "the helper should still be waiting for the answer"
    answer.set()
    for helper in helpers:
        helper.join(timeout=1.0)  # it reads the headers, sees the caller gone and ends
    assert _download_threads() == [] and list(tmp_path.iterdir()) == []


def test_a_stalled_server_is_given_up_on(server, tmp_path):
    _, url = server
    _Handler.files["blob.bin"] = PAYLOAD
    _Handler.stall.add("blob.bin")
    start = time.monotonic()
    with pytest.raises(DownloadError, match="blob.bin.*stalled.*of 1,048,576 bytes"):
        download.fetch("blob.bin", _sha(PAYLOAD), url=url, cache=tmp_path, retries=0, stall_timeout=1.0)
    assert time.monotonic() - start < 3.0
    assert _download_threads() == [] and list(tmp_path.iterdir()) == []


def test_a_dripping_server_meets_the_deadline(server, tmp_path):
    _, url = server
    _Handler.files["blob.bin"] = PAYLOAD
    _Handler.drip["blob.bin"] = 0.02
    start = time.monotonic()
    with pytest.raises(DownloadError, match="did not finish within 1 s.*too slowly"):
        download.fetch("blob.bin", _sha(PAYLOAD), url=url, cache=tmp_path, retries=0, deadline=1.0)
    assert time.monotonic() - start < 2.5
    assert _download_threads() == [] and list(tmp_path.iterdir()) == []


def test_the_default_limits_are_those_promised():
    assert download.TICK <= 0.5 and 15 <= download.STALL_TIMEOUT <= 30 and download.DEADLINE <= 3600
