"""JupyterHub for a Steward workshop on one machine (The Littlest JupyterHub, or a plain
``jupyterhub`` install with systemd), tested by ``tests/test_hub.py``.

- Each learner's single-user server runs in the environment made from
  ``requirements.txt`` plus ``deploy/jupyterhub/requirements-hub.txt`` (no test tools).
- Learners get the curriculum by an nbgitpuller link (``steward hub-link``): it clones the
  repository into ``~/steward`` of *their own* home and, on later clicks, merges updates
  without clobbering their edits.
- Progress goes to ``~/.local/share/steward/progress.json`` in their own home: the hub
  passes no ``STEWARD_PROGRESS`` and each server's ``HOME`` is the learner's.
- Idle servers are stopped by ``jupyterhub-idle-culler`` after ``IDLE_TIMEOUT_S``.
- Per-user memory and CPU come from ``benchmarks/hub.py`` (see the facilitator guide's
  sizing table); SystemdSpawner enforces them (LocalProcessSpawner would not).

Settings come from environment variables so the same file serves a trial and a real
workshop:

``STEWARD_HUB_AUTH``
    ``oauth`` (default): your identity provider through OpenID Connect
    (``oauthenticator``'s GenericOAuthenticator); set ``OAUTH_CLIENT_ID``,
    ``OAUTH_CLIENT_SECRET``, ``OAUTH_CALLBACK_URL`` (``https://HUB/hub/oauth_callback``),
    ``OAUTH_ISSUER`` (e.g. ``https://login.example.com/realms/acme``) and optionally
    ``STEWARD_HUB_GROUP`` (only members of that group may log in).
    ``password``: a trial with one shared password for everyone
    (``STEWARD_HUB_PASSWORD``, at least 8 characters). Never for a real team.
``STEWARD_HUB_ADMINS``
    Comma-separated user names that may see and restart everyone's server.
``STEWARD_HUB_SPAWNER``
    Defaults to ``systemdspawner.SystemdSpawner`` (a systemd unit per learner with a
    dynamic user and its own home; limits enforced by systemd; what The Littlest
    JupyterHub uses). Install ``jupyterhub-systemdspawner`` and ``oauthenticator`` into
    the hub's environment.
"""

import os
import sys

c = get_config()  # noqa: F821 - JupyterHub provides it

# -- sizing, from benchmarks/hub.py (docs/facilitator-guide.md, "Sizing the hub") ----------
#: What one learner needs, server plus one lesson kernel, with room for a second kernel.
MEM_GUARANTEE = "512M"
MEM_LIMIT = "1G"
CPU_GUARANTEE = 0.25
CPU_LIMIT = 1.0
#: A learner's server is stopped after this many seconds without activity (their files stay).
IDLE_TIMEOUT_S = 3600

# -- the hub ----------------------------------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("STEWARD_HUB_BIND_URL", "http://:8000")
c.JupyterHub.cleanup_servers = True

# -- the learners' servers ---------------------------------------------------------------
c.JupyterHub.spawner_class = os.environ.get("STEWARD_HUB_SPAWNER", "systemdspawner.SystemdSpawner")
# No Linux account per learner needed: systemd makes one per server; home is /var/lib/<name>.
c.SystemdSpawner.dynamic_users = True
# JupyterLab; the curriculum arrives (and opens) through the nbgitpuller link.
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.mem_guarantee = MEM_GUARANTEE
c.Spawner.mem_limit = MEM_LIMIT
c.Spawner.cpu_guarantee = CPU_GUARANTEE
c.Spawner.cpu_limit = CPU_LIMIT
#: A server that has not answered in this time is reported as failed to the learner.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 60
# Nothing that points progress or Jupyter's folders at a shared place reaches a server:
# only these variables pass from the hub (HOME is set per learner by the spawner).
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "VIRTUAL_ENV", "JUPYTERHUB_SINGLEUSER_APP"]
# nbgitpuller clones shallowly; a learner's later pulls merge with -Xours (their edits win).
c.Spawner.environment = {"NBGITPULLER_DEPTH": "1"}

# -- who may log in ----------------------------------------------------------------------
AUTH = os.environ.get("STEWARD_HUB_AUTH", "oauth")
if AUTH == "password":
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = os.environ.get("STEWARD_HUB_PASSWORD", "")
    c.Authenticator.allow_all = True
elif AUTH == "oauth":
    issuer = os.environ.get("OAUTH_ISSUER", "").rstrip("/")
    c.JupyterHub.authenticator_class = "generic-oauth"
    c.GenericOAuthenticator.client_id = os.environ.get("OAUTH_CLIENT_ID", "")
    c.GenericOAuthenticator.client_secret = os.environ.get("OAUTH_CLIENT_SECRET", "")
    c.GenericOAuthenticator.oauth_callback_url = os.environ.get("OAUTH_CALLBACK_URL", "")
    c.GenericOAuthenticator.authorize_url = f"{issuer}/protocol/openid-connect/auth"
    c.GenericOAuthenticator.token_url = f"{issuer}/protocol/openid-connect/token"
    c.GenericOAuthenticator.userdata_url = f"{issuer}/protocol/openid-connect/userinfo"
    c.GenericOAuthenticator.scope = ["openid", "profile", "email"]
    c.GenericOAuthenticator.username_claim = "preferred_username"
    group = os.environ.get("STEWARD_HUB_GROUP")
    if group:
        c.GenericOAuthenticator.claim_groups_key = "groups"
        c.GenericOAuthenticator.allowed_groups = {group}
    else:
        c.Authenticator.allow_all = True
else:
    raise ValueError(f"STEWARD_HUB_AUTH must be 'oauth' or 'password', not {AUTH!r}")
c.Authenticator.admin_users = {n.strip() for n in os.environ.get("STEWARD_HUB_ADMINS", "").split(",") if n.strip()}

# -- the idle culler ---------------------------------------------------------------------
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_TIMEOUT_S}"],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
