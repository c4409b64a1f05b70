"""Test-wide set-up: tests never touch the learner's real progress file, and every
kernel nbval starts inherits that (environment variables pass to kernels)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_PROGRESS_DIR = Path(tempfile.mkdtemp(prefix="steward-test-progress-"))


def pytest_configure(config: pytest.Config) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    os.environ["STEWARD_PROGRESS"] = str(_PROGRESS_DIR / f"progress-{worker}.json")


@pytest.fixture
def progress_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private progress file for one test."""
    path = tmp_path / "progress.json"
    monkeypatch.setenv("STEWARD_PROGRESS", str(path))
    return path
