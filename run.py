#!/usr/bin/env python3
"""Set up and run the curriculum with one command (Python >= 3.10, any OS).

    python3 run.py lab     # install into .venv (first time), open JupyterLab at module 00
    python3 run.py test    # install into .venv (first time), run the whole test suite

It creates ``.venv`` beside this file, installs ``requirements.txt`` into it when that
file changed since the last install, then runs JupyterLab or pytest from it. Extra
arguments go to the tool (``python3 run.py test -k tradeoffs``). Only the standard
library is used here, so it runs on a fresh machine.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = Path(os.environ.get("STEWARD_VENV", HERE / ".venv"))
STAMP = VENV / ".steward-requirements"
START = "notebooks/00-start-here.ipynb"


def say(text: str) -> None:
    print(f"[steward] {text}", flush=True)


def bin_path(name: str) -> Path:
    folder = VENV / ("Scripts" if os.name == "nt" else "bin")
    return folder / (name + (".exe" if os.name == "nt" else ""))


def ensure_environment() -> None:
    if sys.version_info < (3, 10):  # noqa: UP036 - the point is a plain message on old Pythons
        sys.exit(f"[steward] Python 3.10 or newer is needed; this is {sys.version.split()[0]}.")
    wanted = hashlib.sha256((HERE / "requirements.txt").read_bytes() + (HERE / "pyproject.toml").read_bytes()).hexdigest()
    python = bin_path("python")
    if not python.exists():
        say(f"creating a virtual environment in {VENV} ...")
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as error:  # e.g. Debian without python3-venv
            sys.exit(f"[steward] could not create {VENV}: {error}\n"
                     "[steward] On Debian/Ubuntu install the venv module first: sudo apt install python3-venv")
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    say("installing requirements (first run takes a few minutes) ...")
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    subprocess.run([*pip, "--quiet", "--upgrade", "pip"], check=False)
    result = subprocess.run([*pip, "-r", str(HERE / "requirements.txt")], cwd=HERE)
    if result.returncode != 0:
        sys.exit("[steward] pip could not install the requirements (see above). Nothing else was changed.")
    STAMP.write_text(wanted)


def compile_bytecode() -> None:
    """Compile the curriculum's own package to bytecode, as pip does for a regular install.

    ``steward`` is installed in editable mode, so nothing compiles it ahead of time; where
    ``PYTHONDONTWRITEBYTECODE`` is set (CI images often set it) every kernel would compile
    the lesson modules again, about 0.3 s for all of them. Up-to-date files are skipped."""
    subprocess.run([str(bin_path("python")), "-m", "compileall", "-q", str(HERE / "steward")], check=False,
                   stdout=subprocess.DEVNULL)


def install_lab_settings() -> Path:
    """Give this environment's JupyterLab the curriculum's default settings (no news prompt,
    no extension manager, every cell in the page): ``steward/jupyter/overrides.json``, merged
    into the environment's ``share/jupyter/lab/settings/overrides.json``."""
    import json

    target = VENV / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    try:
        merged = json.loads(target.read_text()) if target.exists() else {}
    except ValueError:
        merged = {}
    for plugin, values in json.loads((HERE / "steward" / "jupyter" / "overrides.json").read_text()).items():
        merged[plugin] = {**merged.get(plugin, {}), **values}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(merged, indent=2) + "\n")
    return target


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"lab", "test"}:
        print(__doc__)
        return 2
    command, extra = argv[0], argv[1:]
    ensure_environment()
    compile_bytecode()
    env = dict(os.environ)
    env["PATH"] = str(bin_path("python").parent) + os.pathsep + env.get("PATH", "")
    if command == "lab":
        install_lab_settings()
        args = [str(bin_path("jupyter")), "lab", *(extra or [START])]
        if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in args:
            args.append("--allow-root")
        say("opening JupyterLab (stop it with Ctrl-C) ...")
        return subprocess.call(args, cwd=HERE, env=env)
    args = [str(bin_path("python")), "-m", "pytest", *extra]
    say("running the test suite: " + " ".join(args[1:]))
    return subprocess.call(args, cwd=HERE, env=env)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
