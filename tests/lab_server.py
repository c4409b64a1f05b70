"""A private JupyterLab server for the browser tests.

Each server gets its own HOME and JUPYTER_* folders (so a learner's or the machine's
Jupyter settings never leak in, and the tests leave nothing behind), a free port on
127.0.0.1, a random token, and the repository as its root. It is stopped by its PID.
The Lab settings written here take away what would race a test: news and update
pop-ups, and windowed notebook rendering (which detaches off-screen cells from the page,
so a test could not see their outputs).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

#: The settings the curriculum ships for learners (``run.py lab`` installs them).
SHIPPED_SETTINGS = Path(__file__).resolve().parent.parent / "steward" / "jupyter" / "overrides.json"
#: User settings for Lab, by plugin id: what learners get, plus what a test needs switched
#: off or made static (news and update pop-ups, windowed rendering, autosave).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
}
for _plugin, _values in (json.loads(SHIPPED_SETTINGS.read_text()) if SHIPPED_SETTINGS.exists() else {}).items():
    LAB_SETTINGS[_plugin.replace(":", "/")] = {**_values, **LAB_SETTINGS.get(_plugin.replace(":", "/"), {})}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """``with LabServer(root) as lab: page.goto(lab.url("lab/tree/notebooks/x.ipynb"))``."""

    def __init__(self, root: Path, start_timeout: float = 60.0, extra_env: dict[str, str] | None = None) -> None:
        self.root = Path(root).resolve()
        self.start_timeout = start_timeout
        self.extra_env = dict(extra_env or {})
        self.token = secrets.token_hex(16)
        self.port = free_port()
        self.home = Path(tempfile.mkdtemp(prefix="steward-lab-"))
        self.log_path = self.home / "server.log"
        self.process: subprocess.Popen[bytes] | None = None

    # -- life cycle ------------------------------------------------------------------
    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
        dirs = {
            "HOME": self.home / "home",
            "JUPYTER_CONFIG_DIR": self.home / "config",
            "JUPYTER_DATA_DIR": self.home / "data",
            "JUPYTER_RUNTIME_DIR": self.home / "runtime",
            "IPYTHONDIR": self.home / "ipython",
            "JUPYTERLAB_SETTINGS_DIR": self.home / "lab-settings",
            "JUPYTERLAB_WORKSPACES_DIR": self.home / "lab-workspaces",
        }
        for path in dirs.values():
            path.mkdir(parents=True, exist_ok=True)
        env.update({k: str(v) for k, v in dirs.items()})
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(self.root), env.get("PYTHONPATH", "")]))
        env["STEWARD_PROGRESS"] = str(self.home / "progress.json")
        env["JUPYTER_PATH"] = str(self.home / "path")  # first on the kernel path, before the venv's own
        self.write_kernel(self.home / "path")
        env.update(self.extra_env)
        return env

    def write_kernel(self, jupyter_path: Path) -> None:
        """The curriculum's python3 kernel, as ``run.py lab`` installs it (steward.kernel)."""
        from steward import kernel

        target = jupyter_path / "kernels" / "python3" / "kernel.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(kernel.kernelspec(sys.executable)))

    def write_settings(self, settings_dir: Path) -> None:
        for plugin, values in LAB_SETTINGS.items():
            package, name = plugin.rsplit("/", 1)
            target = settings_dir / package / f"{name}.jupyterlab-settings"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))

    def command(self) -> list[str]:
        cmd = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser", "--ip=127.0.0.1", f"--port={self.port}", "--port-retries=0",
            f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.open_browser=False",
            "--LabApp.expose_app_in_browser=True",  # lets a test read cell outputs from the model
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--ServerApp.shutdown_no_activity_timeout=1800",  # a leaked server ends itself
            "--MappingKernelManager.cull_idle_timeout=0",
            "--ServerApp.jpserver_extensions=steward.server=True",  # what run.py lab enables
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        return cmd

    def start(self) -> LabServer:
        env = self.environment()
        self.write_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command(), cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with code {self.process.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "api/status")
                return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.25)
        self.stop()
        raise TimeoutError(f"JupyterLab did not answer within {self.start_timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server (and its kernels) by PID: SIGTERM to its process group, then SIGKILL."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait(timeout=5)
        shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> LabServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- talking to it ---------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def url(self, path: str) -> str:
        """A Lab URL that logs the browser in (the token sets a cookie) and, with
        ``?reset``, ignores the saved workspace so each page starts clean."""
        return f"{self.base}{path}?reset&token={self.token}"

    def api(self, method: str, path: str, timeout: float = 5.0) -> object:
        request = urllib.request.Request(
            self.base + path, method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - local server
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """End every kernel (a lesson's kernel must not slow the next lesson)."""
        for kernel in self.api("GET", "api/kernels") or []:
            try:
                self.api("DELETE", f"api/kernels/{kernel['id']}")
            except urllib.error.URLError:
                pass

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


class NotebookServer(LabServer):
    """The same private server running Jupyter Notebook 7, the other front end learners may
    use: ``page.goto(server.url("notebooks/notebooks/06-....ipynb"))``."""

    def command(self) -> list[str]:
        cmd = super().command()
        cmd[cmd.index("jupyterlab")] = "notebook"
        return [part.replace("--LabApp.", "--JupyterNotebookApp.") for part in cmd
                if not part.startswith("--LabApp.check_for_updates_class")]
