"""Links that hand the curriculum to JupyterHub users (``steward hub-link``).

An nbgitpuller link is the Jupyter ecosystem's way to give a course to hub users: a
learner clicks it, the hub logs them in and starts their server, nbgitpuller clones the
repository into their home (or, on a later click, merges the new commits without
clobbering what they edited: its merge keeps the learner's side of a conflict), and
JupyterLab opens the given notebook.
"""

from __future__ import annotations

from urllib.parse import urlencode

from steward import lessonmeta
from steward.errors import StewardError

#: The folder in each learner's home the curriculum is pulled into (the hub config's TARGET).
TARGET = "steward"
FOLDERS = ("notebooks", "exercises", "solutions")


def link(hub: str, repo: str, branch: str = "main", module: str | None = "00", folder: str = "notebooks",
         target: str = TARGET) -> str:
    """The nbgitpuller link for ``hub`` that pulls ``repo`` at ``branch`` into ``~/target``
    and opens module ``module``'s notebook in ``folder`` (the folder itself if no module)."""
    if not hub.startswith(("http://", "https://")):
        raise StewardError(f"The hub URL {hub!r} must start with https:// (or http:// on a trial hub).",
                           "Give the address learners open, e.g. https://hub.example.com.")
    if folder not in FOLDERS:
        raise StewardError(f"Unknown folder {folder!r}.", f"Use one of {', '.join(FOLDERS)}.")
    opened = f"{target}/{folder}"
    if module is not None:
        opened = f"{target}/{folder}/{lessonmeta.find(module, folder).name}"
    query = urlencode({"repo": repo, "branch": branch, "targetpath": target, "urlpath": f"lab/tree/{opened}"})
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"
