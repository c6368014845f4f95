"""Reading and writing files safely: the helpers every save and every loader share.

A save is atomic (a crash never leaves half a file), goes through a symlink to the file it points to,
keeps that file's permissions and never replaces a folder, a device or a pipe. A read opens regular
files only, so a pipe given as a data file cannot block the program forever.
"""

import os
import re
import stat
import tempfile
import time
from pathlib import Path
from typing import BinaryIO

import numpy as np

# A temporary file of a writer of this version:
#   .<target name>.<writer's pid>-<its pid namespace>.<mkstemp's 8 characters>.tmp
_TEMPORARY = r"\.{name}\.(?:(?P<pid>\d+)(?:-(?P<namespace>\d+))?\.)?[a-z0-9_]{{8}}\.tmp"
# A temporary file whose writer cannot be asked about (an earlier version named none; a writer in another
# pid namespace, such as a container sharing the folder, has a pid that means nothing here) is removed
# once older than this: no save of a model takes an hour, and a writer still at work after one is not
# worth keeping a 1 GB file for.
_OLD_TEMPORARY_AGE = 3600.0


def _pid_namespace() -> str:
    """This process's pid namespace (its inode under /proc), '' where there is none to read."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return ""


class NotARegularFile(OSError):
    """A path naming a folder, a device, a pipe or a socket where a file was expected; `kind` says which."""

    def __init__(self, message: str, kind: str):
        super().__init__(message)
        self.kind = kind


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    return "a socket" if stat.S_ISSOCK(mode) else "not a regular file"


def open_regular(path) -> BinaryIO:
    """`path` opened for binary reading; NotARegularFile if it is a folder, device, pipe or socket.

    O_NONBLOCK makes opening a pipe return at once (without a writer, open() would wait forever); fstat
    then refuses it. On a regular file the flag changes nothing.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotARegularFile(f"{path} is {_kind(mode)}, not a file", _kind(mode))
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_exactly(stream, n_bytes: int, chunk: int = 1 << 20) -> np.ndarray:
    """n_bytes from `stream` as a uint8 array, read in chunks; EOFError if the stream ends sooner.

    np.empty leaves the pages untouched until they are written, so a header that promises gigabytes over
    a few bytes of data costs the few bytes, not the gigabytes (bytearray(n) would zero all of them).
    """
    values = np.empty(n_bytes, np.uint8)
    view, done = memoryview(values), 0
    while done < n_bytes:
        count = stream.readinto(view[done: done + chunk])
        if not count:
            raise EOFError(f"the data ends after {done:,} of {n_bytes:,} bytes")
        done += count
    return values


def save_target(path) -> Path:
    """The file a save to `path` replaces: `path` itself, or the file its symlink (chain) points to.

    ValueError for an empty path; NotARegularFile if it is a folder, a device or a pipe.
    """
    if not os.fspath(path):  # Path("") would quietly mean the current folder
        raise ValueError("no file name given: name the file to save to")
    target = Path(os.path.realpath(path)) if Path(path).is_symlink() else Path(path)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return target
    if not stat.S_ISREG(mode):
        raise NotARegularFile(f"{path} is {_kind(mode)}; it is not replaced by a file (nothing was written)",
                              _kind(mode))
    return target


def atomic_write(path, write) -> None:
    """Call write(file) on a temporary file beside the target (see `save_target`), then rename it over the
    target. The file keeps the permissions of the one it replaces, else gets the umask's default.
    Temporary files that killed writers left beside the target are removed first."""
    target = save_target(path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    remove_stale_temporaries(target)
    namespace = _pid_namespace()
    writer = f"{os.getpid()}-{namespace}" if namespace else str(os.getpid())
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{writer}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
            file.flush()
            os.fchmod(file.fileno(), mode)  # mkstemp makes 0600
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove the temporary files of saves to `target` whose writer is gone (killed mid-save); returns them.

    A writer of our pid namespace is gone when its pid (in the file name) no longer runs; a reused pid only
    delays the removal to a later save, and a live writer's file is never touched. Other files (another
    namespace's writers, an earlier version's) go once they are an hour old.
    """
    namespace = _pid_namespace()
    pattern = re.compile(_TEMPORARY.format(name=re.escape(target.name)))
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        ours = match["pid"] is not None and (match["namespace"] or "") == namespace
        try:
            stale = not _running(int(match["pid"])) if ours else \
                time.time() - entry.stat(follow_symlinks=False).st_mtime > _OLD_TEMPORARY_AGE
            if stale:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # gone meanwhile, or not ours to remove: the save goes on
            continue
    return removed


def process_running(pid: int) -> bool:
    """Whether a process `pid` runs now (this one included; another user's counts as running)."""
    return pid > 0 and _running(pid)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):  # another user's process; a pid too large to ask about
        return True
    return True


def _umask() -> int:
    """The process's umask. Linux shows it in /proc/self/status; elsewhere it is set and set back, which
    for a moment gives other threads' new files mode 0666, so that is the fallback only."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
