"""The code is ruff-clean (steward/, tests/, benchmarks/ and the notebooks)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from steward import paths


def test_ruff_clean():
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed (it is in requirements-test.txt)")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--quiet", "."], cwd=paths.root(), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
