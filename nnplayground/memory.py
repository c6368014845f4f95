"""How much memory this machine can still give us, so that sizes read from a file or typed by a user are
checked before they are allocated (a MemoryError after seconds of swapping helps nobody)."""

import os
from pathlib import Path


def available_bytes() -> int | None:
    """Memory a new allocation can use without swapping: the kernel's MemAvailable, lowered to what is left
    under a cgroup (container) limit; None where neither can be read."""
    found = [value for value in (_meminfo_available(), _cgroup_room()) if value is not None]
    if found:
        return min(found)
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _meminfo_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cgroup_room(root: Path = Path("/sys/fs/cgroup"), membership: Path = Path("/proc/self/cgroup")) -> int | None:
    """cgroup v2: memory.max minus what our own group uses, if it has a limit. The group's page cache
    that nothing is using (inactive_file) is not counted as used: the kernel drops it before it would
    refuse us memory, and after reading a big file it can be most of memory.current."""
    try:
        group = membership.read_text().strip().rpartition(":")[2]
        folder = root / group.lstrip("/")
        limit = (folder / "memory.max").read_text().strip()
        if limit == "max":
            return None
        used = int((folder / "memory.current").read_text())
        return max(0, int(limit) - max(0, used - _stat(folder, "inactive_file")))
    except (OSError, ValueError):
        return None


def _stat(folder: Path, key: str) -> int:
    """One counter of the group's memory.stat, 0 if it is not there."""
    try:
        for line in (folder / "memory.stat").read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
    except (OSError, ValueError):
        pass
    return 0


def in_words(n_bytes: float) -> str:
    """1536 -> '1.5 KB', 3.2e9 -> '3.2 GB' (decimal units, as file managers show them)."""
    units = ("bytes", "KB", "MB", "GB", "TB")
    step = 0
    while abs(n_bytes) >= 1000 and step < len(units) - 1:
        n_bytes, step = n_bytes / 1000, step + 1
    return f"{n_bytes:.0f} bytes" if step == 0 else f"{n_bytes:.1f} {units[step]}"


def too_big(n_bytes: int, what: str) -> str | None:
    """Why `what` (n_bytes of it) cannot be allocated now, or None if it fits in the available memory."""
    room = available_bytes()
    if room is not None and n_bytes > room:
        return f"{what} would take {in_words(n_bytes)}, more than the {in_words(room)} of memory available"
    return None
