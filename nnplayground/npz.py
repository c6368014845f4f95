"""Reading .npz files without trusting them: every size and type is checked before memory is allocated.

np.load inflates whatever a member declares and takes any dtype, so a damaged or hostile file ends in
zlib.error, NotImplementedError or a MemoryError after gigabytes. Here the zip directory is checked
first (compression method, encryption, declared sizes), only the members asked for are read (a zip
bomb in another member costs nothing), and each member's .npy header (dtype, shape) is checked against
its declared size and the memory the machine has before its values are read.
"""

import math
import struct
import tokenize
import zipfile
import zlib

import numpy as np

from nnplayground import memory
from nnplayground.fileio import NotARegularFile, open_regular, read_exactly

NUMBERS = "biuf"  # dtype kinds of plain numbers: bool, signed, unsigned, float
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # what np.savez and np.savez_compressed write
_REFUSED_FLAGS = 0x1 | 0x20 | 0x40  # encrypted, compressed patch data, strong encryption
# What the standard library raises on a damaged zip or .npy header, beyond the checks made first.
_DAMAGE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError, TypeError,
           KeyError, struct.error, NotImplementedError, RuntimeError, OverflowError, SyntaxError,
           RecursionError, MemoryError, tokenize.TokenError)


class NpzError(ValueError):
    """What is wrong with an .npz file, in words; the caller names the file."""


class Npz:
    """An .npz file opened for careful reading: `names`, then `read(name, ...)` one array at a time."""

    def __init__(self, path):
        self.path = path
        try:
            self._file = open_regular(path)
        except NotARegularFile as error:
            raise NpzError(f"it is {error.kind}, not a file") from None
        except OSError as error:
            raise NpzError(f"cannot open it: {error.strerror or error}") from None
        try:
            self._zip = zipfile.ZipFile(self._file)
            infos = self._zip.infolist()
        except _DAMAGE as error:
            self._file.close()
            raise NpzError(f"not a readable .npz file (truncated or corrupted?): {error}") from None
        self._members = {info.filename.removesuffix(".npy"): info for info in infos
                         if info.filename.endswith(".npy")}

    @property
    def names(self) -> list[str]:
        """The arrays it holds (members ending in .npy, without the suffix)."""
        return list(self._members)

    def read(self, name: str, kinds: str = NUMBERS, dtypes: tuple[str, ...] | None = None,
             shape: tuple[int, ...] | None = None, max_bytes: int | None = None) -> np.ndarray:
        """The array `name`, in native byte order. Its dtype must be of one of `kinds` (and one of
        `dtypes` if given), its shape `shape` if given, its size at most `max_bytes` and what the
        machine's memory holds; NpzError says which rule it breaks, before anything large is read."""
        info = self._member(name)
        try:
            with self._zip.open(info) as stream:
                found_shape, fortran, dtype = _npy_header(stream)
                problem = _dtype_problem(dtype, kinds, dtypes) or _shape_problem(found_shape, shape)
                if problem:
                    raise NpzError(f"{name}: {problem}")
                n_bytes = math.prod(found_shape) * dtype.itemsize
                if stream.tell() + n_bytes != info.file_size:
                    raise NpzError(f"{name}: its header promises {n_bytes:,} bytes of values, the archive holds "
                                   f"{max(info.file_size - stream.tell(), 0):,} (truncated or corrupted?)")
                if max_bytes is not None and n_bytes > max_bytes:
                    raise NpzError(f"{name}: {memory.in_words(n_bytes)} is more than such a file holds "
                                   f"({memory.in_words(max_bytes)} at most)")
                problem = memory.too_big(n_bytes, name)
                if problem:
                    raise NpzError(problem)
                values = read_exactly(stream, n_bytes)
        except NpzError:
            raise
        except _DAMAGE as error:
            raise NpzError(f"{name} is damaged (truncated or corrupted?): {type(error).__name__}: {error}") from None
        array = values.view(dtype)
        array = array.reshape(found_shape[::-1]).T if fortran else array.reshape(found_shape)
        return array if dtype.isnative else array.astype(dtype.newbyteorder("="))

    def _member(self, name: str) -> zipfile.ZipInfo:
        info = self._members.get(name)
        if info is None:
            raise NpzError(f"it holds no array {name!r}")
        if info.flag_bits & _REFUSED_FLAGS:
            raise NpzError(f"{name} is encrypted; .npz files are not")
        if info.compress_type not in _METHODS:
            raise NpzError(f"{name} is compressed with zip method {info.compress_type}; .npz files use "
                           "none or deflate")
        return info

    def close(self) -> None:
        self._zip.close()
        self._file.close()

    def __enter__(self) -> "Npz":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _npy_header(stream) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(stream)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(stream)
    raise NpzError(f"an .npy member of version {version}, which this program does not read")


def _dtype_problem(dtype: np.dtype, kinds: str, dtypes) -> str | None:
    plain = dtype.fields is None and dtype.subdtype is None and 0 < dtype.itemsize <= 8
    if not plain or dtype.kind not in kinds or dtypes is not None and dtype.name not in dtypes:
        wanted = ", ".join(dtypes) if dtypes else "numbers"
        return f"holds {dtype.name if plain else str(dtype)[:60]}, not {wanted}"
    return None


def _shape_problem(found: tuple[int, ...], wanted: tuple[int, ...] | None) -> str | None:
    if any(size < 0 for size in found):
        return f"a negative size in its shape {found}"
    if wanted is not None and tuple(found) != tuple(wanted):
        return f"has shape {found}, expected {tuple(wanted)}"
    return None
