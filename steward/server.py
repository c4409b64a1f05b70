"""A Jupyter Server extension that sends kernel messages to the page without delay.

jupyter_server leaves Nagle's algorithm on for its kernel websockets (tornado's default), so
when a kernel sends two small messages in a row (``status: busy``, then a widget's update),
the second waits in the server until the browser acknowledges the first, and browsers delay
that acknowledgement by up to 40 ms. Every slider step then shows its picture up to 40 ms
late (issue #18, felt latency). This extension turns Nagle off (``TCP_NODELAY``) on each
kernel websocket as it opens; nothing else changes. ``run.py lab`` and the learners' image
enable it (``python -m steward.server`` writes the config file, as :func:`install` does), the
browser tests on their command line (``--ServerApp.jpserver_extensions=steward.server=True``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

#: The option that enables this extension, as a ``jupyter_server_config.d`` file holds it.
CONFIG = {"ServerApp": {"jpserver_extensions": {"steward.server": True}}}


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "steward.server"}]


def no_delay(handler_class: type) -> bool:
    """Make ``handler_class`` (a tornado WebSocketHandler) set TCP_NODELAY when it opens;
    returns False if it already does."""
    if getattr(handler_class, "_steward_no_delay", False):
        return False
    original = handler_class.open

    async def open(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            self.set_nodelay(True)
        except Exception:  # a closed or non-TCP stream: leave it as it is
            pass
        return await original(self, *args, **kwargs)

    open.__doc__ = original.__doc__
    handler_class.open = open
    handler_class._steward_no_delay = True
    return True


def _load_jupyter_server_extension(serverapp: Any) -> None:
    from jupyter_server.services.kernels.websocket import KernelWebsocketHandler

    if no_delay(KernelWebsocketHandler):
        serverapp.log.info("steward: kernel websockets send without delay (TCP_NODELAY)")


def install(prefix: str | Path = sys.prefix) -> Path:
    """Enable this extension for every Jupyter Server of the environment at ``prefix``, as
    installed extensions enable themselves: ``etc/jupyter/jupyter_server_config.d/steward.json``."""
    target = Path(prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "steward.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(CONFIG, indent=2) + "\n")
    return target


if __name__ == "__main__":
    print(install(*sys.argv[1:2]))
