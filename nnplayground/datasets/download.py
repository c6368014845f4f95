"""Downloads into the user's cache, verified by hash, through pooch (retries, atomic moves).

pooch writes to a temporary file and moves it into the cache only once the hash matches, so a
failed, truncated, cancelled or tampered download never lands there. The transfer itself is ours
(`_Transfer`): the bytes are read on a helper thread, so the calling thread reports progress, and
sees a Cancel, every TICK seconds whatever the server does; a server that stalls or drips past the
deadline is given up on with words that say so.
"""

import os
import queue
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pooch
import requests

from nnplayground.datasets.errors import DownloadCancelled, DownloadError

# The mirror Keras downloads its datasets from.
BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
CHUNK = 4096  # bytes per read: at 1 KB/s the progress still moves every few seconds
TICK = 0.2  # seconds between progress reports while waiting for bytes: Cancel takes effect within this
CONNECT_TIMEOUT = 15.0
STALL_TIMEOUT = 20.0  # seconds without a chunk: the server has stalled
DEADLINE = 30 * 60.0  # seconds for the whole file (MNIST's 11 MB at 6 KB/s)

pooch.get_logger().setLevel("WARNING")  # its "Downloading ..." lines would clutter the command line

Progress = Callable[[int, int], None]  # (bytes so far, total bytes or 0 if unknown)


def cache_dir() -> Path:
    """$NNPLAYGROUND_CACHE_DIR, else the user cache (~/.cache/nnplayground on Linux)."""
    return Path(os.environ.get("NNPLAYGROUND_CACHE_DIR") or pooch.os_cache("nnplayground"))


def base_url() -> str:
    """$NNPLAYGROUND_DATA_URL (a mirror), else Keras's."""
    url = os.environ.get("NNPLAYGROUND_DATA_URL") or BASE_URL
    return url if url.endswith("/") else url + "/"


class _Transfer:
    """pooch's downloader interface: downloader(url, output_file, pooch) streams url into output_file.

    `done`, `total` and `cut` (the body broke off after the headers came) describe the last attempt, for
    the message if it fails.
    """

    def __init__(self, progress: Progress | None, connect_timeout: float, stall_timeout: float, deadline: float):
        self.progress, self.connect_timeout = progress, connect_timeout
        self.stall_timeout, self.deadline = stall_timeout, deadline
        self.done = self.total = 0
        self.cut = False

    def __call__(self, url: str, output_file, pooch_=None) -> None:
        self.done, self.total, self.cut = 0, 0, False
        events: queue.Queue = queue.Queue()
        responses: list = []
        reader = threading.Thread(target=self._read, args=(url, events, responses), name="download", daemon=True)
        reader.start()
        try:
            with open(output_file, "wb") as out:
                self._receive(events, responses, out)
        finally:
            _hang_up(responses)
            reader.join(timeout=0.5)

    def _receive(self, events: queue.Queue, responses: list, out) -> None:
        """Write what the helper thread hands over, report progress at each chunk and every TICK, and give up
        on a stalled server or past the deadline."""
        start = last_chunk = time.monotonic()
        while True:
            try:
                kind, value = events.get(timeout=TICK)
            except queue.Empty:
                kind, value = "wait", None
            if kind == "end":
                return
            if kind == "error":
                self.cut = bool(responses)
                raise value
            if kind == "total":
                self.total = value
            elif kind == "chunk":
                out.write(value)
                self.done += len(value)
                last_chunk = time.monotonic()
            if self.progress is not None:
                self.progress(self.done, self.total)  # raises DownloadCancelled to stop
            now = time.monotonic()
            if now - last_chunk > self.stall_timeout:
                raise DownloadError(f"the server stalled: under {CHUNK // 1024} KB in {_duration(self.stall_timeout)} "
                                    f"(after {self.so_far()}). Try again later")
            if now - start > self.deadline:
                raise DownloadError(f"the download did not finish within {_duration(self.deadline)} "
                                    f"({self.so_far()}): the server sends too slowly. Try again later or use "
                                    "another mirror (NNPLAYGROUND_DATA_URL)")

    def so_far(self) -> str:
        return f"{self.done:,} of {self.total:,} bytes" if self.total else f"{self.done:,} bytes"

    def _read(self, url: str, events: queue.Queue, responses: list) -> None:
        """The helper thread: the blocking requests calls, each result handed over on `events`."""
        try:
            # The socket's own timeout is a backstop; the calling thread notices a stall first.
            with requests.get(url, stream=True, timeout=(self.connect_timeout, self.stall_timeout + 5)) as response:
                response.raise_for_status()
                responses.append(response)
                events.put(("total", _length(response)))
                for chunk in response.iter_content(CHUNK):
                    events.put(("chunk", chunk))
                events.put(("end", None))
        except Exception as error:  # noqa: BLE001 - raised again on the calling thread
            events.put(("error", error))


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def _length(response) -> int:
    try:
        return max(0, int(response.headers.get("content-length") or 0))
    except ValueError:
        return 0


def _hang_up(responses: list) -> None:
    """Wake the helper thread from a blocked read: shutting the socket down ends the read at once (closing
    it from another thread would not). The socket is reached through a duplicate of its descriptor, as
    requests and http.client drop their own reference to it once the response has begun."""
    for response in responses:
        try:
            with socket.socket(fileno=os.dup(response.raw.fileno())) as sock:
                sock.shutdown(socket.SHUT_RDWR)
        except (OSError, ValueError, AttributeError):  # already closed (http.client: fp None): nothing blocks
            pass


def fetch(filename: str, known_hash: str, *, url: str | None = None, cache: Path | None = None,
          progress: Progress | None = None, retries: int = 2, timeout: float = CONNECT_TIMEOUT,
          stall_timeout: float = STALL_TIMEOUT, deadline: float = DEADLINE) -> Path:
    """The cached file, downloading it first if it is missing or does not match `known_hash`.

    `known_hash` is "sha256:..." or "md5:...". `progress(done, total)` is called as bytes arrive and every
    TICK seconds meanwhile; raising DownloadCancelled from it stops the download. `timeout` bounds the
    connection, `stall_timeout` a pause in the transfer, `deadline` each attempt.
    """
    cache = Path(cache) if cache else cache_dir()
    url = url or base_url()
    fetcher = pooch.create(path=cache, base_url=url, registry={filename: known_hash}, retry_if_failed=retries)
    transfer = _Transfer(progress, timeout, stall_timeout, deadline)
    try:
        return Path(fetcher.fetch(filename, downloader=transfer))
    except DownloadCancelled:
        raise
    except DownloadError as error:  # a stall or the deadline, in words already
        raise DownloadError(f"could not download {filename} from {url}: {error}") from None
    except requests.exceptions.RequestException as error:
        raise DownloadError(f"could not download {filename} from {url}: {_reason(error, transfer)}. Check the "
                            "internet connection, or get the file another way and open it: Open file... in the "
                            "window, --data-path on the command line") from None
    except ValueError as error:  # pooch: the hash of what arrived does not match
        raise DownloadError(f"{filename} from {url} arrived damaged or altered ({error}); it was not "
                            "kept. Try again later or use another mirror (NNPLAYGROUND_DATA_URL)") from None
    except OSError as error:
        raise DownloadError(f"could not store {filename} in {cache}: {error}. Set NNPLAYGROUND_CACHE_DIR "
                            "to a folder you can write to") from None


def _reason(error: Exception, transfer: _Transfer) -> str:
    if isinstance(error, requests.exceptions.HTTPError) and error.response is not None:
        return f"the server answered {error.response.status_code} {error.response.reason}"
    if transfer.cut:
        return f"the transfer was cut off after {transfer.so_far()}"
    if isinstance(error, requests.exceptions.Timeout):
        return "the server did not answer in time"
    if isinstance(error, requests.exceptions.ConnectionError):
        return "no connection to the server (offline?)"
    return f"the transfer broke off ({type(error).__name__})"
