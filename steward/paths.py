"""Where things are. Paths resolve from the package, never from the working directory,
so a notebook opened from any folder finds the same data."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def root() -> Path:
    """The curriculum's folder (holds data/, notebooks/, solutions/ ...).

    ``STEWARD_ROOT`` overrides it, for an install that is not editable.
    """
    env = os.environ.get("STEWARD_ROOT")
    return Path(env).resolve() if env else PACKAGE_DIR.parent


def data_dir() -> Path:
    return root() / "data"


def notebooks_dir(kind: str) -> Path:
    """``kind`` is one of notebooks, exercises, solutions."""
    if kind not in {"notebooks", "exercises", "solutions"}:
        raise ValueError(f"unknown notebook folder {kind!r}")
    return root() / kind
