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


def _cgroup_room() -> int | None:
    """cgroup v2: memory.max minus memory.current of our own group, if it has a limit."""
    try:
        group = Path("/proc/self/cgroup").read_text().strip().rpartition(":")[2]
        folder = Path("/sys/fs/cgroup") / group.lstrip("/")
        limit = (folder / "memory.max").read_text().strip()
        if limit == "max":
            return None
        return max(0, int(limit) - int((folder / "memory.current").read_text()))
    except (OSError, ValueError):
        return None


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
