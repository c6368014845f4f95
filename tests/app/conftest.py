import pytest
from PySide6.QtCore import QSettings


@pytest.fixture(autouse=True)
def _private_settings(tmp_path, monkeypatch):
    """Each test reads and writes its own settings, never the user's."""
    for scope in (QSettings.UserScope, QSettings.SystemScope):
        QSettings.setPath(QSettings.NativeFormat, scope, str(tmp_path / "settings"))
        QSettings.setPath(QSettings.IniFormat, scope, str(tmp_path / "settings"))
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.setenv("NNPLAYGROUND_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("NNPLAYGROUND_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("NNPLAYGROUND_DATA_URL", "http://127.0.0.1:9/")  # nothing listens: no test goes online
