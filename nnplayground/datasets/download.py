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
        line = _Line()
        reader = threading.Thread(target=self._read, args=(url, events, line), name="download", daemon=True)
        reader.start()
        try:
            with open(output_file, "wb") as out:
                self._receive(events, line, out)
        finally:
            line.hang_up()
            reader.join(timeout=0.5)

    def _receive(self, events: queue.Queue, line: "_Line", out) -> None:
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
                self.cut = line.began
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

    def _read(self, url: str, events: queue.Queue, line: "_Line") -> None:
        """The helper thread: the blocking requests calls, each result handed over on `events`. Once the
        caller has gone (Cancel, a stall, the deadline) it reads no further, even if the server answers
        only now."""
        try:
            # The socket's own timeout is a backstop; the calling thread notices a stall first.
            with requests.get(url, stream=True, timeout=(self.connect_timeout, self.stall_timeout + 5)) as response:
                response.raise_for_status()
                if not line.hold(response):
                    return
                try:
                    events.put(("total", _length(response)))
                    for chunk in response.iter_content(CHUNK):
                        if line.abandoned:
                            return
                        events.put(("chunk", chunk))
                    events.put(("end", None))
                finally:
                    line.let_go()
        except Exception as error:  # noqa: BLE001 - raised again on the calling thread
            events.put(("error", error))


class _Line:
    """The helper thread's connection, as the calling thread can end it.

    A blocked read ends only when its socket is shut down (closing it from another thread would not end
    it). The socket is reached through a duplicate of its descriptor, taken by the helper while the
    response is surely open and closed only by the helper, under the lock: so the caller never shuts down
    a descriptor number that the process has since reused for another file or connection.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self.abandoned = False
        self.began = False  # the server answered: a failure from here on cut the transfer

    def hold(self, response) -> bool:
        """The helper's side, once the response has begun; False if the caller has already gone."""
        try:
            duplicate = socket.socket(fileno=os.dup(response.raw.fileno()))
        except (OSError, ValueError, AttributeError):  # no socket to reach (already closed): nothing will block
            duplicate = None
        with self._lock:
            if self.abandoned:
                if duplicate is not None:
                    duplicate.close()
                return False
            self._socket, self.began = duplicate, True
            return True

    def let_go(self) -> None:
        with self._lock:
            if self._socket is not None:
                self._socket.close()
                self._socket = None

    def hang_up(self) -> None:
        """The caller's side: from now on the helper reads nothing more, and a read it is blocked in ends."""
        with self._lock:
            self.abandoned = True
            if self._socket is not None:
                try:
                    self._socket.shutdown(socket.SHUT_RDWR)
                except OSError:  # the peer has closed it already: nothing blocks
                    pass


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def _length(response) -> int:
    try:
        return max(0, int(response.headers.get("content-length") or 0))
    except ValueError:
        return 0


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
