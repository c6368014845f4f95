"""Saves replace only regular files, write through symlinks, keep permissions and clean up after killed writers."""

import os
import stat
import subprocess
import sys
import time

import pytest

from nnplayground.fileio import NotARegularFile, atomic_write, open_regular
from nnplayground.layers import Dense
from nnplayground.models import Sequential


def _write(data: bytes):
    return lambda file: file.write(data)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    target = tmp_path / "real.npz"
    target.write_bytes(b"old")
    link = tmp_path / "link.npz"
    link.symlink_to(target)
    atomic_write(link, _write(b"new"))
    assert link.is_symlink() and target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.npz", "real.npz"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.npz"
    link.symlink_to(tmp_path / "later.npz")
    atomic_write(link, _write(b"new"))
    assert link.is_symlink() and (tmp_path / "later.npz").read_bytes() == b"new"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600])
def test_an_existing_files_mode_is_kept(tmp_path, mode):
    target = tmp_path / "m.npz"
    target.write_bytes(b"old")
    target.chmod(mode)
    atomic_write(target, _write(b"new"))
    assert _mode(target) == mode


@pytest.mark.parametrize("umask, expected", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_a_new_file_gets_the_umasks_mode(tmp_path, umask, expected):
    previous = os.umask(umask)
    try:
        atomic_write(tmp_path / "m.npz", _write(b"new"))
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "m.npz") == expected


def test_a_pipe_a_folder_and_an_empty_name_are_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "folder").mkdir()
    with pytest.raises(NotARegularFile, match="pipe.*nothing was written"):
        atomic_write(tmp_path / "pipe", _write(b"new"))
    with pytest.raises(NotARegularFile, match="a folder"):
        atomic_write(tmp_path / "folder", _write(b"new"))
    assert stat.S_ISFIFO(os.stat(tmp_path / "pipe").st_mode) and (tmp_path / "folder").is_dir()
    with pytest.raises(ValueError, match="no file name"):
        atomic_write("", _write(b"new"))
    with pytest.raises(ValueError, match="no file name"):
        Sequential([Dense(2, input_shape=(2,))]).save("")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "pipe"]


def test_a_symlink_to_a_device_is_refused(tmp_path):
    (tmp_path / "null.npz").symlink_to("/dev/null")
    with pytest.raises(NotARegularFile, match="a device"):
        atomic_write(tmp_path / "null.npz", _write(b"new"))


def test_opening_a_pipe_for_reading_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotARegularFile, match="pipe"):
        open_regular(tmp_path / "pipe")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_temporary_files_of_dead_writers_are_removed_live_ones_kept(tmp_path):
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    here = os.stat("/proc/self/ns/pid").st_ino
    try:
        stale = tmp_path / f".m.npz.{_dead_pid()}-{here}.abcd1234.tmp"
        kept = tmp_path / f".m.npz.{live.pid}-{here}.abcd1234.tmp"
        other_target = tmp_path / f".other.npz.{_dead_pid()}-{here}.abcd1234.tmp"
        # A writer in a container sharing the folder: its pid means nothing here, so only age counts.
        other_namespace = tmp_path / f".m.npz.{_dead_pid()}-{here + 1}.abcd1234.tmp"
        old_other_namespace = tmp_path / f".m.npz.{_dead_pid()}-{here + 1}.ffff0000.tmp"
        fresh_old_style, old_style = tmp_path / ".m.npz.k2j4h5g6.tmp", tmp_path / ".m.npz.a1b2c3d4.tmp"
        for path in (stale, kept, other_target, other_namespace, old_other_namespace, fresh_old_style, old_style):
            path.write_bytes(b"partial")
        two_hours_ago = time.time() - 7200
        for path in (old_style, old_other_namespace):
            os.utime(path, (two_hours_ago, two_hours_ago))
        atomic_write(tmp_path / "m.npz", _write(b"new"))
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            ["m.npz", kept.name, other_target.name, other_namespace.name, fresh_old_style.name])
    finally:
        live.kill()
        live.wait()


def test_a_save_after_a_writer_was_killed_mid_save_leaves_no_temporary_file(tmp_path):
    code = ("import sys, time\nfrom nnplayground.fileio import atomic_write\n"
            "def write(file):\n    file.write(b'x' * 100000)\n    file.flush()\n    print('writing', flush=True)\n"
            "    time.sleep(60)\n"
            f"atomic_write({str(tmp_path / 'm.npz')!r}, write)\n")
    writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert writer.stdout.readline().strip() == "writing"
    writer.kill()
    writer.wait()
    writer.stdout.close()
    assert len(list(tmp_path.glob(".m.npz.*.tmp"))) == 1
    atomic_write(tmp_path / "m.npz", _write(b"new"))
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]
