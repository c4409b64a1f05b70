"""A private JupyterHub for the hub test and the capacity benchmark.

It runs ``deploy/jupyterhub/jupyterhub_config.py`` (the file a facilitator deploys) with a
small overlay for a test: 127.0.0.1 and free ports, its database and cookie secret in a
temporary folder, the trial's shared-password login, and SimpleLocalProcessSpawner giving
each learner a home of their own under that folder (instead of SystemdSpawner and Linux
users). A service token lets the test create learners, start their servers and issue
each learner a token. Learners' servers run their kernels; :func:`run_cells` drives a
kernel through the server's websocket API, as JupyterLab does.

Everything it starts is stopped by PID: the hub, its proxy, the culler, every learner's
server and kernel (the hub starts servers in sessions of their own, so they are collected
as the hub's descendants before it stops).
"""

from __future__ import annotations

import asyncio
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
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "jupyterhub" / "jupyterhub_config.py"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def proxy_command() -> str | None:
    """configurable-http-proxy: on PATH (run.py puts .venv/node's there) or in .venv/node."""
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    local = ROOT / ".venv" / "node" / "node_modules" / ".bin" / "configurable-http-proxy"
    return str(local) if local.exists() else None


def missing() -> str | None:
    """Why a hub cannot start here, or None."""
    for module in ("jupyterhub", "nbgitpuller", "jupyterhub_idle_culler", "psutil", "tornado"):
        try:
            __import__(module)
        except ImportError:
            return f"{module} is not installed (python3 run.py test installs requirements-test.txt)"
    if proxy_command() is None:
        return "configurable-http-proxy is not installed (needs npm; python3 run.py test installs it into .venv/node)"
    if shutil.which("git") is None:
        return "git is not installed"
    return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Hub:
    """``with Hub() as hub: hub.add_learners(["ana", "ben"]) ...``"""

    def __init__(self, start_timeout: float = 60.0) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="steward-hub-"))
        self.homes = self.dir / "homes"
        self.port = free_port()
        self.token = secrets.token_hex(32)
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.dir / "hub.log"
        self.tokens: dict[str, str] = {}
        self.password = secrets.token_hex(8)  # the trial's shared password
        self._pids: set[int] = set()

    # -- life cycle ------------------------------------------------------------------
    def overlay(self) -> str:
        d = self.dir
        return f"""
import os
import sys
c = get_config()  # noqa: F821
load_subconfig({str(CONFIG)!r})  # noqa: F821 - the deployed file, then the test's changes
c.JupyterHub.bind_url = "http://127.0.0.1:{self.port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {free_port()}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{free_port()}"
c.ConfigurableHTTPProxy.command = [{proxy_command()!r}]
c.ConfigurableHTTPProxy.pid_file = {str(d / "proxy.pid")!r}
c.JupyterHub.db_url = "sqlite:///{d / 'hub.sqlite'}"
c.JupyterHub.cookie_secret_file = {str(d / "cookie_secret")!r}
c.JupyterHub.pid_file = {str(d / "hub.pid")!r}
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = {str(self.homes / "{username}")!r}
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.env_keep = c.Spawner.env_keep + ["PYTHONPATH"]
c.Spawner.args = ["--ServerApp.shutdown_no_activity_timeout=1800", "--MappingKernelManager.cull_idle_timeout=0",
                  "--LabApp.expose_app_in_browser=True",  # the browser learner's test reads Lab's model
                  "--ServerApp.jpserver_extensions=steward.server=True"]  # as the learners' image enables it
if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
    c.Spawner.args.append("--allow-root")
c.JupyterHub.services = c.JupyterHub.services + [{{"name": "steward-test", "api_token": {self.token!r}}}]
c.JupyterHub.load_roles = c.JupyterHub.load_roles + [{{
    "name": "steward-test",
    "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "admin:server_state"],
    "services": ["steward-test"],
}}]
"""

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("JUPYTER", "IPYTHON", "STEWARD_PROGRESS", "XDG_"))}
        env["HOME"] = str(self.dir / "hub-home")
        env["STEWARD_HUB_AUTH"] = "password"
        env["STEWARD_HUB_PASSWORD"] = self.password
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
        return env

    def start(self) -> Hub:
        (self.dir / "hub-home").mkdir()
        self.homes.mkdir()
        (self.dir / "test_config.py").write_text(self.overlay())
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(self.dir / "test_config.py")],
            cwd=self.dir, env=self.environment(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code, tail = self.process.returncode, self.log_tail()
                self.stop()
                raise RuntimeError(f"JupyterHub exited with code {code}:\n{tail}")
            try:
                self.api("GET", "hub/api/")
                return self
            except (OSError, urllib.error.URLError):
                time.sleep(0.25)
        tail = self.log_tail()
        self.stop()
        raise TimeoutError(f"JupyterHub did not answer within {self.start_timeout:.0f} s:\n{tail}")

    def descendants(self) -> set[int]:
        """PIDs of everything the hub started (proxy, culler, servers and their kernels)."""
        import psutil

        if self.process is None:
            return set()
        try:
            return {p.pid for p in psutil.Process(self.process.pid).children(recursive=True)}
        except psutil.NoSuchProcess:
            return set()

    def stop(self) -> None:
        """Stop the learners' servers through the hub, then the hub, then anything left by PID."""
        import psutil

        process = self.process
        if process is not None and process.poll() is None:
            self._pids |= self.descendants()
            def stop_server(name: str) -> None:
                try:
                    self.api("DELETE", f"hub/api/users/{name}/server", timeout=30)
                except (OSError, urllib.error.URLError):
                    pass

            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max(1, len(self.tokens))) as pool:  # together: each can take seconds
                list(pool.map(stop_server, list(self.tokens)))
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.process = None
        for pid in self._pids:
            try:
                psutil.Process(pid).kill()
            except psutil.Error:
                pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Hub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- talking to it ---------------------------------------------------------------
    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def request(self, method: str, path: str, token: str | None = None, body: Any = None,
                timeout: float = 30.0, follow: bool = True) -> tuple[int, dict[str, str], bytes]:
        """Any request with a token; returns (status, headers, body) without raising for 4xx."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path.lstrip("/"), data=data, method=method,
                                         headers={"Authorization": f"token {token or self.token}"})
        opener = urllib.request.build_opener() if follow else urllib.request.build_opener(_NoRedirect())
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def api(self, method: str, path: str, body: Any = None, token: str | None = None, timeout: float = 30.0) -> Any:
        status, _, data = self.request(method, path, token=token, body=body, timeout=timeout)
        if status >= 400:
            raise urllib.error.URLError(f"{method} {path}: HTTP {status}: {data[:300]!r}")
        return json.loads(data) if data else None

    def add_learners(self, names: list[str]) -> None:
        self.api("POST", "hub/api/users", {"usernames": names})
        for name in names:
            self.tokens[name] = self.api("POST", f"hub/api/users/{name}/tokens", {"note": "steward test"})["token"]

    def start_server(self, name: str, timeout: float = 120.0) -> float:
        """Ask the hub to start ``name``'s server; wait until it is ready. Returns seconds."""
        started = time.perf_counter()
        self.request("POST", f"hub/api/users/{name}/server")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            server = (self.api("GET", f"hub/api/users/{name}")["servers"] or {}).get("")
            if server and server.get("ready"):
                self._pids |= self.descendants()
                return time.perf_counter() - started
            time.sleep(0.2)
        raise TimeoutError(f"{name}'s server did not start within {timeout:.0f} s:\n{self.log_tail()}")

    def server_pid(self, name: str) -> int:
        model = self.api("GET", f"hub/api/users/{name}")
        return int(model["servers"][""]["state"]["pid"])

    def user(self, name: str, path: str, method: str = "GET", body: Any = None, as_user: str | None = None,
             timeout: float = 60.0) -> tuple[int, bytes]:
        """A request to ``name``'s server, with ``as_user``'s token (default: ``name``'s own)."""
        status, _, data = self.request(method, f"user/{name}/{path.lstrip('/')}",
                                       token=self.tokens[as_user or name], body=body, timeout=timeout)
        return status, data

    def login(self, name: str) -> urllib.request.OpenerDirector:
        """A browser-like session for ``name``: the hub's login form with the trial's shared
        password, cookies kept, redirects followed."""
        import http.cookiejar
        import re
        import urllib.parse

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(self.base + "hub/login", timeout=30) as response:
            page = response.read().decode()
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page)
        form = {"username": name, "password": self.password, **({"_xsrf": xsrf.group(1)} if xsrf else {})}
        login = self.base + "hub/login?next=%2Fhub%2Fhome"  # the hub's home page, not the server
        with opener.open(login, data=urllib.parse.urlencode(form).encode(), timeout=60) as response:
            if "/hub/login" in response.geturl():
                raise AssertionError(f"{name} could not log in: still on {response.geturl()}")
        return opener

    def pull(self, session: urllib.request.OpenerDirector, name: str, link: str,
             timeout: float = 120.0) -> list[dict[str, Any]]:
        """Open an nbgitpuller link in ``name``'s logged-in session, as a browser would: the hub
        sends them to their own server's /git-pull page, whose event stream (what the page's
        script reads) does the pull. Returns the stream's events."""
        with session.open(link, timeout=timeout) as response:
            landed = response.geturl()
        if f"/user/{name}/git-pull?" not in landed:
            raise AssertionError(f"the link did not lead to {name}'s git-pull page but to {landed}")
        api = landed.replace("/git-pull?", "/git-pull/api?", 1)
        with session.open(api, timeout=timeout) as response:
            body = response.read().decode()
        return [json.loads(line[5:]) for line in body.splitlines() if line.startswith("data:")]

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no hub log)"


# -- a kernel through the server's API ---------------------------------------------------
def _message(code: str, session: str) -> dict[str, Any]:
    return {
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request", "session": session,
                   "username": "learner", "date": "", "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }


def _decode(raw: str | bytes) -> dict[str, Any]:
    """A kernel message from the websocket: JSON text, or (when it carries buffers, as
    widget messages can) Jupyter's binary frame, whose first part is the JSON message."""
    if isinstance(raw, str):
        return json.loads(raw)
    import struct

    count = struct.unpack("!I", raw[:4])[0]
    offsets = struct.unpack(f"!{count}I", raw[4:4 + 4 * count])
    end = offsets[1] if count > 1 else len(raw)
    return json.loads(raw[offsets[0]:end].decode())


async def run_cells_async(hub: Hub, name: str, notebook_path: str, cells: list[str],
                          timeout: float = 120.0) -> dict[str, Any]:
    """Open a session on ``notebook_path`` in ``name``'s server, run ``cells`` in order over the
    kernel's websocket, and return their outputs, errors and timings (seconds from the call:
    ``first_widget`` when the first widget view arrived, ``done`` after the last cell)."""
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    started = time.perf_counter()
    token = hub.tokens[name]
    status, body = hub.user(name, "api/sessions", "POST",
                            {"path": notebook_path, "type": "notebook", "kernel": {"name": "python3"}})
    if status >= 300:
        raise AssertionError(f"could not start a kernel for {name}: HTTP {status} {body[:300]!r}")
    session = json.loads(body)
    kernel = session["kernel"]["id"]
    url = f"ws://127.0.0.1:{hub.port}/user/{name}/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}"
    socket_ = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token}"}))
    result: dict[str, Any] = {"outputs": [], "errors": [], "first_widget": None, "kernel": kernel,
                              "session": session["id"]}
    try:
        for code in cells:
            message = _message(code, session["id"])
            msg_id = message["header"]["msg_id"]
            socket_.write_message(json.dumps(message))
            outputs: list[dict[str, Any]] = []
            while True:
                raw = await asyncio.wait_for(socket_.read_message(), timeout)
                if raw is None:
                    raise ConnectionError("the kernel's websocket closed")
                reply = _decode(raw)
                if reply.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = reply["msg_type"]
                if kind in {"display_data", "execute_result", "stream", "error"}:
                    outputs.append(reply["content"])
                    if kind == "error":
                        result["errors"].append(f"{reply['content']['ename']}: {reply['content']['evalue']}")
                    data = reply["content"].get("data", {})
                    if WIDGET_MIME in data and result["first_widget"] is None:
                        result["first_widget"] = time.perf_counter() - started
                if kind == "status" and reply["content"]["execution_state"] == "idle":
                    break
            result["outputs"].append(outputs)
            if result["errors"]:
                break
    finally:
        socket_.close()
    result["done"] = time.perf_counter() - started
    return result


def run_cells(hub: Hub, name: str, notebook_path: str, cells: list[str], timeout: float = 120.0) -> dict[str, Any]:
    return asyncio.run(run_cells_async(hub, name, notebook_path, cells, timeout))


def code_cells(hub: Hub, name: str, notebook_path: str) -> list[str]:
    """The code cells of a notebook in ``name``'s home, read through their server."""
    status, body = hub.user(name, f"api/contents/{notebook_path}?content=1&type=notebook")
    if status != 200:
        raise AssertionError(f"{notebook_path} is not in {name}'s home: HTTP {status}")
    cells = json.loads(body)["content"]["cells"]
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells if c["cell_type"] == "code"]


def bare_repository(target: Path) -> Path:
    """A bare git repository holding this checkout's HEAD as branch ``main`` (no network)."""
    subprocess.run(["git", "init", "-q", "--bare", str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
    subprocess.run(["git", "-C", str(ROOT), "push", "-q", str(target), "HEAD:refs/heads/main"], check=True)
    return target
