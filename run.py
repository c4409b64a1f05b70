#!/usr/bin/env python3
"""Set up and run the curriculum with one command (Python >= 3.10, any OS).

    python3 run.py lab     # install into .venv (first time), open JupyterLab at module 00
    python3 run.py test    # install into .venv (first time), run the whole test suite

It creates ``.venv`` beside this file, installs ``requirements.txt`` (the learner's set)
into it when that file changed since the last install, then runs JupyterLab or pytest
from it. ``test`` also installs ``requirements-test.txt`` (the test tools and JupyterHub)
and, where ``npm`` exists, the hub's proxy ``configurable-http-proxy`` into
``.venv/node``. Extra arguments go to the tool (``python3 run.py test -k tradeoffs``).
Only the standard library is used here, so it runs on a fresh machine.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = Path(os.environ.get("STEWARD_VENV", HERE / ".venv"))
STAMP = VENV / ".steward-requirements"
START = "notebooks/00-start-here.ipynb"
#: The file pip installs for each command; the test set includes the learner's set.
INSTALL = {"lab": "requirements.txt", "test": "requirements-test.txt"}
#: Every file whose change means reinstalling, per command.
REQUIREMENTS = {
    "lab": ["requirements.txt"],
    "test": ["requirements.txt", "requirements-test.txt", "deploy/jupyterhub/requirements-hub.txt"],
}
NODE = VENV / "node"


def say(text: str) -> None:
    print(f"[steward] {text}", flush=True)


def bin_path(name: str) -> Path:
    folder = VENV / ("Scripts" if os.name == "nt" else "bin")
    return folder / (name + (".exe" if os.name == "nt" else ""))


def fingerprint(command: str) -> str:
    data = b"".join((HERE / name).read_bytes() for name in [*REQUIREMENTS[command], "pyproject.toml"])
    return hashlib.sha256(data).hexdigest()


def ensure_environment(command: str = "lab") -> None:
    if sys.version_info < (3, 10):  # noqa: UP036 - the point is a plain message on old Pythons
        sys.exit(f"[steward] Python 3.10 or newer is needed; this is {sys.version.split()[0]}.")
    wanted = fingerprint(command)
    python = bin_path("python")
    if not python.exists():
        say(f"creating a virtual environment in {VENV} ...")
        try:
            venv.EnvBuilder(with_pip=True).create(VENV)
        except Exception as error:  # e.g. Debian without python3-venv
            sys.exit(f"[steward] could not create {VENV}: {error}\n"
                     "[steward] On Debian/Ubuntu install the venv module first: sudo apt install python3-venv")
    installed = STAMP.read_text().split() if STAMP.exists() else []
    # The test set contains the learner's set, so an environment made for `test` serves `lab`.
    if wanted in installed or (command == "lab" and fingerprint("test") in installed):
        return
    say("installing requirements (first run takes a few minutes) ...")
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    subprocess.run([*pip, "--quiet", "--upgrade", "pip"], check=False)
    result = subprocess.run([*pip, "-r", str(HERE / INSTALL[command])], cwd=HERE)
    if result.returncode != 0:
        sys.exit("[steward] pip could not install the requirements (see above). Nothing else was changed.")
    STAMP.write_text(wanted + "\n")


def proxy_path() -> Path:
    return NODE / "node_modules" / ".bin" / ("configurable-http-proxy" + (".cmd" if os.name == "nt" else ""))


def proxy_package(node_version: str) -> str:
    """configurable-http-proxy 5 needs Node.js 20 or newer (Debian 12's own is 18): older
    Node.js gets the 4.x line, which JupyterHub also supports."""
    try:
        major = int(node_version.strip().lstrip("v").split(".")[0])
    except ValueError:
        major = 0
    return "configurable-http-proxy@5" if major >= 20 else "configurable-http-proxy@4"


def ensure_proxy() -> None:
    """The hub test's proxy, from the npm registry, into ``.venv/node`` (never global).
    Without npm the hub test is skipped outside CI and fails in CI, each with the reason."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if proxy_path().exists() or npm is None or node is None:
        return
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout
    package = proxy_package(version)
    say(f"installing {package} from npm into {NODE} ...")
    NODE.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--prefix", str(NODE), "--no-audit", "--no-fund", "--loglevel=error", package],
                   check=False)


def compile_bytecode() -> None:
    """Compile the curriculum's own package to bytecode, as pip does for a regular install.

    ``steward`` is installed in editable mode, so nothing compiles it ahead of time; where
    ``PYTHONDONTWRITEBYTECODE`` is set (CI images often set it) every kernel would compile
    the lesson modules again, about 0.3 s for all of them. Up-to-date files are skipped."""
    subprocess.run([str(bin_path("python")), "-m", "compileall", "-q", str(HERE / "steward")], check=False,
                   stdout=subprocess.DEVNULL)


def install_kernel(prefix: Path | None = None) -> None:
    """Make the environment's ``python3`` kernel the curriculum's (``steward.kernel``): it
    reports the same ``language_info`` as the stored notebooks carry, so an untouched lesson
    is not marked unsaved when its kernel starts. Rewritten on every run (a pip upgrade of
    ipykernel puts its own back). ``prefix`` defaults to the environment's own."""
    subprocess.run([str(bin_path("python")), "-m", "steward.kernel", *([str(prefix)] if prefix else [])],
                   cwd=HERE, check=False, stdout=subprocess.DEVNULL)


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


def install_server_config() -> None:
    """Enable the curriculum's Jupyter Server extension (``steward/server.py``: kernel
    messages reach the page without a 40 ms TCP delay) in this environment."""
    subprocess.run([str(bin_path("python")), "-m", "steward.server"], cwd=HERE, check=False, stdout=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"lab", "test"}:
        print(__doc__)
        return 2
    command, extra = argv[0], argv[1:]
    ensure_environment(command)
    compile_bytecode()
    install_kernel()
    env = dict(os.environ)
    env["PATH"] = str(bin_path("python").parent) + os.pathsep + env.get("PATH", "")
    if command == "test":
        ensure_proxy()
        env["PATH"] = str(proxy_path().parent) + os.pathsep + env["PATH"]
    if command == "lab":
        install_lab_settings()
        install_server_config()
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
