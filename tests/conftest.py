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


def _browser_unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason} (CI=true: the browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium():
    """One Playwright and one Debian Chromium (never a downloaded one) per test process.

    Playwright's sync API runs one instance per thread: a second ``sync_playwright()`` while the
    first is open fails ("using Playwright Sync API inside the asyncio loop"). With
    ``--dist loadfile`` the lessons' browser tests, the exercise's and the hub's browser learner
    can land in one worker, so they all share this one; each opens its own context."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("the playwright package is not installed (pip install playwright; no browser download needed)")
    import browser_support as bs

    executable = bs.chromium_path()
    if executable is None:
        _browser_unavailable("Chromium is not installed (Debian/Ubuntu: apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=bs.CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
