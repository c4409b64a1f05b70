"""One exception type whose message is the whole story.

IPython calls ``_render_traceback_`` on an exception when it has one, so a learner who
hits a ``StewardError`` in a notebook sees two plain lines, not a traceback wall.
"""

from __future__ import annotations


class StewardError(Exception):
    """A problem the learner can fix, explained in plain words (what happened, what to do)."""

    def __init__(self, message: str, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(message if fix is None else f"{message}\n{fix}")

    def _render_traceback_(self) -> list[str]:  # IPython hook: replaces the traceback
        lines = [f"\x1b[1;31mSteward:\x1b[0m {self.message}"]
        if self.fix:
            lines.append(f"\x1b[1mWhat to do:\x1b[0m {self.fix}")
        return lines
