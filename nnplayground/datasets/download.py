"""Downloads into the user's cache, verified by hash, through pooch (retries, atomic moves, progress).

pooch writes to a temporary file and moves it into the cache only once the hash matches, so a
failed, truncated, cancelled or tampered download never lands there.
"""

import os
from collections.abc import Callable
from pathlib import Path

import pooch
import requests

from nnplayground.datasets.errors import DownloadCancelled, DownloadError

# The mirror Keras downloads its datasets from.
BASE_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

pooch.get_logger().setLevel("WARNING")  # its "Downloading ..." lines would clutter the command line

Progress = Callable[[int, int], None]  # (bytes so far, total bytes or 0 if unknown)


def cache_dir() -> Path:
    """$NNPLAYGROUND_CACHE_DIR, else the user cache (~/.cache/nnplayground on Linux)."""
    return Path(os.environ.get("NNPLAYGROUND_CACHE_DIR") or pooch.os_cache("nnplayground"))


def base_url() -> str:
    """$NNPLAYGROUND_DATA_URL (a mirror), else Keras's."""
    url = os.environ.get("NNPLAYGROUND_DATA_URL") or BASE_URL
    return url if url.endswith("/") else url + "/"


class _ProgressAdapter:
    """The tqdm-like object pooch reports to, turned into calls of progress(done, total)."""

    def __init__(self, progress: Progress):
        self.progress, self.total, self.done = progress, 0, 0

    def update(self, n):
        self.done += n
        self.progress(self.done, self.total or 0)

    def reset(self):
        self.done = 0

    def close(self):
        pass


def fetch(filename: str, known_hash: str, *, url: str | None = None, cache: Path | None = None,
          progress: Progress | None = None, retries: int = 2, timeout: float = 30.0) -> Path:
    """The cached file, downloading it first if it is missing or does not match `known_hash`.

    `known_hash` is "sha256:..." or "md5:...". `progress(done, total)` is called as bytes arrive;
    raising DownloadCancelled from it stops the download.
    """
    cache = Path(cache) if cache else cache_dir()
    url = url or base_url()
    fetcher = pooch.create(path=cache, base_url=url, registry={filename: known_hash}, retry_if_failed=retries)
    downloader = pooch.HTTPDownloader(progressbar=_ProgressAdapter(progress) if progress else False,
                                      chunk_size=65536, timeout=timeout)
    try:
        return Path(fetcher.fetch(filename, downloader=downloader))
    except DownloadCancelled:
        raise
    except requests.exceptions.RequestException as error:
        raise DownloadError(f"could not download {filename} from {url}: {_reason(error)}. Check the "
                            "internet connection, or get the file another way and open it: Open file... in the "
                            "window, --data-path on the command line") from None
    except ValueError as error:  # pooch: the hash of what arrived does not match
        raise DownloadError(f"{filename} from {url} arrived damaged or altered ({error}); it was not "
                            "kept. Try again later or use another mirror (NNPLAYGROUND_DATA_URL)") from None
    except OSError as error:
        raise DownloadError(f"could not store {filename} in {cache}: {error}. Set NNPLAYGROUND_CACHE_DIR "
                            "to a folder you can write to") from None


def _reason(error: Exception) -> str:
    if isinstance(error, requests.exceptions.ConnectionError):
        return "no connection to the server (offline?)"
    if isinstance(error, requests.exceptions.HTTPError) and error.response is not None:
        return f"the server answered {error.response.status_code} {error.response.reason}"
    if isinstance(error, requests.exceptions.Timeout):
        return "the server did not answer in time"
    return f"the transfer broke off ({type(error).__name__})"
