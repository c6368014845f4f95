"""The errors the data layer raises: each says what went wrong and what to do."""


class DatasetError(ValueError):
    """A data file that is missing, damaged or not in a layout we read."""


class DownloadError(OSError):
    """A download that failed (offline, server error, wrong checksum); nothing was cached."""


class DownloadCancelled(Exception):
    """Raised by a progress callback to stop a download; the partial file is removed."""
