"""What memory is left, read from the kernel's files (here: copies of their layout in a folder)."""

from nnplayground import memory


def _group(tmp_path, limit: str, current: int, stat: str | None):
    folder = tmp_path / "cgroup" / "user.slice" / "app"
    folder.mkdir(parents=True)
    (folder / "memory.max").write_text(limit + "\n")
    (folder / "memory.current").write_text(f"{current}\n")
    if stat is not None:
        (folder / "memory.stat").write_text(stat)
    membership = tmp_path / "self-cgroup"
    membership.write_text("0::/user.slice/app\n")
    return tmp_path / "cgroup", membership


def test_unused_page_cache_counts_as_room_under_a_cgroup_limit(tmp_path):
    """A big file read earlier leaves 3 GB of inactive page cache in memory.current: that is room."""
    stat = "anon 500000000\nfile 3200000000\nactive_file 200000000\ninactive_file 3000000000\n"
    root, membership = _group(tmp_path, "4000000000", 3_700_000_000, stat)
    assert memory._cgroup_room(root, membership) == 4_000_000_000 - 700_000_000


def test_without_memory_stat_all_of_memory_current_counts_as_used(tmp_path):
    root, membership = _group(tmp_path, "4000000000", 3_700_000_000, None)
    assert memory._cgroup_room(root, membership) == 300_000_000


def test_no_limit_or_no_cgroup_gives_no_bound(tmp_path):
    root, membership = _group(tmp_path, "max", 1, "")
    assert memory._cgroup_room(root, membership) is None
    assert memory._cgroup_room(tmp_path / "absent", membership) is None
