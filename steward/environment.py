"""The first code cell of every notebook calls ``steward.setup()``: fail fast, in plain
words, when the kernel is not the one the curriculum was installed into."""

from __future__ import annotations

import sys
from importlib import metadata

from steward.errors import StewardError

#: Lowest versions the curriculum is tested with (mirrors requirements.txt).
MINIMUM = {"pandas": (2, 1), "numpy": (1, 26), "matplotlib": (3, 8), "ipywidgets": (8, 1)}
#: Major versions that are known not to fit (ipywidgets 7 widgets do not render in Lab 4).
MAXIMUM_MAJOR = {"ipywidgets": 8, "matplotlib": 3}

INSTALL_HINT = (
    "From the curriculum's folder run `python3 run.py lab` (it installs everything into .venv "
    "and opens JupyterLab with the right kernel)."
)


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def problems() -> list[str]:
    """Every version problem of this interpreter, as sentences (empty when all fit)."""
    found = []
    if sys.version_info < (3, 10):  # noqa: UP036 - the point is a plain message on old Pythons
        found.append(f"Python {sys.version.split()[0]} is too old; the curriculum needs 3.10 or newer.")
    for name, low in MINIMUM.items():
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            found.append(f"{name} is not installed in this kernel.")
            continue
        have = _version_tuple(version)
        if have < low:
            found.append(f"{name} {version} is older than {'.'.join(map(str, low))}.")
        top = MAXIMUM_MAJOR.get(name)
        if top is not None and have[0] > top:
            found.append(f"{name} {version} is newer than the {top}.x the curriculum is tested with.")
    return found


def setup(quiet: bool = False) -> None:
    """Check the environment and apply the curriculum's plot style.

    Raises a :class:`StewardError` (shown as two plain lines in a notebook) when a
    package is missing or does not fit.
    """
    found = problems()
    if found:
        raise StewardError(" ".join(found), INSTALL_HINT)
    from steward import plotting

    plotting.apply_style()
    if not quiet:
        from steward import __version__, progress

        where = progress.location()
        kept = f"progress is kept in {where}" if where else "progress is not recorded (STEWARD_PROGRESS=off)"
        print(f"steward {__version__} ready · {kept}")


#: ipykernel logs at start-up, on stderr, that "Kernel is running over TCP without encryption
#: … susceptible to eavesdropping". A kernel steward starts itself (the mentor report runs a
#: copy of a notebook) listens on 127.0.0.1 only and lives for one run, so the line only
#: alarms a mentor. Errors still show.
QUIET_KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=ERROR",)


def quiet_kernel() -> dict[str, list[str]]:
    """Keyword arguments for ``nbclient.NotebookClient`` that start the kernel without its
    start-up warnings: ``NotebookClient(nb, ..., **environment.quiet_kernel())``."""
    return {"extra_arguments": list(QUIET_KERNEL_ARGUMENTS)}
