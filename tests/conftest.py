"""Suite-wide fixtures: an installation home and a migrated database on a real file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from controller.config import Settings, load_settings
from controller.store.db import Database, open_database


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def settings(home: Path) -> Settings:
    return load_settings(home)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = open_database(settings.db_path)
    yield database
    database.close()
