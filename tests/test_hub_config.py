"""The hub deployment on paper, checked: jupyterhub_config.py, Zero to JupyterHub's
values.yaml, the user image and ``steward hub-link`` (no hub is started here; see
test_hub.py for the real one)."""

from __future__ import annotations

import ast
import json
import runpy
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from traitlets.config import Config

from steward import cli, hub
from steward.errors import StewardError

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy" / "jupyterhub"
#: The issue's budget for one learner, server plus one lesson kernel.
BUDGET_MB = 400


def constants() -> dict:
    tree = ast.parse((DEPLOY / "jupyterhub_config.py").read_text())
    return {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)}


def megabytes(size: str) -> float:
    units = {"K": 1 / 1024, "M": 1, "G": 1024}
    return float(size[:-1]) * units[size[-1]]


def load_config(monkeypatch: pytest.MonkeyPatch, **env: str) -> Config:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    config = Config()
    runpy.run_path(str(DEPLOY / "jupyterhub_config.py"), init_globals={"get_config": lambda: config})
    return config


def test_the_trial_config_sets_what_a_workshop_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    c = load_config(monkeypatch, STEWARD_HUB_AUTH="password", STEWARD_HUB_PASSWORD="a-long-password",
                    STEWARD_HUB_ADMINS="fa, mo")
    k = constants()
    assert c.JupyterHub.authenticator_class == "shared-password"
    assert c.SharedPasswordAuthenticator.user_password == "a-long-password"
    assert c.Authenticator.admin_users == {"fa", "mo"}
    assert c.JupyterHub.spawner_class == "systemdspawner.SystemdSpawner"
    assert (c.Spawner.mem_limit, c.Spawner.mem_guarantee) == (k["MEM_LIMIT"], k["MEM_GUARANTEE"])
    assert (c.Spawner.cpu_limit, c.Spawner.cpu_guarantee) == (k["CPU_LIMIT"], k["CPU_GUARANTEE"])
    assert c.Spawner.notebook_dir == "~"
    assert c.Spawner.default_url == "/lab"  # a login without the link must not open a missing file
    # Progress and Jupyter's folders follow each learner's HOME: nothing shared passes through.
    assert not set(c.Spawner.env_keep) & {"STEWARD_PROGRESS", "XDG_DATA_HOME", "JUPYTER_CONFIG_DIR", "PYTHONPATH"}
    culler = next(s for s in c.JupyterHub.services if s["name"] == "idle-culler")
    assert f"--timeout={k['IDLE_TIMEOUT_S']}" in culler["command"]
    role = next(r for r in c.JupyterHub.load_roles if r["name"] == "idle-culler")
    assert "delete:servers" in role["scopes"] and role["services"] == ["idle-culler"]


def test_the_team_config_logs_in_through_the_identity_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    c = load_config(monkeypatch, STEWARD_HUB_AUTH="oauth", OAUTH_ISSUER="https://login.example.com/realms/acme/",
                    OAUTH_CLIENT_ID="steward", STEWARD_HUB_GROUP="team-a")
    assert c.JupyterHub.authenticator_class == "generic-oauth"
    assert c.GenericOAuthenticator.authorize_url == "https://login.example.com/realms/acme/protocol/openid-connect/auth"
    assert c.GenericOAuthenticator.allowed_groups == {"team-a"}
    with pytest.raises(ValueError, match="STEWARD_HUB_AUTH"):
        load_config(monkeypatch, STEWARD_HUB_AUTH="none")


def test_values_yaml_has_the_keys_and_the_same_numbers() -> None:
    values = yaml.safe_load((DEPLOY / "values.yaml").read_text())
    k = constants()
    user = values["singleuser"]
    assert user["image"]["name"] and user["image"]["tag"]
    assert user["memory"] == {"guarantee": k["MEM_GUARANTEE"], "limit": k["MEM_LIMIT"]}
    assert user["cpu"] == {"guarantee": k["CPU_GUARANTEE"], "limit": k["CPU_LIMIT"]}
    assert user["defaultUrl"] == "/lab"
    assert values["cull"] == {"enabled": True, "timeout": k["IDLE_TIMEOUT_S"], "every": 300}
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] == "generic-oauth"
    assert values["prePuller"]["hook"]["enabled"] is True
    # The image installs the learner's set and the hub's additions (nbgitpuller), no test tools.
    docker = (DEPLOY / "Dockerfile").read_text()
    assert "requirements.txt" in docker and "requirements-hub.txt" in docker and "requirements-test" not in docker
    assert "nbgitpuller" in (DEPLOY / "requirements-hub.txt").read_text()


def test_the_limits_cover_the_measured_learner() -> None:
    """The guarantee holds the benchmark's heaviest learner (server + lesson kernel) and
    stays inside the issue's budget; the limit leaves room for a second kernel."""
    k = constants()
    measured = json.loads((DEPLOY / "capacity.json").read_text())
    peak = max(r["memory_mb_mean_max"][1] for run in measured["runs"] for r in run["results"])
    assert peak <= BUDGET_MB
    assert megabytes(k["MEM_GUARANTEE"]) >= peak
    assert megabytes(k["MEM_LIMIT"]) >= 2 * peak
    assert k["CPU_GUARANTEE"] <= k["CPU_LIMIT"]


def test_hub_link_pulls_into_the_home_and_opens_the_module(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["hub-link", "https://hub.example.com/", "https://github.com/acme/steward", "--branch", "v1",
                     "--module", "2", "--folder", "exercises"]) == 0
    link = capsys.readouterr().out.strip()
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "hub.example.com", "/hub/user-redirect/git-pull")
    query = {key: value[0] for key, value in parse_qs(parts.query).items()}
    assert query == {"repo": "https://github.com/acme/steward", "branch": "v1", "targetpath": hub.TARGET,
                     "urlpath": "lab/tree/steward/exercises/02-trade-offs.ipynb"}
    assert parse_qs(urlsplit(hub.link("https://h", "r", module=None)).query)["urlpath"] == ["lab/tree/steward/notebooks"]


@pytest.mark.parametrize("args", [("hub.example.com", "r"), ("https://h", "r", "99")])
def test_hub_link_refuses_what_would_give_a_broken_link(args: tuple[str, ...]) -> None:
    with pytest.raises(StewardError):
        hub.link(*args[:2], module=args[2] if len(args) > 2 else "00")


#: What steward.server logs once a server has loaded it.
LOADED = "steward: kernel websockets send without delay (TCP_NODELAY)"


def test_the_images_server_step_makes_a_real_server_load_the_extension(tmp_path: Path) -> None:
    """The Dockerfile's ``RUN python -m steward.server`` (no Docker daemon here, so the image is
    not built in CI): the same command, run for a scratch prefix, writes a config that a real
    Jupyter Server reads from its config path and loads, logging TCP_NODELAY."""
    import os
    import socket
    import subprocess
    import sys
    import time

    steps = [line.removeprefix("RUN ").strip() for line in (DEPLOY / "Dockerfile").read_text().splitlines()
             if line.startswith("RUN ") and "steward.server" in line]
    assert steps == ["python -m steward.server"]
    prefix = tmp_path / "image"
    done = subprocess.run([sys.executable, "-m", "steward.server", str(prefix)], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    config = prefix / "etc" / "jupyter"
    assert Path(done.stdout.strip()) == config / "jupyter_server_config.d" / "steward.json"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "server.log"
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(config), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "jupyter_server", "--no-browser", f"--port={port}",
                                   "--ServerApp.token=t", f"--ServerApp.root_dir={tmp_path}"],
                                  stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None and not any(
                mark in log.read_text() for mark in (LOADED, "is running at")):
            time.sleep(0.2)
        text = log.read_text()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    assert LOADED in text, text[-2000:]
