"""What every test shares: the command line's result cache in a folder of its own for each test,
never the user's: a test neither fills ~/.cache nor reads what another test (or run) left there."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _cache_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache-home")))
