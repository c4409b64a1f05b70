"""The code is ruff-clean (steward/, tests/, benchmarks/ and the notebooks)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from steward import paths


def test_ruff_clean():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it is in requirements.txt)")
    result = subprocess.run([ruff, "check", "--quiet", "."], cwd=paths.root(), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
